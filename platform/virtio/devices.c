/* Devices of a virtio guest and platform.h's calls on them.
 *
 * At boot the virtio devices the VMM offers are found (virtio-mmio from
 * the command line, then virtio-pci on bus 0) and bound to the
 * manifest's devices in order, per type: the first declared net device
 * gets the first virtio-net device, and so on (`pith run` attaches them
 * in manifest order; docs/deploying.md says how for other VMMs). A
 * declared device without a virtio device stops the boot with a message;
 * virtio devices beyond the manifest are left alone.
 *
 * pith_yield polls: it spins on the receive queues (and the clock) until
 * a frame waits or the deadline passes. The guest takes no interrupts. */
#include "../common/fmt.h"
#include "pith/exit.h"
#include "vblk.h"
#include "vio.h"
#include "vnet.h"

/* Virtio devices looked at during discovery: twice what a manifest may
 * declare, so a VMM's extra devices do not hide the declared ones. */
#define CANDIDATES_MAX (2 * PITH_DEVICES_MAX)

struct slot {
	int acquired;
	struct vdev *dev;
	union {
		struct vnet net;
		struct vblk blk;
	} u;
};

static struct vdev found[CANDIDATES_MAX];
static unsigned nfound;
static struct slot slots[PITH_DEVICES_MAX];

void vdev_warn(const struct vdev *d, const char *why)
{
	char text[256];
	struct pith_buf b;

	pith_buf_init(&b, text, sizeof text);
	if (d->name) {
		pith_buf_str(&b, "device '");
		pith_buf_str(&b, d->name);
		pith_buf_str(&b, "' (");
		pith_buf_str(&b, d->where);
		pith_buf_str(&b, "): ");
	} else {
		pith_buf_str(&b, d->where);
		pith_buf_str(&b, ": ");
	}
	pith_buf_str(&b, why);
	vio_diag(text);
}

/* MMIO devices in address order (the order VMMs create them in). */
static void sort_by_address(struct vdev *d, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && d[j - 1].base > d[j].base; j--) {
			struct vdev t = d[j];
			d[j] = d[j - 1];
			d[j - 1] = t;
		}
}

/* Whether a device at BASE was found already (a VMM and pith run may
 * both name it on the command line). */
static int known(uint64_t base)
{
	for (unsigned i = 0; i < nfound; i++)
		if (found[i].base == base)
			return 1;
	return 0;
}

static void discover(void)
{
	struct vio_range r;

	for (unsigned i = 0;
	     nfound < CANDIDATES_MAX && vio_cmdline_mmio(i, &r) == 0; i++)
		if (!known(r.lo) && vio_mmio_probe(&r, &found[nfound]) == 0)
			nfound++;
	sort_by_address(found, nfound);
	nfound += vio_pci_scan(&found[nfound], CANDIDATES_MAX - nfound);
}

static _Noreturn void refuse(const struct pith_device_decl *decl,
			     const char *what)
{
	char text[192];
	struct pith_buf b;

	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b, "device '");
	pith_buf_str(&b, decl->name);
	pith_buf_str(&b, "' ");
	pith_buf_str(&b, what);
	vio_fail(PITH_EXIT_DEVICE, text);
}

static void bind(unsigned i)
{
	const struct pith_device_decl *decl = &vio.manifest.dev[i];
	uint32_t type = decl->type == PITH_DEV_NET ? VDEV_NET : VDEV_BLOCK;
	struct vdev *d = 0;

	for (unsigned k = 0; k < nfound && !d; k++)
		if (found[k].type == type && !found[k].name)
			d = &found[k];
	if (!d)
		refuse(decl,
		       type == VDEV_NET
			       ? "is declared in the manifest, but the "
				 "VMM attached no virtio-net device for it"
			       : "is declared in the manifest, but the "
				 "VMM attached no virtio-blk device for it");
	d->name = decl->name;
	slots[i].dev = d;
	if (type == VDEV_NET ? vnet_init(&slots[i].u.net, d, vio.random)
			     : vblk_init(&slots[i].u.blk, d))
		refuse(decl, "could not be started");
}

void vio_devices_init(void)
{
	if (vio.manifest.count == 0)
		return;
	discover();
	for (unsigned i = 0; i < vio.manifest.count; i++)
		bind(i);
}

static enum pith_result acquire(const char *name, enum pith_dev_type type,
				pith_handle *h)
{
	int i = pith_manifest_handle(&vio.manifest, name, type);

	if (i < 0 || !h)
		return PITH_EINVAL;
	*h = (pith_handle)i;
	slots[i].acquired = 1;
	return PITH_OK;
}

static struct slot *slot(pith_handle h, enum pith_dev_type type)
{
	if (h >= vio.manifest.count || !slots[h].acquired ||
	    vio.manifest.dev[h].type != type)
		return 0;
	return &slots[h];
}

enum pith_result pith_net_acquire(const char *name, pith_handle *h)
{
	return acquire(name, PITH_DEV_NET, h);
}

enum pith_result pith_block_acquire(const char *name, pith_handle *h)
{
	return acquire(name, PITH_DEV_BLOCK, h);
}

enum pith_result pith_net_info(pith_handle h, struct pith_net_info *info)
{
	struct slot *s = slot(h, PITH_DEV_NET);

	if (!s || !info)
		return PITH_EINVAL;
	__builtin_memcpy(info->mac, s->u.net.mac, PITH_MAC_LEN);
	info->mtu = s->u.net.mtu;
	info->tso_max = 0;
	return PITH_OK;
}

enum pith_result pith_block_info(pith_handle h, struct pith_block_info *info)
{
	struct slot *s = slot(h, PITH_DEV_BLOCK);

	if (!s || !info)
		return PITH_EINVAL;
	info->capacity = s->u.blk.capacity;
	info->block_size = PITH_BLOCK_SIZE;
	return PITH_OK;
}

enum pith_result pith_net_read_batch(pith_handle h, struct pith_frame *frames,
				     size_t n, size_t *done)
{
	struct slot *s = slot(h, PITH_DEV_NET);

	if (!s || !done || (n && !frames))
		return PITH_EINVAL;
	return vnet_read(&s->u.net, frames, n, done);
}

enum pith_result pith_net_write_batch(pith_handle h,
				      const struct pith_frame *frames, size_t n,
				      size_t *done)
{
	struct slot *s = slot(h, PITH_DEV_NET);

	if (!s || !done || (n && !frames))
		return PITH_EINVAL;
	return vnet_write(&s->u.net, frames, n, done);
}

enum pith_result pith_block_read(pith_handle h, uint64_t offset, void *buf,
				 size_t len)
{
	struct slot *s = slot(h, PITH_DEV_BLOCK);

	return s ? vblk_io(&s->u.blk, 0, offset, buf, len) : PITH_EINVAL;
}

enum pith_result pith_block_write(pith_handle h, uint64_t offset,
				  const void *buf, size_t len)
{
	struct slot *s = slot(h, PITH_DEV_BLOCK);

	return s ? vblk_io(&s->u.blk, 1, offset, (void *)buf, len)
		 : PITH_EINVAL;
}

static pith_handle_set ready_set(void)
{
	pith_handle_set set = 0;

	for (unsigned i = 0; i < vio.manifest.count; i++)
		if (slots[i].acquired &&
		    vio.manifest.dev[i].type == PITH_DEV_NET &&
		    vnet_ready(&slots[i].u.net))
			set |= (pith_handle_set)1 << i;
	return set;
}

void pith_yield(uint64_t deadline, pith_handle_set *ready)
{
	pith_handle_set set;

	while (!(set = ready_set()) && pith_clock_monotonic() < deadline)
		__asm__ volatile("pause");
	if (ready)
		*ready = set;
}

static void put_line(struct pith_buf *b)
{
	pith_buf_chr(b, '\n');
	vio_diag_write(b->p, b->len);
	b->len = 0;
}

static void device_stats(struct pith_buf *b, unsigned i)
{
	const struct slot *s = &slots[i];
	int net = vio.manifest.dev[i].type == PITH_DEV_NET;

	pith_buf_str(b, "  device ");
	pith_buf_udec(b, i);
	pith_buf_str(b, net ? " (net): " : " (block): ");
	pith_buf_udec(b, net ? s->u.net.rx_bytes : s->u.blk.bytes_in);
	pith_buf_str(b, " bytes in, ");
	pith_buf_udec(b, net ? s->u.net.tx_bytes : s->u.blk.bytes_out);
	pith_buf_str(b, " bytes out");
	if (net) {
		pith_buf_str(b, ", frames ");
		pith_buf_udec(b, s->u.net.rx_frames);
		pith_buf_str(b, " in, ");
		pith_buf_udec(b, s->u.net.tx_frames);
		pith_buf_str(b, " out");
		put_line(b);
		pith_buf_str(b, "  device ");
		pith_buf_udec(b, i);
		pith_buf_str(b, " (net): notifications ");
		pith_buf_udec(b, s->u.net.kicks);
		pith_buf_str(b, ", frames dropped ");
		pith_buf_udec(b, s->u.net.rx_dropped);
	}
	put_line(b);
}

void vio_print_stats(void)
{
	char line[160];
	struct pith_buf b;
	uint64_t boot = vio.tsc_main ? vio.tsc_main - virtio_tsc_entry : 0;

	pith_buf_init(&b, line, sizeof line);
	pith_buf_str(&b, "pith-virtio stats: guest boot ");
	pith_buf_udec(
		&b, (uint64_t)(((unsigned __int128)boot * vio.tsc_mult) >> 32) /
			    1000);
	pith_buf_str(&b, " us (first instruction to main); TSC ");
	pith_buf_udec(&b, vio.tsc_khz);
	pith_buf_str(&b, " kHz from ");
	pith_buf_str(&b, vio.clock ? vio.clock : "nothing");
	put_line(&b);
	for (unsigned i = 0; i < vio.manifest.count; i++)
		if (slots[i].dev)
			device_stats(&b, i);
	pith_buf_str(&b, "  memory: heap ");
	pith_buf_udec(&b, (vio.heap.hi - vio.heap.lo) >> 10);
	pith_buf_str(&b, " KiB, device memory ");
	pith_buf_udec(&b, (vio.devmem.hi - vio.devmem.lo) >> 10);
	pith_buf_str(&b, " KiB, stack ");
	pith_buf_udec(&b, (vio.stack.hi - vio.stack.lo) >> 10);
	pith_buf_str(&b, " KiB");
	put_line(&b);
}
