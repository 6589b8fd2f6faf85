/* Opening the host side of devices (see hostdev.h): checks what the
 * kernel can tell before the appliance starts (the interface exists, is a
 * tap, has a sane MTU; the file opens, has a size in whole sectors) so
 * that a bad attachment is refused with a message naming it. */
#include "hostdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pith/param.h"

#define ETH_HDR 14

/* The MTU of user networking: libslirp's interface MTU. */
#define HOSTDEV_USER_MTU 1500

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

static int open_tap(struct hostdev *d, const struct pith_attach *a,
		    unsigned flags, struct pith_buf *err)
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
	if (flags & HOSTDEV_TAP_OFFLOAD)
		ifr.ifr_flags |= IFF_VNET_HDR;
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
	if (flags & HOSTDEV_TAP_OFFLOAD) {
		int hl = (int)sizeof(struct virtio_net_hdr);
		if (ioctl(d->fd, TUNSETVNETHDRSZ, &hl) < 0)
			return refuse(err, a,
				      "cannot set the tap's header size",
				      errno);
		d->vnet = 1;
		d->net.tso_max = PITH_TSO_FRAME_MAX;
		/* Receive offload: the kernel may leave checksums to us and
		 * coalesce TCP; the platform undoes both (devices.c). Without
		 * it, frames come as they are. */
		(void)ioctl(d->fd, TUNSETOFFLOAD,
			    (unsigned long)(TUN_F_CSUM | TUN_F_TSO4));
	} else if (ioctl(d->fd, TUNSETOFFLOAD, 0UL) < 0) {
		/* A tap keeps its offloads after its holder exits: a reader
		 * without the header (the kvm monitor, QEMU) would get
		 * coalesced frames. */
		return refuse(err, a, "cannot clear the tap's offloads", errno);
	}
	/* A random, locally administered, unicast address per run. */
	if (getrandom(d->net.mac, PITH_MAC_LEN, 0) != PITH_MAC_LEN)
		return refuse(err, a, "cannot get random bytes for a MAC",
			      errno);
	d->net.mac[0] = (uint8_t)((d->net.mac[0] & 0xfe) | 0x02);
	return 0;
}

static int open_block(struct hostdev *d, const struct pith_attach *a,
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
	d->capacity = size;
	return 0;
}

/* Moves D's descriptor to WANT. */
static int place(struct hostdev *d, int want)
{
	if (d->fd == want)
		return 0;
	if (dup3(d->fd, want, O_CLOEXEC) < 0)
		return -errno;
	close(d->fd);
	d->fd = want;
	return 0;
}

/* A frame socket handed over by pith run: SOCK_SEQPACKET, one frame per
 * message, like a tap. */
static int open_frame_socket(struct hostdev *d, const struct pith_attach *a,
			     struct pith_buf *err)
{
	int type = 0;
	socklen_t len = sizeof type;

	if (a->user)
		return refuse(err, a,
			      "NAME=user needs pith run, which starts "
			      "the network helper (pith run IMAGE -p "
			      "HOSTPORT:GUESTPORT)",
			      0);
	if (getsockopt(a->fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_SEQPACKET)
		return refuse(err, a, "not an inherited frame socket", 0);
	d->fd = a->fd;
	if (fcntl(d->fd, F_SETFL, fcntl(d->fd, F_GETFL) | O_NONBLOCK) < 0)
		return refuse(err, a, "cannot make the socket non-blocking",
			      errno);
	d->net.mtu = HOSTDEV_USER_MTU;
	if (getrandom(d->net.mac, PITH_MAC_LEN, 0) != PITH_MAC_LEN)
		return refuse(err, a, "cannot get random bytes for a MAC",
			      errno);
	d->net.mac[0] = (uint8_t)((d->net.mac[0] & 0xfe) | 0x02);
	return 0;
}

void hostdev_close_inherited(const struct pith_options *o, int from)
{
	int keep[PITH_DEVICES_MAX + 1], n = 0;

	for (unsigned i = 0; i < o->nattach; i++)
		if (o->attach[i].fd >= from)
			keep[n++] = o->attach[i].fd;
	keep[n++] = INT32_MAX; /* the end */
	/* Close the gaps between the kept descriptors, lowest first. */
	for (int lo = from; n > 0; n--) {
		int next = INT32_MAX, k = -1;
		for (int j = 0; j < n; j++)
			if (keep[j] < next) {
				next = keep[j];
				k = j;
			}
		if (next > lo && syscall(SYS_close_range, lo, next - 1, 0) < 0)
			for (int fd = lo; fd < next && fd < 1024; fd++)
				close(fd);
		lo = next == INT32_MAX ? next : next + 1;
		keep[k] = keep[n - 1];
	}
}

int hostdev_open_all(const struct pith_manifest *m,
		     const struct pith_options *o, struct hostdev *devs,
		     int fd_base, unsigned flags, struct pith_buf *err)
{
	for (unsigned i = 0; i < m->count; i++) {
		const struct pith_device_decl *decl = &m->dev[i];
		const struct pith_attach *a = pith_options_find(o, decl->name);
		struct hostdev *d = &devs[i];
		int r;

		d->type = decl->type;
		d->fd = -1;
		d->vnet = 0;
		d->net.tso_max = 0;
		if (a->user && fd_base == HOSTDEV_VMM_USER) {
			/* The VMM's own user networking: nothing to open. */
			d->net.mtu = HOSTDEV_USER_MTU;
			continue;
		}
		if (decl->type == PITH_DEV_NET && (a->fd >= 0 || a->user))
			r = open_frame_socket(d, a, err);
		else
			r = decl->type == PITH_DEV_NET
				    ? open_tap(d, a, flags, err)
				    : open_block(d, a, err);
		if (r < 0)
			return -1;
		if (fd_base >= 0 && (r = place(d, fd_base + (int)i)) < 0)
			return refuse(err, a, "cannot place the descriptor",
				      -r);
	}
	return 0;
}
