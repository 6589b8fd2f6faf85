/* Clocks and sleeping for libc, over the platform's two clocks and
 * pith_yield(). Sleeping ignores device input: a POSIX sleep is a sleep. */
#include <errno.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "impl.h"
#include "pith/platform.h"

#define NSEC_PER_SEC 1000000000ULL

static void to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
}

/* Converts *TS to nanoseconds, saturating; -EINVAL if malformed. */
static int from_timespec(const struct timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 ||
	    (unsigned long)ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts->tv_sec >= UINT64_MAX / NSEC_PER_SEC)
		*ns = UINT64_MAX;
	else
		*ns = (uint64_t)ts->tv_sec * NSEC_PER_SEC +
		      (uint64_t)ts->tv_nsec;
	return 0;
}

static int is_wall(long clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE;
}

static int is_monotonic(long clk)
{
	/* One process, one thread, never suspended: every other clock
	 * Linux offers reads as the monotonic clock. */
	return clk == CLOCK_MONOTONIC || clk == CLOCK_MONOTONIC_RAW ||
	       clk == CLOCK_MONOTONIC_COARSE || clk == CLOCK_BOOTTIME ||
	       clk == CLOCK_PROCESS_CPUTIME_ID ||
	       clk == CLOCK_THREAD_CPUTIME_ID;
}

long posix_clock_gettime(long clk, void *ts)
{
	if (is_wall(clk))
		to_timespec(pith_clock_wall(), ts);
	else if (is_monotonic(clk))
		to_timespec(pith_clock_monotonic(), ts);
	else
		return -EINVAL;
	return 0;
}

long posix_gettimeofday(void *tv_)
{
	struct timeval *tv = tv_;
	uint64_t ns = pith_clock_wall();

	if (tv) {
		tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
		tv->tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / 1000);
	}
	return 0;
}

long posix_time(long *t)
{
	long now = (long)(pith_clock_wall() / NSEC_PER_SEC);

	if (t)
		*t = now;
	return now;
}

static void sleep_until(uint64_t deadline)
{
	pith_handle_set ready;

	while (pith_clock_monotonic() < deadline)
		pith_yield(deadline, &ready);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

long posix_nanosleep(const void *req)
{
	uint64_t ns;

	if (from_timespec(req, &ns) < 0)
		return -EINVAL;
	sleep_until(add_sat(pith_clock_monotonic(), ns));
	return 0;
}

long posix_clock_nanosleep(long clk, long flags, const void *req)
{
	uint64_t ns, now;

	if (!is_wall(clk) && !is_monotonic(clk))
		return -EINVAL;
	if (from_timespec(req, &ns) < 0)
		return -EINVAL;
	now = pith_clock_monotonic();
	if (!(flags & TIMER_ABSTIME))
		sleep_until(add_sat(now, ns));
	else if (is_monotonic(clk))
		sleep_until(ns);
	else {
		uint64_t wall = pith_clock_wall();
		if (ns > wall)
			sleep_until(add_sat(now, ns - wall));
	}
	return 0;
}
