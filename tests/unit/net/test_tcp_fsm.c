/* The TCP state machine driven by scripted segments (tcp_script.h): the
 * opens (passive, active, simultaneous, refused), the closes (passive,
 * active with TIME-WAIT, simultaneous, reset on unread data), RFC 5961
 * answers, PAWS, the window, delayed ACKs and Nagle, out-of-order data.
 * Timers and recovery are in test_tcp_timers.c. Every script's peer
 * sequence numbers cross 2^32. */
#include <errno.h>

#include "../../../lib/core/impl.h"
#include "tcp_script.h"
#include "unit.h"

static int connect_result = 1;

static void connector(void *arg)
{
	struct net_tcp *c = 0;

	(void)arg;
	connect_result = net_tcp_connect(PEER_IP, PEER_PORT, &c, NET_FOREVER);
	if (connect_result == 0)
		t_conn = c;
}

static void call_connect(void)
{
	connect_result = 1;
	core_fiber_spawn(connector, 0, 0, "connect");
}

static void check_connected(void)
{
	CHECK_EQ(connect_result, 0);
	CHECK(t_conn && t_conn->state == TCP_ESTABLISHED);
}

static void check_refused(void)
{
	CHECK_EQ(connect_result, -ECONNREFUSED);
	CHECK_EQ(net_counter(NET_TCP_REFUSED), 1);
}

static void check_no_conns(void)
{
	CHECK_EQ(tcp.conns, 0);
}

static void check_tw_1(void)
{
	CHECK_EQ(tcp.conns, 0);
	CHECK_EQ(tcp_tw_count(), 1);
}

static void check_tw_0(void)
{
	CHECK_EQ(tcp_tw_count(), 0);
}

/* Reads N bytes and checks they are the peer's pattern from seq 1. */
static void recv_check(size_t n)
{
	static uint8_t b[65536];
	ssize_t got = net_tcp_recv(t_conn, b, sizeof b, NET_NOWAIT);

	CHECK_EQ(got, (long long)n);
	for (size_t i = 0; i < n && got > 0; i++)
		if (b[i] != (uint8_t)((PEER_ISS + 1 + i) * 7)) {
			unit_fail(__FILE__, __LINE__, "byte %zu is wrong", i);
			break;
		}
}
static void recv_1172(void)
{
	recv_check(1172);
}
static void recv_200(void)
{
	recv_check(200);
}

static void test_passive_open_close(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		IN(TH_ACK | TH_PSH, 1, 1, 100),
		QUIET, /* the ACK is delayed */
		WAIT(50),
		OUT(TH_ACK, 1, 101, 0),
		IN(TH_ACK, 101, 1, 536),
		IN(TH_ACK, 637, 1, 536),
		OUT(TH_ACK, 1, 1173, 0), /* two full segments: at once */
		CALL(recv_1172),
		IN(TH_FIN | TH_ACK, 1173, 1, 0),
		OUT(TH_ACK, 1, 1174, 0),
		CALL(call_close),
		OUT(TH_FIN | TH_ACK, 1, 1174, 0),
		IN(TH_ACK, 1174, 2, 0),
		QUIET,
		CALL(check_no_conns),
		END,
	};
	tcp_test_start();
	tcp_script("passive", s);
	CHECK_EQ(net_counter(NET_TCP_DELACK), 1);
}

static void test_active_close_time_wait(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		CALL(send_10),
		OUT(TH_ACK | TH_PSH, 1, 1, 10),
		IN(TH_ACK, 1, 11, 0),
		CALL(call_close),
		OUT(TH_FIN | TH_ACK, 11, 1, 0),
		IN(TH_ACK, 1, 12, 0),
		QUIET, /* FIN-WAIT-2 */
		IN(TH_FIN | TH_ACK, 1, 12, 0),
		OUT(TH_ACK, 12, 2, 0),
		CALL(check_tw_1),
		IN(TH_FIN | TH_ACK, 1, 12, 0), /* our ACK was lost */
		OUT(TH_ACK, 12, 2, 0),
		IN(TH_RST, 2, 0, 0), /* RFC 1337: ignored */
		QUIET,
		CALL(check_tw_1),
		WAIT(NET_TCP_TIMEWAIT_S * 1000 + 1000),
		CALL(check_tw_0),
		END,
	};
	tcp_test_start();
	tcp_script("time-wait", s);
	CHECK_EQ(net_counter(NET_TCP_RST_IGNORED), 1);
}

static void test_time_wait_reuse(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		CALL(call_close),
		OUT(TH_FIN | TH_ACK, 1, 1, 0),
		IN(TH_FIN | TH_ACK, 1, 2, 0),
		OUT(TH_ACK, 2, 2, 0),
		CALL(check_tw_1),
		IN(TH_SYN, 100000, 0, 0), /* a new incarnation, higher */
		OUT_O(TH_SYN | TH_ACK, 0, 100001, 0, CHK_ANYSEQ),
		CALL(check_tw_0),
		END,
	};
	tcp_test_start();
	tcp_script("time-wait-reuse", s);
	CHECK_EQ(net_counter(NET_TCP_TW_REUSED), 1);
}

static void test_simultaneous_close(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		CALL(call_close),
		OUT(TH_FIN | TH_ACK, 1, 1, 0),
		IN(TH_FIN | TH_ACK, 1, 1, 0), /* crossed: ours not acked */
		OUT(TH_ACK, 2, 2, 0),	      /* CLOSING */
		IN(TH_ACK, 2, 2, 0),
		QUIET,
		CALL(check_tw_1),
		END,
	};
	tcp_test_start();
	tcp_script("simultaneous-close", s);
}

static void test_active_open(void)
{
	static const struct step s[] = {
		CALL(call_connect),
		OUT(TH_SYN, 0, 0, 0),
		IN_O(TH_SYN | TH_ACK, 0, 1, 0, OPT_SYNALL),
		OUT(TH_ACK, 1, 1, 0),
		CALL(check_connected),
		END,
	};
	tcp_test_start();
	tcp_script("active-open", s);
	CHECK(t_conn && (t_conn->flags & TF_SACK) && (t_conn->flags & TF_TS));
	CHECK(t_conn && t_conn->snd_wscale == 7 && t_conn->mss == 1448);
	CHECK(t_conn && t_conn->srtt_us != 0); /* the SYN was timed */
}

static void test_simultaneous_open(void)
{
	static const struct step s[] = {
		CALL(call_connect),
		OUT(TH_SYN, 0, 0, 0),
		IN(TH_SYN, 0, 0, 0), /* the peer's own SYN crosses ours */
		OUT(TH_SYN | TH_ACK, 0, 1, 0),
		IN(TH_SYN | TH_ACK, 0, 1, 0),
		QUIET,
		CALL(check_connected),
		END,
	};
	tcp_test_start();
	tcp_script("simultaneous-open", s);
}

static void test_refused(void)
{
	static const struct step s[] = {
		CALL(call_connect),
		OUT(TH_SYN, 0, 0, 0),
		IN(TH_RST | TH_ACK, 0, 1, 0),
		CALL(check_refused),
		END,
	};
	tcp_test_start();
	tcp_script("refused", s);
	CHECK_EQ(tcp.conns, 0);
}

static void check_alive(void)
{
	CHECK(t_conn->state == TCP_ESTABLISHED);
}

static void check_reset(void)
{
	uint8_t b[8];

	CHECK_EQ(net_tcp_error(t_conn), -ECONNRESET);
	CHECK_EQ(net_tcp_recv(t_conn, b, sizeof b, NET_NOWAIT), -ECONNRESET);
	CHECK_EQ(net_tcp_send(t_conn, b, 1, NET_NOWAIT), -ENOTCONN);
	net_tcp_close(t_conn);
	CHECK_EQ(tcp.conns, 0);
}

static void test_rfc5961(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		IN(TH_RST, 100, 0, 0), /* in the window, not rcv_nxt */
		OUT(TH_ACK, 1, 1, 0),  /* challenge */
		CALL(check_alive),
		IN(TH_SYN, 5, 0, 0), /* SYN on an established connection */
		OUT(TH_ACK, 1, 1, 0),
		CALL(check_alive),
		IN(TH_ACK | TH_PSH, 1, 1000, 10), /* ACKs data never sent */
		OUT(TH_ACK, 1, 1, 0),
		IN(TH_RST, 300000, 0, 0), /* outside the window: nothing */
		QUIET,
		IN(TH_ACK | TH_PSH, 300000, 1, 10), /* data outside: ACK */
		OUT(TH_ACK, 1, 1, 0),
		IN(TH_RST, 1, 0, 0), /* exactly rcv_nxt: reset */
		QUIET,
		CALL(check_reset),
		END,
	};
	tcp_test_start();
	tcp_script("rfc5961", s);
	CHECK_EQ(net_counter(NET_TCP_CHALLENGE_TX), 3);
	CHECK_EQ(net_counter(NET_TCP_SYN_IN_WINDOW), 1);
	CHECK_EQ(net_counter(NET_TCP_DROP_ACK_UNSENT), 1);
	CHECK_EQ(net_counter(NET_TCP_DROP_WINDOW), 2);
}

/* Many blind RSTs: challenge ACKs stay within the per-second limit. */
static void test_challenge_limit(void)
{
	static const struct step s[] = { HANDSHAKE, END };

	tcp_test_start();
	tcp_script("challenge-limit", s);
	for (int i = 0; i < 100; i++)
		tcp_peer_segment(PEER_PORT, TH_RST, PEER_ISS + 50 + (uint32_t)i,
				 0, 0, 0, 0, 0, 0xffff);
	CHECK_EQ(net_counter(NET_TCP_CHALLENGE_TX), NET_TCP_CHALLENGE_PER_S);
	CHECK_EQ(net_counter(NET_TCP_CHALLENGE_LIMITED),
		 100 - NET_TCP_CHALLENGE_PER_S);
	CHECK(t_conn->state == TCP_ESTABLISHED);
}

static void readable_10(void)
{
	CHECK_EQ(net_tcp_readable(t_conn), 10);
}

static void test_paws(void)
{
	static const struct step s[] = {
		IN_O(TH_SYN, 0, 0, 0, OPT_TS),
		OUT(TH_SYN | TH_ACK, 0, 1, 0),
		IN_TS(TH_ACK, 1, 1, 0, 2000),
		CALL(call_accept),
		IN_TS(TH_ACK | TH_PSH, 1, 1, 10, 2001),
		IN_TS(TH_ACK | TH_PSH, 11, 1, 10, 1500), /* older: stale */
		OUT(TH_ACK, 1, 11, 0),
		CALL(readable_10),
		END,
	};
	tcp_test_start();
	tcp_script("paws", s);
	CHECK_EQ(net_counter(NET_TCP_DROP_PAWS), 1);
}

static void closed_port(void)
{
	t_our_port = 8;
}

static void test_closed_port(void)
{
	static const struct step s[] = {
		CALL(closed_port),
		IN(TH_SYN, 0, 0, 0),
		OUT(TH_RST | TH_ACK, 0, 1, 0),
		IN(TH_ACK, 1, 77, 0),
		OUT(TH_RST, 77, 0, 0), /* seq = the ACK it answers */
		IN(TH_RST, 1, 0, 0),
		QUIET,
		END,
	};
	tcp_test_start();
	tcp_script("closed-port", s);
	CHECK_EQ(net_counter(NET_TCP_NO_CONN), 3);
}

static void test_close_unread_resets(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		IN(TH_ACK | TH_PSH, 1, 1, 100),
		CALL(call_close),
		OUT(TH_RST | TH_ACK, 1, 101, 0),
		CALL(check_no_conns),
		END,
	};
	tcp_test_start();
	tcp_script("close-unread", s);
	CHECK_EQ(net_counter(NET_TCP_ABORT_UNREAD), 1);
}

static void test_data_after_fin(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		IN(TH_FIN | TH_ACK, 1, 1, 0),
		OUT(TH_ACK, 1, 2, 0),
		CALL(send_10), /* half-closed: we may still send */
		OUT(TH_ACK | TH_PSH, 1, 2, 10),
		IN(TH_ACK | TH_PSH, 2, 11, 10), /* data after the FIN */
		OUT(TH_ACK, 11, 2, 0),
		END,
	};
	tcp_test_start();
	tcp_script("data-after-fin", s);
	CHECK_EQ(net_counter(NET_TCP_DATA_AFTER_FIN), 1);
	CHECK_EQ(net_tcp_recv(t_conn, (uint8_t[4]){ 0 }, 4, NET_NOWAIT), 0);
}

static void shut_window(void)
{
	t_conn->rcv_adv = t_conn->rcv_nxt; /* as if we had offered 0 */
}

static void readable_0(void)
{
	CHECK_EQ(net_tcp_readable(t_conn), 0);
}

/* Data into a shut window is answered at once with the window (0), so the
 * sender probes instead of backing off its retransmissions. */
static void test_data_into_shut_window(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		CALL(shut_window),
		IN(TH_ACK | TH_PSH, 1, 1, 100),
		OUT(TH_ACK, 1, 1, 0),
		CALL(readable_0),
		END,
	};
	tcp_test_start();
	tcp_script("shut-window", s);
}

static void test_nagle(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		CALL(send_10),
		OUT(TH_ACK | TH_PSH, 1, 1, 10),
		CALL(send_10), /* unacknowledged data: it waits */
		QUIET,
		IN(TH_ACK, 1, 11, 0),
		OUT(TH_ACK | TH_PSH, 11, 1, 10),
		IN(TH_ACK, 1, 21, 0),
		CALL(call_nodelay),
		CALL(send_10),
		OUT(TH_ACK | TH_PSH, 21, 1, 10),
		CALL(send_10), /* nodelay: at once */
		OUT(TH_ACK | TH_PSH, 31, 1, 10),
		END,
	};
	tcp_test_start();
	tcp_script("nagle", s);
}

static void test_ooo_sack(void)
{
	static const struct step s[] = {
		HANDSHAKE_ALL,
		IN(TH_ACK, 101, 1, 100), /* a hole before it */
		OUT_O(TH_ACK, 1, 1, 0, CHK_SACK),
		IN(TH_ACK, 1, 1, 100),
		OUT(TH_ACK, 1, 201, 0),
		CALL(recv_200),
		END,
	};
	tcp_test_start();
	tcp_script("ooo-sack", s);
	CHECK_EQ(net_counter(NET_TCP_OOO), 1);
	CHECK_EQ(tcp.ooo_segs, 0);
}

static const struct unit_test tests[] = {
	{ "passive-open-delayed-ack-close", test_passive_open_close },
	{ "active-close-time-wait", test_active_close_time_wait },
	{ "time-wait-reopened-by-syn", test_time_wait_reuse },
	{ "simultaneous-close", test_simultaneous_close },
	{ "active-open-options", test_active_open },
	{ "simultaneous-open", test_simultaneous_open },
	{ "connect-refused", test_refused },
	{ "rfc5961-challenges", test_rfc5961 },
	{ "challenge-ack-rate-limit", test_challenge_limit },
	{ "paws", test_paws },
	{ "closed-port-rst", test_closed_port },
	{ "close-with-unread-data-resets", test_close_unread_resets },
	{ "half-close-data-after-fin", test_data_after_fin },
	{ "nagle-and-nodelay", test_nagle },
	{ "data-into-shut-window-acked", test_data_into_shut_window },
	{ "out-of-order-sack-blocks", test_ooo_sack },
};
const struct unit_suite suite_tcpfsm = UNIT_SUITE("tcpfsm", tests);
