/* The linux target's console, clocks, sleeping and ending: the parts of
 * the platform contract that are not devices. */
#include <errno.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>

#include "../common/crash.h"
#include "linux.h"
#include "sys.h"

#define NSEC_PER_SEC 1000000000ULL
#define SIGNAL_ABRT  6 /* what gdb names an abort's core */

void lx_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		long n = lx_syscall3(SYS_write, fd, (long)buf, (long)len);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return; /* output the host refuses is dropped */
		buf += n;
		len -= (size_t)n;
	}
}

void pith_console_write(const char *buf, size_t len)
{
	lx_note(LX_CALL_CONSOLE, -1, len, 0, 0, 0);
	lx_write_all(1, buf, len);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	/* musl reads the vDSO; the filter allows the kernel fallback. */
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t pith_clock_monotonic(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t pith_clock_wall(void)
{
	return clock_ns(CLOCK_REALTIME);
}

void pith_yield(uint64_t deadline, pith_handle_set *ready)
{
	struct pollfd p[PITH_DEVICES_MAX];
	unsigned idx[PITH_DEVICES_MAX], n = 0;
	uint64_t now = pith_clock_monotonic();
	uint64_t wait = deadline > now ? deadline - now : 0;
	struct timespec ts = { (time_t)(wait / NSEC_PER_SEC),
			       (long)(wait % NSEC_PER_SEC) };
	pith_handle_set set = 0;
	long r;

	for (unsigned i = 0; i < lx.manifest.count; i++) {
		if (lx.dev[i].host.type != PITH_DEV_NET || !lx.dev[i].acquired)
			continue;
		if (lx_gro_pending(i)) { /* segments wait: no sleeping */
			set |= 1ULL << i;
			ts.tv_sec = ts.tv_nsec = 0;
		}
		p[n].fd = lx.dev[i].host.fd;
		p[n].events = POLLIN | (lx.dev[i].host.tx_full ? POLLOUT : 0);
		p[n].revents = 0;
		idx[n++] = i;
	}
	r = lx_syscall6(SYS_ppoll, (long)p, n, (long)&ts, 0, 8, 0);
	if (r > 0)
		for (unsigned k = 0; k < n; k++)
			if (p[k].revents)
				set |= 1ULL << idx[k];
	if (lx.debug)
		lx_note(LX_CALL_YIELD, -1, 0, 0, pith_clock_monotonic() - now,
			(long)set);
	if (ready)
		*ready = set;
}

_Noreturn void lx_exit(int status)
{
	lx_debug_finish();
	for (;;)
		lx_syscall3(SYS_exit_group, status & 0xff, 0, 0);
}

_Noreturn void pith_exit(int status)
{
	lx_exit(status);
}

_Noreturn void pith_abort(const char *reason)
{
	const uint64_t *frame = __builtin_frame_address(0);
	struct pith_crash c = { .code = PITH_EXIT_ABORT };
	struct pith_buf b;

	pith_buf_init(&b, c.reason, sizeof c.reason);
	pith_buf_str(&b, reason ? reason : "(no reason given)");
	/* Report from the caller's point of view, at its call instruction
	 * (the return address may already lie past a noreturn caller). */
	c.regs.rip = frame[1] - 1;
	c.regs.rbp = frame[0];
	c.regs.rsp = (uint64_t)(uintptr_t)(frame + 2);
	c.peek = lx_peek;
	pith_crash_report(&c, lx_diag_write);
	lx_debug_crash(&c, SIGNAL_ABRT);
	lx_exit(c.code);
}
