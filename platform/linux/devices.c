/* Devices of the linux target: the platform contract's net and block
 * calls over the descriptors hostdev.c opened at boot. */
#include <errno.h>
#include <linux/virtio_net.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "linux.h"
#include "sys.h"

#define ETH_HDR 14

/* --- The contract's device calls ----------------------------------- */

static enum pith_result acquire(const char *name, enum pith_dev_type type,
				pith_handle *h)
{
	int i = pith_manifest_handle(&lx.manifest, name, type);

	if (i < 0 || !h)
		return PITH_EINVAL;
	*h = (pith_handle)i;
	lx.dev[i].acquired = 1;
	return PITH_OK;
}

static struct lx_device *device(pith_handle h, enum pith_dev_type type)
{
	if (h >= lx.manifest.count || !lx.dev[h].acquired ||
	    lx.dev[h].host.type != type)
		return 0;
	return &lx.dev[h];
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
	struct lx_device *d = device(h, PITH_DEV_NET);

	if (!d || !info)
		return PITH_EINVAL;
	*info = d->host.net;
	return PITH_OK;
}

enum pith_result pith_block_info(pith_handle h, struct pith_block_info *info)
{
	struct lx_device *d = device(h, PITH_DEV_BLOCK);

	if (!d || !info)
		return PITH_EINVAL;
	info->capacity = d->host.capacity;
	info->block_size = PITH_BLOCK_SIZE;
	return PITH_OK;
}

static struct lx_gro gro[PITH_DEVICES_MAX];

int lx_gro_pending(unsigned i)
{
	return i < PITH_DEVICES_MAX && gro[i].len != 0;
}

enum pith_result pith_net_read_batch(pith_handle h, struct pith_frame *frames,
				     size_t n, size_t *done)
{
	struct lx_device *d = device(h, PITH_DEV_NET);
	size_t i;

	if (!d || !done)
		return PITH_EINVAL;
	*done = 0;
	for (i = 0; i < n; i++)
		if (!frames[i].buf || frames[i].cap < d->host.net.mtu + ETH_HDR)
			return PITH_EINVAL;
	for (i = 0; i < n;) {
		struct lx_gro *g = &gro[h];
		struct virtio_net_hdr vh = { 0 };
		/* A tap with offload puts a header first; a frame longer than
		 * the caller's buffer (coalesced by the kernel) runs on into
		 * the device's own, past room for the part in the caller's. */
		struct iovec v[3] = { { &vh, sizeof vh },
				      { frames[i].buf, frames[i].cap },
				      { g->buf + frames[i].cap,
					sizeof g->buf - frames[i].cap } };
		int k = d->host.vnet ? 0 : 1;
		size_t len;
		long r;

		if (g->len) { /* the next segment of a coalesced frame */
			frames[i].len = hostdev_rx_gso_cut(
				g->buf, g->len, g->hl, g->gso, g->off,
				frames[i].buf);
			frames[i].flags = PITH_FRAME_CSUM_OK; /* we summed */
			g->off += g->gso;
			if (g->off >= g->len - g->hl)
				g->len = 0;
			*done = ++i;
			continue;
		}
		do
			r = lx_syscall3(SYS_readv, d->host.fd, (long)&v[k],
					k ? 1 : 3);
		while (r == -EINTR);
		if (r == -EAGAIN)
			break;
		if (r < 0)
			return PITH_EUNSPEC;
		if (d->host.vnet && (r -= (long)sizeof vh) < 0)
			return PITH_EUNSPEC;
		len = (size_t)r;
		if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
			/* Coalesced: gathered into the device's buffer, then
			 * cut (anything but well-formed TCP/IPv4 is dropped). */
			size_t first =
				len < frames[i].cap ? len : frames[i].cap;
			__builtin_memcpy(g->buf, frames[i].buf, first);
			if (hostdev_rx_gso_check(g->buf, len, &vh,
						 d->host.net.mtu,
						 &g->hl) == 0) {
				g->len = len;
				g->gso = vh.gso_size;
				g->off = 0;
			}
			/* One read, as many frames as it will be cut into. */
			lx_note(LX_CALL_NET_READ, (int)h, len,
				g->len ? (len - g->hl + g->gso - 1) / g->gso
				       : 0,
				0, r);
			continue;
		}
		lx_note(LX_CALL_NET_READ, (int)h, len, 1, 0, r);
		if (len > frames[i].cap ||
		    hostdev_rx_csum(frames[i].buf, len, &vh) < 0)
			continue; /* cannot be: the kernel's own frame, dropped */
		frames[i].len = len;
		frames[i].flags =
			hostdev_rx_csum_known(&vh) ? PITH_FRAME_CSUM_OK : 0;
		*done = ++i;
	}
	return *done == 0 && n > 0 ? PITH_AGAIN : PITH_OK;
}

enum pith_result pith_net_write_batch(pith_handle h,
				      const struct pith_frame *frames, size_t n,
				      size_t *done)
{
	struct lx_device *d = device(h, PITH_DEV_NET);

	if (!d || !done)
		return PITH_EINVAL;
	for (*done = 0; *done < n; ++*done) {
		const struct pith_frame *f = &frames[*done];
		struct virtio_net_hdr vh = { 0 }; /* an ordinary frame's */
		struct iovec v[2] = { { &vh, sizeof vh }, { f->buf, f->len } };
		int k = d->host.vnet ? 0 : 1;
		long r;

		if (!f->buf || f->len < ETH_HDR ||
		    (f->gso_size ? hostdev_tso_header(&d->host, f, &vh) < 0
				 : f->len > d->host.net.mtu + ETH_HDR))
			return PITH_EINVAL;
		do
			r = lx_syscall3(SYS_writev, d->host.fd, (long)&v[k],
					2 - k);
		while (r == -EINTR);
		d->host.tx_full = r == -EAGAIN || r == -ENOBUFS;
		if (d->host.tx_full)
			return PITH_AGAIN;
		if (r != (long)(f->len + (k ? 0 : sizeof vh)))
			return PITH_EUNSPEC;
		lx_note(LX_CALL_NET_WRITE, (int)h, (uint64_t)r, 1, 0, r);
	}
	return PITH_OK;
}

static struct lx_device *block_range(pith_handle h, uint64_t off, size_t len,
				     const void *buf)
{
	struct lx_device *d = device(h, PITH_DEV_BLOCK);

	if (!d || !buf || len == 0 || off % PITH_BLOCK_SIZE ||
	    len % PITH_BLOCK_SIZE || off > d->host.capacity ||
	    len > d->host.capacity - off)
		return 0;
	return d;
}

/* pread64 or pwrite64 of the whole range, resuming short transfers. */
static enum pith_result block_io(long nr, struct lx_device *d, uint64_t off,
				 char *buf, size_t len)
{
	while (len) {
		long r = lx_syscall6(nr, d->host.fd, (long)buf, (long)len,
				     (long)off, 0, 0);
		if (r == -EINTR)
			continue;
		if (r <= 0)
			return PITH_EUNSPEC;
		buf += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return PITH_OK;
}

enum pith_result pith_block_read(pith_handle h, uint64_t offset, void *buf,
				 size_t len)
{
	struct lx_device *d = block_range(h, offset, len, buf);

	lx_note(LX_CALL_BLOCK_READ, (int)h, d ? len : 0, 0, 0, !d);
	return d ? block_io(SYS_pread64, d, offset, buf, len) : PITH_EINVAL;
}

enum pith_result pith_block_write(pith_handle h, uint64_t offset,
				  const void *buf, size_t len)
{
	struct lx_device *d = block_range(h, offset, len, buf);

	lx_note(LX_CALL_BLOCK_WRITE, (int)h, d ? len : 0, 0, 0, !d);
	return d ? block_io(SYS_pwrite64, d, offset, (char *)buf, len)
		 : PITH_EINVAL;
}
