/* hostdev_tso_header (platform/linux/tso.c): the virtio-net header the
 * linux target puts before a TCP frame the kernel segments, and its
 * refusal of every frame that is not what the platform contract calls a
 * TSO frame. */
#include <linux/virtio_net.h>
#include <string.h>

#include "../../../platform/linux/hostdev.h"
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
	return (struct pith_frame){ frame, sizeof frame, len, gso };
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

static const struct unit_test tests[] = {
	{ "accepts", test_accepts },
	{ "refuses", test_refuses },
};
const struct unit_suite suite_tso_header = UNIT_SUITE("tso-header", tests);
