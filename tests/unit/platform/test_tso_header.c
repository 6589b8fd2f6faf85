/* hostdev_tso_header (platform/linux/tso.c): the virtio-net header the
 * linux target puts before a TCP frame the kernel segments, and its
 * refusal of every frame that is not what the platform contract calls a
 * TSO frame. */
#include <linux/virtio_net.h>
#include <string.h>

#include "../../../platform/linux/hostdev.h"
#include "../../common/gso.h"
#include "pith/param.h"
#include "unit.h"

#define MTU 1500

static uint8_t frame[PITH_TSO_FRAME_MAX + 16];

/* Ethernet + IPv4 (IHL words) + TCP (DOFF words) + PAYLOAD bytes. */
static struct pith_frame make(unsigned ihl, unsigned doff, size_t payload,
			      size_t gso)
{
	size_t len = 14 + ihl * 4 + doff * 4 + payload;
	uint8_t *ip = frame + 14, *th = ip + ihl * 4;

	memset(frame, 0, sizeof frame);
	frame[12] = 0x08;
	ip[0] = (uint8_t)(0x40 | ihl);
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[8] = 64;
	ip[9] = 6;
	th[12] = (uint8_t)(doff << 4);
	return (struct pith_frame){ frame, sizeof frame, len, gso, 0 };
}

static struct hostdev tap(void)
{
	return (struct hostdev){ .type = PITH_DEV_NET,
				 .net = { .mtu = MTU,
					  .tso_max = PITH_TSO_FRAME_MAX },
				 .vnet = 1 };
}

static void test_accepts(void)
{
	struct hostdev d = tap();
	struct pith_frame f = make(5, 8, 60000, 1448);
	struct virtio_net_hdr vh;

	memset(&vh, 0xee, sizeof vh);
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), 0);
	CHECK_EQ(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(vh.hdr_len, 14 + 20 + 32);
	CHECK_EQ(vh.gso_size, 1448);
	CHECK_EQ(vh.csum_start, 34);
	CHECK_EQ(vh.csum_offset, 16);
	/* IP options move the TCP header; the largest frame fits. */
	f = make(6, 5, PITH_TSO_FRAME_MAX - 14 - 24 - 20, 1000);
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), 0);
	CHECK_EQ(vh.csum_start, 38);
	CHECK_EQ(vh.hdr_len, 14 + 24 + 20);
}

static void test_refuses(void)
{
	struct hostdev d = tap();
	struct pith_frame f;
	struct virtio_net_hdr vh;

	d.vnet = 0; /* a tap without the header, or a frame socket */
	f = make(5, 8, 6000, 1448);
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	d = tap();
	d.net.tso_max = 9014; /* over the device's largest */
	f = make(5, 5, 10000, 1448);
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	d = tap();
	f = make(5, 5, 0, 1448); /* too short to be TCP/IPv4 with data */
	f.len = 14 + 20 + 19;
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 5, 6000, 1448);
	frame[12] = 0x86, frame[13] = 0xdd; /* not IPv4 */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 5, 6000, 1448);
	frame[14] = 0x65; /* version 6 */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 5, 6000, 1448);
	frame[14 + 9] = 17; /* UDP */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(4, 5, 6000, 1448); /* IHL below 5 */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 5, 6000, 1448);
	frame[14 + 3] ^= 1; /* IP length not the frame's */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 5, 6000, 1448);
	frame[14 + 6] = 0x20; /* more fragments */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 5, 6000, 1448);
	frame[14 + 7] = 1; /* a fragment offset */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 4, 6000, 1448); /* TCP data offset below 5 */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 15, 0, 1448); /* TCP header past the frame's end */
	f.len = 14 + 20 + 40;
	frame[14 + 2] = 0, frame[14 + 3] = 60;
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(15, 5, 6000, 1448); /* IP options past a short frame */
	f.len = 14 + 40 + 10;
	frame[14 + 2] = 0, frame[14 + 3] = 50;
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 5, 6000, 0); /* no segment size */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 8, 6000, 1449); /* 1449 + 20 + 32 is over the MTU */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), -1);
	f = make(5, 8, 6000, 1448); /* ... and 1448 fits exactly */
	CHECK_EQ(hostdev_tso_header(&d, &f, &vh), 0);
}

/* What gso.c (the tests' own segmenter) cut, for comparison. */
static uint8_t want[64][PITH_FRAME_MAX];
static size_t want_len[64];
static unsigned nwant;

static void keep(void *ctx, const uint8_t *seg, size_t len)
{
	(void)ctx;
	if (nwant < 64) {
		memcpy(want[nwant], seg, len);
		want_len[nwant] = len;
	}
	nwant++;
}

/* A coalesced frame as the kernel hands it over (addresses, ports,
 * sequence, FIN|PSH|ACK, pseudo-header sum in the checksum field): cut
 * by the platform, segment for segment the bytes the tests' own
 * segmenter makes, checksums included. */
static void test_rx_cut(void)
{
	struct pith_frame f = make(5, 8, 10000, 1448);
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				     .gso_size = 1448,
				     .csum_start = 34,
				     .csum_offset = 16 };
	uint8_t *ip = frame + 14, *th = ip + 20, out[PITH_FRAME_MAX];
	uint32_t s = 0;
	size_t hl = 0, off;
	unsigned k = 0;

	memcpy(ip + 12, "\x0a\x09\x00\x01\x0a\x09\x00\x02", 8);
	ip[4] = 0x12, ip[5] = 0x34;
	for (unsigned i = 0; i < 10; i++) /* the IP header's checksum */
		s += (uint32_t)(ip[2 * i] << 8 | ip[2 * i + 1]);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	ip[10] = (uint8_t)(~s >> 8), ip[11] = (uint8_t)~s;
	th[0] = 0x9c, th[1] = 0x40, th[3] = 7;
	th[4] = 0xff, th[5] = 0xff, th[6] = 0xf0, th[7] = 0x00; /* wraps */
	th[13] = 0x19;
	for (size_t i = 14 + 20 + 32; i < f.len; i++)
		frame[i] = (uint8_t)(i * 7);
	s = 6 + (uint32_t)(f.len - 34); /* the pseudo-header sum */
	for (unsigned i = 0; i < 4; i++)
		s += (uint32_t)(ip[12 + 2 * i] << 8 | ip[13 + 2 * i]);
	s = (s & 0xffff) + (s >> 16);
	th[16] = (uint8_t)(s >> 8), th[17] = (uint8_t)s;
	nwant = 0;
	CHECK_EQ(gso_segment(frame, f.len, 1448, MTU, keep, 0), 7);
	CHECK_EQ(hostdev_rx_gso_check(frame, f.len, &vh, MTU, &hl), 0);
	CHECK_EQ(hl, 14 + 20 + 32);
	for (off = 0; off < f.len - hl; off += 1448, k++) {
		size_t n = hostdev_rx_gso_cut(frame, f.len, hl, 1448, off, out);
		CHECK_EQ(n, want_len[k]);
		CHECK(memcmp(out, want[k], n) == 0);
	}
	CHECK_EQ(k, 7);
	/* Not coalesced TCP/IPv4, or segments over the MTU: refused. */
	CHECK_EQ(hostdev_rx_gso_check(frame, f.len, &vh, 1400, &hl), -1);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	CHECK_EQ(hostdev_rx_gso_check(frame, f.len, &vh, MTU, &hl), -1);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	CHECK_EQ(hostdev_rx_gso_check(frame, f.len - 1, &vh, MTU, &hl), -1);
	frame[14 + 9] = 17;
	CHECK_EQ(hostdev_rx_gso_check(frame, f.len, &vh, MTU, &hl), -1);
}

/* A checksum the kernel left partial is completed (TCP here, and UDP's
 * 0 is sent as 0xffff); offsets outside the frame are refused; a frame
 * without the flag is left alone. */
static void test_rx_csum(void)
{
	struct pith_frame f = make(5, 5, 3, 0);
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .csum_start = 34,
				     .csum_offset = 16 };
	uint8_t *th = frame + 34;
	uint32_t s = 0x1234; /* with the pseudo-header sum ... */

	th[16] = 0x12, th[17] = 0x34; /* ... the kernel left in the field */
	th[20] = 1, th[21] = 2, th[22] = 3;
	CHECK_EQ(hostdev_rx_csum(frame, f.len, &vh), 0);
	for (size_t i = 0; i + 1 < 23; i += 2)
		s += (uint32_t)(th[i] << 8 | th[i + 1]);
	s += (uint32_t)th[22] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	CHECK_EQ(s, 0xffff); /* pseudo-header and segment sum to zero */
	vh.csum_offset = 6;  /* UDP: a sum of 0 goes out as 0xffff */
	memset(th, 0, 8);
	CHECK_EQ(hostdev_rx_csum(frame, 14 + 20 + 8, &vh), 0);
	CHECK_EQ(th[6], 0xff);
	CHECK_EQ(th[7], 0xff);
	vh.csum_start = 60; /* past the frame */
	CHECK_EQ(hostdev_rx_csum(frame, 50, &vh), -1);
	vh.csum_start = 10; /* inside the Ethernet header */
	CHECK_EQ(hostdev_rx_csum(frame, f.len, &vh), -1);
	vh.flags = 0;
	th[16] = 0xab;
	CHECK_EQ(hostdev_rx_csum(frame, f.len, &vh), 0);
	CHECK_EQ(th[16], 0xab);
	/* Known good (the stack skips its own sum): completed here, or
	 * checked by the kernel; a plain frame is not. */
	CHECK(!hostdev_rx_csum_known(&vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	CHECK(hostdev_rx_csum_known(&vh));
	vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	CHECK(hostdev_rx_csum_known(&vh));
}

static const struct unit_test tests[] = {
	{ "accepts", test_accepts },
	{ "refuses", test_refuses },
	{ "rx-cut", test_rx_cut },
	{ "rx-csum", test_rx_csum },
};
const struct unit_suite suite_tso_header = UNIT_SUITE("tso-header", tests);
