/* lib/core timers: the heap against a model under random use, ordering,
 * re-arming, cancelling and the hard cap. */
#include <errno.h>
#include <stdlib.h>

#include "fake_platform.h"
#include "pith/core.h"
#include "unit.h"

#define N 500

static struct core_timer timers[N];
static uint64_t model[N]; /* deadline, or 0 when not armed */
static unsigned fired[N], order_bad;
static uint64_t last_fired;

static void on_fire(struct core_timer *t)
{
	unsigned i = (unsigned)(t - timers);

	fired[i]++;
	if (t->deadline < last_fired)
		order_bad++;
	last_fired = t->deadline;
	model[i] = 0;
}

static void reset(void)
{
	for (unsigned i = 0; i < N; i++) {
		core_timer_cancel(&timers[i]);
		core_timer_init(&timers[i], on_fire);
		model[i] = 0;
		fired[i] = 0;
	}
	order_bad = 0;
	last_fired = 0;
}

static uint64_t model_min(void)
{
	uint64_t m = UINT64_MAX;

	for (unsigned i = 0; i < N; i++)
		if (model[i] && model[i] < m)
			m = model[i];
	return m;
}

static void test_random_against_model(void)
{
	uint64_t now = 0;
	unsigned mismatches = 0;

	srand(7);
	reset();
	for (int step = 0; step < 20000; step++) {
		unsigned i = (unsigned)rand() % N;
		switch (rand() % 4) {
		case 0:
		case 1:
			model[i] = now + 1 + (uint64_t)(rand() % 1000);
			CHECK_EQ(core_timer_arm(&timers[i], model[i]), 0);
			break;
		case 2:
			core_timer_cancel(&timers[i]);
			model[i] = 0;
			break;
		default:
			now += (uint64_t)(rand() % 50);
			last_fired = 0;
			core_timer_expire(now);
		}
		mismatches += core_timer_next() != model_min();
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(order_bad, 0);
	for (unsigned i = 0; i < N; i++)
		CHECK_EQ(core_timer_armed(&timers[i]), model[i] != 0);
	reset();
	CHECK_EQ(core_timer_count(), 0);
}

static void test_order_and_rearm(void)
{
	reset();
	CHECK_EQ(core_timer_next(), UINT64_MAX);
	CHECK_EQ(core_timer_arm(&timers[0], 30), 0);
	CHECK_EQ(core_timer_arm(&timers[1], 10), 0);
	CHECK_EQ(core_timer_arm(&timers[2], 20), 0);
	CHECK_EQ(core_timer_next(), 10);
	CHECK_EQ(core_timer_arm(&timers[0], 5), 0); /* moved earlier */
	CHECK_EQ(core_timer_next(), 5);
	CHECK_EQ(core_timer_count(), 3);
	CHECK_EQ(core_timer_expire(4), 0);
	CHECK_EQ(core_timer_expire(10), 2);
	CHECK_EQ(fired[0], 1);
	CHECK_EQ(fired[1], 1);
	CHECK_EQ(fired[2], 0);
	CHECK(!core_timer_armed(&timers[0]));
	core_timer_cancel(&timers[2]);
	core_timer_cancel(&timers[2]); /* twice is harmless */
	CHECK_EQ(core_timer_expire(100), 0);
	CHECK_EQ(core_timer_count(), 0);
}

static struct core_timer *big;

static void test_cap(void)
{
	struct core_timer extra;

	reset();
	big = calloc(CORE_TIMERS_MAX, sizeof *big);
	for (unsigned i = 0; i < CORE_TIMERS_MAX; i++) {
		core_timer_init(&big[i], on_fire);
		CHECK_EQ(core_timer_arm(&big[i], 1000 + i), 0);
	}
	core_timer_init(&extra, on_fire);
	CHECK_EQ(core_timer_arm(&extra, 5), -ENOSPC);
	CHECK(!core_timer_armed(&extra));
	CHECK_EQ(core_timer_next(), 1000);
	for (unsigned i = 0; i < CORE_TIMERS_MAX; i++)
		core_timer_cancel(&big[i]);
	CHECK_EQ(core_timer_count(), 0);
	free(big);
}

static const struct unit_test tests[] = {
	{ "random-against-model", test_random_against_model },
	{ "order-and-rearm", test_order_and_rearm },
	{ "hard-cap", test_cap },
};

const struct unit_suite suite_timer = UNIT_SUITE("timer", tests);
