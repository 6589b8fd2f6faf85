/* Fibers and wait queues. Every switch goes through the loop: a fiber
 * runs when the loop switches to it and returns control by parking
 * (switching back). One run queue (FIFO) holds ready fibers; a parked
 * fiber sits on one wait queue (doubly linked, so a timeout can take it
 * off in O(1)) or nowhere (sleeping on its own timer). Stacks come from
 * malloc with a canary region below them; see core.h for what the stack
 * checks guarantee. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"

/* The canary pattern: not a plausible pointer, length or small integer,
 * so no ordinary stack content matches it by chance. */
#define CANARY_WORD 0xdeadf1be5ca1ab1eULL

/* Bytes the initial frame of a new fiber takes at the top of its stack:
 * six saved registers and the trampoline's address, aligned so that the
 * trampoline runs with a 16-byte aligned stack as the ABI requires. */
#define INITIAL_FRAME_WORDS 9

/* The loop's saved stack pointer while a fiber runs. */
static void *loop_sp;
static struct core_fiber *run_head, *run_tail;
static unsigned fibers;

struct core_fiber *core_current;
struct core_stats core_loop_stats;

static void run_push(struct core_fiber *f)
{
	f->run_next = 0;
	if (run_tail)
		run_tail->run_next = f;
	else
		run_head = f;
	run_tail = f;
}

static struct core_fiber *run_pop(void)
{
	struct core_fiber *f = run_head;

	if (f) {
		run_head = f->run_next;
		if (!run_head)
			run_tail = 0;
	}
	return f;
}

int core_any_ready(void)
{
	return run_head != 0;
}

static void on_timeout(struct core_timer *t);

static void lay_out_stack(struct core_fiber *f)
{
	uint64_t *w = (uint64_t *)(void *)f->mem;
	uintptr_t top = (uintptr_t)(f->mem + CORE_STACK_CANARY + f->size);
	uint64_t *sp;

	for (size_t i = 0; i < CORE_STACK_CANARY / sizeof *w; i++)
		w[i] = CANARY_WORD;
	top &= ~(uintptr_t)15;
	sp = (uint64_t *)top - INITIAL_FRAME_WORDS;
	memset(sp, 0, INITIAL_FRAME_WORDS * sizeof *sp);
	/* Popped by core_switch: r15, r14, r13, r12 (the fiber), rbx, rbp,
	 * then the return address. */
	sp[3] = (uint64_t)(uintptr_t)f;
	sp[6] = (uint64_t)(uintptr_t)core_fiber_trampoline;
	f->sp = sp;
}

struct core_fiber *core_fiber_spawn(void (*fn)(void *), void *arg, size_t stack,
				    const char *name)
{
	struct core_fiber *f;

	if (stack == 0)
		stack = CORE_STACK_DEFAULT;
	if (!fn || stack < CORE_STACK_MIN || stack > CORE_STACK_MAX) {
		errno = EINVAL;
		return 0;
	}
	f = calloc(1, sizeof *f);
	if (!f)
		return 0;
	f->mem = malloc(CORE_STACK_CANARY + stack);
	if (!f->mem) {
		free(f);
		return 0;
	}
	f->fn = fn;
	f->arg = arg;
	f->size = stack;
	snprintf(f->name, sizeof f->name, "%s", name ? name : "fiber");
	core_timer_init(&f->timeout, on_timeout);
	lay_out_stack(f);
	fibers++;
	run_push(f);
	return f;
}

struct core_fiber *core_fiber_self(void)
{
	return core_current;
}

const char *core_fiber_name(const struct core_fiber *f)
{
	return f->name;
}

unsigned core_fiber_count(void)
{
	return fibers;
}

static _Noreturn void overflow(const struct core_fiber *f)
{
	char msg[96];

	snprintf(msg, sizeof msg, "fiber '%s' overflowed its %zu-byte stack",
		 f->name, f->size);
	pith_abort(msg);
}

void core_check_fiber(struct core_fiber *f)
{
	const uint64_t *w = (const uint64_t *)(const void *)f->mem;
	uint64_t diff = 0;

	if ((unsigned char *)f->sp < f->mem + CORE_STACK_CANARY)
		overflow(f);
	/* All words, without an early exit: the cost is fixed. */
	for (size_t i = 0; i < CORE_STACK_CANARY / sizeof *w; i++)
		diff |= w[i] ^ CANARY_WORD;
	if (diff)
		overflow(f);
}

void core_stack_check(void)
{
	struct core_fiber *f = core_current;
	unsigned char probe;

	if (!f)
		return;
	f->sp = &probe;
	core_check_fiber(f);
}

/* Switches from the running fiber back to the loop. */
static void park(void)
{
	struct core_fiber *f = core_current;

	core_switch(&f->sp, loop_sp);
}

_Noreturn void core_fiber_main(struct core_fiber *f)
{
	f->fn(f->arg);
	f->done = 1;
	park();
	pith_abort("a finished fiber was resumed");
}

unsigned core_run_ready(void)
{
	unsigned n = 0;
	struct core_fiber *last = run_tail, *f;

	/* Only the fibers ready now: one that yields goes to the tail and
	 * runs in the next pass, after the loop has polled its devices. */
	while (last && (f = run_pop())) {
		int end = f == last;

		core_current = f;
		core_switch(&loop_sp, f->sp);
		core_current = 0;
		core_loop_stats.switches++;
		core_check_fiber(f);
		if (f->done) {
			core_timer_cancel(&f->timeout);
			fibers--;
			free(f->mem);
			free(f);
		}
		n++;
		if (end)
			break;
	}
	return n;
}

void core_fiber_yield(void)
{
	if (!core_current)
		return;
	run_push(core_current);
	park();
}

/* --- Wait queues ------------------------------------------------------ */

static void waitq_remove(struct core_fiber *f)
{
	struct core_waitq *q = f->waiting;

	if (f->wait_prev)
		f->wait_prev->wait_next = f->wait_next;
	else
		q->head = f->wait_next;
	if (f->wait_next)
		f->wait_next->wait_prev = f->wait_prev;
	else
		q->tail = f->wait_prev;
	f->wait_next = f->wait_prev = 0;
	f->waiting = 0;
}

static void on_timeout(struct core_timer *t)
{
	struct core_fiber *f =
		(struct core_fiber *)(void *)((char *)t -
					      offsetof(struct core_fiber,
						       timeout));

	if (f->waiting)
		waitq_remove(f);
	f->timed_out = 1;
	run_push(f);
}

int core_wait(struct core_waitq *q, uint64_t deadline)
{
	struct core_fiber *f = core_current;

	if (!f)
		return -EPERM;
	if (deadline <= pith_clock_monotonic())
		return -ETIMEDOUT;
	f->timed_out = 0;
	if (deadline != UINT64_MAX && core_timer_arm(&f->timeout, deadline))
		return -ENOSPC;
	if (q) {
		f->waiting = q;
		f->wait_next = 0;
		f->wait_prev = q->tail;
		if (q->tail)
			q->tail->wait_next = f;
		else
			q->head = f;
		q->tail = f;
	}
	park();
	return f->timed_out ? -ETIMEDOUT : 0;
}

int core_wake_one(struct core_waitq *q)
{
	struct core_fiber *f = q->head;

	if (!f)
		return 0;
	waitq_remove(f);
	core_timer_cancel(&f->timeout);
	run_push(f);
	return 1;
}

unsigned core_wake_all(struct core_waitq *q)
{
	unsigned n = 0;

	while (core_wake_one(q))
		n++;
	return n;
}

int core_sleep_until(uint64_t deadline)
{
	int r;

	if (!core_current)
		return -EPERM;
	r = core_wait(0, deadline);
	return r == -EPERM || r == -ENOSPC ? r : 0;
}
