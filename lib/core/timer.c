/* Timers: a binary min-heap of pointers to caller-owned timers, keyed by
 * deadline. Each timer records its slot, so cancelling or moving one is a
 * sift from where it stands: insert, cancel and expiry are O(log n). The
 * heap is a fixed array of CORE_TIMERS_MAX slots (arming never
 * allocates). */
#include <errno.h>

#include "impl.h"

static struct core_timer *heap[CORE_TIMERS_MAX];
static unsigned len;

static void put(unsigned i, struct core_timer *t)
{
	heap[i] = t;
	t->slot = i + 1;
}

static void sift_up(unsigned i)
{
	struct core_timer *t = heap[i];

	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (heap[parent]->deadline <= t->deadline)
			break;
		put(i, heap[parent]);
		i = parent;
	}
	put(i, t);
}

static void sift_down(unsigned i)
{
	struct core_timer *t = heap[i];

	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= len)
			break;
		if (c + 1 < len && heap[c + 1]->deadline < heap[c]->deadline)
			c++;
		if (t->deadline <= heap[c]->deadline)
			break;
		put(i, heap[c]);
		i = c;
	}
	put(i, t);
}

void core_timer_init(struct core_timer *t, void (*fn)(struct core_timer *))
{
	t->deadline = 0;
	t->fn = fn;
	t->slot = 0;
}

int core_timer_armed(const struct core_timer *t)
{
	return t->slot != 0;
}

void core_timer_cancel(struct core_timer *t)
{
	unsigned i;
	struct core_timer *last;

	if (!t->slot)
		return;
	i = t->slot - 1;
	t->slot = 0;
	last = heap[--len];
	if (i == len)
		return;
	put(i, last);
	/* The moved timer may belong above or below its new slot. */
	sift_up(i);
	sift_down(last->slot - 1);
}

int core_timer_arm(struct core_timer *t, uint64_t deadline)
{
	if (t->slot) {
		uint64_t old = t->deadline;
		t->deadline = deadline;
		if (deadline < old)
			sift_up(t->slot - 1);
		else
			sift_down(t->slot - 1);
		return 0;
	}
	if (len == CORE_TIMERS_MAX)
		return -ENOSPC;
	t->deadline = deadline;
	put(len, t);
	sift_up(len++);
	return 0;
}

uint64_t core_timer_next(void)
{
	return len ? heap[0]->deadline : UINT64_MAX;
}

unsigned core_timer_count(void)
{
	return len;
}

unsigned core_timer_expire(uint64_t now)
{
	unsigned n = 0;

	while (len && heap[0]->deadline <= now) {
		struct core_timer *t = heap[0];
		core_timer_cancel(t);
		t->fn(t);
		n++;
	}
	core_loop_stats.timers += n;
	return n;
}
