/* Split virtqueues against a device that answers well, then badly: a used
 * index that runs ahead, a buffer it does not hold, a length past the
 * buffer. Each bad answer is caught before anything is read through it,
 * and the queue stays refused. Notification suppression both ways. */
#include <stdlib.h>

#include "../unit.h"
#include "fake.h"

#define SIZE 8

static struct virtq q;
static void *mem;

static void setup(int event_idx)
{
	free(mem);
	mem = aligned_alloc(4096, virtq_bytes(SIZE));
	memset(mem, 0, virtq_bytes(SIZE));
	CHECK_EQ(virtq_init(&q, mem, SIZE, event_idx), 0);
}

/* The device side, directly on the rings. */
static void used(uint32_t id, uint32_t len)
{
	volatile struct virtq_used_elem *ring =
		(volatile struct virtq_used_elem *)((volatile char *)q.used +
						    4);
	uint16_t idx = q.used[1];

	ring[idx % SIZE].id = id;
	ring[idx % SIZE].len = len;
	q.used[1] = (uint16_t)(idx + 1);
}

static void test_sizes(void)
{
	CHECK_EQ(virtq_pick_size(0, 256), 0);
	CHECK_EQ(virtq_pick_size(1024, 256), 256);
	CHECK_EQ(virtq_pick_size(3, 256), 2);
	CHECK_EQ(virtq_pick_size(256, 16), 16);
	CHECK_EQ(virtq_pick_size(100, 256), 64);
	CHECK(virtq_init(&q, mem, 0, 0) < 0);
	CHECK(virtq_init(&q, mem, 6, 0) < 0);
	CHECK(virtq_init(&q, mem, 512, 0) < 0);
	CHECK_EQ(virtq_bytes(256) % 4096, 0);
}

static void test_round_trip(void)
{
	uint16_t head;
	uint32_t len;

	setup(0);
	CHECK_EQ(virtq_pop(&q, &head, &len), 0);
	for (uint16_t i = 0; i < 3; i++)
		virtq_push(&q, i, 100);
	CHECK_EQ(q.avail[1], 0); /* nothing visible before publishing */
	CHECK_EQ(virtq_publish(&q), 1);
	CHECK_EQ(q.avail[1], 3);
	CHECK_EQ(virtq_publish(&q), 0); /* nothing new: no notification */
	used(1, 40);
	used(0, 100);
	CHECK(virtq_has_used(&q));
	CHECK_EQ(virtq_pop(&q, &head, &len), 1);
	CHECK_EQ(head, 1);
	CHECK_EQ(len, 40);
	CHECK_EQ(virtq_pop(&q, &head, &len), 1);
	CHECK_EQ(head, 0);
	CHECK_EQ(virtq_pop(&q, &head, &len), 0);
	CHECK_EQ(q.held, 1);
	CHECK(!q.broken);
}

static void test_index_ahead(void)
{
	uint16_t head = 99;
	uint32_t len = 99;

	setup(0);
	virtq_push(&q, 0, 100);
	virtq_publish(&q);
	q.used[1] = 5; /* five completions for one buffer */
	CHECK_EQ(virtq_pop(&q, &head, &len), -1);
	CHECK_CONTAINS(q.broken, "used index ran ahead");
	CHECK_EQ(head, 99);
	/* The queue stays refused, even once the index looks sane. */
	q.used[1] = 1;
	CHECK_EQ(virtq_pop(&q, &head, &len), -1);
}

static void test_bad_id(void)
{
	uint16_t head;
	uint32_t len;

	setup(0);
	virtq_push(&q, 2, 100);
	virtq_publish(&q);
	used(SIZE + 3, 10); /* outside the queue */
	CHECK_EQ(virtq_pop(&q, &head, &len), -1);
	CHECK_CONTAINS(q.broken, "does not hold");
	setup(0);
	virtq_push(&q, 2, 100);
	virtq_publish(&q);
	used(5, 10); /* inside, but never offered */
	CHECK_EQ(virtq_pop(&q, &head, &len), -1);
	setup(0);
	virtq_push(&q, 2, 100);
	virtq_push(&q, 3, 100);
	virtq_publish(&q);
	used(2, 10);
	used(2, 10); /* returned twice */
	CHECK_EQ(virtq_pop(&q, &head, &len), 1);
	CHECK_EQ(virtq_pop(&q, &head, &len), -1);
}

static void test_length_past_buffer(void)
{
	uint16_t head;
	uint32_t len = 0;

	setup(0);
	virtq_push(&q, 0, 1526);
	virtq_publish(&q);
	used(0, 1527);
	CHECK_EQ(virtq_pop(&q, &head, &len), -1);
	CHECK_CONTAINS(q.broken, "used length too large");
	CHECK_EQ(len, 0);
	/* A chain the device may not write into reports 0 at most. */
	setup(0);
	virtq_push(&q, 1, 0);
	virtq_publish(&q);
	used(1, 1);
	CHECK_EQ(virtq_pop(&q, &head, &len), -1);
}

static void test_suppression(void)
{
	volatile uint16_t *avail_event;

	/* Without EVENT_IDX: the device's NO_NOTIFY flag is obeyed, and
	 * the driver asks for no interrupts. */
	setup(0);
	CHECK_EQ(q.avail[0], 1);
	q.used[0] = 1;
	virtq_push(&q, 0, 10);
	CHECK_EQ(virtq_publish(&q), 0);
	q.used[0] = 0;
	virtq_push(&q, 1, 10);
	CHECK_EQ(virtq_publish(&q), 1);
	/* With EVENT_IDX: notify only when the batch crosses avail_event. */
	setup(1);
	avail_event =
		(volatile uint16_t *)((volatile char *)q.used + 4 + 8 * SIZE);
	*avail_event = 2;
	virtq_push(&q, 0, 10);
	virtq_push(&q, 1, 10);
	CHECK_EQ(virtq_publish(&q), 0); /* 0 -> 2 does not pass 2 */
	virtq_push(&q, 2, 10);
	virtq_push(&q, 3, 10);
	CHECK_EQ(virtq_publish(&q), 1); /* 2 -> 4 passes it */
	/* used_event trails the driver: the device never interrupts. */
	used(0, 10);
	{
		uint16_t h;
		uint32_t l;

		CHECK_EQ(virtq_pop(&q, &h, &l), 1);
	}
	CHECK_EQ(q.avail[2 + SIZE], 0);
	free(mem);
	mem = 0;
}

static const struct unit_test tests[] = {
	{ "sizes", test_sizes },
	{ "round-trip", test_round_trip },
	{ "used-index-ahead", test_index_ahead },
	{ "unknown-buffer", test_bad_id },
	{ "length-past-buffer", test_length_past_buffer },
	{ "notification-suppression", test_suppression },
};

const struct unit_suite suite_virtq = UNIT_SUITE("virtq", tests);
