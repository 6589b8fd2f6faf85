/* The guest's hypercalls (include/pith/abi/kvm.h). Each argument struct
 * is copied out of guest memory before it is looked at, so the guest
 * cannot change it under the monitor's feet; every address and length in
 * it passes mon_guest() with the access the call needs; any violation
 * stops the guest with a message naming the call and the defect. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mon.h"
#include "pith/exit.h"

#define ETH_HDR 14
#define NSEC	1000000000ULL

static const char *const hc_names[PITH_HC_COUNT] = {
	"console",    "walltime",    "yield", "net_read", "net_write",
	"block_read", "block_write", "exit",  "abort",	  "crash"
};

void mon_diag(const struct mon_hc *hc, const char *text)
{
	char line[512];
	struct pith_buf b;

	pith_buf_init(&b, line, sizeof line);
	pith_buf_str(&b, "pith-kvm: ");
	pith_buf_str(&b, hc->image);
	pith_buf_str(&b, ": ");
	pith_buf_str(&b, text);
	pith_buf_chr(&b, '\n');
	if (write(hc->diag_fd, line, b.len) < 0) {
		/* Nothing left to tell it to. */
	}
}

/* Stops the guest: the call N broke the ABI in the way WHAT says. */
static enum mon_next violation(struct mon_hc *hc, unsigned n, const char *what,
			       int *status)
{
	char text[256];
	struct pith_buf b;

	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b, "guest stopped: hypercall ");
	pith_buf_str(&b, n < PITH_HC_COUNT ? hc_names[n] : "?");
	pith_buf_str(&b, ": ");
	pith_buf_str(&b, what);
	mon_diag(hc, text);
	*status = PITH_EXIT_ABORT;
	return MON_STOPPED;
}

/* Copies LEN bytes of the argument struct at GPA into DST. */
static int copy_in(struct mon_hc *hc, uint64_t gpa, void *dst, size_t len)
{
	const void *src = mon_guest(hc->mem, gpa, len, MON_R);

	if (!src)
		return -1;
	memcpy(dst, src, len);
	return 0;
}

/* Copies the OUT fields back: the whole struct, to writable memory. */
static int copy_out(struct mon_hc *hc, uint64_t gpa, const void *src,
		    size_t len)
{
	void *dst = mon_guest(hc->mem, gpa, len, MON_R | MON_W);

	if (!dst)
		return -1;
	memcpy(dst, src, len);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static enum mon_next hc_console(struct mon_hc *hc, uint64_t gpa, int *st)
{
	struct pith_hc_console c;
	const char *buf;

	if (copy_in(hc, gpa, &c, sizeof c) < 0)
		return violation(hc, PITH_HC_CONSOLE, "argument out of range",
				 st);
	if (c.len > PITH_HC_CONSOLE_MAX)
		return violation(hc, PITH_HC_CONSOLE, "longer than 4096 bytes",
				 st);
	buf = mon_guest(hc->mem, c.buf, c.len, MON_R);
	if (!buf)
		return violation(hc, PITH_HC_CONSOLE, "buffer out of range",
				 st);
	hc->stats->console_bytes += c.len;
	/* A console that cannot take output drops it (as on every target). */
	(void)write_all(hc->console_fd, buf, c.len);
	return MON_CONTINUE;
}

static enum mon_next hc_walltime(struct mon_hc *hc, uint64_t gpa, int *st)
{
	struct timespec ts;
	struct pith_hc_walltime w;

	clock_gettime(CLOCK_REALTIME, &ts);
	w.nsec = (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
	if (copy_out(hc, gpa, &w, sizeof w) < 0)
		return violation(hc, PITH_HC_WALLTIME, "argument out of range",
				 st);
	return MON_CONTINUE;
}

static enum mon_next hc_yield(struct mon_hc *hc, uint64_t gpa, int *st)
{
	struct pith_hc_yield y;
	struct pollfd p[PITH_DEVICES_MAX];
	unsigned idx[PITH_DEVICES_MAX], n = 0;
	struct timespec ts;

	if (copy_in(hc, gpa, &y, sizeof y) < 0)
		return violation(hc, PITH_HC_YIELD, "argument out of range",
				 st);
	for (unsigned i = 0; i < hc->ndev; i++) {
		if (hc->dev[i].type != PITH_DEV_NET)
			continue;
		short ev = POLLIN | (hc->dev[i].tx_full ? POLLOUT : 0);
		p[n] = (struct pollfd){ hc->dev[i].fd, ev, 0 };
		idx[n++] = i;
	}
	ts.tv_sec = (time_t)(y.timeout / NSEC);
	ts.tv_nsec = (long)(y.timeout % NSEC);
	if (ts.tv_sec < 0)
		ts.tv_sec = 0x7fffffff;
	y.ready = 0;
	if (ppoll(p, n, &ts, 0) > 0)
		for (unsigned k = 0; k < n; k++)
			if (p[k].revents)
				y.ready |= 1ULL << idx[k];
	if (copy_out(hc, gpa, &y, sizeof y) < 0)
		return violation(hc, PITH_HC_YIELD, "argument out of range",
				 st);
	return MON_CONTINUE;
}

/* Reads or writes up to C->count frames; C->done and C->result set. */
static const char *net_frames(struct mon_hc *hc, struct pith_hc_net *c,
			      int reading)
{
	struct pith_hc_frame f[PITH_HC_NET_BATCH];
	struct hostdev *d = &hc->dev[c->handle];
	size_t max = d->net.mtu + ETH_HDR;

	if (c->count > PITH_HC_NET_BATCH)
		return "more than 64 frames";
	if (copy_in(hc, c->frames, f, c->count * sizeof f[0]) < 0)
		return "frame array out of range";
	c->done = 0;
	c->result = PITH_HC_OK;
	for (uint32_t i = 0; i < c->count; i++) {
		unsigned perm = reading ? MON_R | MON_W : MON_R;
		uint32_t len = reading ? f[i].cap : f[i].len;
		void *buf = mon_guest(hc->mem, f[i].buf, len, perm);
		ssize_t r;

		if (!buf)
			return "frame buffer out of range";
		if (reading ? len < max : len < ETH_HDR || len > max) {
			c->result = PITH_HC_EINVAL;
			break;
		}
		do
			r = reading ? read(d->fd, buf, len)
				    : write(d->fd, buf, len);
		while (r < 0 && errno == EINTR);
		if (!reading)
			d->tx_full =
				r < 0 && (errno == EAGAIN || errno == ENOBUFS);
		if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			c->result =
				reading && c->done ? PITH_HC_OK : PITH_HC_AGAIN;
			break;
		}
		if (r < 0 || (!reading && (uint32_t)r != len)) {
			c->result = PITH_HC_EUNSPEC;
			break;
		}
		f[i].len = (uint32_t)r;
		c->done++;
		if (reading) {
			hc->stats->frames_in[c->handle]++;
			hc->stats->bytes_in[c->handle] += (uint64_t)r;
		} else {
			hc->stats->frames_out[c->handle]++;
			hc->stats->bytes_out[c->handle] += (uint64_t)r;
		}
	}
	if (reading && c->done &&
	    copy_out(hc, c->frames, f, c->done * sizeof f[0]) < 0)
		return "frame array out of range";
	return 0;
}

static enum mon_next hc_net(struct mon_hc *hc, unsigned n, uint64_t gpa,
			    int *st)
{
	struct pith_hc_net c;
	const char *why;

	if (copy_in(hc, gpa, &c, sizeof c) < 0)
		return violation(hc, n, "argument out of range", st);
	if (c.handle >= hc->ndev || hc->dev[c.handle].type != PITH_DEV_NET) {
		c.done = 0;
		c.result = PITH_HC_EINVAL;
	} else if ((why = net_frames(hc, &c, n == PITH_HC_NET_READ)) != 0)
		return violation(hc, n, why, st);
	if (copy_out(hc, gpa, &c, sizeof c) < 0)
		return violation(hc, n, "argument out of range", st);
	return MON_CONTINUE;
}

/* Transfers all of a block request; PITH_HC_* result. */
static uint32_t block_io(const struct hostdev *d, int reading, char *buf,
			 uint64_t len, uint64_t off)
{
	while (len) {
		ssize_t r = reading ? pread(d->fd, buf, len, (off_t)off)
				    : pwrite(d->fd, buf, len, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return PITH_HC_EUNSPEC;
		buf += r;
		len -= (uint64_t)r;
		off += (uint64_t)r;
	}
	return PITH_HC_OK;
}

static enum mon_next hc_block(struct mon_hc *hc, unsigned n, uint64_t gpa,
			      int *st)
{
	struct pith_hc_block c;
	const struct hostdev *d;
	int reading = n == PITH_HC_BLOCK_READ;
	char *buf;

	if (copy_in(hc, gpa, &c, sizeof c) < 0)
		return violation(hc, n, "argument out of range", st);
	d = c.handle < hc->ndev ? &hc->dev[c.handle] : 0;
	if (!d || d->type != PITH_DEV_BLOCK || c.len == 0 ||
	    c.offset % PITH_BLOCK_SIZE || c.len % PITH_BLOCK_SIZE ||
	    c.offset > d->capacity || c.len > d->capacity - c.offset) {
		c.result = PITH_HC_EINVAL;
	} else {
		buf = mon_guest(hc->mem, c.buf, c.len,
				reading ? MON_R | MON_W : MON_R);
		if (!buf)
			return violation(hc, n, "buffer out of range", st);
		c.result = block_io(d, reading, buf, c.len, c.offset);
		if (c.result == PITH_HC_OK)
			hc->stats->bytes_in[c.handle] += reading ? c.len : 0;
		if (c.result == PITH_HC_OK)
			hc->stats->bytes_out[c.handle] += reading ? 0 : c.len;
	}
	if (copy_out(hc, gpa, &c, sizeof c) < 0)
		return violation(hc, n, "argument out of range", st);
	return MON_CONTINUE;
}

/* The guest's own report of why it stops (abort, blocked call). */
static enum mon_next hc_abort(struct mon_hc *hc, uint64_t gpa, int *st)
{
	struct pith_hc_abort a;
	char reason[PITH_HC_REASON_MAX + 1];
	const char *text;

	if (copy_in(hc, gpa, &a, sizeof a) < 0)
		return violation(hc, PITH_HC_ABORT, "argument out of range",
				 st);
	if (a.len > PITH_HC_REASON_MAX)
		a.len = PITH_HC_REASON_MAX;
	text = mon_guest(hc->mem, a.reason, a.len, MON_R);
	if (!text)
		return violation(hc, PITH_HC_ABORT, "reason out of range", st);
	/* Printable ASCII only: the reason is guest data. */
	for (uint32_t i = 0; i < a.len; i++)
		reason[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
	reason[a.len] = '\0';
	if (a.code < PITH_EXIT_SYSCALL || a.code > PITH_EXIT_IMAGE)
		a.code = PITH_EXIT_ABORT;
	*st = mon_report(hc, (int)a.code, 0, reason, a.regs, 0);
	return MON_STOPPED;
}

enum mon_next mon_hypercall(struct mon_hc *hc, unsigned port, uint32_t value,
			    int *status)
{
	unsigned n = port - PITH_HC_PORT_BASE;
	struct pith_hc_exit e;

	if (port < PITH_HC_PORT_BASE || n >= PITH_HC_COUNT)
		return violation(hc, n, "no such hypercall port", status);
	hc->stats->hypercalls[n]++;
	switch (n) {
	case PITH_HC_CONSOLE:
		return hc_console(hc, value, status);
	case PITH_HC_WALLTIME:
		return hc_walltime(hc, value, status);
	case PITH_HC_YIELD:
		return hc_yield(hc, value, status);
	case PITH_HC_NET_READ:
	case PITH_HC_NET_WRITE:
		return hc_net(hc, n, value, status);
	case PITH_HC_BLOCK_READ:
	case PITH_HC_BLOCK_WRITE:
		return hc_block(hc, n, value, status);
	case PITH_HC_EXIT:
		if (copy_in(hc, value, &e, sizeof e) < 0)
			return violation(hc, n, "argument out of range",
					 status);
		*status = e.status & 0xff;
		return MON_EXITED;
	case PITH_HC_ABORT:
		return hc_abort(hc, value, status);
	default:
		return mon_crash(hc, value, status);
	}
}
