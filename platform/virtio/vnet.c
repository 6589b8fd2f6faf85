/* The virtio-net driver (see vnet.h). Receive buffer I is descriptor I
 * of the receive queue, transmit buffer I descriptor I of the transmit
 * queue; both are single-descriptor chains holding the 12-byte header
 * and the frame. */
#include "vnet.h"

#define F_MTU (1ULL << 3)
#define F_MAC (1ULL << 5)

#define CFG_MAC 0
#define CFG_MTU 10

#define ETH_HDR 14
/* Room for an 802.1Q tag on top of the MTU: a tagged frame of full size
 * still fits a buffer (and is then dropped by size, not truncated). */
#define VLAN_TAG 4

#define MTU_MIN	    68
#define MTU_MAX	    9000
#define MTU_DEFAULT 1500

static int read_config(struct vnet *n, const uint8_t *fallback_mac)
{
	struct vdev *d = n->dev;
	uint16_t mtu = MTU_DEFAULT;

	for (unsigned i = 0; i < PITH_MAC_LEN; i++)
		n->mac[i] = fallback_mac[i];
	if ((d->features & F_MAC) &&
	    vdev_config(d, CFG_MAC, n->mac, PITH_MAC_LEN) < 0)
		return -1;
	if (n->mac[0] & 1) {
		vdev_fail(d, "its MAC address is a multicast address");
		return -1;
	}
	if ((d->features & F_MTU) && vdev_config(d, CFG_MTU, &mtu, 2) < 0)
		return -1;
	if (mtu < MTU_MIN || mtu > MTU_MAX) {
		vdev_fail(d, "its MTU is outside 68..9000");
		return -1;
	}
	n->mtu = mtu;
	n->buf_size = (VNET_HDR_LEN + ETH_HDR + VLAN_TAG + mtu + 63) & ~63UL;
	return 0;
}

/* Buffers for queue Q: as many as the queue has entries, within
 * VNET_BUF_BYTES (at least 42 even for jumbo frames). */
static uint8_t *buffers(struct vnet *n, const struct virtq *q, uint16_t *count)
{
	size_t fit = VNET_BUF_BYTES / n->buf_size;

	*count = fit < q->size ? (uint16_t)fit : q->size;
	return vdev_alloc(*count * n->buf_size, 64);
}

static int setup_queues(struct vnet *n)
{
	struct vdev *d = n->dev;
	uint16_t want = VIRTQ_SIZE_MAX;

	if (vdev_queue(d, VNET_RXQ, &n->rx, want, 1) < 0 ||
	    vdev_queue(d, VNET_TXQ, &n->tx, want, 1) < 0)
		return -1;
	n->rx_buf = buffers(n, &n->rx, &n->nrx);
	n->tx_buf = buffers(n, &n->tx, &n->ntx);
	if (!n->rx_buf || !n->tx_buf) {
		vdev_fail(d, "no memory left for its buffers");
		return -1;
	}
	return 0;
}

/* Publishes a batch: one notification at most, none if not asked. */
static void kick(struct vnet *n, unsigned qi, struct virtq *q)
{
	if (virtq_publish(q)) {
		n->dev->ops->notify(n->dev, qi);
		n->kicks++;
	}
}

int vnet_init(struct vnet *n, struct vdev *d,
	      const uint8_t fallback_mac[PITH_MAC_LEN])
{
	*n = (struct vnet){ 0 };
	n->dev = d;
	/* No VIRTIO_F_EVENT_IDX: the device's NO_NOTIFY flag says when it
	 * wants a notification. With EVENT_IDX, QEMU 7.2 under TCG now and
	 * then left a transmit batch unprocessed and waited for a
	 * notification the avail_event it had published said was not
	 * needed (the guest then hung: 4 times in 450 runs of 1,000 UDP
	 * echoes on a loaded host, 0 in 700 runs with the flag; see
	 * docs/deploying.md). */
	if (vdev_negotiate(d, F_MAC | F_MTU, 0) < 0 ||
	    read_config(n, fallback_mac) < 0 || setup_queues(n) < 0)
		return -1;
	vdev_ready(d);
	for (uint16_t i = 0; i < n->nrx; i++) {
		virtq_set_desc(
			&n->rx, i,
			(uint64_t)(uintptr_t)(n->rx_buf + i * n->buf_size),
			(uint32_t)n->buf_size, VIRTQ_DESC_F_WRITE, 0);
		virtq_push(&n->rx, i, (uint32_t)n->buf_size);
	}
	kick(n, VNET_RXQ, &n->rx);
	for (uint16_t i = 0; i < n->ntx; i++)
		n->tx_free[n->ntx_free++] = (uint16_t)(n->ntx - 1 - i);
	return 0;
}

static enum pith_result broken(struct vnet *n, const char *why)
{
	if (!n->broken) {
		n->broken = why;
		vdev_fail(n->dev, why);
	}
	return PITH_EUNSPEC;
}

int vnet_ready(const struct vnet *n)
{
	return !n->broken && (virtq_has_used(&n->rx) ||
			      (n->tx_full && virtq_has_used(&n->tx)));
}

/* Copies the frame in receive buffer HEAD (LEN bytes with the header)
 * to F; returns 1 if it was delivered, 0 if it was dropped. */
static int deliver(struct vnet *n, uint16_t head, uint32_t len,
		   struct pith_frame *f)
{
	const uint8_t *src = n->rx_buf + (size_t)head * n->buf_size;
	size_t flen = len - VNET_HDR_LEN;
	uint8_t *dst = f->buf;

	if (flen < ETH_HDR || flen > n->mtu + ETH_HDR) {
		n->rx_dropped++;
		return 0;
	}
	__builtin_memcpy(dst, src + VNET_HDR_LEN, flen);
	f->len = flen;
	f->flags = 0; /* no checksum offload negotiated */
	n->rx_frames++;
	n->rx_bytes += flen;
	return 1;
}

enum pith_result vnet_read(struct vnet *n, struct pith_frame *f, size_t count,
			   size_t *done)
{
	uint16_t head;
	uint32_t len;
	int r = 0;

	*done = 0;
	for (size_t i = 0; i < count; i++)
		if (!f[i].buf || f[i].cap < n->mtu + ETH_HDR)
			return PITH_EINVAL;
	if (n->broken)
		return PITH_EUNSPEC;
	while (*done < count && (r = virtq_pop(&n->rx, &head, &len)) == 1) {
		if (len < VNET_HDR_LEN) {
			r = -1;
			n->rx.broken = "it returned a frame shorter than the "
				       "virtio-net header";
			break;
		}
		*done += (size_t)deliver(n, head, len, &f[*done]);
		virtq_push(&n->rx, head, (uint32_t)n->buf_size);
	}
	kick(n, VNET_RXQ, &n->rx);
	if (r < 0)
		return broken(n, n->rx.broken);
	return *done ? PITH_OK : PITH_AGAIN;
}

/* Takes back the transmit buffers the device is done with. */
static int reclaim(struct vnet *n)
{
	uint16_t head;
	uint32_t len;
	int r;

	while ((r = virtq_pop(&n->tx, &head, &len)) == 1)
		n->tx_free[n->ntx_free++] = head;
	return r;
}

enum pith_result vnet_write(struct vnet *n, const struct pith_frame *f,
			    size_t count, size_t *done)
{
	enum pith_result res = PITH_OK;

	*done = 0;
	if (n->broken)
		return PITH_EUNSPEC;
	if (reclaim(n) < 0)
		return broken(n, n->tx.broken);
	for (; *done < count; ++*done) {
		const struct pith_frame *fr = &f[*done];
		uint8_t *dst;
		uint16_t i;

		if (!fr->buf || fr->len < ETH_HDR ||
		    fr->len > n->mtu + ETH_HDR || fr->gso_size) {
			res = PITH_EINVAL;
			break;
		}
		if (n->ntx_free == 0) {
			res = PITH_AGAIN;
			break;
		}
		i = n->tx_free[--n->ntx_free];
		dst = n->tx_buf + (size_t)i * n->buf_size;
		__builtin_memset(dst, 0, VNET_HDR_LEN);
		__builtin_memcpy(dst + VNET_HDR_LEN, fr->buf, fr->len);
		virtq_set_desc(&n->tx, i, (uint64_t)(uintptr_t)dst,
			       (uint32_t)(VNET_HDR_LEN + fr->len), 0, 0);
		virtq_push(&n->tx, i, 0);
		n->tx_frames++;
		n->tx_bytes += fr->len;
	}
	kick(n, VNET_TXQ, &n->tx);
	n->tx_full = res == PITH_AGAIN;
	return res;
}
