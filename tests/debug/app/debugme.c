/* debugme: the appliance the debugging tests drive (tests/debug/run).
 *
 *   gdb         calls compute(6), whose local `local` becomes 42, and
 *               exits with status 7: gdb breaks, steps, finishes there;
 *   profile N   spends three quarters of its time in heavy() and one
 *               quarter in light(), N iterations of light's loop;
 *   crash       a null pointer read in crash_here();
 *   spin        loops until it is stopped (SIGQUIT, gdb's Ctrl-C);
 *   chatter N   writes N console lines (the trace's bound).
 * Every function that a test names is noinline, so it keeps its frame. */
#include "smoke.h"

#define NOINLINE __attribute__((noinline))

static volatile uint64_t zero;

NOINLINE static uint64_t spin_loop(uint64_t n)
{
	uint64_t x = 0;

	for (uint64_t i = 0; i < n; i++)
		x += i ^ zero;
	return x;
}

NOINLINE static uint64_t heavy(uint64_t n)
{
	uint64_t x = 0;

	for (uint64_t i = 0; i < 3 * n; i++)
		x += i ^ zero;
	return x;
}

NOINLINE static uint64_t light(uint64_t n)
{
	uint64_t x = 0;

	for (uint64_t i = 0; i < n; i++)
		x += i ^ zero;
	return x;
}

NOINLINE static int compute(int a)
{
	volatile int local = a * 7;

	local = local + (int)zero;
	return local / 6;
}

NOINLINE static int crash_here(void)
{
	return *(volatile int *)(uintptr_t)(zero + 16);
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";
	uint64_t n = argc > 2 ? smoke_atou(argv[2]) : 0, r = 0;

	smoke_put("debugme: ");
	smoke_put(how);
	smoke_put("\n");
	if (smoke_streq(how, "gdb"))
		r = (uint64_t)compute(6);
	else if (smoke_streq(how, "profile"))
		for (uint64_t k = 0; k < 8; k++)
			r += heavy(n / 8) + light(n / 8);
	else if (smoke_streq(how, "crash"))
		r = (uint64_t)crash_here();
	else if (smoke_streq(how, "chatter"))
		for (uint64_t k = 0; k < n; k++)
			smoke_put(".\n");
	else if (smoke_streq(how, "spin"))
		for (;;)
			r += spin_loop(1000);
	smoke_put("debugme: done ");
	smoke_put_u64(r);
	smoke_put("\n");
	/* gdb: exit status 7 (not a tail call: main stays on the stack). */
	return smoke_streq(how, "gdb") ? (int)r : 0;
}
