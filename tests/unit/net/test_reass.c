/* lib/net reassembly: order, duplicates, overlaps, the 65,535-byte
 * limit, odd fragment sizes, timeouts and the memory cap under a flood,
 * and fragmentation of large replies. */
#include "frames.h"
#include "unit.h"

static uint8_t f[PITH_FRAME_MAX], dgram[NET_IP_MAX];
static size_t dlen;

/* An echo request of LEN data bytes in dgram. */
static void make_echo(size_t len)
{
	dlen = build_echo(dgram, 3, len);
}

/* Sends bytes [OFF, OFF+LEN) of dgram as a fragment of datagram ID. */
static void frag(uint16_t id, size_t off, size_t len, int more)
{
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, dgram + off, len,
			   id, (uint16_t)((more ? 0x2000 : 0) | off / 8)));
}

static unsigned replies(void)
{
	return (unsigned)CTR(ICMP_ECHO_REPLIES);
}

static void test_orders(void)
{
	net_test_start();
	make_echo(4000 - 8); /* 4000 bytes: 1480 + 1480 + 1040 */
	frag(1, 0, 1480, 1);
	frag(1, 1480, 1480, 1);
	frag(1, 2960, 1040, 0);
	CHECK_EQ(replies(), 1);
	frag(2, 2960, 1040, 0); /* reversed */
	frag(2, 1480, 1480, 1);
	frag(2, 0, 1480, 1);
	CHECK_EQ(replies(), 2);
	frag(3, 1480, 1480, 1); /* middle first, a duplicate */
	frag(3, 1480, 1480, 1);
	frag(3, 0, 1480, 1);
	frag(3, 2960, 1040, 0);
	CHECK_EQ(replies(), 3);
	CHECK_EQ(CTR(IP_REASS_DUP), 1);
	CHECK_EQ(CTR(IP_REASS_OK), 3);
	/* The 4,000-byte reply left in three fragments. */
	CHECK_EQ(CTR(IP_FRAG_TX), 9);
	CHECK_EQ(ipfrag_bytes(), 0);
}

static void test_bad_fragments(void)
{
	net_test_start();
	make_echo(4000 - 8);
	frag(1, 0, 1480, 1);
	frag(1, 1472, 1480, 1); /* overlaps the first by 8 */
	CHECK_EQ(CTR(IP_REASS_OVERLAP), 1);
	frag(1, 2960, 1040, 0); /* datagram 1 is gone: this waits alone */
	CHECK_EQ(replies(), 0);
	frag(2, 0, 1476, 1); /* not a multiple of 8 */
	CHECK_EQ(CTR(IP_REASS_BAD), 1);
	frag(3, 1480, 1480, 0); /* last ends at 2960 ... */
	frag(3, 2960, 16, 1);	/* ... data past it */
	CHECK_EQ(CTR(IP_REASS_BAD), 2);
	frag(4, 1480, 1480, 0);
	frag(4, 1480, 1472, 0); /* a second, different last */
	CHECK_EQ(CTR(IP_REASS_BAD), 3);
	/* Ping of death: a fragment ending past 65,535. */
	memset(dgram, 0, sizeof dgram);
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, dgram, 1480, 5,
			   (uint16_t)(65528 / 8)));
	CHECK_EQ(CTR(IP_REASS_TOOBIG), 1);
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, dgram, 0, 6,
			   0x2000)); /* empty */
	CHECK_EQ(CTR(IP_REASS_BAD), 4);
	CHECK_EQ(replies(), 0);
}

static void test_timeout(void)
{
	net_test_start();
	make_echo(4000 - 8);
	frag(1, 0, 1480, 1);
	CHECK(ipfrag_bytes() > 0);
	fake_mono += (NET_REASS_TIMEOUT_S + 1) * NS_PER_S;
	core_timer_expire(fake_mono);
	CHECK_EQ(CTR(IP_REASS_TIMEOUT), 1);
	CHECK_EQ(ipfrag_bytes(), 0);
	frag(1, 1480, 1480, 1);
	frag(1, 2960, 1040, 0);
	CHECK_EQ(replies(), 0); /* the first part is gone for good */
}

static void test_flood_memory_cap(void)
{
	struct net_mem m;

	net_test_start();
	make_echo(4000 - 8);
	for (uint16_t id = 0; id < 2000; id++) {
		frag(id, 1480, 1480, 1);
		CHECK(ipfrag_bytes() <= NET_REASS_MEM_MAX);
	}
	CHECK(CTR(IP_REASS_EVICT) >= 2000 - NET_REASS_SLOTS);
	/* An honest datagram still gets through. */
	frag(9999, 0, 1480, 1);
	frag(9999, 1480, 1480, 1);
	frag(9999, 2960, 1040, 0);
	CHECK_EQ(replies(), 1);
	net_mem(&m);
	CHECK(m.pbufs_free_min >= NET_POOL_RESERVE);
	CHECK(m.heap_bytes == 0);
}

static void test_largest(void)
{
	size_t off;

	net_test_start();
	make_echo(NET_IP_MAX - 20 - 8); /* the largest ping there is */
	for (off = 0; off + 1480 < dlen; off += 1480)
		frag(7, off, 1480, 1);
	frag(7, off, dlen - off, 0);
	CHECK_EQ(CTR(IP_REASS_OK), 1);
	CHECK_EQ(replies(), 1);
	CHECK_EQ(CTR(IP_FRAG_TX), (dlen + 1479) / 1480);
}

static const struct unit_test tests[] = {
	{ "orders-and-duplicates", test_orders },
	{ "bad-fragments", test_bad_fragments },
	{ "timeout", test_timeout },
	{ "flood-memory-cap", test_flood_memory_cap },
	{ "largest-datagram", test_largest },
};

const struct unit_suite suite_reass = UNIT_SUITE("reass", tests);
