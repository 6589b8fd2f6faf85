/* A tiny formatter for text the platform writes when it cannot use printf:
 * error messages before libc is trusted, and crash reports from signal or
 * exception context. SSE-free, allocation-free, async-signal-safe. Output
 * past the buffer's end is cut, never overflows. */
#ifndef PITH_FMT_H
#define PITH_FMT_H

#include <stddef.h>
#include <stdint.h>

struct pith_buf {
	char *p;    /* storage, always NUL-terminated */
	size_t cap; /* bytes of storage, including the NUL */
	size_t len; /* bytes written so far, without the NUL */
};

/* Starts BUF over storage P of CAP bytes (CAP >= 1). */
void pith_buf_init(struct pith_buf *b, char *p, size_t cap);

/* Append a string, LEN bytes of a string, one character, an unsigned or
 * signed decimal, or a hexadecimal number with "0x" and at least DIGITS
 * digits (0: as few as needed). */
void pith_buf_str(struct pith_buf *b, const char *s);
void pith_buf_mem(struct pith_buf *b, const char *s, size_t len);
void pith_buf_chr(struct pith_buf *b, char c);
void pith_buf_udec(struct pith_buf *b, uint64_t v);
void pith_buf_dec(struct pith_buf *b, int64_t v);
void pith_buf_hex(struct pith_buf *b, uint64_t v, unsigned digits);

/* Length of NUL-terminated S, at most MAX. */
size_t pith_strnlen(const char *s, size_t max);

/* Whether NUL-terminated strings A and B are equal. */
int pith_streq(const char *a, const char *b);

#endif
