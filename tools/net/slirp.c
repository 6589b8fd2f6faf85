/* The libslirp glue of pith-net: its callbacks (frames out, clock,
 * timers, poll registration) and the loop that feeds it. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

struct timer {
	SlirpTimerCb cb;
	void *arg;
	int64_t expire_ms; /* -1: not armed */
	int used;
};

static struct {
	int frames_fd;
	struct timer timers[NETH_TIMERS_MAX];
	struct pollfd fds[NETH_POLL_MAX];
	unsigned nfds;
	unsigned long dropped; /* frames the appliance could not take */
} st;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
	(void)opaque;
	if (write(st.frames_fd, buf, len) < 0)
		st.dropped++;
	return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	fprintf(stderr,
		"pith-net: the appliance sent something slirp refused: "
		"%s\n",
		msg);
}

static int64_t clock_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

static void *timer_new(SlirpTimerCb cb, void *arg, void *opaque)
{
	(void)opaque;
	for (unsigned i = 0; i < NETH_TIMERS_MAX; i++)
		if (!st.timers[i].used) {
			st.timers[i] = (struct timer){ cb, arg, -1, 1 };
			return &st.timers[i];
		}
	fprintf(stderr, "pith-net: more than %d timers\n", NETH_TIMERS_MAX);
	return 0;
}

static void timer_free(void *t, void *opaque)
{
	(void)opaque;
	if (t)
		((struct timer *)t)->used = 0;
}

static void timer_mod(void *t, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	if (t)
		((struct timer *)t)->expire_ms = expire_ms;
}

static void nop_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void nop(void *opaque)
{
	(void)opaque;
}

static const SlirpCb callbacks = {
	.send_packet = send_packet,
	.guest_error = guest_error,
	.clock_get_ns = clock_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = nop_fd,
	.unregister_poll_fd = nop_fd,
	.notify = nop,
};

Slirp *neth_start(int frames_fd, const struct portfwd *fwd, unsigned n,
		  struct pith_buf *err)
{
	SlirpConfig c = { .version = 1, .in_enabled = true };
	struct in_addr guest;
	Slirp *s;

	st.frames_fd = frames_fd;
	inet_pton(AF_INET, "10.0.2.0", &c.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &c.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &c.vhost);
	inet_pton(AF_INET, NETH_GUEST, &c.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &c.vnameserver);
	inet_pton(AF_INET, NETH_GUEST, &guest);
	s = slirp_new(&c, &callbacks, 0);
	if (!s) {
		pith_buf_str(err, "libslirp could not start");
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		if (slirp_add_hostfwd(s, fwd[i].udp, fwd[i].host_addr,
				      fwd[i].host_port, guest,
				      fwd[i].guest_port) < 0) {
			portfwd_busy(&fwd[i], err);
			return 0;
		}
	return s;
}

static int add_poll(int fd, int events, void *opaque)
{
	short ev = 0;

	(void)opaque;
	if (st.nfds == NETH_POLL_MAX)
		return -1;
	ev |= (events & SLIRP_POLL_IN) ? POLLIN : 0;
	ev |= (events & SLIRP_POLL_OUT) ? POLLOUT : 0;
	ev |= (events & SLIRP_POLL_PRI) ? POLLPRI : 0;
	st.fds[st.nfds] = (struct pollfd){ fd, ev, 0 };
	return (int)st.nfds++;
}

static int get_revents(int idx, void *opaque)
{
	short r;
	int ev = 0;

	(void)opaque;
	if (idx < 0 || (unsigned)idx >= st.nfds)
		return 0;
	r = st.fds[idx].revents;
	ev |= (r & POLLIN) ? SLIRP_POLL_IN : 0;
	ev |= (r & POLLOUT) ? SLIRP_POLL_OUT : 0;
	ev |= (r & POLLPRI) ? SLIRP_POLL_PRI : 0;
	ev |= (r & POLLERR) ? SLIRP_POLL_ERR : 0;
	ev |= (r & POLLHUP) ? SLIRP_POLL_HUP : 0;
	return ev;
}

/* Milliseconds to the next armed timer, at most LIMIT. */
static uint32_t next_timer(uint32_t limit)
{
	int64_t now = now_ns() / 1000000;

	for (unsigned i = 0; i < NETH_TIMERS_MAX; i++) {
		const struct timer *t = &st.timers[i];
		if (t->used && t->expire_ms >= 0) {
			int64_t d = t->expire_ms - now;
			if (d < (int64_t)limit)
				limit = d < 0 ? 0 : (uint32_t)d;
		}
	}
	return limit;
}

static void run_timers(void)
{
	int64_t now = now_ns() / 1000000;

	for (unsigned i = 0; i < NETH_TIMERS_MAX; i++) {
		struct timer *t = &st.timers[i];
		if (t->used && t->expire_ms >= 0 && t->expire_ms <= now) {
			t->expire_ms = -1;
			t->cb(t->arg);
		}
	}
}

/* Feeds the appliance's frames to slirp; 0 when its end closed. */
static int frames_in(Slirp *s)
{
	uint8_t frame[NETH_FRAME_MAX];

	for (;;) {
		ssize_t n = read(st.frames_fd, frame, sizeof frame);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 1 : 0;
		if (n == 0)
			return 0;
		slirp_input(s, frame, (int)n);
	}
}

int neth_loop(Slirp *s, int frames_fd)
{
	for (;;) {
		uint32_t timeout = UINT32_MAX;
		int r;

		st.nfds = 0;
		add_poll(frames_fd, SLIRP_POLL_IN, 0);
		slirp_pollfds_fill(s, &timeout, add_poll, 0);
		timeout = next_timer(timeout > 1000 ? 1000 : timeout);
		r = poll(st.fds, st.nfds, (int)timeout);
		if (r < 0 && errno != EINTR)
			return 1;
		if (r > 0 &&
		    (st.fds[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !frames_in(s))
			return 0;
		slirp_pollfds_poll(s, r < 0, get_revents, 0);
		run_timers();
	}
}
