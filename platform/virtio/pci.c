/* The virtio-pci transport, modern interface (virtio 1.x section 4.1):
 * QEMU's q35 and cloud-hypervisor. Bus 0 is scanned through the legacy
 * configuration ports (0xcf8/0xcfc); a virtio device's vendor-specific
 * capabilities say where in its BARs the common configuration, the
 * notification area and the device configuration are. The firmware has
 * assigned the BARs. Every capability is checked against the
 * configuration space and against the BAR's real size (found by the
 * standard sizing write) before its window is mapped. */
#include "../common/fmt.h"
#include "../x86_64/x86.h"
#include "vdev.h"
#include "vio.h"

#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc

#define PCI_VENDOR     0x00
#define PCI_COMMAND    0x04
#define PCI_STATUS     0x06
#define PCI_HEADER     0x0e
#define PCI_BAR0       0x10
#define PCI_SUBSYS_ID  0x2e
#define PCI_CAP_PTR    0x34
#define CMD_MEM	       0x0002
#define CMD_MASTER     0x0004
#define STATUS_CAPS    0x0010
#define CAP_VENDOR     0x09
#define VIRTIO_VENDOR  0x1af4
#define ID_MODERN_BASE 0x1040 /* + device type */
#define ID_LEGACY_LO   0x1000
#define ID_LEGACY_HI   0x103f

#define VCAP_COMMON 1
#define VCAP_NOTIFY 2
#define VCAP_DEVICE 4

/* Common configuration (struct virtio_pci_common_cfg). */
#define C_DFSELECT 0x00
#define C_DF	   0x04
#define C_GFSELECT 0x08
#define C_GF	   0x0c
#define C_STATUS   0x14
#define C_GEN	   0x15
#define C_Q_SELECT 0x16
#define C_Q_SIZE   0x18
#define C_Q_MSIX   0x1a
#define C_Q_ENABLE 0x1c
#define C_Q_NOFF   0x1e
#define C_Q_DESC   0x20
#define C_Q_DRIVER 0x28
#define C_Q_DEVICE 0x30
#define COMMON_LEN 0x38
#define NO_VECTOR  0xffff

#define SLOTS	 32
#define CAPS_MAX 48 /* (256 - 64) / 4: a longer chain is a loop */
#define BARS	 6

static uint32_t cfg_addr(unsigned slot, unsigned off)
{
	return 0x80000000u | slot << 11 | (off & 0xfc);
}

static uint32_t cfg32(unsigned slot, unsigned off)
{
	x86_outl(CFG_ADDR, cfg_addr(slot, off));
	return x86_inl(CFG_DATA);
}

static void cfg_w32(unsigned slot, unsigned off, uint32_t v)
{
	x86_outl(CFG_ADDR, cfg_addr(slot, off));
	x86_outl(CFG_DATA, v);
}

static uint8_t cfg8(unsigned slot, unsigned off)
{
	return (uint8_t)(cfg32(slot, off) >> 8 * (off & 3));
}

static uint16_t cfg16(unsigned slot, unsigned off)
{
	return (uint16_t)(cfg32(slot, off) >> 8 * (off & 2));
}

/* BAR I's address and size (memory BARs only; 0 if unusable). */
static uint64_t bar(unsigned slot, unsigned i, uint64_t *size)
{
	unsigned off = PCI_BAR0 + 4 * i;
	uint32_t lo = cfg32(slot, off), hi = 0, slo, shi = 0xffffffff;
	int is64 = (lo & 6) == 4;
	uint32_t cmd = cfg32(slot, PCI_COMMAND);

	*size = 0;
	if ((lo & 1) || (is64 && i + 1 >= BARS))
		return 0;
	if (is64)
		hi = cfg32(slot, off + 4);
	/* Sizing: all ones in, the size mask out; decoding off meanwhile. */
	cfg_w32(slot, PCI_COMMAND, cmd & ~(uint32_t)CMD_MEM);
	cfg_w32(slot, off, 0xffffffff);
	slo = cfg32(slot, off);
	cfg_w32(slot, off, lo);
	if (is64) {
		cfg_w32(slot, off + 4, 0xffffffff);
		shi = cfg32(slot, off + 4);
		cfg_w32(slot, off + 4, hi);
	}
	cfg_w32(slot, PCI_COMMAND, cmd);
	*size = ~((uint64_t)shi << 32 | (slo & ~0xfu)) + 1;
	if (!is64)
		*size &= 0xffffffff;
	return ((uint64_t)hi << 32 | (lo & ~0xfu));
}

struct cap {
	uint8_t type, bar;
	uint32_t off, len, mult;
};

/* The window of capability C, checked against its BAR and mapped; 0 if
 * unusable. */
static uintptr_t window(unsigned slot, const struct cap *c, uint32_t min)
{
	uint64_t size, base;

	if (c->bar >= BARS || c->len < min)
		return 0;
	base = bar(slot, c->bar, &size);
	if (!base || c->off > size || c->len > size - c->off ||
	    vio_map_mmio(base + c->off, c->len) < 0)
		return 0;
	return (uintptr_t)(base + c->off);
}

static int read_caps(unsigned slot, struct cap caps[3])
{
	unsigned p = cfg8(slot, PCI_CAP_PTR) & 0xfc, n = 0;

	if (!(cfg16(slot, PCI_STATUS) & STATUS_CAPS))
		return -1;
	for (; p >= 0x40 && n < CAPS_MAX; p = cfg8(slot, p + 1) & 0xfc, n++) {
		struct cap c;
		unsigned k;

		if (cfg8(slot, p) != CAP_VENDOR || p > 256 - 16)
			continue;
		c.type = cfg8(slot, p + 3);
		c.bar = cfg8(slot, p + 4);
		c.off = cfg32(slot, p + 8);
		c.len = cfg32(slot, p + 12);
		c.mult = c.type == VCAP_NOTIFY && p <= 256 - 20
				 ? cfg32(slot, p + 16)
				 : 0;
		k = c.type == VCAP_COMMON ? 0 : c.type == VCAP_NOTIFY ? 1 : 2;
		if ((c.type == VCAP_COMMON || c.type == VCAP_NOTIFY ||
		     c.type == VCAP_DEVICE) &&
		    caps[k].len == 0) /* the first of each type counts */
			caps[k] = c;
	}
	return 0;
}

/* --- Operations over the common configuration ------------------------ */

static volatile uint8_t *common(struct vdev *d, unsigned off)
{
	return (volatile uint8_t *)(d->common + off);
}

#define C8(d, o)  (*(volatile uint8_t *)common(d, o))
#define C16(d, o) (*(volatile uint16_t *)common(d, o))
#define C32(d, o) (*(volatile uint32_t *)common(d, o))

/* 64-bit fields as two 32-bit halves, which every device accepts. */
static void set64(struct vdev *d, unsigned off, uint64_t v)
{
	C32(d, off) = (uint32_t)v;
	C32(d, off + 4) = (uint32_t)(v >> 32);
}

static uint8_t get_status(struct vdev *d)
{
	return C8(d, C_STATUS);
}

static void set_status(struct vdev *d, uint8_t s)
{
	C8(d, C_STATUS) = s;
}

static uint64_t get_features(struct vdev *d)
{
	uint64_t f;

	C32(d, C_DFSELECT) = 0;
	f = C32(d, C_DF);
	C32(d, C_DFSELECT) = 1;
	return f | (uint64_t)C32(d, C_DF) << 32;
}

static void set_features(struct vdev *d, uint64_t f)
{
	C32(d, C_GFSELECT) = 0;
	C32(d, C_GF) = (uint32_t)f;
	C32(d, C_GFSELECT) = 1;
	C32(d, C_GF) = (uint32_t)(f >> 32);
}

static uint32_t generation(struct vdev *d)
{
	return C8(d, C_GEN);
}

static uint8_t config8(struct vdev *d, unsigned off)
{
	return *(volatile uint8_t *)(d->device + off);
}

static uint32_t queue_max(struct vdev *d, unsigned q)
{
	C16(d, C_Q_SELECT) = (uint16_t)q;
	return C16(d, C_Q_SIZE);
}

static int queue_setup(struct vdev *d, unsigned q, const struct virtq *vq)
{
	uint32_t noff;

	if (q >= VDEV_QUEUES_MAX)
		return -1;
	C16(d, C_Q_SELECT) = (uint16_t)q;
	C16(d, C_Q_SIZE) = vq->size;
	C16(d, C_Q_MSIX) = NO_VECTOR;
	set64(d, C_Q_DESC, virtq_desc_addr(vq));
	set64(d, C_Q_DRIVER, virtq_avail_addr(vq));
	set64(d, C_Q_DEVICE, virtq_used_addr(vq));
	noff = (uint32_t)C16(d, C_Q_NOFF) * d->notify_mult;
	/* The notification address must lie inside the notify window. */
	if (noff > d->notify_len || d->notify_len - noff < 2)
		return -1;
	d->notify_off[q] = (uint16_t)noff;
	if (noff != d->notify_off[q])
		return -1;
	C16(d, C_Q_ENABLE) = 1;
	return 0;
}

static void notify(struct vdev *d, unsigned q)
{
	*(volatile uint16_t *)(d->notify + d->notify_off[q]) = (uint16_t)q;
}

static const struct vdev_ops pci_ops = {
	get_status, set_status, get_features, set_features, generation,
	config8,    queue_max,	queue_setup,  notify
};

/* The device type of a virtio device at SLOT, or 0. */
static uint32_t virtio_type(unsigned slot)
{
	uint32_t id = cfg32(slot, PCI_VENDOR);
	uint16_t dev = (uint16_t)(id >> 16);

	if ((id & 0xffff) != VIRTIO_VENDOR)
		return 0;
	if (dev >= ID_MODERN_BASE)
		return dev - ID_MODERN_BASE;
	if (dev >= ID_LEGACY_LO && dev <= ID_LEGACY_HI)
		return cfg16(slot, PCI_SUBSYS_ID);
	return 0;
}

static int setup(unsigned slot, struct vdev *d)
{
	struct cap caps[3] = { { 0 } };

	if (read_caps(slot, caps) < 0 ||
	    !(d->common = window(slot, &caps[0], COMMON_LEN)) ||
	    !(d->notify = window(slot, &caps[1], 2)) ||
	    !(d->device = window(slot, &caps[2], 1))) {
		vdev_warn(d, "its virtio capabilities are missing or lie "
			     "outside its BARs");
		return -1;
	}
	d->notify_mult = caps[1].mult;
	d->notify_len = caps[1].len;
	d->config_len = caps[2].len;
	cfg_w32(slot, PCI_COMMAND,
		cfg32(slot, PCI_COMMAND) | CMD_MEM | CMD_MASTER);
	return 0;
}

unsigned vio_pci_scan(struct vdev *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned slot = 0; slot < SLOTS && n < max; slot++) {
		struct vdev *d = &out[n];
		struct pith_buf b;
		uint32_t type = virtio_type(slot);

		if (!type)
			continue;
		*d = (struct vdev){ 0 };
		d->ops = &pci_ops;
		d->type = type;
		pith_buf_init(&b, d->where, sizeof d->where);
		pith_buf_str(&b, "virtio-pci at 00:");
		pith_buf_chr(&b, "0123456789abcdef"[slot >> 4]);
		pith_buf_chr(&b, "0123456789abcdef"[slot & 15]);
		pith_buf_str(&b, ".0");
		if ((type == VDEV_NET || type == VDEV_BLOCK) &&
		    setup(slot, d) == 0)
			n++;
	}
	return n;
}
