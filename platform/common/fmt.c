/* The platform's formatter: see fmt.h. Everything here must work in a
 * signal handler with a corrupt heap, so it touches only its arguments. */
#include "fmt.h"

void pith_buf_init(struct pith_buf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	p[0] = '\0';
}

void pith_buf_chr(struct pith_buf *b, char c)
{
	if (b->len + 1 >= b->cap)
		return;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void pith_buf_mem(struct pith_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		pith_buf_chr(b, s[i]);
}

void pith_buf_str(struct pith_buf *b, const char *s)
{
	while (*s)
		pith_buf_chr(b, *s++);
}

void pith_buf_udec(struct pith_buf *b, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		pith_buf_chr(b, tmp[--n]);
}

void pith_buf_dec(struct pith_buf *b, int64_t v)
{
	if (v < 0) {
		pith_buf_chr(b, '-');
		pith_buf_udec(b, -(uint64_t)v);
		return;
	}
	pith_buf_udec(b, (uint64_t)v);
}

void pith_buf_hex(struct pith_buf *b, uint64_t v, unsigned digits)
{
	static const char xd[] = "0123456789abcdef";
	char tmp[16];
	unsigned n = 0;

	do {
		tmp[n++] = xd[v & 15];
		v >>= 4;
	} while (v);
	while (n < digits && n < sizeof tmp)
		tmp[n++] = '0';
	pith_buf_str(b, "0x");
	while (n)
		pith_buf_chr(b, tmp[--n]);
}

size_t pith_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int pith_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}
