/* lib/core on a real target: fibers that sleep, wait and wake in order
 * (mode "run"), and a fiber that overflows its stack (mode "overflow"),
 * which must end the appliance with a report naming it. */
#include <stdio.h>
#include <string.h>

#include "pith/core.h"

static struct core_waitq q;
static int order[4], n;

static void sleeper(void *arg)
{
	int id = (int)(long)arg;

	core_sleep_until(pith_clock_monotonic() + (uint64_t)id * 2000000);
	order[n++] = id;
	if (id == 3)
		core_wake_all(&q);
}

static void waiter(void *arg)
{
	(void)arg;
	if (core_wait(&q, pith_clock_monotonic() + 1000000000ULL) == 0)
		order[n++] = 9;
}

static unsigned recurse(unsigned depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth == 0)
		return pad[0];
	return recurse(depth - 1) + pad[0];
}

static void deep(void *arg)
{
	(void)arg;
	/* 24 frames of over 512 bytes: past 8 KiB, inside the canary. */
	printf("fiber: %u\n", recurse(24));
	core_fiber_yield();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "overflow")) {
		core_fiber_spawn(deep, 0, CORE_STACK_MIN, "deep");
		core_run();
		printf("fiber: the overflow went unnoticed\n");
		return 1;
	}
	core_fiber_spawn(waiter, 0, 0, "waiter");
	for (long i = 3; i >= 1; i--)
		core_fiber_spawn(sleeper, (void *)i, 0, "sleeper");
	core_run();
	printf("fiber: order %d %d %d %d, %u fibers left, %llu switches\n",
	       order[0], order[1], order[2], order[3], core_fiber_count(),
	       (unsigned long long)core_stats()->switches);
	return 0;
}
