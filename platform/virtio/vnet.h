/* The virtio-net driver (virtio 1.x section 5.1): one receive and one
 * transmit queue, no offloads, polling.
 *
 * Receive buffers are posted once and re-posted as frames are copied
 * out; transmitted frames are copied into buffers of their own (the
 * caller may reuse its frame as soon as the call returns). A batch costs
 * one notification at most, and none while the device says it is busy.
 * Host-testable (tests/unit/virtio). */
#ifndef PITH_VNET_H
#define PITH_VNET_H

#include "pith/platform.h"
#include "vdev.h"

/* Bytes of receive (and of transmit) buffers per device: 256 standard
 * frames, or fewer jumbo ones; the queue length bounds it too. */
#define VNET_BUF_BYTES (384UL << 10)

/* The virtio-net header of a modern device (struct virtio_net_hdr_v1). */
#define VNET_HDR_LEN 12

/* Queue indices. */
#define VNET_RXQ 0
#define VNET_TXQ 1

struct vnet {
	struct vdev *dev;
	struct virtq rx, tx;
	uint8_t mac[PITH_MAC_LEN];
	size_t mtu;
	size_t buf_size; /* header + largest frame, rounded */
	uint8_t *rx_buf, *tx_buf;
	uint16_t nrx, ntx; /* buffers in use, at most the queues' sizes */
	uint16_t tx_free[VIRTQ_SIZE_MAX]; /* transmit buffers not in use */
	uint16_t ntx_free;
	int tx_full;	    /* the last write found no free buffer */
	const char *broken; /* set once the device misbehaved */
	/* Counters for --stats; rx_dropped: frames past the MTU or below an
	 * Ethernet header, which the device should not have passed on. */
	uint64_t rx_frames, tx_frames, rx_bytes, tx_bytes, kicks, rx_dropped;
};

/* Sets N up on device D: negotiation, configuration (MAC: the device's,
 * else FALLBACK_MAC; MTU: the device's, within 68..9000, else 1500),
 * queues and buffers. Returns 0, or -1 (warned). */
int vnet_init(struct vnet *n, struct vdev *d,
	      const uint8_t fallback_mac[PITH_MAC_LEN]);

/* platform.h's pith_net_read_batch / pith_net_write_batch on N. */
enum pith_result vnet_read(struct vnet *n, struct pith_frame *f, size_t count,
			   size_t *done);
enum pith_result vnet_write(struct vnet *n, const struct pith_frame *f,
			    size_t count, size_t *done);

/* Whether a received frame waits, or, after a write answered PITH_AGAIN,
 * the device has given a transmit buffer back (pith_yield's "ready"). */
int vnet_ready(const struct vnet *n);

#endif
