/* The gdb remote serial protocol with QEMU's gdb stub (see rsp.h). The
 * units and the requests; the register layout is QEMU's for x86_64
 * (its gdb-xml/i386-64bit.xml): rax .. r15 and rip of 8 bytes, eflags
 * and the six segment selectors of 4, then fs_base of 8, the rest after
 * it unused here. */
#include "rsp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Bytes of the 'g' reply up to the end of fs_base, and where it starts. */
#define G_EFLAGS  (16 * 8 + 8)
#define G_FS_BASE (G_EFLAGS + 4 + 6 * 4)
#define G_BYTES	  (G_FS_BASE + 8)
#define EFLAGS	  17 /* gdb's number of eflags, the one 4-byte register */

static const char hexdigits[] = "0123456789abcdef";

static int hexval(char c)
{
	const char *p = c ? strchr(hexdigits, c | 0x20) : 0;

	return p ? (int)(p - hexdigits) : -1;
}

/* N bytes from the 2 * N hex digits at H into OUT. 0, or -1. */
static int unhex(const char *h, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* The little-endian value of the N bytes at P. */
static uint64_t le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static unsigned checksum(const char *p, size_t n)
{
	unsigned sum = 0;

	while (n--)
		sum += (unsigned char)*p++;
	return sum & 0xff;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rsp_init(struct rsp_stream *s, int fd)
{
	s->fd = fd;
	s->len = 0;
}

void rsp_unit(const struct rsp_stream *s, struct rsp_unit *u)
{
	const char *b = s->buf, *hash;
	int hi, lo;

	memset(u, 0, sizeof *u);
	if (!s->len)
		return; /* RSP_INCOMPLETE */
	u->len = 1;
	if (b[0] == '+' || b[0] == '-')
		u->kind = RSP_ACK;
	else if (b[0] == RSP_BREAK)
		u->kind = RSP_INTERRUPT;
	else if (b[0] != '$' && b[0] != '%')
		u->kind = RSP_OTHER;
	if (u->kind != RSP_INCOMPLETE)
		return;
	hash = memchr(b + 1, '#', s->len - 1);
	if (!hash || (size_t)(hash - b) + 3 > s->len) {
		if (s->len == sizeof s->buf) {
			u->kind = RSP_OTHER;
			u->len = s->len;
		}
		return;
	}
	u->kind = RSP_PACKET;
	u->payload = b + 1;
	u->payload_len = (size_t)(hash - b) - 1;
	u->len = u->payload_len + RSP_FRAME_BYTES;
	hi = hexval(hash[1]);
	lo = hexval(hash[2]);
	u->sum_ok = hi >= 0 && lo >= 0 &&
		    (unsigned)(hi << 4 | lo) ==
			    checksum(u->payload, u->payload_len);
}

void rsp_drop(struct rsp_stream *s, size_t n)
{
	if (n > s->len)
		n = s->len;
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
}

ssize_t rsp_fill(struct rsp_stream *s)
{
	ssize_t n;

	if (s->len == sizeof s->buf)
		return -1;
	do
		n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -2 : -1;
	s->len += (size_t)n;
	return n;
}

int rsp_write(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);
		struct pollfd pf = { fd, POLLOUT, 0 };

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			if (poll(&pf, 1, RSP_REPLY_MS) <= 0)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int rsp_send(int fd, const char *payload)
{
	char pkt[RSP_BUF_BYTES];
	size_t n = strlen(payload);
	unsigned sum = checksum(payload, n);

	if (n > RSP_PAYLOAD_MAX)
		return -1;
	pkt[0] = '$';
	memcpy(pkt + 1, payload, n);
	pkt[n + 1] = '#';
	pkt[n + 2] = hexdigits[sum >> 4];
	pkt[n + 3] = hexdigits[sum & 15];
	return rsp_write(fd, pkt, n + RSP_FRAME_BYTES);
}

/* Waits until S's descriptor has bytes or DEADLINE (ms) passes, then
 * reads them: as rsp_fill, with -2 for the time running out. */
static ssize_t fill_by(struct rsp_stream *s, long long deadline)
{
	struct pollfd pf = { s->fd, POLLIN, 0 };
	long long left = deadline - now_ms();
	int n;

	if (left <= 0)
		return -2;
	n = poll(&pf, 1, (int)left);
	if (n < 0 && errno == EINTR)
		return 1; /* look again */
	if (n <= 0)
		return n < 0 ? -1 : -2;
	return rsp_fill(s);
}

/* As rsp_packet, with -2 for the end of the connection. */
static int packet(struct rsp_stream *s, char *out, size_t cap, int ms)
{
	long long deadline = now_ms() + ms;
	struct rsp_unit u;
	ssize_t got;
	int ok;

	for (;;) {
		rsp_unit(s, &u);
		if (u.kind == RSP_PACKET) {
			ok = u.sum_ok && u.payload_len < cap;
			if (ok) {
				memcpy(out, u.payload, u.payload_len);
				out[u.payload_len] = '\0';
			}
			rsp_drop(s, u.len);
			return ok ? 0 : -1;
		}
		if (u.kind != RSP_INCOMPLETE) {
			rsp_drop(s, u.len); /* acknowledgements, stray bytes */
			continue;
		}
		got = fill_by(s, deadline);
		if (got == 0)
			return -2;
		if (got < 0 && got != -2)
			return -1;
		if (got == -2 && now_ms() >= deadline)
			return -1;
	}
}

int rsp_packet(struct rsp_stream *s, char *out, size_t cap, int ms)
{
	return packet(s, out, cap, ms) == 0 ? 0 : -1;
}

int rsp_request(struct rsp_stream *s, const char *payload, char *out,
		size_t cap)
{
	if (rsp_send(s->fd, payload) < 0)
		return -1;
	return rsp_packet(s, out, cap, RSP_REPLY_MS);
}

/* Sends PAYLOAD and expects "OK". */
static int request_ok(struct rsp_stream *s, const char *payload)
{
	char reply[16];

	return rsp_request(s, payload, reply, sizeof reply) == 0 &&
			       !strcmp(reply, "OK")
		       ? 0
		       : -1;
}

int rsp_get_regs(struct rsp_stream *s, struct rsp_regs *r)
{
	static char reply[RSP_PAYLOAD_MAX + 1];
	unsigned char b[G_BYTES];

	if (rsp_request(s, "g", reply, sizeof reply) < 0 ||
	    strlen(reply) < 2 * sizeof b || unhex(reply, sizeof b, b) < 0)
		return -1;
	for (unsigned i = 0; i < RSP_NREGS - 1; i++)
		r->r[i] = le(b + 8 * i, 8);
	r->r[EFLAGS] = le(b + G_EFLAGS, 4);
	r->fs_base = le(b + G_FS_BASE, 8);
	return 0;
}

int rsp_set_regs(struct rsp_stream *s, const uint64_t r[RSP_NREGS])
{
	char pkt[48];

	for (unsigned i = 0; i < RSP_NREGS; i++) {
		unsigned bytes = i == EFLAGS ? 4 : 8;
		int n = snprintf(pkt, sizeof pkt, "P%x=", i);

		for (unsigned k = 0; k < bytes; k++) {
			pkt[n++] = hexdigits[(r[i] >> (8 * k + 4)) & 15];
			pkt[n++] = hexdigits[(r[i] >> (8 * k)) & 15];
		}
		pkt[n] = '\0';
		if (request_ok(s, pkt) < 0)
			return -1;
	}
	return 0;
}

int rsp_read(struct rsp_stream *s, uint64_t addr, void *buf, size_t len)
{
	static char reply[RSP_PAYLOAD_MAX + 1];
	char pkt[48];

	if (len > RSP_PAYLOAD_MAX / 2)
		return -1;
	snprintf(pkt, sizeof pkt, "m%llx,%zx", (unsigned long long)addr, len);
	if (rsp_request(s, pkt, reply, sizeof reply) < 0 ||
	    strlen(reply) != 2 * len)
		return -1;
	return unhex(reply, len, buf);
}

int rsp_break(struct rsp_stream *s, uint64_t addr, int insert)
{
	char pkt[48];

	snprintf(pkt, sizeof pkt, "%c0,%llx,1", insert ? 'Z' : 'z',
		 (unsigned long long)addr);
	return request_ok(s, pkt);
}

int rsp_wait_stop(struct rsp_stream *s, char *out, size_t cap, int ms)
{
	int got = packet(s, out, cap, ms);

	if (got == -2)
		return 0;
	if (got < 0)
		return -1;
	if (out[0] == 'T' || out[0] == 'S')
		return 1;
	return out[0] == 'W' || out[0] == 'X' ? 0 : -1;
}

int rsp_interrupt(struct rsp_stream *s)
{
	char stop = RSP_BREAK, reply[RSP_STOP_MAX];

	if (rsp_write(s->fd, &stop, 1) < 0)
		return -1;
	return rsp_wait_stop(s, reply, sizeof reply, RSP_REPLY_MS);
}
