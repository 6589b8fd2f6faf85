/* The event loop. One iteration:
 *
 *   1. run the fibers that are ready (each once);
 *   2. fire the timers that are due;
 *   3. let every source flush the output queued in 1 and 2;
 *   4. sleep in pith_yield until the next timer (not at all if a fiber
 *      is ready, or within the busy-poll window after input), the only
 *      place the appliance sleeps;
 *   5. hand each device that has input to its source.
 *
 * Sources read and process their input on the loop's stack, to
 * completion; work that must block is done by fibers they wake. */
#include <errno.h>

#include "impl.h"

/* Longest single sleep when no timer is armed: the loop wakes once a
 * minute even when idle, which costs nothing and keeps the deadline
 * arithmetic of every target far from overflow. */
#define CORE_IDLE_NS (60ULL * 1000000000ULL)

static struct core_source sources[CORE_SOURCES_MAX];
static unsigned nsources;
static int stopping;
static uint64_t busy_ns, last_input;

int core_set_busy_poll(uint64_t ns)
{
	if (ns > CORE_BUSY_POLL_MAX)
		return -EINVAL;
	busy_ns = ns;
	return 0;
}

int core_source_add(const struct core_source *s)
{
	if (!s || !s->input)
		return -EINVAL;
	if (nsources == CORE_SOURCES_MAX)
		return -ENOSPC;
	sources[nsources++] = *s;
	return 0;
}

void core_stop(void)
{
	stopping = 1;
}

const struct core_stats *core_stats(void)
{
	return &core_loop_stats;
}

static void flush_sources(void)
{
	for (unsigned i = 0; i < nsources; i++)
		if (sources[i].flush)
			sources[i].flush(sources[i].arg);
}

static void sleep_and_poll(void)
{
	uint64_t now = pith_clock_monotonic(), deadline = core_timer_next();
	pith_handle_set ready = 0;

	if (core_any_ready() || (busy_ns && now - last_input < busy_ns))
		deadline = now; /* poll without sleeping */
	else if (deadline == UINT64_MAX || deadline - now > CORE_IDLE_NS)
		deadline = now + CORE_IDLE_NS;
	pith_yield(deadline, &ready);
	core_loop_stats.wakeups++;
	if (ready)
		last_input = busy_ns ? pith_clock_monotonic() : 0;
	for (unsigned i = 0; i < nsources; i++)
		if (ready & (1ULL << sources[i].handle))
			sources[i].input(sources[i].arg);
}

int core_run(void)
{
	if (core_current)
		return -EPERM;
	stopping = 0;
	while (!stopping) {
		core_run_ready();
		core_timer_expire(pith_clock_monotonic());
		flush_sources();
		if (stopping)
			break;
		if (!core_any_ready() && core_fiber_count() == 0 &&
		    core_timer_count() == 0 && nsources == 0)
			break;
		sleep_and_poll();
	}
	flush_sources();
	return 0;
}
