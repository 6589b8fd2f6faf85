/* The host side of pith devices, for every pith process that runs on
 * Linux: the linux target's platform layer and the kvm monitor. A net
 * device is a tap interface (/dev/net/tun), a block device a file or a
 * block special file; both are opened before confinement. */
#ifndef PITH_HOSTDEV_H
#define PITH_HOSTDEV_H

#include <stdint.h>

#include "../common/options.h"
#include "pith/platform.h"

struct hostdev {
	enum pith_dev_type type;
	int fd;
	struct pith_net_info net; /* net: random MAC, the interface's MTU */
	uint64_t capacity;	  /* block: bytes, a multiple of 512 */
	int vnet; /* net: a tap opened with HOSTDEV_TAP_OFFLOAD: every frame
		     read or written follows a struct virtio_net_hdr */
};

/* Closes every descriptor from FROM up, except the frame sockets O's
 * attachments name (NAME=fd:N): an appliance inherits nothing else. */
void hostdev_close_inherited(const struct pith_options *o, int from);

/* For FD_BASE: the caller is a VMM with user networking of its own
 * (QEMU): NAME=user devices are left to it. */
#define HOSTDEV_VMM_USER -2

/* FLAGS of hostdev_open_all: taps are opened with a virtio-net header on
 * every frame (IFF_VNET_HDR), which lets a writer hand the kernel TCP
 * frames of up to 64 KiB to segment (net.tso_max is set). Reads are
 * ordinary frames: no receive offload is asked for. */
#define HOSTDEV_TAP_OFFLOAD 1

struct virtio_net_hdr;

/* Fills *VH for frame F (a struct pith_frame with a gso_size) on tap D,
 * checking it is what the contract says a TSO frame is: D opened with
 * HOSTDEV_TAP_OFFLOAD, at most tso_max bytes, Ethernet + IPv4 (length
 * the frame's, no fragment fields) + TCP, and segments of gso_size
 * payload bytes within the MTU. 0, or -1 (the frame is refused). */
int hostdev_tso_header(const struct hostdev *d, const struct pith_frame *f,
		       struct virtio_net_hdr *vh);

/* Opens the devices of manifest M as attached in O, in manifest order,
 * into DEVS[0..M->count). With FD_BASE >= 0, device N is moved to
 * descriptor FD_BASE + N (a filter built ahead of time can name it).
 *   0   all open;
 *   -1  refused; ERR names the device, its file and the reason. */
int hostdev_open_all(const struct pith_manifest *m,
		     const struct pith_options *o, struct hostdev *devs,
		     int fd_base, unsigned flags, struct pith_buf *err);

#endif
