/* lib/core fibers, wait queues and the loop, on the fake platform (time
 * jumps to each deadline), and the report of an overflowing fiber. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_platform.h"
#include "pith/core.h"
#include "unit.h"

static char trace[256];
static size_t trace_len;
static struct core_waitq q;

static void mark(char c)
{
	if (trace_len + 1 < sizeof trace) {
		trace[trace_len++] = c;
		trace[trace_len] = '\0';
	}
}

static char name_a[] = "a", name_b[] = "b";

static void yielder(void *arg)
{
	for (int i = 0; i < 3; i++) {
		mark(*(const char *)arg);
		core_fiber_yield();
	}
}

static void test_round_robin(void)
{
	fake_reset();
	trace_len = 0;
	CHECK(core_fiber_spawn(yielder, name_a, 0, "a") != 0);
	CHECK(core_fiber_spawn(yielder, name_b, 0, "b") != 0);
	CHECK_EQ(core_fiber_count(), 2);
	CHECK_EQ(core_run(), 0);
	CHECK_STR(trace, "ababab");
	CHECK_EQ(core_fiber_count(), 0);
}

static int wait_result[3];

static void waiter(void *arg)
{
	int i = (int)(long)arg;

	mark((char)('0' + i));
	wait_result[i] = core_wait(&q, i == 2 ? pith_clock_monotonic() + 500
					      : UINT64_MAX);
	mark((char)('A' + i));
}

static void waker(void *arg)
{
	(void)arg;
	CHECK_EQ(core_sleep_until(pith_clock_monotonic() + 1000), 0);
	mark('w');
	CHECK_EQ(core_wake_one(&q), 1);
}

static struct core_timer stopper;
static void on_stop(struct core_timer *t)
{
	(void)t;
	core_stop();
}

static void test_wait_wake_timeout(void)
{
	fake_reset();
	trace_len = 0;
	q.head = q.tail = 0;
	for (long i = 0; i < 3; i++)
		core_fiber_spawn(waiter, (void *)i, 0, "waiter");
	core_fiber_spawn(waker, 0, 0, "waker");
	uint64_t t0 = fake_mono;
	core_timer_init(&stopper, on_stop);
	core_timer_arm(&stopper, t0 + 2000);
	CHECK_EQ(core_run(), 0);
	/* 2 times out at +500; the waker at +1000 wakes 0; 1 stays parked
	 * (a fiber, so the loop sleeps on) until the timer stops the loop. */
	CHECK_EQ(wait_result[2], -ETIMEDOUT);
	CHECK_EQ(wait_result[0], 0);
	CHECK(fake_mono >= t0 + 1000);
	CHECK_STR(trace, "012CwA");
	CHECK_EQ(core_fiber_count(), 1);
	CHECK_EQ(core_wake_all(&q), 1);
	CHECK_EQ(core_run(), 0);
	CHECK_EQ(core_fiber_count(), 0);
}

static void forever(void *arg)
{
	(void)arg;
	core_wait(&q, UINT64_MAX);
}

static void test_stop_and_refusals(void)
{
	fake_reset();
	q.head = q.tail = 0;
	CHECK_EQ(core_wait(&q, UINT64_MAX), -EPERM);
	CHECK_EQ(core_sleep_until(5), -EPERM);
	CHECK_EQ(core_set_busy_poll(CORE_BUSY_POLL_MAX + 1), -EINVAL);
	CHECK_EQ(core_set_busy_poll(0), 0);
	CHECK(core_fiber_spawn(forever, 0, 100, "small") == 0);
	CHECK(core_fiber_spawn(forever, 0, CORE_STACK_MAX + 1, "big") == 0);
	CHECK(core_fiber_spawn(forever, 0, 0, "parked") != 0);
	core_timer_init(&stopper, on_stop);
	core_timer_arm(&stopper, fake_mono + 5000);
	CHECK_EQ(core_run(), 0);
	CHECK_EQ(core_fiber_count(), 1);
	CHECK_EQ(core_wake_all(&q), 1);
	CHECK_EQ(core_run(), 0);
	CHECK_EQ(core_fiber_count(), 0);
}

/* Recurses until the frames reach past the stack's usable size by about
 * 1 KiB: into the canary region, not past it. */
static unsigned recurse(volatile char *top, size_t limit)
{
	volatile char pad[256];

	pad[0] = 1;
	if ((size_t)(top - pad) > limit)
		return pad[0];
	return recurse(top, limit) + pad[0];
}

static void overflower(void *arg)
{
	volatile char top = 0;

	(void)arg;
	recurse(&top, CORE_STACK_MIN + 1024);
	core_fiber_yield();
}

static void test_overflow_reported(void)
{
	int fds[2], status = 0;
	char out[512] = "";
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		core_fiber_spawn(overflower, 0, CORE_STACK_MIN, "deep");
		core_run();
		_exit(0); /* not reached when the overflow is reported */
	}
	close(fds[1]);
	ssize_t n = read(fds[0], out, sizeof out - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK_CONTAINS(out, "fiber 'deep' overflowed its 8192-byte stack");
}

static const struct unit_test tests[] = {
	{ "round-robin", test_round_robin },
	{ "wait-wake-timeout", test_wait_wake_timeout },
	{ "stop-and-refusals", test_stop_and_refusals },
	{ "overflow-reported", test_overflow_reported },
};

const struct unit_suite suite_fiber = UNIT_SUITE("fiber", tests);
