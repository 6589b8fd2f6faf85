/* Devices of the linux target: opening them at boot (tap interfaces through
 * /dev/net/tun, block devices as files) and the platform contract's net
 * and block calls over the resulting descriptors. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"
#include "sys.h"

#define ETH_HDR 14

static int refuse(struct pith_buf *err, const struct pith_attach *a,
		  const char *what, int e)
{
	pith_buf_str(err, "device '");
	pith_buf_str(err, a->name);
	pith_buf_str(err, "' (");
	pith_buf_str(err, a->path);
	pith_buf_str(err, "): ");
	pith_buf_str(err, what);
	if (e) {
		pith_buf_str(err, ": ");
		pith_buf_str(err, strerror(e));
	}
	return -1;
}

/* The interface's MTU, or -errno (ENODEV: no such interface). */
static int if_mtu(const char *ifname)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	r = ioctl(s, SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
	close(s);
	return r;
}

static int open_tap(struct lx_device *d, const struct pith_attach *a,
		    struct pith_buf *err)
{
	struct ifreq ifr;
	int mtu = if_mtu(a->path);

	if (mtu == -ENODEV)
		return refuse(err, a,
			      "no such network interface (create it with "
			      "`ip tuntap add IFNAME mode tap`)",
			      0);
	if (mtu < 0)
		return refuse(err, a, "cannot read the interface's MTU", -mtu);
	if (mtu < 68 || mtu + ETH_HDR > PITH_FRAME_MAX)
		return refuse(err, a, "interface MTU outside 68..9000", 0);
	d->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (d->fd < 0)
		return refuse(err, a, "cannot open /dev/net/tun", errno);
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, a->path, IFNAMSIZ - 1);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(d->fd, TUNSETIFF, &ifr) < 0)
		return refuse(
			err, a,
			errno == EPERM ? "not allowed to attach (needs "
					 "CAP_NET_ADMIN or a tap owned "
					 "by this user)"
			: errno == EBUSY
				? "interface in use (is another appliance "
				  "attached, or is it not a tap?)"
				: "cannot attach to the tap interface",
			errno == EPERM || errno == EBUSY ? 0 : errno);
	d->net.mtu = (size_t)mtu;
	/* A random, locally administered, unicast address per run. */
	if (getrandom(d->net.mac, PITH_MAC_LEN, 0) != PITH_MAC_LEN)
		return refuse(err, a, "cannot get random bytes for a MAC",
			      errno);
	d->net.mac[0] = (uint8_t)((d->net.mac[0] & 0xfe) | 0x02);
	return 0;
}

static int open_block(struct lx_device *d, const struct pith_attach *a,
		      struct pith_buf *err)
{
	struct stat st;
	uint64_t size;

	d->fd = open(a->path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return refuse(err, a, "cannot open", errno);
	if (fstat(d->fd, &st) < 0)
		return refuse(err, a, "cannot stat", errno);
	if (S_ISREG(st.st_mode))
		size = (uint64_t)st.st_size;
	else if (S_ISBLK(st.st_mode)) {
		if (ioctl(d->fd, BLKGETSIZE64, &size) < 0)
			return refuse(err, a, "cannot read the size", errno);
	} else
		return refuse(err, a, "not a regular file or block device", 0);
	if (size % PITH_BLOCK_SIZE)
		return refuse(err, a,
			      "size is not a multiple of 512 bytes (the "
			      "sector size)",
			      0);
	d->block.capacity = size;
	d->block.block_size = PITH_BLOCK_SIZE;
	return 0;
}

/* Moves D's descriptor to its fixed number LX_FD_BASE + I. */
static int place(struct lx_device *d, unsigned i)
{
	int want = LX_FD_BASE + (int)i;

	if (d->fd == want)
		return 0;
	if (dup3(d->fd, want, O_CLOEXEC) < 0)
		return -errno;
	close(d->fd);
	d->fd = want;
	return 0;
}

int lx_devices_open(const struct pith_options *o, struct pith_buf *err)
{
	for (unsigned i = 0; i < lx.manifest.count; i++) {
		const struct pith_device_decl *m = &lx.manifest.dev[i];
		const struct pith_attach *a = pith_options_find(o, m->name);
		struct lx_device *d = &lx.dev[i];
		int r;

		d->type = m->type;
		d->path = a->path;
		r = m->type == PITH_DEV_NET ? open_tap(d, a, err)
					    : open_block(d, a, err);
		if (r < 0)
			return -1;
		r = place(d, i);
		if (r < 0)
			return refuse(err, a, "cannot place the descriptor",
				      -r);
	}
	return 0;
}

/* --- The contract's device calls ----------------------------------- */

static enum pith_result acquire(const char *name, enum pith_dev_type type,
				pith_handle *h)
{
	const struct pith_device_decl *m;

	if (!name || !h)
		return PITH_EINVAL;
	m = pith_manifest_find(&lx.manifest, name);
	if (!m || m->type != type)
		return PITH_EINVAL;
	*h = (pith_handle)(m - lx.manifest.dev);
	lx.dev[*h].acquired = 1;
	return PITH_OK;
}

static struct lx_device *device(pith_handle h, enum pith_dev_type type)
{
	if (h >= lx.manifest.count || !lx.dev[h].acquired ||
	    lx.dev[h].type != type)
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
	*info = d->net;
	return PITH_OK;
}

enum pith_result pith_block_info(pith_handle h, struct pith_block_info *info)
{
	struct lx_device *d = device(h, PITH_DEV_BLOCK);

	if (!d || !info)
		return PITH_EINVAL;
	*info = d->block;
	return PITH_OK;
}

enum pith_result pith_net_read(pith_handle h, void *buf, size_t cap,
			       size_t *len)
{
	struct pith_frame f = { buf, cap, 0 };
	size_t done;
	enum pith_result r = pith_net_read_batch(h, &f, 1, &done);

	if (len)
		*len = f.len;
	return r == PITH_OK && done == 0 ? PITH_AGAIN : r;
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
		if (!frames[i].buf || frames[i].cap < d->net.mtu + ETH_HDR)
			return PITH_EINVAL;
	for (i = 0; i < n; i++) {
		long r;

		do
			r = lx_syscall3(SYS_read, d->fd, (long)frames[i].buf,
					(long)frames[i].cap);
		while (r == -EINTR);
		if (r == -EAGAIN)
			break;
		if (r < 0)
			return PITH_EUNSPEC;
		frames[i].len = (size_t)r;
		*done = i + 1;
	}
	return *done == 0 && n > 0 ? PITH_AGAIN : PITH_OK;
}

enum pith_result pith_net_write(pith_handle h, const void *buf, size_t len)
{
	struct pith_frame f = { (void *)buf, len, len };
	size_t done;

	return pith_net_write_batch(h, &f, 1, &done);
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
		long r;

		if (!f->buf || f->len < ETH_HDR ||
		    f->len > d->net.mtu + ETH_HDR)
			return PITH_EINVAL;
		do
			r = lx_syscall3(SYS_write, d->fd, (long)f->buf,
					(long)f->len);
		while (r == -EINTR);
		if (r == -EAGAIN || r == -ENOBUFS)
			return PITH_AGAIN;
		if (r != (long)f->len)
			return PITH_EUNSPEC;
	}
	return PITH_OK;
}

static struct lx_device *block_range(pith_handle h, uint64_t off, size_t len,
				     const void *buf)
{
	struct lx_device *d = device(h, PITH_DEV_BLOCK);

	if (!d || !buf || len == 0 || off % PITH_BLOCK_SIZE ||
	    len % PITH_BLOCK_SIZE || off > d->block.capacity ||
	    len > d->block.capacity - off)
		return 0;
	return d;
}

/* pread64 or pwrite64 of the whole range, resuming short transfers. */
static enum pith_result block_io(long nr, struct lx_device *d, uint64_t off,
				 char *buf, size_t len)
{
	while (len) {
		long r = lx_syscall6(nr, d->fd, (long)buf, (long)len, (long)off,
				     0, 0);
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

	return d ? block_io(SYS_pread64, d, offset, buf, len) : PITH_EINVAL;
}

enum pith_result pith_block_write(pith_handle h, uint64_t offset,
				  const void *buf, size_t len)
{
	struct lx_device *d = block_range(h, offset, len, buf);

	return d ? block_io(SYS_pwrite64, d, offset, (char *)buf, len)
		 : PITH_EINVAL;
}
