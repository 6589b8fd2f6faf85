/* Split virtqueues, driver side (see virtq.h). Memory layout of one
 * queue of N entries, in one zeroed allocation:
 *
 *   descriptors   16 * N bytes
 *   avail ring    flags, idx, ring[N], used_event       (2-byte words)
 *   used ring     flags, idx, {id, len}[N], avail_event (4-byte aligned)
 *
 * Ordering: x86 keeps stores in order and loads in order, so publishing
 * needs only a compiler barrier between the ring entries and the index;
 * reading the device's notification wish after publishing the index
 * needs a full fence (a later load may pass an earlier store). */
#include "virtq.h"

#define AVAIL_F_NO_INTERRUPT 1
#define USED_F_NO_NOTIFY     1

#define compiler_barrier() __asm__ volatile("" ::: "memory")
#define full_fence()	   __atomic_thread_fence(__ATOMIC_SEQ_CST)

static size_t avail_offset(uint16_t size)
{
	return (size_t)16 * size;
}

static size_t used_offset(uint16_t size)
{
	return (avail_offset(size) + 2 * (3 + (size_t)size) + 3) & ~(size_t)3;
}

size_t virtq_bytes(uint16_t size)
{
	size_t end = used_offset(size) + 4 + 8 * (size_t)size + 2;

	return (end + 4095) & ~(size_t)4095;
}

uint16_t virtq_pick_size(uint32_t max, uint16_t want)
{
	uint16_t n = 1;

	if (max == 0 || want == 0)
		return 0;
	while ((uint32_t)n * 2 <= max && n * 2 <= want)
		n *= 2;
	return n;
}

int virtq_init(struct virtq *q, void *mem, uint16_t size, int event_idx)
{
	char *base = mem;

	if (size == 0 || size > VIRTQ_SIZE_MAX || (size & (size - 1)))
		return -1;
	*q = (struct virtq){ 0 };
	q->size = size;
	q->event_idx = event_idx;
	q->desc = (volatile struct virtq_desc *)base;
	q->avail = (volatile uint16_t *)(base + avail_offset(size));
	q->used = (volatile uint16_t *)(base + used_offset(size));
	/* No interrupts, ever: without EVENT_IDX the flag says so; with it,
	 * used_event one behind the device's index is never crossed. */
	q->avail[0] = AVAIL_F_NO_INTERRUPT;
	q->avail[2 + size] = (uint16_t)-1;
	return 0;
}

uint64_t virtq_desc_addr(const struct virtq *q)
{
	return (uint64_t)(uintptr_t)q->desc;
}

uint64_t virtq_avail_addr(const struct virtq *q)
{
	return (uint64_t)(uintptr_t)q->avail;
}

uint64_t virtq_used_addr(const struct virtq *q)
{
	return (uint64_t)(uintptr_t)q->used;
}

void virtq_set_desc(struct virtq *q, uint16_t i, uint64_t addr, uint32_t len,
		    uint16_t flags, uint16_t next)
{
	volatile struct virtq_desc *d = &q->desc[i & (q->size - 1)];

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t writable)
{
	head &= (uint16_t)(q->size - 1);
	q->out[head] = 1;
	q->writable[head] = writable;
	q->held++;
	q->avail[2 + (q->avail_idx & (q->size - 1))] = head;
	q->avail_idx++;
}

/* virtio 1.x 2.7.10: whether moving an index from OLD to NEW passed
 * EVENT (the index after which the other side asked to hear). */
static int need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

int virtq_publish(struct virtq *q)
{
	uint16_t old = q->notified_idx, now = q->avail_idx;
	volatile uint16_t *avail_event =
		(volatile uint16_t *)((volatile char *)q->used + 4 +
				      8 * (size_t)q->size);
	int need;

	if (old == now)
		return 0;
	compiler_barrier();
	q->avail[1] = now;
	full_fence();
	if (q->event_idx)
		need = need_event(*avail_event, now, old);
	else
		need = !(q->used[0] & USED_F_NO_NOTIFY);
	q->notified_idx = now;
	return need;
}

int virtq_has_used(const struct virtq *q)
{
	return q->used[1] != q->last_used;
}

static int refuse(struct virtq *q, const char *why)
{
	q->broken = why;
	return -1;
}

int virtq_pop(struct virtq *q, uint16_t *head, uint32_t *len)
{
	volatile struct virtq_used_elem *ring =
		(volatile struct virtq_used_elem *)((volatile char *)q->used +
						    4);
	struct virtq_used_elem e;
	uint16_t idx;

	if (q->broken)
		return -1;
	idx = q->used[1];
	if (idx == q->last_used)
		return 0;
	if ((uint16_t)(idx - q->last_used) > q->held)
		return refuse(q, "its used index ran ahead of the buffers it "
				 "holds");
	compiler_barrier();
	e.id = ring[q->last_used & (q->size - 1)].id;
	e.len = ring[q->last_used & (q->size - 1)].len;
	if (e.id >= q->size || !q->out[e.id])
		return refuse(q, "it returned a buffer it does not hold");
	if (e.len > q->writable[e.id])
		return refuse(q, "it wrote more than the buffer holds (used "
				 "length too large)");
	q->out[e.id] = 0;
	q->held--;
	q->last_used++;
	if (q->event_idx)
		q->avail[2 + q->size] = (uint16_t)(q->last_used - 1);
	*head = (uint16_t)e.id;
	*len = e.len;
	return 1;
}
