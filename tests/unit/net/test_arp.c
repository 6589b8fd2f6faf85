/* lib/net ARP: replies, malformed packets, conflicts, the cache's hard
 * cap and LRU order, the refresh of an aged entry, entry timeout, the
 * pending queue's bounds. */
#include "frames.h"
#include "unit.h"

static uint8_t f[128];

static size_t arp(uint16_t op, const uint8_t *smac, uint32_t sip, uint32_t tip)
{
	uint8_t *a = f + ETH_HLEN;

	memset(f, 0xff, 6);
	memcpy(f + 6, smac, 6);
	put16(f + 12, ETH_P_ARP);
	put16(a, 1);
	put16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, smac, 6);
	put32(a + 14, sip);
	memset(a + 18, 0, 6);
	put32(a + 24, tip);
	return ETH_HLEN + 28;
}

static void test_reply(void)
{
	size_t len;
	const uint8_t *r;

	net_test_start();
	inject(f, arp(1, peer_mac, PEER_IP, US_IP));
	r = sent(0, &len);
	CHECK(r != 0);
	if (r) {
		CHECK(!memcmp(r, peer_mac, 6));
		CHECK_EQ(get16(r + 20), 2);
		CHECK(!memcmp(r + 22, fake_mac, 6));
		CHECK_EQ(get32(r + 28), US_IP);
		CHECK(!memcmp(r + 32, peer_mac, 6));
		CHECK_EQ(get32(r + 38), PEER_IP);
	}
	inject(f, arp(1, peer_mac, PEER_IP, 0x0a090009)); /* not us */
	CHECK_EQ(CTR(ARP_IGNORED), 1);
	CHECK_EQ(fake_net_tx_count, 1);
}

static void test_malformed(void)
{
	static const struct {
		unsigned at;
		uint8_t v;
	} t[] = {
		{ 1, 6 }, { 2, 0x86 }, { 4, 8 }, { 5, 16 }, { 7, 3 }, { 7, 0 }
	};
	size_t n;

	net_test_start();
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		n = arp(1, peer_mac, PEER_IP, US_IP);
		f[ETH_HLEN + t[i].at] = t[i].v;
		inject(f, n);
	}
	inject(f, arp(1, peer_mac, PEER_IP, US_IP) - 1); /* short */
	CHECK_EQ(CTR(ARP_DROP_MALFORMED), 7);
	n = arp(1, peer_mac, US_IP, US_IP); /* claims our address */
	inject(f, n);
	CHECK_EQ(CTR(ARP_DROP_CONFLICT), 1);
	static const uint8_t group[6] = { 1, 0, 0x5e, 0, 0, 1 }, zero[6];
	n = arp(1, group, PEER_IP, US_IP);
	memcpy(f + 6, peer_mac, 6); /* only the ARP sender is a group */
	inject(f, n);
	n = arp(1, zero, PEER_IP, US_IP);
	memcpy(f + 6, peer_mac, 6);
	inject(f, n);
	inject(f, arp(1, peer_mac, 0xe0000001, US_IP));
	inject(f, arp(1, peer_mac, IP_BROADCAST, US_IP));
	CHECK_EQ(CTR(ARP_DROP_BAD_SENDER), 4);
	CHECK_EQ(fake_net_tx_count, 0);
}

static void test_cache_cap_and_lru(void)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 1, 0 };

	net_test_start();
	/* Spoofed senders that do not ask for us create nothing. */
	for (unsigned i = 0; i < 500; i++) {
		mac[5] = (uint8_t)i;
		inject(f, arp(1, mac, 0x0a0a0000 + i, 0x0a090063));
	}
	CHECK_EQ(arp_entries(), 1);
	/* Requests for us do, up to the cap; the peer, in use, stays. */
	for (unsigned i = 0; i < 500; i++) {
		mac[5] = (uint8_t)i;
		inject(f, arp(1, mac, 0x0a0a0000 + i, US_IP));
		if (i % 16 == 0) {
			struct net_udp *s;
			net_udp_bind(0, &s);
			net_udp_sendto(s, "x", 1, PEER_IP, 9);
			net_udp_close(s);
		}
	}
	CHECK_EQ(arp_entries(), NET_ARP_ENTRIES);
	CHECK_EQ(CTR(ARP_EVICTED), 500 + 1 - NET_ARP_ENTRIES);
	CHECK_EQ(CTR(ARP_TX_REQUEST), 0); /* the peer was never evicted */
}

static unsigned arp_requests(int unicast)
{
	unsigned n = 0;
	size_t len;

	for (unsigned i = 0; i < fake_net_tx_count; i++) {
		const uint8_t *r = sent(i, &len);
		if (get16(r + 12) == ETH_P_ARP && get16(r + 20) == 1 &&
		    !memcmp(r,
			    unicast ? peer_mac
				    : (const uint8_t
					       *)"\xff\xff\xff\xff\xff\xff",
			    6))
			n++;
	}
	return n;
}

static unsigned ip_sent(void)
{
	unsigned n = 0;
	size_t len;

	for (unsigned i = 0; i < fake_net_tx_count; i++) {
		const uint8_t *r = sent(i, &len);
		n += get16(r + 12) == ETH_P_IP && !memcmp(r, peer_mac, 6);
	}
	return n;
}

/* An aged entry keeps carrying packets while its owner is asked, alone;
 * an answer makes it fresh. */
static void test_stale_refresh(void)
{
	struct net_udp *s;

	net_test_start();
	net_udp_bind(0, &s);
	fake_mono += (NET_ARP_TTL_S + 1) * NS_PER_S; /* the peer's entry aged */
	for (int i = 0; i < 3 * NET_ARP_PENDING_PER; i++)
		net_udp_sendto(s, "x", 1, PEER_IP, 9);
	iface_poll();
	CHECK_EQ(ip_sent(), 3 * NET_ARP_PENDING_PER);
	CHECK_EQ(arp_requests(1), 1);
	CHECK_EQ(arp_requests(0), 0);
	CHECK_EQ(arp_pending(), 0);
	CHECK_EQ(CTR(ARP_DROP_PENDING), 0);
	inject(f, arp(2, peer_mac, PEER_IP, US_IP)); /* the answer */
	fake_net_reset();
	for (int t = 0; t < NET_ARP_TRIES + 2; t++) { /* no more asking */
		fake_mono += NS_PER_S;
		core_timer_expire(fake_mono);
	}
	net_udp_sendto(s, "y", 1, PEER_IP, 9);
	iface_poll();
	CHECK_EQ(ip_sent(), 1);
	CHECK_EQ(arp_requests(1) + arp_requests(0), 0);
	CHECK_EQ(arp_entries(), 1);
	net_udp_close(s);
}

/* A stale entry whose owner stays silent is freed; the next packet
 * resolves from scratch and waits, in a bounded queue. */
static void test_timeout_and_pending(void)
{
	struct net_udp *s;
	size_t len;

	net_test_start();
	net_udp_bind(0, &s);
	fake_mono += (NET_ARP_TTL_S + 1) * NS_PER_S; /* the peer's entry aged */
	net_udp_sendto(s, "x", 1, PEER_IP, 9);
	for (int t = 0; t < NET_ARP_TRIES + 1; t++) { /* asked, silence */
		fake_mono += NS_PER_S;
		core_timer_expire(fake_mono);
	}
	iface_poll();
	CHECK_EQ(arp_requests(1), NET_ARP_TRIES);
	CHECK_EQ(arp_entries(), 0);
	fake_net_reset();
	for (int i = 0; i < NET_ARP_PENDING_PER + 3; i++)
		net_udp_sendto(s, "x", 1, PEER_IP, 9);
	iface_poll();
	CHECK_EQ(arp_requests(0), 1);
	CHECK_EQ(ip_sent(), 0);
	CHECK_EQ(arp_pending(), NET_ARP_PENDING_PER);
	CHECK_EQ(CTR(ARP_DROP_PENDING), 3);
	for (int t = 0; t < NET_ARP_TRIES + 2; t++) { /* retries, then fail */
		fake_mono += NS_PER_S;
		core_timer_expire(fake_mono);
	}
	iface_poll();
	CHECK_EQ(arp_requests(0), NET_ARP_TRIES);
	CHECK_EQ(arp_pending(), 0);
	CHECK_EQ(CTR(ARP_DROP_UNRESOLVED), NET_ARP_PENDING_PER);
	/* Resolution sends what waits. */
	net_udp_sendto(s, "y", 1, PEER_IP, 9);
	iface_poll(); /* the request leaves */
	fake_net_reset();
	inject(f, arp(2, peer_mac, PEER_IP, US_IP));
	CHECK_EQ(fake_net_tx_count, 1);
	CHECK_EQ(get16(sent(0, &len) + 12), ETH_P_IP);
	CHECK_EQ(arp_pending(), 0);
	net_udp_close(s);
}

static const struct unit_test tests[] = {
	{ "reply", test_reply },
	{ "malformed", test_malformed },
	{ "cache-cap-lru", test_cache_cap_and_lru },
	{ "stale-refresh", test_stale_refresh },
	{ "timeout-and-pending", test_timeout_and_pending },
};

const struct unit_suite suite_arp = UNIT_SUITE("arp", tests);
