/* RTT estimation and the retransmission timeout (RFC 6298), and
 * congestion control: slow start and congestion avoidance (RFC 5681),
 * fast retransmit and recovery with NewReno's partial ACKs (RFC 6582),
 * guided by the SACK scoreboard when the peer sends SACK (RFC 6675's
 * pipe instead of window inflation), limited transmit (RFC 3042) and
 * early retransmit (RFC 5827), so that a small window still recovers a
 * loss without waiting for the timeout. Windows are in bytes.
 *
 * Differences from the RFCs, as in Linux: the RTO floor is
 * NET_TCP_RTO_MIN_MS (200 ms) rather than 1 s, and slow start grows the
 * window by every byte an ACK covers (stretch ACKs from receivers that
 * coalesce do not slow it down). Karn's rule: without timestamps only a
 * segment never retransmitted is timed; with timestamps every ACK that
 * advances snd_una gives a sample (RFC 7323 4.1). */
#include "tcp_impl.h"

/* The initial window (RFC 6928): ten segments, at most 14,600 bytes but
 * at least two segments. */
static uint32_t initial_window(uint32_t mss)
{
	uint32_t w = 10 * mss;

	if (w > 14600)
		w = 14600 > 2 * mss ? 14600 : 2 * mss;
	return w;
}

/* Congestion windows beyond this mean nothing (the send buffer caps
 * what is in flight far below) and must not overflow. */
#define CWND_MAX (1U << 30)

void tcp_cc_init(struct net_tcp *c)
{
	c->cwnd = initial_window(c->mss);
	c->ssthresh = CWND_MAX;
	c->rto_ms = NET_TCP_RTO_INIT_MS;
}

void tcp_rtt_sample(struct net_tcp *c, uint32_t r)
{
	uint32_t rto;

	if (r == 0)
		r = 1;
	if (c->srtt_us == 0) {
		c->srtt_us = r;
		c->rttvar_us = r / 2;
	} else {
		uint32_t d = c->srtt_us > r ? c->srtt_us - r : r - c->srtt_us;
		c->rttvar_us = c->rttvar_us - c->rttvar_us / 4 + d / 4;
		c->srtt_us = c->srtt_us - c->srtt_us / 8 + r / 8;
	}
	/* RTO = SRTT + max(G, 4 RTTVAR), G the 1 ms clock granularity. */
	rto = (c->srtt_us +
	       (4 * c->rttvar_us > 1000 ? 4 * c->rttvar_us : 1000) + 999) /
	      1000;
	if (rto < NET_TCP_RTO_MIN_MS)
		rto = NET_TCP_RTO_MIN_MS;
	if (rto > NET_TCP_RTO_MAX_MS)
		rto = NET_TCP_RTO_MAX_MS;
	c->rto_ms = rto;
}

uint32_t tcp_flight(const struct net_tcp *c)
{
	return c->snd_nxt - c->snd_una;
}

uint32_t tcp_cc_allowance(const struct net_tcp *c)
{
	uint32_t pipe = (c->flags & TF_RECOVERY) && c->sack ? tcp_sack_pipe(c)
							    : tcp_flight(c);
	uint32_t cwnd = c->cwnd;

	/* Limited transmit: each of the first two duplicate ACKs lets one
	 * more segment out, which may bring the third. */
	if (!(c->flags & TF_RECOVERY) && c->dupacks && c->dupacks < 3)
		cwnd += c->dupacks * (uint32_t)c->mss;
	return cwnd > pipe ? cwnd - pipe : 0;
}

int tcp_can_send_new(const struct net_tcp *c)
{
	uint32_t end = c->sq_seq + c->sq_len;

	return seq_lt(c->snd_max, end) &&
	       seq_lt(c->snd_max, c->snd_una + c->snd_wnd);
}

unsigned tcp_dupthresh(const struct net_tcp *c)
{
	uint32_t out = c->snd_max - c->snd_una;
	unsigned oseg = (out + c->mss - 1) / c->mss;

	/* Early retransmit: with fewer than four segments out and nothing
	 * new to send, three duplicate ACKs can never come; oseg - 1 of them
	 * (or as many segments SACKed) mean loss. */
	if (oseg >= 2 && oseg < 4 && !tcp_can_send_new(c))
		return oseg - 1;
	return 3;
}

static uint32_t half_flight(const struct net_tcp *c)
{
	uint32_t f = (c->snd_max - c->snd_una) / 2;

	return f > 2U * c->mss ? f : 2U * c->mss;
}

void tcp_cc_ack(struct net_tcp *c, uint32_t acked, uint32_t ack)
{
	if (c->flags & TF_RECOVERY) {
		if (seq_ge(ack, c->recover)) {
			c->flags &= ~TF_RECOVERY; /* full ACK: recovered */
			c->cwnd = c->ssthresh;
		} else if (!c->sack) {
			/* NewReno partial ACK: the next hole is lost too;
			 * deflate by what was acknowledged, keep one MSS. */
			c->flags |= TF_RTX_UNA;
			c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
			if (acked >= c->mss)
				c->cwnd += c->mss;
		}
		return;
	}
	if (c->cwnd < c->ssthresh) {
		c->cwnd += acked;
	} else {
		c->ca_acked += acked;
		if (c->ca_acked >= c->cwnd) {
			c->ca_acked -= c->cwnd;
			c->cwnd += c->mss;
		}
	}
	if (c->cwnd > CWND_MAX)
		c->cwnd = CWND_MAX;
}

int tcp_cc_dupack(struct net_tcp *c)
{
	if (c->flags & TF_RECOVERY) {
		if (!c->sack)
			c->cwnd += c->mss; /* window inflation */
		return 0;
	}
	unsigned th = tcp_dupthresh(c);

	if (++c->dupacks < th &&
	    tcp_sack_bytes(c) <= (th - 1) * (uint32_t)c->mss)
		return 0;
	if ((c->flags & TF_RECOVER_SET) && seq_lt(c->snd_una, c->recover))
		return 0; /* still the losses of the last episode */
	c->ssthresh = half_flight(c);
	c->recover = c->snd_max;
	c->high_rxt = c->snd_una;
	c->flags |= TF_RECOVERY | TF_RTX_UNA | TF_RECOVER_SET;
	c->flags &= ~(TF_TLP_OUT | TF_TLP_RTX); /* recovery takes over */
	c->cwnd = c->sack ? c->ssthresh : c->ssthresh + 3U * c->mss;
	c->ca_acked = 0;
	return 1;
}

int tcp_lost_rtx(struct net_tcp *c)
{
	/* The retransmission of snd_una was lost if the peer holds data we
	 * first sent after it (barring reordering; a cheap part of RACK's
	 * time-based detection, RFC 8985): resend it rather than wait for
	 * the RTO, which would otherwise end every such recovery. */
	if ((c->flags & (TF_RECOVERY | TF_UNA_RXT)) !=
		    (TF_RECOVERY | TF_UNA_RXT) ||
	    !c->sack || !c->sack->n ||
	    !seq_gt(c->sack->r[c->sack->n - 1][1], c->watch_max))
		return 0;
	c->flags = (c->flags & ~TF_UNA_RXT) | TF_RTX_UNA;
	return 1;
}

void tcp_cc_tlp_loss(struct net_tcp *c)
{
	uint32_t half = c->cwnd / 2;

	c->ssthresh = half > 2U * c->mss ? half : 2U * c->mss;
	if (c->cwnd > c->ssthresh)
		c->cwnd = c->ssthresh;
	c->ca_acked = 0;
}

void tcp_cc_timeout(struct net_tcp *c)
{
	c->ssthresh = half_flight(c);
	c->cwnd = c->mss;
	c->ca_acked = 0;
	c->dupacks = 0;
	c->flags &= ~(TF_RECOVERY | TF_RTX_UNA | TF_RTT | TF_TLP_OUT |
		      TF_TLP_RTX | TF_UNA_RXT);
	c->recover = c->snd_max;
	c->flags |= TF_RECOVER_SET;
	c->high_rxt = c->snd_una;
	c->snd_nxt = c->snd_una; /* go back N */
}
