/* TCP's timers and loss recovery driven by scripted segments
 * (tcp_script.h): retransmission timeout with backoff and the loss
 * window, the user timeout, persist against a zero window, keepalive,
 * SACK-guided fast retransmit, early retransmit, limited transmit and
 * the tail-loss probe. */
#include <errno.h>

#include "pith/param.h"
#include "tcp_script.h"
#include "unit.h"

static void check_timed_out(void)
{
	CHECK_EQ(net_tcp_error(t_conn), -ETIMEDOUT);
}

static void test_rto(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		CALL(send_100),
		OUT(TH_ACK | TH_PSH, 1, 1, 100),
		WAIT(NET_TCP_RTO_INIT_MS - 10),
		QUIET,
		WAIT(20),
		OUT(TH_ACK | TH_PSH, 1, 1, 100),
		WAIT(NET_TCP_RTO_INIT_MS * 2 + 10), /* backed off */
		OUT(TH_ACK | TH_PSH, 1, 1, 100),
		IN(TH_ACK, 1, 101, 0),
		QUIET,
		WAIT(10000),
		QUIET,
		END,
	};
	tcp_test_start();
	tcp_script("rto", s);
	CHECK_EQ(net_counter(NET_TCP_RTO), 2);
	/* The loss window (one segment) grew by the 100 bytes acked. */
	CHECK_EQ(t_conn->cwnd, t_conn->mss + 100);
	CHECK_EQ(t_conn->ssthresh, 2 * t_conn->mss);
}

static void set_user_timeout(void)
{
	net_tcp_set_user_timeout(t_conn, 2500);
}

static void test_user_timeout(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		CALL(set_user_timeout),
		CALL(send_100),
		OUT(TH_ACK | TH_PSH, 1, 1, 100),
		WAIT(1000),
		OUT(TH_ACK | TH_PSH, 1, 1, 100),
		WAIT(2000),
		OUT(TH_ACK | TH_PSH, 1, 1, 100),
		WAIT(4000), /* 6 s unanswered: over 2.5 s */
		QUIET,
		CALL(check_timed_out),
		END,
	};
	tcp_test_start();
	tcp_script("user-timeout", s);
	CHECK_EQ(net_counter(NET_TCP_USER_TIMEOUT), 1);
}

static void test_persist(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		IN_W(TH_ACK, 1, 1, 0, 0), /* the window closes */
		CALL(send_100),
		QUIET,
		WAIT(NET_TCP_RTO_INIT_MS + 10),
		OUT(TH_ACK, 0, 1, 0), /* probe: seq snd_una - 1 */
		IN_W(TH_ACK, 1, 1, 0, 0),
		WAIT(NET_TCP_RTO_INIT_MS * 2 + 10),
		OUT(TH_ACK, 0, 1, 0),
		IN_W(TH_ACK, 1, 1, 0, 1000), /* it opens */
		OUT(TH_ACK | TH_PSH, 1, 1, 100),
		END,
	};
	tcp_test_start();
	tcp_script("persist", s);
	CHECK_EQ(net_counter(NET_TCP_PROBE), 2);
}

static void keepalive_on(void)
{
	CHECK_EQ(net_tcp_set_keepalive(t_conn, 1, 1, 2), 0);
	CHECK_EQ(net_tcp_set_keepalive(t_conn, 1, 0, 2), -EINVAL);
}

static void test_keepalive(void)
{
	static const struct step s[] = {
		HANDSHAKE,
		CALL(keepalive_on),
		WAIT(1010),
		OUT(TH_ACK, 0, 1, 0),
		IN(TH_ACK, 1, 1, 0), /* answered: idle again */
		WAIT(1010),
		OUT(TH_ACK, 0, 1, 0),
		WAIT(1000),
		OUT(TH_ACK, 0, 1, 0),
		WAIT(1000), /* two unanswered: given up */
		OUT(TH_RST | TH_ACK, 1, 1, 0),
		CALL(check_timed_out),
		END,
	};
	tcp_test_start();
	tcp_script("keepalive", s);
	CHECK_EQ(net_counter(NET_TCP_KEEPALIVE), 3);
	CHECK_EQ(net_counter(NET_TCP_KEEPALIVE_DROP), 1);
}

/* CALL steps that queue BYTES on t_conn with Nagle off. */
#define SENDER(name, bytes)                                                    \
	static void name(void)                                                 \
	{                                                                      \
		call_nodelay();                                                \
		send_n(bytes);                                                 \
	}
SENDER(send_10_segments, 10 * 1448)
SENDER(send_3_segments, 3 * 1448)
SENDER(send_12_segments, 12 * 1448)
SENDER(send_4_segments, 4 * 1448)
SENDER(send_4_small, 4 * 536)
SENDER(send_10_and_a_bit, 10 * 1448 + 100)
SENDER(send_20_segments, 20 * 1448)

static void check_recovered(void)
{
	CHECK(!(t_conn->flags & TF_RECOVERY));
	CHECK_EQ(t_conn->cwnd, t_conn->ssthresh);
}

#define SEG(i) (1 + (i)*1448)
/* The first nine full segments of a send, in order. */
#define OUT_SEGS_0_TO_8                                                        \
	OUT(TH_ACK, SEG(0), 1, 1448), OUT(TH_ACK, SEG(1), 1, 1448),            \
		OUT(TH_ACK, SEG(2), 1, 1448), OUT(TH_ACK, SEG(3), 1, 1448),    \
		OUT(TH_ACK, SEG(4), 1, 1448), OUT(TH_ACK, SEG(5), 1, 1448),    \
		OUT(TH_ACK, SEG(6), 1, 1448), OUT(TH_ACK, SEG(7), 1, 1448),    \
		OUT(TH_ACK, SEG(8), 1, 1448)
static void test_sack_fast_retransmit(void)
{
	static const struct step s[] = {
		HANDSHAKE_ALL,
		CALL(send_10_segments),
		OUT_SEGS_0_TO_8,
		OUT(TH_ACK | TH_PSH, SEG(9), 1, 1448),
		/* Segment 1 is lost; 2, 3 and 4 arrive. */
		IN_SACK(1, SEG(1), SEG(2), SEG(3)),
		IN_SACK(1, SEG(1), SEG(2), SEG(4)),
		QUIET,
		IN_SACK(1, SEG(1), SEG(2), SEG(5)),
		OUT(TH_ACK, SEG(1), 1, 1448), /* the hole, at once */
		IN(TH_ACK, 1, SEG(10), 0),
		CALL(check_recovered),
		END,
	};
	tcp_test_start();
	tcp_script("sack-fast-retransmit", s);
	CHECK_EQ(net_counter(NET_TCP_FAST_RTX), 1);
	CHECK_EQ(net_counter(NET_TCP_RTO), 0);
	CHECK(t_conn->sack == 0);
}

/* The same loss on a device with segmentation offload: the ten segments
 * leave in one frame that the fake device checks and cuts (the script
 * sees the segments, checksummed, PSH on the last only); the
 * retransmission is one segment of its own. */
static void test_sack_fast_retransmit_tso(void)
{
	fake_tso_max = PITH_TSO_FRAME_MAX;
	test_sack_fast_retransmit();
	CHECK_EQ(fake_net_tso_frames, 1);
	CHECK_EQ(net_counter(NET_ETH_TX_TSO), 1);
	fake_tso_max = 0;
}

/* Early retransmit (RFC 5827): three segments, the first lost, nothing
 * more to send. Three duplicate ACKs can never come; the second one
 * (two segments SACKed) starts the retransmission, not the timeout. */
static void test_early_retransmit(void)
{
	static const struct step s[] = {
		HANDSHAKE_ALL,
		CALL(send_3_segments),
		OUT(TH_ACK, SEG(0), 1, 1448),
		OUT(TH_ACK, SEG(1), 1, 1448),
		OUT(TH_ACK | TH_PSH, SEG(2), 1, 1448),
		IN_SACK(1, SEG(0), SEG(1), SEG(2)),
		QUIET, /* one duplicate ACK may be reordering */
		IN_SACK(1, SEG(0), SEG(1), SEG(3)),
		OUT(TH_ACK, SEG(0), 1, 1448),
		IN(TH_ACK, 1, SEG(3), 0),
		QUIET,
		END,
	};
	tcp_test_start();
	tcp_script("early-retransmit", s);
	CHECK_EQ(net_counter(NET_TCP_FAST_RTX), 1);
	CHECK_EQ(net_counter(NET_TCP_RTO), 0);
}

/* Limited transmit (RFC 3042): the initial window (ten segments) is
 * full and the first is lost; each of the first two duplicate ACKs lets
 * one new segment out, and the third brings the fast retransmission. */
static void test_limited_transmit(void)
{
	static const struct step s[] = {
		HANDSHAKE_ALL,
		CALL(send_12_segments),
		OUT_SEGS_0_TO_8,
		OUT(TH_ACK, SEG(9), 1, 1448),
		QUIET, /* the window is full */
		IN_SACK(1, SEG(0), SEG(1), SEG(2)),
		OUT(TH_ACK, SEG(10), 1, 1448),
		IN_SACK(1, SEG(0), SEG(1), SEG(3)),
		OUT(TH_ACK | TH_PSH, SEG(11), 1, 1448),
		IN_SACK(1, SEG(0), SEG(1), SEG(4)),
		OUT(TH_ACK, SEG(0), 1, 1448),
		IN(TH_ACK, 1, SEG(12), 0),
		END,
	};
	tcp_test_start();
	tcp_script("limited-transmit", s);
	CHECK_EQ(net_counter(NET_TCP_FAST_RTX), 1);
	CHECK_EQ(net_counter(NET_TCP_RTO), 0);
}

/* Segments sent since the last call: how many, and how many at SEQ. */
static unsigned drain(int32_t seq, unsigned *at)
{
	struct tcp_seg o;
	unsigned n = 0;

	*at = 0;
	while (tcp_next_out(&o)) {
		n++;
		*at += o.dlen && (int32_t)(o.seq - t_our_iss) == seq;
	}
	return n;
}

/* A lost retransmission: the first of twenty segments is lost, and so is
 * its fast retransmission. The peer then SACKs a segment first sent after
 * that retransmission: snd_una's segment goes a third time at once
 * instead of after the RTO. Before that SACK, nothing goes again. */
static void test_lost_retransmission(void)
{
	static const struct step start[] = {
		HANDSHAKE_ALL,
		CALL(send_20_segments),
		END,
	};
	struct step in[] = { IN_SACK(1, SEG(0), SEG(1), SEG(2)), END };
	unsigned sent, at0, total0 = 0, k;

	tcp_test_start();
	tcp_script("lost-retransmission", start);
	sent = drain(SEG(0), &at0);
	CHECK_EQ(sent, 10); /* the initial window */
	total0 += at0;
	/* The peer holds 1, 2, ... while 0 and its retransmission are lost:
	 * SACKs up to the first segment sent after the retransmission. */
	for (k = 2; k <= 20 && !net_counter(NET_TCP_LOST_RTX); k++) {
		in[0].sack[1] = SEG(k);
		tcp_script("lost-retransmission", in);
		drain(SEG(0), &at0);
		total0 += at0;
		if (k < 5)
			CHECK_EQ(total0,
				 1 + (k == 4)); /* fast rtx at the 3rd */
	}
	CHECK_EQ(net_counter(NET_TCP_FAST_RTX), 1);
	CHECK_EQ(net_counter(NET_TCP_LOST_RTX), 1);
	CHECK_EQ(total0, 3);
	CHECK(k > 12); /* not before data sent after the first resend */
	CHECK_EQ(net_counter(NET_TCP_RTO), 0);
}

/* Tail-loss probe (RFC 8985 7): the last two of four segments are lost.
 * Nothing would bring a duplicate ACK, so after the probe timeout (twice
 * the RTT, NET_TCP_TLP_MIN_MS here) the last segment goes again; its
 * SACK shows the hole, which early retransmit then fills: no RTO. */
static void test_tail_loss_probe(void)
{
	static const struct step s[] = {
		HANDSHAKE_ALL,
		CALL(send_4_segments),
		OUT(TH_ACK, SEG(0), 1, 1448),
		OUT(TH_ACK, SEG(1), 1, 1448),
		OUT(TH_ACK, SEG(2), 1, 1448),
		OUT(TH_ACK | TH_PSH, SEG(3), 1, 1448),
		IN(TH_ACK, 1, SEG(2), 0),
		WAIT(NET_TCP_TLP_MIN_MS - 1),
		QUIET,
		WAIT(2),
		OUT(TH_ACK | TH_PSH, SEG(3), 1, 1448), /* the probe */
		IN_SACK(1, SEG(2), SEG(3), SEG(4)),
		OUT(TH_ACK, SEG(2), 1, 1448), /* the hole */
		IN(TH_ACK, 1, SEG(4), 0),
		WAIT(NET_TCP_RTO_MAX_MS),
		QUIET,
		END,
	};
	tcp_test_start();
	tcp_script("tail-loss-probe", s);
	CHECK_EQ(net_counter(NET_TCP_TLP), 1);
	CHECK_EQ(net_counter(NET_TCP_FAST_RTX), 1);
	CHECK_EQ(net_counter(NET_TCP_RTO), 0);
}

/* A probe repairs the loss by itself: the ACK covers all, and the window
 * halves as after a fast recovery. */
static void test_tail_loss_probe_repairs(void)
{
	static const struct step s[] = {
		HANDSHAKE_ALL,
		CALL(send_4_segments),
		OUT(TH_ACK, SEG(0), 1, 1448),
		OUT(TH_ACK, SEG(1), 1, 1448),
		OUT(TH_ACK, SEG(2), 1, 1448),
		OUT(TH_ACK | TH_PSH, SEG(3), 1, 1448),
		IN(TH_ACK, 1, SEG(2), 0), /* 2 and 3 arrived, their ACK not */
		WAIT(NET_TCP_TLP_MIN_MS + 1),
		OUT(TH_ACK | TH_PSH, SEG(3), 1, 1448),
		IN(TH_ACK, 1, SEG(4), 0),
		QUIET,
		END,
	};
	tcp_test_start();
	tcp_script("tail-loss-probe-repairs", s);
	CHECK_EQ(net_counter(NET_TCP_TLP), 1);
	CHECK_EQ(net_counter(NET_TCP_RTO), 0);
	CHECK_EQ(t_conn->ssthresh, t_conn->cwnd);
	CHECK(!(t_conn->flags & (TF_TLP_OUT | TF_PTO)));
}

/* The initial window (ten segments) is out and more waits: the probe is
 * the next new segment (the peer's window takes it), and the window
 * stays as it was. Without SACK there is no probe at all. */
static void test_tail_loss_probe_new_data(void)
{
	static const struct step s[] = {
		HANDSHAKE_ALL,
		CALL(send_12_segments),
		OUT_SEGS_0_TO_8,
		OUT(TH_ACK, SEG(9), 1, 1448),
		WAIT(NET_TCP_TLP_MIN_MS + 1),
		OUT(TH_ACK, SEG(10), 1, 1448),
		QUIET,
		END,
	};
	static const struct step plain[] = {
		HANDSHAKE,
		CALL(send_4_small),
		OUT(TH_ACK, 1, 1, 536),
		OUT(TH_ACK, 537, 1, 536),
		OUT(TH_ACK, 1073, 1, 536),
		OUT(TH_ACK | TH_PSH, 1609, 1, 536),
		WAIT(NET_TCP_RTO_MIN_MS - 1),
		QUIET,
		END,
	};
	tcp_test_start();
	tcp_script("tail-loss-probe-new-data", s);
	CHECK_EQ(net_counter(NET_TCP_TLP), 1);
	CHECK_EQ(t_conn->ssthresh, 1U << 30); /* no loss was assumed */
	tcp_test_start();
	tcp_script("no-probe-without-sack", plain);
	CHECK_EQ(net_counter(NET_TCP_TLP), 0);
}

/* With offload, a frame holds whole segments unless it reaches the end
 * of the queue. The peer's window (62 << 7 = 7,936 bytes: five segments
 * and 696 bytes) cuts the first frame to five whole segments, not five
 * and a sliver; once they are acknowledged the window covers the rest,
 * which goes as one frame ending in a short segment with PSH. */
static void test_tso_whole_segments(void)
{
	static const struct step s[] = {
		HANDSHAKE_ALL,
		IN_W(TH_ACK, 1, 1, 0, 62),
		CALL(send_10_and_a_bit),
		OUT(TH_ACK, SEG(0), 1, 1448),
		OUT(TH_ACK, SEG(1), 1, 1448),
		OUT(TH_ACK, SEG(2), 1, 1448),
		OUT(TH_ACK, SEG(3), 1, 1448),
		OUT(TH_ACK, SEG(4), 1, 1448),
		QUIET,
		IN_W(TH_ACK, 1, SEG(5), 0, 62),
		OUT(TH_ACK, SEG(5), 1, 1448),
		OUT(TH_ACK, SEG(6), 1, 1448),
		OUT(TH_ACK, SEG(7), 1, 1448),
		OUT(TH_ACK, SEG(8), 1, 1448),
		OUT(TH_ACK, SEG(9), 1, 1448),
		OUT(TH_ACK | TH_PSH, SEG(10), 1, 100),
		QUIET,
		END,
	};
	fake_tso_max = PITH_TSO_FRAME_MAX;
	tcp_test_start();
	tcp_script("tso-whole-segments", s);
	CHECK_EQ(fake_net_tso_frames, 2);
	CHECK_EQ(net_counter(NET_TCP_RTX), 0);
	fake_tso_max = 0;
}

static const struct unit_test tests[] = {
	{ "rto-backoff-loss-window", test_rto },
	{ "user-timeout", test_user_timeout },
	{ "persist-zero-window", test_persist },
	{ "keepalive", test_keepalive },
	{ "sack-fast-retransmit", test_sack_fast_retransmit },
	{ "sack-fast-retransmit-tso", test_sack_fast_retransmit_tso },
	{ "early-retransmit", test_early_retransmit },
	{ "limited-transmit", test_limited_transmit },
	{ "lost-retransmission", test_lost_retransmission },
	{ "tail-loss-probe", test_tail_loss_probe },
	{ "tail-loss-probe-repairs", test_tail_loss_probe_repairs },
	{ "tail-loss-probe-new-data", test_tail_loss_probe_new_data },
	{ "tso-whole-segments", test_tso_whole_segments },
};
const struct unit_suite suite_tcptimers = UNIT_SUITE("tcptimers", tests);
