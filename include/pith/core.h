/* lib/core: the in-guest runtime that pith's libraries run on.
 *
 * Three pieces, one thread of execution:
 *
 *   fibers       cooperative threads with small heap stacks; a fiber runs
 *                until it parks (core_wait, core_sleep_until) or yields;
 *   timers       deadlines on the monotonic clock in a binary min-heap
 *                (insert, cancel and expire are O(log n));
 *   event loop   core_run(): runs ready fibers, fires due timers, lets
 *                device sources flush their output, then sleeps in
 *                pith_yield(next deadline) and hands ready devices to
 *                their sources.
 *
 * Nothing here preempts: a fiber that never parks starves the others.
 * Timer callbacks and source callbacks run on the loop's own stack and
 * must not park. Every function returns -errno or NULL on failure and
 * never prints.
 *
 * Stack overflow: every fiber stack has a canary region at its low end
 * (CORE_STACK_CANARY bytes of a fixed pattern). At every switch away from
 * a fiber, and when it returns, the loop checks that the saved stack
 * pointer lies above the canary region and that the region is intact;
 * either failure ends the appliance with pith_abort("fiber NAME overflowed
 * its N-byte stack"). Guaranteed: an overflow of up to CORE_STACK_CANARY
 * bytes past the usable stack touches only the canary and is reported at
 * the fiber's next switch. Not guaranteed: a frame that jumps further than
 * that (a local array larger than the canary) writes memory below the
 * stack before the report; the report still comes at the next switch
 * unless that memory write crashed the appliance first. Targets cannot
 * mprotect after confinement today, so there is no hardware guard page.
 */
#ifndef PITH_CORE_H
#define PITH_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "pith/param.h"
#include "pith/platform.h"

/* --- Fibers ----------------------------------------------------------- */

/* Default usable stack of a fiber. The network stack's deepest path
 * (frame in -> IP -> ICMP reply -> IP out with fragmentation -> ARP)
 * uses under 4 KiB; 32 KiB leaves room for an application's own calls
 * and for snprintf, while 1,000 fibers still cost only 32 MiB. */
#define CORE_STACK_DEFAULT (32UL << 10)

/* Smallest and largest stack a caller may ask for. Below 8 KiB a single
 * libc call (printf) can overflow; above 1 MiB the caller wants a thread,
 * not a fiber. */
#define CORE_STACK_MIN (8UL << 10)
#define CORE_STACK_MAX (1UL << 20)

/* Bytes of canary pattern below every usable stack: one page, so an
 * overflow by a whole page of locals still lands in the canary. */
#define CORE_STACK_CANARY 4096UL

/* Longest fiber name kept for reports, without the NUL. */
#define CORE_FIBER_NAME_MAX 23

struct core_fiber;

/* Creates a fiber that will run FN(ARG) on a stack of STACK bytes (0:
 * CORE_STACK_DEFAULT) and makes it ready; it first runs when the caller
 * parks or yields (or when core_run() starts). When FN returns the fiber
 * ends and the loop frees its stack. NAME (copied, cut to
 * CORE_FIBER_NAME_MAX) appears in reports.
 *   the fiber  on success;
 *   NULL       STACK outside CORE_STACK_MIN..CORE_STACK_MAX, or no memory
 *              (errno is EINVAL or ENOMEM). */
struct core_fiber *core_fiber_spawn(void (*fn)(void *), void *arg, size_t stack,
				    const char *name);

/* The running fiber, or NULL when called from the loop itself (main
 * before core_run(), timer and source callbacks). */
struct core_fiber *core_fiber_self(void);

/* The name given at spawn. */
const char *core_fiber_name(const struct core_fiber *f);

/* Lets every other ready fiber run once, then returns. From outside a
 * fiber it does nothing. */
void core_fiber_yield(void);

/* Checks the running fiber's stack now (as at a switch). Long
 * computations that never park may call it. Aborts on overflow. */
void core_stack_check(void);

/* Fibers that exist (ready, parked or running), for tests and reports. */
unsigned core_fiber_count(void);

/* --- Wait queues ------------------------------------------------------ */

/* A list of parked fibers. Zero-initialised is empty. */
struct core_waitq {
	struct core_fiber *head, *tail;
};

/* Parks the running fiber on Q until core_wake_one/all picks it or the
 * monotonic clock reaches DEADLINE (UINT64_MAX: no deadline).
 *   0           woken;
 *   -ETIMEDOUT  the deadline passed first (also at once when it is
 *               already past);
 *   -EPERM      not called from a fiber (the loop cannot park). */
int core_wait(struct core_waitq *q, uint64_t deadline);

/* Makes the first fiber parked on Q ready; returns 1, or 0 if none. */
int core_wake_one(struct core_waitq *q);

/* Makes every fiber parked on Q ready; returns how many. */
unsigned core_wake_all(struct core_waitq *q);

/* Parks the running fiber until DEADLINE. 0, or -EPERM outside a fiber. */
int core_sleep_until(uint64_t deadline);

/* --- Timers ----------------------------------------------------------- */

/* Timers the loop holds at once. The heap is a fixed array so that
 * arming never allocates (8 bytes a slot; only the slots in use are
 * touched). 20,480 covers one timer for each of TCP's 16,384
 * connections (NET_TCP_CONNS_MAX) plus the stack's few and a fiber's
 * deadline each for thousands of fibers. */
#define CORE_TIMERS_MAX 20480

/* A one-shot timer, embedded in its owner's structure. FN runs on the
 * loop's stack once the deadline has passed; it may re-arm the timer. */
struct core_timer {
	uint64_t deadline;
	void (*fn)(struct core_timer *t);
	unsigned slot; /* 1 + index in the heap; 0 when not armed */
};

/* Prepares T; it is not armed. */
void core_timer_init(struct core_timer *t, void (*fn)(struct core_timer *));

/* Arms T for DEADLINE, moving it if it was armed already.
 *   0        armed;
 *   -ENOSPC  CORE_TIMERS_MAX timers are armed; T is unchanged. */
int core_timer_arm(struct core_timer *t, uint64_t deadline);

/* Disarms T; nothing happens if it was not armed. */
void core_timer_cancel(struct core_timer *t);

/* Whether T is armed. */
int core_timer_armed(const struct core_timer *t);

/* The earliest armed deadline, or UINT64_MAX when none is armed. */
uint64_t core_timer_next(void);

/* Disarms and runs every timer whose deadline is at or before NOW, in
 * deadline order (one that a callback re-arms at or before NOW runs again
 * in the same call). Returns how many callbacks ran. */
unsigned core_timer_expire(uint64_t now);

/* Timers armed now. */
unsigned core_timer_count(void);

/* --- The event loop --------------------------------------------------- */

/* Device sources the loop serves: one per network device. */
#define CORE_SOURCES_MAX PITH_DEVICES_MAX

/* A device the loop watches. INPUT runs when pith_yield reports the
 * handle ready; FLUSH (may be NULL) runs before every sleep so that
 * output queued by fibers and timers leaves in one batch. */
struct core_source {
	pith_handle handle;
	void (*input)(void *arg);
	void (*flush)(void *arg);
	void *arg;
};

/* Registers S (copied).
 *   0        registered;
 *   -ENOSPC  CORE_SOURCES_MAX sources exist already;
 *   -EINVAL  S has no input function. */
int core_source_add(const struct core_source *s);

/* Runs the loop until core_stop() is called, or until no fiber is left
 * and no timer is armed. Returns 0, or -EPERM if called from a fiber. */
int core_run(void);

/* Longest busy-poll window a caller may set: 10 ms. Polling burns the
 * CPU it runs on; past a few milliseconds that buys nothing. */
#define CORE_BUSY_POLL_MAX (10ULL * 1000000ULL)

/* Busy polling: for NS nanoseconds after the last device input, the loop
 * polls its devices (pith_yield with a deadline of now) instead of
 * sleeping, trading a CPU for the wake-up latency of the host (0, the
 * default: always sleep). 0, or -EINVAL above CORE_BUSY_POLL_MAX. */
int core_set_busy_poll(uint64_t ns);

/* Makes core_run() return once the current callback or fiber parks. */
void core_stop(void);

/* Loop statistics for reports and tests. */
struct core_stats {
	uint64_t wakeups;  /* pith_yield calls */
	uint64_t switches; /* fiber context switches */
	uint64_t timers;   /* timer callbacks run */
};
const struct core_stats *core_stats(void);

#endif
