/* TCP's pieces one by one: sequence arithmetic across the wrap, the
 * header and option parsers with malformed input, the SACK scoreboard,
 * the RTO estimator, the out-of-order queue and its caps, SYN cookies
 * and the SYN queue, and hostile SYN options. */
#include <errno.h>

#include "tcp_script.h"
#include "unit.h"

static void test_seq(void)
{
	CHECK(seq_lt(0xfffffff0U, 0x10));
	CHECK(seq_gt(0x10, 0xfffffff0U));
	CHECK(seq_le(5, 5) && seq_ge(5, 5) && !seq_lt(5, 5));
	CHECK(seq_in(0, 0xffffff00U, 0x100));
	CHECK(!seq_in(0x100, 0xffffff00U, 0x100));
	CHECK_EQ(seq_max(0xfffffffeU, 3), 3);
	CHECK_EQ(seq_min(0xfffffffeU, 3), 0xfffffffeU);
	/* Half the space away is the edge of "after". */
	CHECK(seq_gt(0x7fffffffU, 0));
	CHECK(seq_lt(0x80000001U, 0));
}

/* The Internet checksum against a byte-by-byte reference, for every
 * length and alignment up to 64 and a frame's worth. */
static void test_checksum(void)
{
	static uint8_t d[1600];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof d; i++) {
		x = x * 1103515245 + 12345;
		d[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len < 1500; len += len < 64 ? 1 : 97) {
			uint64_t ref = 7;
			for (size_t i = 0; i + 1 < len; i += 2)
				ref += (uint32_t)(d[off + i] << 8 |
						  d[off + i + 1]);
			if (len & 1)
				ref += (uint32_t)d[off + len - 1] << 8;
			while (ref >> 16)
				ref = (ref & 0xffff) + (ref >> 16);
			if (net_csum_fold(net_csum_add(7, d + off, len)) !=
			    (uint16_t)~ref) {
				unit_fail(__FILE__, __LINE__,
					  "checksum of %zu bytes at %zu", len,
					  off);
				return;
			}
		}
}

static void test_options(void)
{
	struct tcp_opts t;
	static const uint8_t
		good[] = {
			2, 4, 5, 0xb4, 1, 3, 3,	 7, 4, 2,  8, 10,
			0, 0, 1, 2,    0, 0, 0,	 9, 5, 10, 0, 0,
			0, 1, 0, 0,    0, 9, 99, 3, 0, 0 /* unknown, then EOL */
		};
	static const uint8_t len0[] = { 1, 1, 8, 0, 1, 1 };
	static const uint8_t len1[] = { 2, 1, 5, 0xb4 };
	static const uint8_t past[] = { 1, 8, 10, 0, 0 };
	static const uint8_t cut[] = { 1, 1, 1, 2 };
	static const uint8_t wrong_len[] = { 2, 3, 5, 3, 3, 20 };
	static const uint8_t sack_odd[] = { 5, 6, 0, 0, 0, 0 };

	CHECK_EQ(tcp_parse_options(good, sizeof good, &t), 0);
	CHECK(t.has_mss && t.mss == 1460);
	CHECK(t.has_wscale && t.wscale == 7 && t.sack_ok);
	CHECK(t.has_ts && t.tsval == 0x102 && t.tsecr == 9);
	CHECK(t.nsack == 1 && t.sack[0][0] == 1 && t.sack[0][1] == 9);
	CHECK_EQ(tcp_parse_options(len0, sizeof len0, &t), -EINVAL);
	CHECK(!t.has_ts);
	CHECK_EQ(tcp_parse_options(len1, sizeof len1, &t), -EINVAL);
	CHECK(!t.has_mss);
	CHECK_EQ(tcp_parse_options(past, sizeof past, &t), -EINVAL);
	CHECK_EQ(tcp_parse_options(cut, sizeof cut, &t), -EINVAL);
	/* A known option of the wrong length is ignored, the rest kept. */
	CHECK_EQ(tcp_parse_options(wrong_len, sizeof wrong_len, &t), -EINVAL);
	CHECK(!t.has_mss && t.has_wscale && t.wscale == 20);
	CHECK_EQ(tcp_parse_options(sack_odd, sizeof sack_odd, &t), -EINVAL);
	CHECK_EQ(t.nsack, 0);
	CHECK_EQ(tcp_parse_options(good, 0, &t), 0);
}

/* A TCP header from the peer in a pbuf, for tcp_parse. */
static struct pbuf hp;
static uint8_t hb[128];

static int parse_header(size_t len, uint8_t doff_words, uint8_t flags,
			int fix_sum)
{
	struct tcp_seg s;

	memset(hb, 0, sizeof hb);
	put16(hb, PEER_PORT);
	put16(hb + 2, US_PORT);
	hb[12] = (uint8_t)(doff_words << 4);
	hb[13] = flags;
	if (fix_sum)
		put16(hb + 16, net_csum_fold(net_csum_add(
				       net_csum_pseudo(PEER_IP, US_IP,
						       IP_PROTO_TCP, len),
				       hb, len)));
	hp.data = hb;
	hp.len = len;
	hp.src = PEER_IP;
	hp.dst = US_IP;
	return tcp_parse(&hp, &s);
}

static void test_header(void)
{
	CHECK_EQ(parse_header(20, 5, TH_ACK, 1), 0);
	CHECK_EQ(parse_header(19, 5, TH_ACK, 1), NET_TCP_DROP_SHORT);
	CHECK_EQ(parse_header(40, 4, TH_ACK, 1), NET_TCP_DROP_DOFF);
	CHECK_EQ(parse_header(20, 6, TH_ACK, 1), NET_TCP_DROP_DOFF);
	CHECK_EQ(parse_header(60, 15, TH_ACK, 1), 0);
	CHECK_EQ(parse_header(20, 5, TH_ACK, 0), NET_TCP_DROP_CSUM);
	CHECK_EQ(parse_header(20, 5, TH_SYN | TH_RST, 1), NET_TCP_DROP_FLAGS);
	CHECK_EQ(parse_header(20, 5, TH_SYN | TH_FIN, 1), NET_TCP_DROP_FLAGS);
}

static void test_scoreboard(void)
{
	struct tcp_sack sb = { 0 };

	tcp_sb_add(&sb, 100, 200);
	tcp_sb_add(&sb, 300, 400);
	tcp_sb_add(&sb, 200, 250); /* touches the first: merged */
	CHECK_EQ(sb.n, 2);
	CHECK(sb.r[0][0] == 100 && sb.r[0][1] == 250);
	tcp_sb_add(&sb, 240, 310); /* bridges both */
	CHECK_EQ(sb.n, 1);
	CHECK(sb.r[0][0] == 100 && sb.r[0][1] == 400);
	CHECK_EQ(tcp_sb_above(&sb, 150), 250);
	tcp_sb_trim(&sb, 150);
	CHECK(sb.n == 1 && sb.r[0][0] == 150);
	tcp_sb_trim(&sb, 400);
	CHECK_EQ(sb.n, 0);
	/* Across the wrap. */
	tcp_sb_add(&sb, 0xfffffff0U, 0x10);
	CHECK_EQ(tcp_sb_above(&sb, 0xfffffff8U), 0x18);
	/* Full: disjoint newcomers are ignored, merges still work. */
	sb.n = 0;
	for (uint32_t i = 0; i < NET_TCP_SACK_RANGES + 5; i++)
		tcp_sb_add(&sb, 1000 * i, 1000 * i + 10);
	CHECK_EQ(sb.n, NET_TCP_SACK_RANGES);
	tcp_sb_add(&sb, 5, 1000);
	CHECK_EQ(sb.n, NET_TCP_SACK_RANGES - 1);
	for (unsigned i = 1; i < sb.n; i++)
		CHECK(seq_lt(sb.r[i - 1][1], sb.r[i][0]));
}

static void test_rto(void)
{
	struct net_tcp c = { 0 };

	tcp_cc_init(&c);
	CHECK_EQ(c.rto_ms, NET_TCP_RTO_INIT_MS);
	tcp_rtt_sample(&c, 100000); /* 100 ms */
	CHECK_EQ(c.srtt_us, 100000);
	CHECK_EQ(c.rttvar_us, 50000);
	CHECK_EQ(c.rto_ms, 300); /* 100 + 4 * 50 */
	tcp_rtt_sample(&c, 100000);
	CHECK_EQ(c.rttvar_us, 37500);
	CHECK_EQ(c.rto_ms, 250);
	for (int i = 0; i < 50; i++)
		tcp_rtt_sample(&c, 50); /* LAN: the floor holds */
	CHECK_EQ(c.rto_ms, NET_TCP_RTO_MIN_MS);
	for (int i = 0; i < 50; i++)
		tcp_rtt_sample(&c, 90000000); /* 90 s: the ceiling */
	CHECK_EQ(c.rto_ms, NET_TCP_RTO_MAX_MS);
}

/* Established connection with SACK, after the harness's handshake. */
static void established(void)
{
	static const struct step s[] = {
		IN_O(TH_SYN, 0, 0, 0, OPT_SACKOK | OPT_MSS),
		OUT(TH_SYN | TH_ACK, 0, 1, 0),
		IN(TH_ACK, 1, 1, 0),
		CALL(call_accept),
		END,
	};
	tcp_test_start();
	tcp_script("established", s);
}

static void data_at(uint32_t rel, size_t len)
{
	static uint8_t d[2048];
	uint32_t seq = PEER_ISS + rel;

	for (size_t i = 0; i < len; i++)
		d[i] = (uint8_t)((seq + i) * 7);
	tcp_peer_segment(PEER_PORT, TH_ACK, seq, t_our_iss + 1, 0, 0, d, len,
			 0xffff);
}

static void test_ooo_queue(void)
{
	static uint8_t b[200000];
	ssize_t n;

	established();
	/* Segments 2..300 of 100 bytes each, the first missing, in reverse
	 * order, some twice: the queue keeps NET_TCP_OOO_SEGS_MAX, lowest
	 * first. */
	for (uint32_t i = 300; i >= 2; i--) {
		data_at(1 + 100 * i, 100);
		if (i % 10 == 0)
			data_at(1 + 100 * i, 100);
	}
	CHECK_EQ(t_conn->ooo_segs, NET_TCP_OOO_SEGS_MAX);
	CHECK_EQ(tcp.ooo_segs, NET_TCP_OOO_SEGS_MAX);
	CHECK(net_counter(NET_TCP_OOO_DROP) > 0);
	CHECK(net_counter(NET_TCP_DUP_DATA) > 0);
	data_at(1, 100);   /* segment 0 */
	data_at(101, 100); /* segment 1: the hole closes */
	CHECK_EQ(t_conn->ooo_segs, 0);
	CHECK_EQ(tcp.ooo_segs, 0);
	n = net_tcp_recv(t_conn, b, sizeof b, NET_NOWAIT);
	CHECK_EQ(n, 100 * (2 + NET_TCP_OOO_SEGS_MAX));
	for (ssize_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)((PEER_ISS + 1 + (uint32_t)i) * 7)) {
			unit_fail(__FILE__, __LINE__, "byte %zd wrong", i);
			break;
		}
	/* Overlapping out-of-order pieces are stitched. */
	data_at(1 + (uint32_t)n + 50, 100);
	data_at(1 + (uint32_t)n + 20, 100);
	data_at(1 + (uint32_t)n, 30);
	CHECK_EQ(net_tcp_recv(t_conn, b, sizeof b, NET_NOWAIT), 150);
}

static void syn_from(uint16_t port, uint32_t seq, int ts)
{
	uint8_t o[16] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 7 };

	tcp_peer_segment(port, TH_SYN, seq, 0, o, ts ? 16 : 4, 0, 0, 0xffff);
}

static void test_syn_cookies(void)
{
	struct tcp_seg s;
	uint32_t iss = 0;
	int seen = 0;

	tcp_test_start();
	t_listener->backlog = NET_TCP_BACKLOG_MAX;
	for (unsigned i = 0; i < NET_TCP_SYNQ_MAX; i++)
		syn_from((uint16_t)(20000 + i), 1000 * i, 0);
	CHECK_EQ(t_listener->syn_len, NET_TCP_SYNQ_MAX);
	CHECK_EQ(net_counter(NET_TCP_COOKIE_TX), 0);
	tcp_out_reset();
	syn_from(30000, 555, 1); /* the queue is full: a cookie */
	CHECK_EQ(net_counter(NET_TCP_COOKIE_TX), 1);
	CHECK_EQ(tcp.conns, NET_TCP_SYNQ_MAX);
	while (tcp_next_out(&s))
		if (s.dport == 30000 && s.flags == (TH_SYN | TH_ACK)) {
			iss = s.seq;
			t_our_tsval = s.opt.tsval;
			seen = 1;
		}
	CHECK(seen);
	/* A forged ACK is refused; the right one makes a connection. */
	tcp_peer_segment(30000, TH_ACK, 556, iss + 2, 0, 0, 0, 0, 0xffff);
	CHECK_EQ(net_counter(NET_TCP_COOKIE_BAD), 1);
	{
		uint8_t o[12] = { 1, 1, 8, 10, 0, 0, 0, 8 };
		put32(o + 8, t_our_tsval);
		tcp_peer_segment(30000, TH_ACK, 556, iss + 1, o, 12, 0, 0,
				 0xffff);
	}
	CHECK_EQ(net_counter(NET_TCP_COOKIE_OK), 1);
	CHECK_EQ(net_tcp_accept(t_listener, &t_conn, NET_NOWAIT), 0);
	CHECK(t_conn && t_conn->state == TCP_ESTABLISHED &&
	      t_conn->rport == 30000);
	CHECK(t_conn && t_conn->mss == 1460 - 12 && (t_conn->flags & TF_TS));
	/* A cookie answered more than two 64 s periods later is stale. */
	syn_from(30002, 777, 0);
	while (tcp_next_out(&s))
		if (s.dport == 30002 && s.flags == (TH_SYN | TH_ACK))
			iss = s.seq;
	fake_mono += 200 * NS_PER_S;
	tcp_peer_segment(30002, TH_ACK, 778, iss + 1, 0, 0, 0, 0, 0xffff);
	CHECK_EQ(net_counter(NET_TCP_COOKIE_BAD), 2);
	CHECK_EQ(net_counter(NET_TCP_COOKIE_OK), 1);
}

static void test_hostile_syn_options(void)
{
	/* MSS 1, window scale 20: raised to the floor, clamped to 14. */
	uint8_t o[8] = { 2, 4, 0, 1, 1, 3, 3, 20 };

	tcp_test_start();
	tcp_peer_segment(PEER_PORT, TH_SYN, 1, 0, o, 8, 0, 0, 0xffff);
	CHECK_EQ(net_counter(NET_TCP_MSS_RAISED), 1);
	CHECK_EQ(net_counter(NET_TCP_WSCALE_CLAMPED), 1);
	{
		struct net_tcp *c = tcp_lookup(PEER_IP, US_PORT, PEER_PORT);
		CHECK(c && c->mss == NET_TCP_MSS_MIN && c->snd_wscale == 14);
	}
	/* An option loop (length 0) ends parsing; the SYN still counts. */
	o[1] = 0;
	tcp_peer_segment(PEER_PORT + 1, TH_SYN, 1, 0, o, 8, 0, 0, 0xffff);
	CHECK_EQ(net_counter(NET_TCP_OPT_MALFORMED), 1);
	CHECK_EQ(t_listener->syn_len, 2);
}

/* A full connection table: new connections are refused (a SYN gets a
 * cookie, its ACK finds no room), the existing one keeps working. */
static void test_full_table(void)
{
	struct tcp_seg s;
	uint32_t iss = 0;
	unsigned real;

	established();
	real = tcp.conns;
	tcp.conns = NET_TCP_CONNS_MAX; /* as if the table were full */
	tcp_out_reset();
	syn_from(30100, 99, 0);
	CHECK_EQ(net_counter(NET_TCP_COOKIE_TX), 1);
	while (tcp_next_out(&s))
		if (s.dport == 30100)
			iss = s.seq;
	tcp_peer_segment(30100, TH_ACK, 100, iss + 1, 0, 0, 0, 0, 0xffff);
	CHECK_EQ(net_counter(NET_TCP_TABLE_FULL), 1);
	CHECK(tcp_lookup(PEER_IP, US_PORT, 30100) == 0);
	data_at(1, 100);
	CHECK_EQ(net_tcp_readable(t_conn), 100);
	tcp.conns = real;
}

static const struct unit_test tests[] = {
	{ "full-connection-table", test_full_table },
	{ "sequence-arithmetic-wrap", test_seq },
	{ "checksum-matches-reference", test_checksum },
	{ "options-malformed", test_options },
	{ "header-malformed", test_header },
	{ "sack-scoreboard", test_scoreboard },
	{ "rto-estimator", test_rto },
	{ "out-of-order-queue-caps", test_ooo_queue },
	{ "syn-queue-then-cookies", test_syn_cookies },
	{ "hostile-syn-options", test_hostile_syn_options },
};
const struct unit_suite suite_tcpparts = UNIT_SUITE("tcpparts", tests);
