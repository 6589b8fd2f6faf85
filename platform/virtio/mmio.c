/* The virtio-mmio transport, version 2 (virtio 1.x section 4.2): QEMU's
 * microvm and Firecracker. Devices are found from the command line's
 * virtio_mmio.device=SIZE@ADDR:IRQ entries, which both VMMs add. The
 * legacy interface (version 1, QEMU's default unless
 * -global virtio-mmio.force-legacy=false) is refused with a message. */
#include "../common/fmt.h"
#include "vio.h"
#include "vdev.h"

#define MAGIC		 0x000
#define VERSION		 0x004
#define DEVICE_ID	 0x008
#define DEV_FEATURES	 0x010
#define DEV_FEATURES_SEL 0x014
#define DRV_FEATURES	 0x020
#define DRV_FEATURES_SEL 0x024
#define QUEUE_SEL	 0x030
#define QUEUE_NUM_MAX	 0x034
#define QUEUE_NUM	 0x038
#define QUEUE_READY	 0x044
#define QUEUE_NOTIFY	 0x050
#define STATUS		 0x070
#define QUEUE_DESC	 0x080
#define QUEUE_DRIVER	 0x090
#define QUEUE_DEVICE	 0x0a0
#define CONFIG_GEN	 0x0fc
#define CONFIG		 0x100

#define MMIO_MAGIC  0x74726976 /* "virt" */
#define MMIO_MODERN 2

/* The register window's size must at least hold the registers; a device
 * claiming more than this is not believed. */
#define WINDOW_MAX (64U << 10)

static uint32_t rd(struct vdev *d, unsigned reg)
{
	return *(volatile uint32_t *)(d->base + reg);
}

static void wr(struct vdev *d, unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(d->base + reg) = v;
}

static uint8_t get_status(struct vdev *d)
{
	return (uint8_t)rd(d, STATUS);
}

static void set_status(struct vdev *d, uint8_t s)
{
	wr(d, STATUS, s);
}

static uint64_t get_features(struct vdev *d)
{
	uint64_t f;

	wr(d, DEV_FEATURES_SEL, 0);
	f = rd(d, DEV_FEATURES);
	wr(d, DEV_FEATURES_SEL, 1);
	return f | (uint64_t)rd(d, DEV_FEATURES) << 32;
}

static void set_features(struct vdev *d, uint64_t f)
{
	wr(d, DRV_FEATURES_SEL, 0);
	wr(d, DRV_FEATURES, (uint32_t)f);
	wr(d, DRV_FEATURES_SEL, 1);
	wr(d, DRV_FEATURES, (uint32_t)(f >> 32));
}

static uint32_t generation(struct vdev *d)
{
	return rd(d, CONFIG_GEN);
}

static uint8_t config8(struct vdev *d, unsigned off)
{
	return *(volatile uint8_t *)(d->base + CONFIG + off);
}

static uint32_t queue_max(struct vdev *d, unsigned q)
{
	wr(d, QUEUE_SEL, q);
	return rd(d, QUEUE_READY) ? 0 : rd(d, QUEUE_NUM_MAX);
}

static void wr64(struct vdev *d, unsigned reg, uint64_t v)
{
	wr(d, reg, (uint32_t)v);
	wr(d, reg + 4, (uint32_t)(v >> 32));
}

static int queue_setup(struct vdev *d, unsigned q, const struct virtq *vq)
{
	wr(d, QUEUE_SEL, q);
	wr(d, QUEUE_NUM, vq->size);
	wr64(d, QUEUE_DESC, virtq_desc_addr(vq));
	wr64(d, QUEUE_DRIVER, virtq_avail_addr(vq));
	wr64(d, QUEUE_DEVICE, virtq_used_addr(vq));
	wr(d, QUEUE_READY, 1);
	return rd(d, QUEUE_READY) == 1 ? 0 : -1;
}

static void notify(struct vdev *d, unsigned q)
{
	wr(d, QUEUE_NOTIFY, q);
}

static const struct vdev_ops mmio_ops = {
	get_status, set_status, get_features, set_features, generation,
	config8,    queue_max,	queue_setup,  notify
};

int vio_mmio_probe(const struct vio_range *r, struct vdev *d)
{
	struct pith_buf b;

	if (r->hi - r->lo < CONFIG || r->hi - r->lo > WINDOW_MAX ||
	    vio_map_mmio(r->lo, r->hi - r->lo) < 0)
		return -1;
	*d = (struct vdev){ 0 };
	d->ops = &mmio_ops;
	d->base = (uintptr_t)r->lo;
	d->config_len = (uint32_t)(r->hi - r->lo - CONFIG);
	pith_buf_init(&b, d->where, sizeof d->where);
	pith_buf_str(&b, "virtio-mmio at ");
	pith_buf_hex(&b, r->lo, 0);
	if (rd(d, MAGIC) != MMIO_MAGIC)
		return -1;
	d->type = rd(d, DEVICE_ID);
	if (d->type == 0) /* an empty slot */
		return -1;
	if (rd(d, VERSION) != MMIO_MODERN) {
		vdev_warn(d, "the device is a legacy virtio-mmio device "
			     "(version 1); pith drives modern ones (QEMU: "
			     "-global virtio-mmio.force-legacy=false)");
		return -1;
	}
	return 0;
}
