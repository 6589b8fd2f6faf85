/* Segmentation offload on the linux target's taps (see hostdev.h): the
 * virtio-net header of a TCP frame the kernel is to segment, and on the
 * way in, the checksum the kernel left to us and the cutting of a large
 * frame it coalesced into the frames the contract promises. Pure: no
 * system calls, so the unit tests check them on malformed frames. */
#include <linux/virtio_net.h>

#include "hostdev.h"

#define ETH_HDR 14

static unsigned be16(const uint8_t *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

/* Whether B of LEN bytes is one TCP segment over IPv4 (no fragment
 * fields, the IP length the frame's) that segments of GSO bytes of
 * payload cut within MTU: 0 with the IP and TCP header lengths, or -1.
 * Both directions' large frames are checked by it. */
static int tcp4_frame(const uint8_t *b, size_t len, size_t gso, size_t mtu,
		      size_t *ihl, size_t *thl)
{
	if (len < ETH_HDR + 20 + 20 || be16(b + 12) != 0x0800 ||
	    b[ETH_HDR] >> 4 != 4 || b[ETH_HDR + 9] != 6)
		return -1;
	*ihl = (size_t)(b[ETH_HDR] & 15) * 4;
	if (*ihl < 20 || ETH_HDR + *ihl + 20 > len ||
	    be16(b + ETH_HDR + 2) != len - ETH_HDR ||
	    (be16(b + ETH_HDR + 6) & 0x3fff))
		return -1;
	*thl = (size_t)(b[ETH_HDR + *ihl + 12] >> 4) * 4;
	if (*thl < 20 || ETH_HDR + *ihl + *thl > len || gso == 0 ||
	    gso + *ihl + *thl > mtu)
		return -1;
	return 0;
}

int hostdev_tso_header(const struct hostdev *d, const struct pith_frame *f,
		       struct virtio_net_hdr *vh)
{
	size_t ihl, thl;

	if (!d->vnet || f->len > d->net.tso_max ||
	    tcp4_frame(f->buf, f->len, f->gso_size, d->net.mtu, &ihl, &thl) < 0)
		return -1;
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->hdr_len = (uint16_t)(ETH_HDR + ihl + thl);
	vh->gso_size = (uint16_t)f->gso_size;
	vh->csum_start = (uint16_t)(ETH_HDR + ihl);
	vh->csum_offset = 16; /* the TCP checksum field */
	return 0;
}

static void set16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 1071 sum of N bytes at P added to S, folded to 16 bits. It runs
 * over every byte the kernel coalesces: eight bytes a load, summed in
 * the machine's (little-endian) order, which a byte swap at the end
 * turns into the network order's sum (RFC 1071 2(B)). */
static unsigned sum16(const uint8_t *p, size_t n, uint32_t s)
{
	uint64_t a = 0;
	unsigned v;

	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		__builtin_memcpy(&w, p, 8);
		a += (w & 0xffffffffu) + (w >> 32);
	}
	for (; n >= 2; p += 2, n -= 2)
		a += (uint64_t)(p[0] | p[1] << 8);
	if (n)
		a += p[0];
	while (a >> 16)
		a = (a & 0xffff) + (a >> 16);
	v = (unsigned)((a >> 8 | a << 8) & 0xffff) + s;
	while (v >> 16)
		v = (v & 0xffff) + (v >> 16);
	return v;
}

int hostdev_rx_csum(uint8_t *b, size_t len, const struct virtio_net_hdr *vh)
{
	size_t at = (size_t)vh->csum_start + vh->csum_offset;
	unsigned c;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (vh->csum_start < ETH_HDR || at + 2 > len)
		return -1;
	/* The field holds the pseudo-header sum: the sum runs over it. */
	c = ~sum16(b + vh->csum_start, len - vh->csum_start, 0) & 0xffff;
	/* UDP sends a computed 0 as 0xffff (0 means none). */
	if (c == 0 && vh->csum_offset == 6)
		c = 0xffff;
	set16(b + at, c);
	return 0;
}

int hostdev_rx_csum_known(const struct virtio_net_hdr *vh)
{
	return (vh->flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM |
			     VIRTIO_NET_HDR_F_DATA_VALID)) != 0;
}

int hostdev_rx_gso_check(const uint8_t *b, size_t len,
			 const struct virtio_net_hdr *vh, size_t mtu,
			 size_t *hl)
{
	size_t ihl, thl;

	if (vh->gso_type != VIRTIO_NET_HDR_GSO_TCPV4 ||
	    tcp4_frame(b, len, vh->gso_size, mtu, &ihl, &thl) < 0)
		return -1;
	*hl = ETH_HDR + ihl + thl;
	return 0;
}

size_t hostdev_rx_gso_cut(const uint8_t *b, size_t len, size_t hl,
			  size_t gso_size, size_t off, uint8_t *out)
{
	size_t ihl = (size_t)(b[ETH_HDR] & 15) * 4, thl = hl - ETH_HDR - ihl;
	size_t pay = len - hl, n = pay - off < gso_size ? pay - off : gso_size;
	uint8_t *ip = out + ETH_HDR, *th = ip + ihl;
	uint32_t seq = ((uint32_t)be16(b + ETH_HDR + ihl + 4) << 16 |
			be16(b + ETH_HDR + ihl + 6)) +
		       (uint32_t)off;
	unsigned c;

	__builtin_memcpy(out, b, hl);
	__builtin_memcpy(out + hl, b + hl + off, n);
	set16(ip + 2, (unsigned)(ihl + thl + n));
	set16(ip + 4, (be16(b + ETH_HDR + 4) + off / gso_size) & 0xffff);
	set16(ip + 10, 0);
	set16(ip + 10, ~sum16(ip, ihl, 0) & 0xffff);
	set16(th + 4, seq >> 16);
	set16(th + 6, seq & 0xffff);
	if (off + n < pay)
		th[13] &= (uint8_t)~0x09; /* FIN and PSH: the last only */
	set16(th + 16, 0);
	c = sum16(ip + 12, 8, 6 + (uint32_t)(thl + n));
	set16(th + 16, ~sum16(th, thl + n, c) & 0xffff);
	return hl + n;
}
