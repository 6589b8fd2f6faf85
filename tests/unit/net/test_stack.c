/* lib/net input and output through the fake device: Ethernet, IPv4
 * header checks and options, ICMP echo and errors, UDP. Each malformed
 * case must be dropped by the counter that names it. */
#include <errno.h>

#include "frames.h"
#include "unit.h"

static uint8_t f[PITH_FRAME_MAX], pl[PITH_FRAME_MAX];

static void test_ethernet(void)
{
	size_t n;

	net_test_start();
	n = build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, pl, build_echo(pl, 1, 8),
		     1, 0);
	inject(f, 13);
	CHECK_EQ(CTR(ETH_DROP_RUNT), 1);
	f[0] ^= 0x10; /* another host's address */
	inject(f, n);
	CHECK_EQ(CTR(ETH_DROP_NOT_US), 1);
	f[0] ^= 0x10;
	f[6] |= 1; /* a group source */
	inject(f, n);
	memcpy(f + 6, fake_mac, 6); /* our own source */
	inject(f, n);
	CHECK_EQ(CTR(ETH_DROP_BAD_SRC), 2);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, 0x86dd); /* IPv6 */
	inject(f, n);
	put16(f + 12, 0x8100); /* VLAN tag */
	inject(f, n);
	CHECK_EQ(CTR(ETH_DROP_TYPE), 2);
	CHECK_EQ(fake_net_tx_count, 0);
	put16(f + 12, ETH_P_IP);
	memset(f, 0xff, 6); /* broadcast is accepted */
	inject(f, n);
	CHECK_EQ(CTR(ICMP_ECHO_REPLIES), 1);
}

/* A frame with a damaged IP header must not be answered. */
static void expect_ip_drop(size_t n, enum net_counter c, const char *why)
{
	uint64_t before = net_counter(c);

	fake_net_reset();
	inject(f, n);
	if (net_counter(c) != before + 1 || fake_net_tx_count != 0)
		unit_fail(__FILE__, __LINE__, "%s: not dropped by %s", why,
			  net_counter_name(c));
}

static void reseal(void)
{
	uint8_t *h = f + ETH_HLEN;
	size_t hl = (size_t)(h[0] & 0xf) * 4;

	put16(h + 10, 0);
	put16(h + 10, net_csum_fold(net_csum_add(0, h, hl < 20 ? 20 : hl)));
}

static void test_ip_header(void)
{
	uint8_t *h = f + ETH_HLEN;
	size_t n;

	net_test_start();
	n = build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, pl, build_echo(pl, 1, 8),
		     1, 0);
	expect_ip_drop(ETH_HLEN + 19, NET_IP_DROP_SHORT, "19-byte header");
	h[0] = 0x65, reseal();
	expect_ip_drop(n, NET_IP_DROP_VERSION, "version 6");
	h[0] = 0x44, reseal();
	expect_ip_drop(n, NET_IP_DROP_IHL, "IHL 4");
	h[0] = 0x4f, reseal();
	expect_ip_drop(n, NET_IP_DROP_IHL, "IHL past the packet");
	h[0] = 0x45;
	put16(h + 2, (uint16_t)(n - ETH_HLEN + 1)), reseal();
	expect_ip_drop(n, NET_IP_DROP_LENGTH, "total length past the frame");
	put16(h + 2, 19), reseal();
	expect_ip_drop(n, NET_IP_DROP_LENGTH, "total length below IHL");
	put16(h + 2, (uint16_t)(n - ETH_HLEN)), reseal();
	h[10] ^= 1;
	expect_ip_drop(n, NET_IP_DROP_CSUM, "checksum");
	h[10] ^= 1;
	put32(h + 12, US_IP), reseal();
	expect_ip_drop(n, NET_IP_DROP_SRC, "our own source");
	put32(h + 12, 0xe0000001), reseal();
	expect_ip_drop(n, NET_IP_DROP_SRC, "multicast source");
	put32(h + 12, 0x0a0900ff), reseal();
	expect_ip_drop(n, NET_IP_DROP_SRC, "subnet broadcast source");
	put32(h + 12, PEER_IP);
	put32(h + 16, 0x0a090003), reseal();
	expect_ip_drop(n, NET_IP_DROP_NOT_US, "another host");
	put32(h + 16, 0xe0000001), reseal();
	expect_ip_drop(n, NET_IP_DROP_NOT_US, "multicast");
	put32(h + 16, US_IP), reseal();
	fake_net_reset();
	inject(f, n + 10); /* link padding is cut, not an error */
	CHECK_EQ(fake_net_tx_count, 1);
}

/* An echo request with OPT as IP options (padded to words). */
static size_t with_options(const uint8_t *opt, size_t olen)
{
	size_t ol = (olen + 3) & ~(size_t)3, ilen = build_echo(pl, 2, 16);
	size_t n = build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, pl, ilen, 1, 0);
	uint8_t *h = f + ETH_HLEN;

	memmove(h + IP_HLEN + ol, h + IP_HLEN, ilen);
	memset(h + IP_HLEN, 0, ol);
	memcpy(h + IP_HLEN, opt, olen);
	h[0] = (uint8_t)(0x40 | (IP_HLEN + ol) / 4);
	put16(h + 2, (uint16_t)(IP_HLEN + ol + ilen));
	reseal();
	return n + ol;
}

static void test_ip_options(void)
{
	static const struct {
		uint8_t o[12];
		size_t n;
		int ok;
	} t[] = {
		{ { 1, 1, 1, 0 }, 4, 1 },	   /* NOPs, EOL */
		{ { 7, 7, 4, 0, 0, 0, 0 }, 7, 1 }, /* record route */
		{ { 0x44, 12, 5, 0 }, 12, 1 },	   /* timestamp */
		{ { 0x83, 3, 4, 1 }, 4, 1 },	   /* unknown kind, sane */
		{ { 7, 0 }, 2, 0 },		   /* length 0 */
		{ { 7, 1 }, 2, 0 },		   /* length 1 */
		{ { 1, 7, 9, 4 }, 4, 0 },	   /* past the header */
		{ { 1, 1, 1, 7 }, 4, 0 },	   /* kind without length */
	};

	net_test_start();
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t n = with_options(t[i].o, t[i].n);
		uint64_t bad = CTR(IP_DROP_OPTIONS);
		fake_net_reset();
		inject(f, n);
		if (t[i].ok != (fake_net_tx_count == 1) ||
		    t[i].ok == (CTR(IP_DROP_OPTIONS) == bad + 1))
			unit_fail(__FILE__, __LINE__, "options case %zu", i);
	}
	CHECK_EQ(CTR(IP_OPTIONS), 4);
}

static void test_icmp_echo(void)
{
	size_t n, len;
	const uint8_t *r;

	net_test_start();
	n = build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, pl,
		     build_echo(pl, 9, 1472 - 8), 77, 0);
	inject(f, n);
	r = sent(0, &len);
	CHECK(r && len == n);
	if (r) {
		CHECK(!memcmp(r, peer_mac, 6));
		CHECK_EQ(get32(r + ETH_HLEN + 12), US_IP);
		CHECK_EQ(get32(r + ETH_HLEN + 16), PEER_IP);
		CHECK_EQ(r[ETH_HLEN + IP_HLEN], 0); /* echo reply */
		CHECK(!memcmp(r + 38, f + 38, n - 38));
		CHECK_EQ(net_csum_fold(net_csum_add(0, r + 34, len - 34)), 0);
		CHECK_EQ(net_csum_fold(net_csum_add(0, r + 14, 20)), 0);
	}
	/* Short, bad checksum, broadcast, unknown type, an error. */
	fake_net_reset();
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, pl, 7, 1, 0));
	CHECK_EQ(CTR(ICMP_DROP_SHORT), 1);
	build_echo(pl, 1, 4);
	pl[9] ^= 1;
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, pl, 12, 1, 0));
	CHECK_EQ(CTR(ICMP_DROP_CSUM), 1);
	inject(f, build_ip(f, PEER_IP, 0x0a0900ff, IP_PROTO_ICMP, pl,
			   build_echo(pl, 1, 4), 1, 0));
	pl[0] = 13, pl[1] = 0, put16(pl + 2, 0); /* timestamp request */
	put16(pl + 2, net_csum_fold(net_csum_add(0, pl, 20)));
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, pl, 20, 1, 0));
	CHECK_EQ(CTR(ICMP_DROP_TYPE), 2);
	pl[0] = 3, pl[1] = 3, put16(pl + 2, 0);
	put16(pl + 2, net_csum_fold(net_csum_add(0, pl, 20)));
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, pl, 20, 1, 0));
	CHECK_EQ(CTR(ICMP_ERRORS_RX), 1);
	CHECK_EQ(fake_net_tx_count, 0);
}

static void test_udp_input(void)
{
	struct net_udp *s;
	char buf[64];
	uint32_t from;
	uint16_t port;
	int flags;
	size_t n;

	net_test_start();
	CHECK_EQ(net_udp_bind(5000, &s), 0);
	CHECK_EQ(net_udp_bind(5000, &s) == -EADDRINUSE, 1);
	inject(f, build_udp(f, 1234, 5000, "hello", 5));
	CHECK_EQ(net_udp_recvfrom(s, buf, sizeof buf, &from, &port, 0, &flags),
		 5);
	CHECK(!memcmp(buf, "hello", 5));
	CHECK_EQ(from, PEER_IP);
	CHECK_EQ(port, 1234);
	CHECK_EQ(flags, 0);
	n = build_udp(f, 1234, 5000, "0123456789", 10);
	put16(f + 34 + 6, 0); /* no checksum: accepted */
	inject(f, n);
	CHECK_EQ(net_udp_recvfrom(s, buf, 4, 0, 0, 0, &flags), 4);
	CHECK_EQ(flags, NET_UDP_TRUNC);
	CHECK_EQ(CTR(UDP_TRUNCATED), 1);
	n = build_udp(f, 1234, 5000, "0123456789", 10);
	f[34 + 8] ^= 1;
	inject(f, n);
	CHECK_EQ(CTR(UDP_DROP_CSUM), 1);
	n = build_udp(f, 1234, 5000, "0123456789", 10);
	put16(f + 34 + 4, 7);
	inject(f, n);
	put16(f + 34 + 4, 19);
	inject(f, n);
	CHECK_EQ(CTR(UDP_DROP_LENGTH), 2);
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_UDP, pl, 7, 1, 0));
	CHECK_EQ(CTR(UDP_DROP_SHORT), 1);
	/* Nothing was queued: a fiberless caller gets -EPERM. */
	CHECK_EQ(net_udp_recvfrom(s, buf, sizeof buf, 0, 0, UINT64_MAX, 0),
		 -EPERM);
	for (int i = 0; i < NET_UDP_RXQ_MAX + 5; i++)
		inject(f, build_udp(f, 1, 5000, "x", 1));
	CHECK_EQ(CTR(UDP_DROP_QUEUE), 5);
	net_udp_close(s);
}

/* A frame the device vouches for (PITH_FRAME_CSUM_OK) is not summed
 * again: UDP and TCP take it with a wrong checksum, which they drop
 * without the flag. A fragment's flag does not carry to the datagram. */
static void test_host_checked_sums(void)
{
	struct net_udp *s;
	uint8_t buf[32], dg[16], tcp[64];
	size_t n;

	net_test_start();
	CHECK_EQ(net_udp_bind(5000, &s), 0);
	n = build_udp(f, 1234, 5000, "0123456789", 10);
	f[34 + 8] ^= 1; /* the checksum no longer matches */
	inject(f, n);
	CHECK_EQ(CTR(UDP_DROP_CSUM), 1);
	fake_rx_flags = PITH_FRAME_CSUM_OK;
	inject(f, n);
	CHECK_EQ(CTR(UDP_DROP_CSUM), 1);
	CHECK_EQ(net_udp_recvfrom(s, buf, sizeof buf, 0, 0, 0, 0), 10);
	/* TCP: a SYN to a closed port, its sum broken: dropped, unless
	 * vouched for (then refused with a RST). */
	fake_rx_flags = 0;
	n = build_tcp(tcp, 1234, 4444, 1, 0, 0x02 /* SYN */, 1000, 0, 0, 0, 0);
	tcp[16] ^= 1;
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_TCP, tcp, n, 9, 0));
	CHECK_EQ(CTR(TCP_DROP_CSUM), 1);
	fake_net_reset();
	fake_rx_flags = PITH_FRAME_CSUM_OK;
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_TCP, tcp, n, 10, 0));
	CHECK_EQ(CTR(TCP_DROP_CSUM), 1);
	CHECK_EQ(fake_net_tx_count, 1); /* the RST */
	/* Two fragments of a datagram whose sum is wrong, both flagged:
	 * reassembled, then checked, and dropped. */
	memset(dg, 0, sizeof dg);
	put16(dg, 1234);
	put16(dg + 2, 5000);
	put16(dg + 4, sizeof dg);
	put16(dg + 6, 0x1234); /* not the sum */
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_UDP, dg, 8, 11,
			   0x2000 /* MF */));
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_UDP, dg + 8, 8, 11, 1));
	CHECK_EQ(CTR(IP_REASS_OK), 1);
	CHECK_EQ(CTR(UDP_DROP_CSUM), 2);
	fake_rx_flags = 0;
	net_udp_close(s);
}

static void test_udp_unreachable_rate(void)
{
	size_t len;
	const uint8_t *r;

	net_test_start();
	inject(f, build_udp(f, 1234, 4242, "ping", 4));
	r = sent(0, &len);
	CHECK(r != 0);
	if (r) {
		CHECK_EQ(r[34], 3);
		CHECK_EQ(r[35], 3);
		CHECK_EQ(get32(r + 42 + 16), US_IP); /* the quoted header */
		CHECK_EQ(net_csum_fold(net_csum_add(0, r + 34, len - 34)), 0);
	}
	for (int i = 0; i < 200; i++)
		inject(f, build_udp(f, 1234, 4242, "ping", 4));
	CHECK_EQ(CTR(ICMP_UNREACH_TX), NET_ICMP_ERR_BURST);
	CHECK_EQ(CTR(ICMP_RATE_LIMITED), 201 - NET_ICMP_ERR_BURST);
	fake_mono += NS_PER_S; /* a second refills the bucket */
	inject(f, build_udp(f, 1234, 4242, "ping", 4));
	CHECK_EQ(CTR(ICMP_UNREACH_TX), NET_ICMP_ERR_BURST + 1);
	/* Never about a broadcast. */
	put16(pl, 1234), put16(pl + 2, 4242), put16(pl + 4, 8),
		put16(pl + 6, 0);
	inject(f,
	       build_ip(f, PEER_IP, IP_BROADCAST, IP_PROTO_UDP, pl, 8, 1, 0));
	CHECK_EQ(CTR(UDP_DROP_NO_PORT), 203);
}

static void test_udp_send(void)
{
	static char big[9000];
	struct net_udp *s;
	size_t len;
	const uint8_t *r;

	net_test_start();
	CHECK_EQ(net_udp_bind(0, &s), 0);
	CHECK(net_udp_port(s) >= NET_UDP_EPHEMERAL);
	CHECK_EQ(net_udp_sendto(s, "abc", 3, PEER_IP, 9), 3);
	CHECK_EQ(net_udp_sendto(s, "abc", 3, 0x08080808, 53), 3); /* via gw */
	CHECK_EQ(net_udp_sendto(s, big, NET_UDP_MAX + 1, PEER_IP, 9),
		 -EMSGSIZE);
	CHECK_EQ(net_udp_sendto(s, big, sizeof big, PEER_IP, 9),
		 (ssize_t)sizeof big);
	iface_poll();
	CHECK_EQ(fake_net_tx_count, 2 + 7); /* 9008 bytes: 7 fragments */
	r = sent(0, &len);
	CHECK(r && get16(r + 34 + 2) == 9);
	r = sent(8, &len);
	CHECK(r && (get16(r + 14 + 6) & 0x2000) == 0); /* last: MF clear */
	CHECK(r && (get16(r + 14 + 6) & 0x1fff) == 1480 * 6 / 8);
	net_udp_close(s);
}

/* NET_TSO_BUFS buffers of a whole TSO frame, no more; a freed one is
 * handed out again, not a new one; none comes from the frame pool. */
static void test_tso_buffers(void)
{
	struct pbuf *held[NET_TSO_BUFS + 1], *again;
	struct net_mem m;

	net_test_start();
	for (unsigned i = 0; i < NET_TSO_BUFS; i++) {
		held[i] = pbuf_alloc_tso();
		CHECK(held[i] != 0);
		if (held[i])
			CHECK(held[i]->cap >=
			      NET_HEADROOM + PITH_TSO_FRAME_MAX);
	}
	CHECK(pbuf_alloc_tso() == 0); /* at the bound */
	pbuf_free(held[1]);
	again = pbuf_alloc_tso();
	CHECK(again == held[1]);
	CHECK(again && again->gso_size == 0 && again->len == 0);
	held[1] = again;
	pbuf_mem(&m);
	CHECK_EQ(m.pbufs_free, m.pbufs);
	for (unsigned i = 0; i < NET_TSO_BUFS; i++)
		pbuf_free(held[i]);
}

static void test_pool_exhaustion(void)
{
	struct pbuf *held[NET_PBUFS_DEFAULT];
	unsigned n = 0;
	struct net_udp *s;

	net_test_start();
	while ((held[n] = pbuf_alloc(0)))
		n++;
	CHECK_EQ(n, NET_PBUFS_DEFAULT - NET_POOL_RESERVE);
	CHECK_EQ(net_udp_bind(6000, &s), 0);
	CHECK_EQ(net_udp_sendto(s, "x", 1, PEER_IP, 9), -ENOBUFS);
	inject(f, build_udp(f, 1, 6000, "x", 1)); /* input still reads */
	CHECK_EQ(CTR(UDP_DROP_NOBUF), 2);
	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_ICMP, pl,
			   build_echo(pl, 1, 8), 1, 0));
	CHECK_EQ(CTR(IP_RX), 2);
	while (n)
		pbuf_free(held[--n]);
	net_udp_close(s);
}

static const struct unit_test tests[] = {
	{ "ethernet", test_ethernet },
	{ "ip-header", test_ip_header },
	{ "ip-options", test_ip_options },
	{ "icmp-echo", test_icmp_echo },
	{ "udp-input", test_udp_input },
	{ "host-checked-sums", test_host_checked_sums },
	{ "udp-unreachable-rate", test_udp_unreachable_rate },
	{ "udp-send", test_udp_send },
	{ "pool-exhaustion", test_pool_exhaustion },
	{ "tso-buffers", test_tso_buffers },
};

const struct unit_suite suite_netstack = UNIT_SUITE("netstack", tests);
