/* Devices of the kvm target: the monitor attached them and described
 * them in the boot page; reads and writes are one hypercall per batch. */
#include "kvm.h"

static enum pith_result acquire(const char *name, enum pith_dev_type type,
				pith_handle *h)
{
	int i = pith_manifest_handle(&kvm.manifest, name, type);

	if (i < 0 || !h)
		return PITH_EINVAL;
	*h = (pith_handle)i;
	kvm.acquired[i] = 1;
	return PITH_OK;
}

static const struct pith_kvm_device *device(pith_handle h,
					    enum pith_dev_type type)
{
	if (h >= kvm.manifest.count || !kvm.acquired[h] ||
	    kvm.manifest.dev[h].type != type)
		return 0;
	return &kvm.boot->dev[h];
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
	const struct pith_kvm_device *d = device(h, PITH_DEV_NET);

	if (!d || !info)
		return PITH_EINVAL;
	__builtin_memcpy(info->mac, d->mac, PITH_MAC_LEN);
	info->mtu = d->mtu;
	info->tso_max = 0;
	return PITH_OK;
}

enum pith_result pith_block_info(pith_handle h, struct pith_block_info *info)
{
	const struct pith_kvm_device *d = device(h, PITH_DEV_BLOCK);

	if (!d || !info)
		return PITH_EINVAL;
	info->capacity = d->capacity;
	info->block_size = PITH_BLOCK_SIZE;
	return PITH_OK;
}

/* One net hypercall over up to PITH_HC_NET_BATCH frames at a time. */
static enum pith_result net_batch(enum pith_hc call, pith_handle h,
				  struct pith_frame *frames, size_t n,
				  size_t *done)
{
	struct pith_hc_frame f[PITH_HC_NET_BATCH];
	struct pith_hc_net c;
	const struct pith_kvm_device *d = device(h, PITH_DEV_NET);

	if (!d || !done)
		return PITH_EINVAL;
	*done = 0;
	if (n > PITH_HC_NET_BATCH)
		n = PITH_HC_NET_BATCH;
	for (size_t i = 0; i < n; i++) {
		/* No segmentation offload here (tso_max 0). */
		if (!frames[i].buf || frames[i].cap > UINT32_MAX ||
		    (call == PITH_HC_NET_WRITE && frames[i].gso_size))
			return PITH_EINVAL;
		f[i].buf = (pith_gpa)(uintptr_t)frames[i].buf;
		f[i].cap = (uint32_t)frames[i].cap;
		f[i].len = (uint32_t)frames[i].len;
	}
	c.handle = h;
	c.count = (uint32_t)n;
	c.frames = (pith_gpa)(uintptr_t)f;
	c.done = 0;
	c.result = PITH_HC_EUNSPEC;
	kvm_hypercall(call, &c);
	*done = c.done <= n ? c.done : 0;
	if (call == PITH_HC_NET_READ)
		for (size_t i = 0; i < *done; i++) {
			frames[i].len = f[i].len;
			frames[i].flags = 0; /* the monitor vouches for none */
		}
	return (enum pith_result)c.result;
}

enum pith_result pith_net_read_batch(pith_handle h, struct pith_frame *frames,
				     size_t n, size_t *done)
{
	return net_batch(PITH_HC_NET_READ, h, frames, n, done);
}

enum pith_result pith_net_write_batch(pith_handle h,
				      const struct pith_frame *frames, size_t n,
				      size_t *done)
{
	return net_batch(PITH_HC_NET_WRITE, h, (struct pith_frame *)frames, n,
			 done);
}

static enum pith_result block_io(enum pith_hc call, pith_handle h,
				 uint64_t offset, const void *buf, size_t len)
{
	struct pith_hc_block c;

	if (!device(h, PITH_DEV_BLOCK))
		return PITH_EINVAL;
	c.handle = h;
	c.result = PITH_HC_EUNSPEC;
	c.offset = offset;
	c.buf = (pith_gpa)(uintptr_t)buf;
	c.len = len;
	kvm_hypercall(call, &c);
	return (enum pith_result)c.result;
}

enum pith_result pith_block_read(pith_handle h, uint64_t offset, void *buf,
				 size_t len)
{
	return block_io(PITH_HC_BLOCK_READ, h, offset, buf, len);
}

enum pith_result pith_block_write(pith_handle h, uint64_t offset,
				  const void *buf, size_t len)
{
	return block_io(PITH_HC_BLOCK_WRITE, h, offset, buf, len);
}
