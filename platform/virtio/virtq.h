/* Split virtqueues (virtio 1.x, section 2.7), driver side.
 *
 * The rings live in memory the device also writes. Everything the device
 * writes is read once, copied, and checked before use: the used index may
 * run ahead by at most the number of buffers the device holds, a used
 * entry must name a chain the device holds, and its length may not
 * exceed what that chain lets the device write. A device that breaks any
 * of these is marked broken: the queue does no more I/O and says why.
 *
 * Event suppression both ways: the driver never wants interrupts (it
 * polls), and notifies the device only when the device asked for it
 * (VIRTIO_F_EVENT_IDX's avail_event, else VRING_USED_F_NO_NOTIFY), once
 * per published batch.
 *
 * Host-testable: no port or MMIO access here (tests/unit/virtio). */
#ifndef PITH_VIRTQ_H
#define PITH_VIRTQ_H

#include <stddef.h>
#include <stdint.h>

/* The longest queue the driver uses. A polling appliance moves at most
 * PITH_NET_BATCH_MAX (64) frames per call; 256 entries leave the device
 * four batches of room, and bound the per-queue bookkeeping below. */
#define VIRTQ_SIZE_MAX 256

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq {
	uint16_t size; /* entries, a power of two */
	int event_idx; /* VIRTIO_F_EVENT_IDX was negotiated */
	volatile struct virtq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;  /* flags, idx, then the elements */
	uint16_t avail_idx;	  /* the next avail index to publish */
	uint16_t notified_idx;	  /* avail index at the last notification */
	uint16_t last_used;	  /* the next used index to consume */
	uint16_t held;		  /* chains the device holds */
	const char *broken;	  /* why the device was refused, or NULL */
	/* Per chain head: whether the device holds it, and how many bytes
	 * it may write into the chain. */
	uint8_t out[VIRTQ_SIZE_MAX];
	uint32_t writable[VIRTQ_SIZE_MAX];
};

/* Bytes of ring memory a queue of SIZE entries needs (one allocation,
 * aligned to 4096). */
size_t virtq_bytes(uint16_t size);

/* The largest power of two at most MAX and at most WANT; 0 if MAX is 0. */
uint16_t virtq_pick_size(uint32_t max, uint16_t want);

/* Sets Q up over MEM (virtq_bytes(size), zeroed). SIZE: a power of two,
 * 1..VIRTQ_SIZE_MAX. Returns 0, or -1 on a bad size. */
int virtq_init(struct virtq *q, void *mem, uint16_t size, int event_idx);

/* Where the device finds each part (guest-physical = virtual). */
uint64_t virtq_desc_addr(const struct virtq *q);
uint64_t virtq_avail_addr(const struct virtq *q);
uint64_t virtq_used_addr(const struct virtq *q);

/* Fills descriptor I. */
void virtq_set_desc(struct virtq *q, uint16_t i, uint64_t addr, uint32_t len,
		    uint16_t flags, uint16_t next);

/* Offers the chain starting at HEAD (not held by the device), which lets
 * the device write WRITABLE bytes. Not visible until virtq_publish. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t writable);

/* Makes the pushed chains visible. Returns 1 if the device must be
 * notified, else 0. */
int virtq_publish(struct virtq *q);

/* Takes the next used chain:
 *    1  *HEAD and *LEN (bytes written, checked) are set;
 *    0  none is waiting;
 *   -1  the device broke the protocol (q->broken says how). */
int virtq_pop(struct virtq *q, uint16_t *head, uint32_t *len);

/* Whether a used chain is waiting (no checks: virtq_pop does them). */
int virtq_has_used(const struct virtq *q);

#endif
