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
	int vnet;    /* net: a tap opened with HOSTDEV_TAP_OFFLOAD: every frame
		     read or written follows a struct virtio_net_hdr */
	int tx_full; /* net: the last write answered PITH_AGAIN, so the
			next sleep also waits for the host to drain */
};

/* Closes every descriptor from FROM up, except the frame sockets O's
 * attachments name (NAME=fd:N): an appliance inherits nothing else. */
void hostdev_close_inherited(const struct pith_options *o, int from);

/* For FD_BASE: the caller is a VMM with user networking of its own
 * (QEMU): NAME=user devices are left to it. */
#define HOSTDEV_VMM_USER -2

/* FLAGS of hostdev_open_all: taps are opened with a virtio-net header on
 * every frame (IFF_VNET_HDR), which lets a writer hand the kernel TCP
 * frames of up to 64 KiB to segment (net.tso_max is set), and with the
 * kernel's checksum and TCP segmentation offload toward us (TUNSETOFFLOAD):
 * reads may bring coalesced frames and partial checksums, which the
 * linux target undoes (hostdev_rx_*). */
#define HOSTDEV_TAP_OFFLOAD 1

struct virtio_net_hdr;

/* Fills *VH for frame F (a struct pith_frame with a gso_size) on tap D,
 * checking it is what the contract says a TSO frame is: D opened with
 * HOSTDEV_TAP_OFFLOAD, at most tso_max bytes, Ethernet + IPv4 (length
 * the frame's, no fragment fields) + TCP, and segments of gso_size
 * payload bytes within the MTU. 0, or -1 (the frame is refused). */
int hostdev_tso_header(const struct hostdev *d, const struct pith_frame *f,
		       struct virtio_net_hdr *vh);

/* Receiving on a tap opened with HOSTDEV_TAP_OFFLOAD, which also asks the
 * kernel for checksum and TCP segmentation offload toward us (it then
 * skips computing checksums and coalesces TCP into frames of up to 64
 * KiB, saving a system call per segment); the platform undoes both, so
 * the frames it returns are ordinary ones of at most mtu + 14 bytes.
 *
 * hostdev_rx_csum: completes the checksum of the frame B of LEN bytes
 * that VH says the kernel left partial (the field holds the pseudo-header
 * sum). 0 (also when none was left), or -1: the offsets are outside the
 * frame. */
int hostdev_rx_csum(uint8_t *b, size_t len, const struct virtio_net_hdr *vh);

/* Whether a frame read with header VH (after hostdev_rx_csum) has a
 * checksum known good: the kernel checked it (DATA_VALID) or it was
 * partial and hostdev_rx_csum completed it (NEEDS_CSUM: a local sender's
 * data, summed here). */
int hostdev_rx_csum_known(const struct virtio_net_hdr *vh);

/* hostdev_rx_gso_check: whether B of LEN bytes is a coalesced TCP/IPv4
 * frame VH's segment size cuts into frames within MTU; 0 with *HL the
 * length of its headers (Ethernet, IP, TCP), or -1. */
int hostdev_rx_gso_check(const uint8_t *b, size_t len,
			 const struct virtio_net_hdr *vh, size_t mtu,
			 size_t *hl);

/* hostdev_rx_gso_cut: the segment of B (checked as above) that starts
 * OFF bytes into its payload, with its own IP length, identifier and
 * checksum, sequence number, flags (FIN and PSH on the last only) and
 * TCP checksum, into OUT (room for hl + GSO_SIZE bytes); returns its
 * length. */
size_t hostdev_rx_gso_cut(const uint8_t *b, size_t len, size_t hl,
			  size_t gso_size, size_t off, uint8_t *out);

/* Opens the devices of manifest M as attached in O, in manifest order,
 * into DEVS[0..M->count). With FD_BASE >= 0, device N is moved to
 * descriptor FD_BASE + N (a filter built ahead of time can name it).
 *   0   all open;
 *   -1  refused; ERR names the device, its file and the reason. */
int hostdev_open_all(const struct pith_manifest *m,
		     const struct pith_options *o, struct hostdev *devs,
		     int fd_base, unsigned flags, struct pith_buf *err);

#endif
