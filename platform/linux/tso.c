/* The virtio-net header of a TCP frame the kernel is to segment (see
 * hostdev_tso_header in hostdev.h). Pure: no system calls, so the unit
 * tests check it on malformed frames. */
#include <linux/virtio_net.h>

#include "hostdev.h"

#define ETH_HDR 14

static unsigned be16(const uint8_t *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

int hostdev_tso_header(const struct hostdev *d, const struct pith_frame *f,
		       struct virtio_net_hdr *vh)
{
	const uint8_t *b = f->buf;
	size_t ihl, thl;

	if (!d->vnet || f->len > d->net.tso_max || f->len < ETH_HDR + 20 + 20)
		return -1;
	/* IPv4 without fragment fields carrying TCP, its length the frame's. */
	if (be16(b + 12) != 0x0800 || b[14] >> 4 != 4 || b[ETH_HDR + 9] != 6)
		return -1;
	ihl = (size_t)(b[14] & 15) * 4;
	if (ihl < 20 || ETH_HDR + ihl + 20 > f->len ||
	    be16(b + ETH_HDR + 2) != f->len - ETH_HDR ||
	    (be16(b + ETH_HDR + 6) & 0x3fff))
		return -1;
	thl = (size_t)(b[ETH_HDR + ihl + 12] >> 4) * 4;
	/* Each segment: the headers and GSO_SIZE bytes within the MTU. */
	if (thl < 20 || ETH_HDR + ihl + thl > f->len || f->gso_size == 0 ||
	    f->gso_size + ihl + thl > d->net.mtu)
		return -1;
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->hdr_len = (uint16_t)(ETH_HDR + ihl + thl);
	vh->gso_size = (uint16_t)f->gso_size;
	vh->csum_start = (uint16_t)(ETH_HDR + ihl);
	vh->csum_offset = 16; /* the TCP checksum field */
	return 0;
}
