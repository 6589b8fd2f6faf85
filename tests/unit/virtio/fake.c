/* The fake virtio device (see fake.h). */
#include "fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Allocations outstanding at once: a few queues and buffer sets. */
#define ALLOCS_MAX 16

static void *allocs[ALLOCS_MAX];
static unsigned nallocs;
static char warning[256];
static uint64_t now;
static struct fake_dev *serving;

static struct fake_dev *dev(struct vdev *d)
{
	return d->priv;
}

static uint8_t get_status(struct vdev *d)
{
	return dev(d)->status;
}

static void set_status(struct vdev *d, uint8_t s)
{
	struct fake_dev *f = dev(d);

	if (s == 0 && f->keep_status)
		return;
	if ((s & VDEV_S_FEATURES_OK) && f->drop_features_ok)
		s &= (uint8_t)~VDEV_S_FEATURES_OK;
	f->status = s;
}

static uint64_t get_features(struct vdev *d)
{
	return dev(d)->offered;
}

static void set_features(struct vdev *d, uint64_t v)
{
	dev(d)->accepted = v;
}

static uint32_t generation(struct vdev *d)
{
	struct fake_dev *f = dev(d);

	return f->restless ? f->generation++ : f->generation;
}

static uint8_t config8(struct vdev *d, unsigned off)
{
	return off < sizeof dev(d)->config ? dev(d)->config[off] : 0xff;
}

static uint32_t queue_max(struct vdev *d, unsigned q)
{
	return q < VDEV_QUEUES_MAX ? dev(d)->qmax[q] : 0;
}

static int queue_setup(struct vdev *d, unsigned q, const struct virtq *vq)
{
	if (q >= VDEV_QUEUES_MAX)
		return -1;
	dev(d)->q[q] = vq;
	dev(d)->seen[q] = 0;
	return 0;
}

static void notify(struct vdev *d, unsigned q)
{
	if (q < VDEV_QUEUES_MAX)
		dev(d)->notified[q]++;
}

static const struct vdev_ops ops = { get_status,   set_status,	get_features,
				     set_features, generation,	config8,
				     queue_max,	   queue_setup, notify };

void fake_init(struct fake_dev *f, uint32_t type, uint64_t offered,
	       unsigned config_len)
{
	memset(f, 0, sizeof *f);
	f->vdev.ops = &ops;
	f->vdev.type = type;
	f->vdev.name = "fake";
	strcpy(f->vdev.where, "a fake device");
	f->vdev.config_len = config_len;
	f->vdev.priv = f;
	f->offered = offered;
	f->qmax[0] = f->qmax[1] = 256;
	serving = f;
	warning[0] = '\0';
}

int fake_take(struct fake_dev *f, unsigned qi, uint16_t *head)
{
	const struct virtq *q = f->q[qi];

	if (!q || f->seen[qi] == q->avail[1])
		return 0;
	*head = q->avail[2 + (f->seen[qi] & (q->size - 1))];
	f->seen[qi]++;
	return 1;
}

void fake_used(struct fake_dev *f, unsigned qi, uint32_t id, uint32_t len)
{
	const struct virtq *q = f->q[qi];
	volatile struct virtq_used_elem *ring =
		(volatile struct virtq_used_elem *)((volatile char *)q->used +
						    4);
	uint16_t idx = q->used[1];

	ring[idx & (q->size - 1)].id = id;
	ring[idx & (q->size - 1)].len = len;
	q->used[1] = (uint16_t)(idx + 1);
}

void fake_used_idx(struct fake_dev *f, unsigned qi, uint16_t idx)
{
	f->q[qi]->used[1] = idx;
}

/* A block request: header, data, status, as vblk.c builds them. */
static void serve_block(struct fake_dev *f)
{
	const struct virtq *q = f->q[0];
	uint16_t head;

	while (q && fake_take(f, 0, &head)) {
		volatile struct virtq_desc *d = q->desc;
		const uint32_t *hdr = (const uint32_t *)(uintptr_t)d[0].addr;
		uint64_t sector;
		uint8_t *data = (uint8_t *)(uintptr_t)d[1].addr;
		uint32_t len = d[1].len;

		memcpy(&sector, hdr + 2, 8);
		if (sector * 512 + len <= sizeof f->disk) {
			if (hdr[0] == 1)
				memcpy(f->disk + sector * 512, data, len);
			else
				memcpy(data, f->disk + sector * 512, len);
		}
		*(uint8_t *)(uintptr_t)d[2].addr = f->block_status;
		fake_used(f, 0, head,
			  (uint32_t)((hdr[0] == 1 ? 1 : len + 1) +
				     f->block_len_delta));
	}
}

void *vdev_alloc(size_t bytes, size_t align)
{
	void *p;

	if (nallocs == ALLOCS_MAX)
		return 0;
	p = aligned_alloc(align, (bytes + align - 1) / align * align);
	if (p) {
		memset(p, 0, bytes);
		allocs[nallocs++] = p;
	}
	return p;
}

uint64_t vdev_clock(void)
{
	if (serving && serving->serve_block)
		serve_block(serving);
	return now += FAKE_TICK_NS;
}

void vdev_warn(const struct vdev *d, const char *why)
{
	snprintf(warning, sizeof warning, "%s: %s", d->where, why);
}

const char *fake_warning(void)
{
	return warning;
}

void fake_free_all(void)
{
	while (nallocs)
		free(allocs[--nallocs]);
}
