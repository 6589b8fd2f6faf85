/* Segment arrival in the synchronized states (RFC 9293 3.10.7.4), in the
 * RFC's order:
 *
 *   0. PAWS (RFC 7323 5.3): an old timestamp is a stale duplicate;
 *   1. sequence acceptability against our window (trimmed to it after);
 *   2. RST: exactly rcv_nxt resets, anywhere else in the window earns a
 *      challenge ACK (RFC 5961 3.2), outside it nothing;
 *   3. SYN: a challenge ACK (RFC 5961 4.2);
 *   4. ACK: acceptable between snd_una - max window and snd_max (RFC
 *      5961 5.2), else a challenge ACK; advances snd_una, frees
 *      acknowledged data, feeds RTT, congestion control and the SACK
 *      scoreboard, updates the send window, and moves FIN states;
 *   5. URG: the urgent pointer is ignored (RFC 6093: data stays inline);
 *   6. data and FIN, through tcp_rcv.c.
 *
 * Challenge ACKs and ACKs for out-of-window segments without data are
 * limited to NET_TCP_CHALLENGE_PER_S per connection. */
#include <errno.h>

#include "tcp_impl.h"

/* Window we last offered, from rcv_nxt. */
static uint32_t offered(const struct net_tcp *c)
{
	return seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
}

static int paws_reject(struct net_tcp *c, const struct tcp_seg *s,
		       uint32_t now_ms)
{
	if (!(c->flags & TF_TS) || !s->opt.has_ts || (s->flags & TH_RST))
		return 0;
	if (!seq_lt(s->opt.tsval, c->ts_recent))
		return 0;
	if ((uint64_t)(now_ms - c->ts_recent_ms) > TCP_PAWS_IDLE_MS) {
		c->ts_recent = s->opt.tsval; /* too old to trust */
		return 0;
	}
	return 1;
}

static int acceptable(const struct net_tcp *c, const struct tcp_seg *s)
{
	uint32_t wnd = offered(c);

	if (s->seq == c->rcv_nxt)
		return 1;
	if (s->len == 0)
		return wnd > 0 && seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + wnd);
	return wnd > 0 && seq_lt(s->seq, c->rcv_nxt + wnd) &&
	       seq_gt(s->seq + s->len, c->rcv_nxt);
}

/* Cuts S to the window: what is before rcv_nxt and what is past the
 * offered window. Data cut off at the right (a shut or full window) is
 * answered with an ACK at once, so the sender learns the window and
 * probes it rather than backing off its retransmission timer (RFC 9293
 * 3.10.7.4; Linux does the same). */
static void trim(struct net_tcp *c, struct tcp_seg *s)
{
	uint32_t wnd = offered(c);

	if (seq_lt(s->seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - s->seq;
		if (d > s->dlen) /* only a FIN is left */
			d = s->dlen;
		if (d)
			COUNT(TCP_DUP_DATA);
		s->data += d;
		s->dlen -= d;
		s->seq += d;
		s->len -= d;
	}
	if (s->dlen && seq_gt(s->seq + s->dlen, c->rcv_nxt + wnd)) {
		uint32_t keep = seq_gt(c->rcv_nxt + wnd, s->seq)
					? c->rcv_nxt + wnd - s->seq
					: 0;
		s->len -= s->dlen - keep + ((s->flags & TH_FIN) != 0);
		s->dlen = keep;
		s->flags &= (uint8_t)~TH_FIN;
		c->flags |= TF_ACKNOW;
		tcp_schedule(c);
	}
}

/* An unacceptable segment: data is always answered (a lost ACK must be
 * repaired), the rest through the limiter. */
static void answer_unacceptable(struct net_tcp *c, const struct tcp_seg *s)
{
	if (s->flags & TH_RST)
		return;
	if (s->dlen && !(s->flags & TH_SYN)) {
		c->flags |= TF_ACKNOW;
		tcp_schedule(c);
	} else {
		tcp_send_challenge(c);
	}
}

static void enter_time_wait(struct net_tcp *c)
{
	c->state = TCP_TIME_WAIT;
	c->rtx_at = 0;
	c->ka_at = tcp_now() + NET_TCP_TIMEWAIT_S * NS_PER_S;
	tcp_wake(c, NET_TCP_READABLE | NET_TCP_WRITABLE);
}

/* Our FIN was acknowledged. Returns -2 if C is gone or over. */
static int fin_acked(struct net_tcp *c)
{
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		c->state = TCP_FIN_WAIT_2;
		if (c->flags & TF_ORPHAN)
			c->ka_at = tcp_now() + NET_TCP_FIN_WAIT2_S * NS_PER_S;
		return 0;
	case TCP_CLOSING:
		enter_time_wait(c);
		if (c->flags & TF_ORPHAN) {
			tcp_tw_enter(c);
			return -2;
		}
		return 0;
	case TCP_LAST_ACK:
		tcp_drop(c, 0);
		return -2;
	default:
		return 0;
	}
}

static void update_window(struct net_tcp *c, const struct tcp_seg *s)
{
	uint32_t old = c->snd_wnd;

	if (!(seq_lt(c->snd_wl1, s->seq) ||
	      (c->snd_wl1 == s->seq && seq_le(c->snd_wl2, s->ack))))
		return;
	c->snd_wnd = s->wnd << c->snd_wscale;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	if (c->snd_wnd > c->max_snd_wnd)
		c->max_snd_wnd = c->snd_wnd;
	if (c->snd_wnd > old)
		tcp_schedule(c); /* a window opened: more may go */
}

static void rtt_from_ack(struct net_tcp *c, const struct tcp_seg *s,
			 uint64_t now)
{
	if ((c->flags & TF_TS) && s->opt.has_ts && s->opt.tsecr) {
		uint32_t ms = tcp_ms(now) + c->ts_off - s->opt.tsecr;
		if (ms < (uint32_t)NET_TCP_RTO_MAX_MS)
			tcp_rtt_sample(c, ms * 1000 + 500);
	} else if ((c->flags & TF_RTT) && seq_gt(s->ack, c->rtt_seq)) {
		c->flags &= ~TF_RTT;
		tcp_rtt_sample(c, (uint32_t)((now - c->rtt_start) / 1000));
	}
}

/* A new ACK: snd_una moves to S->ack. */
static int new_ack(struct net_tcp *c, const struct tcp_seg *s, uint64_t now)
{
	uint32_t acked = s->ack - c->snd_una;
	uint32_t data = 0, fin_seq = c->sq_seq + c->sq_len;

	if (seq_gt(s->ack, c->sq_seq))
		data = seq_min(s->ack, fin_seq) - c->sq_seq;
	rtt_from_ack(c, s, now);
	tcp_cc_ack(c, acked, s->ack);
	c->snd_una = s->ack;
	if (seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	if (data) {
		tcp_snd_acked(c, data);
		tcp_wake(c, NET_TCP_WRITABLE);
	}
	c->backoff = 0;
	c->probes = 0;
	c->stall_since = 0;
	c->dupacks = 0;
	c->flags &= ~TF_UNA_RXT; /* snd_una moved: a new one is watched */
	tcp_sack_acked(c);
	tcp_tlp_acked(c, s->ack);
	if (c->snd_una == c->snd_max)
		c->rtx_at = 0;
	else
		tcp_rtx_arm(c);
	tcp_schedule(c);
	if ((c->flags & TF_FIN_Q) && c->snd_una == fin_seq + 1)
		return fin_acked(c);
	return 0;
}

/* Step 4. Returns 0 to go on, -1 when the segment is done with, -2 when
 * C is gone or over (it must not be touched). */
static int ack_input(struct net_tcp *c, const struct tcp_seg *s, uint64_t now)
{
	if (seq_gt(s->ack, c->snd_max)) {
		COUNT(TCP_DROP_ACK_UNSENT);
		tcp_send_challenge(c);
		return -1;
	}
	if (seq_lt(s->ack, c->snd_una - c->max_snd_wnd)) {
		COUNT(TCP_DROP_ACK_OLD);
		tcp_send_challenge(c);
		return -1;
	}
	if (c->flags & TF_SACK)
		tcp_sack_update(c, &s->opt);
	if (seq_gt(s->ack, c->snd_una)) {
		update_window(c, s);
		return new_ack(c, s, now);
	}
	if (s->ack == c->snd_una && c->snd_una != c->snd_max && !s->dlen &&
	    !(s->flags & (TH_SYN | TH_FIN)) &&
	    (s->wnd << c->snd_wscale) == c->snd_wnd) {
		COUNT(TCP_DUPACK);
		if (tcp_cc_dupack(c))
			COUNT(TCP_FAST_RTX);
		else if (tcp_lost_rtx(c))
			COUNT(TCP_LOST_RTX);
		tcp_schedule(c);
	}
	update_window(c, s);
	return 0;
}

/* SYN-RECEIVED: the ACK of our SYN completes the handshake. -1: drop. */
static int handshake_done(struct net_tcp *c, struct pbuf *p,
			  const struct tcp_seg *s)
{
	if (seq_le(s->ack, c->snd_una) || seq_gt(s->ack, c->snd_max)) {
		tcp_reply_rst(p, s);
		return -1;
	}
	if (c->parent && c->parent->acc_len >= c->parent->backlog) {
		COUNT(TCP_ACCEPTQ_FULL); /* it stays; our SYN-ACK repeats */
		return -1;
	}
	c->state = TCP_ESTABLISHED;
	c->snd_wnd = s->wnd << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->stall_since = 0;
	if (c->parent) {
		COUNT(TCP_PASSIVE);
		tcp_accept_ready(c);
	} else {
		tcp_wake(c, NET_TCP_WRITABLE); /* a simultaneous open */
	}
	return 0;
}

static void fin_received(struct net_tcp *c)
{
	c->flags |= TF_ACKNOW;
	switch (c->state) {
	case TCP_ESTABLISHED:
		c->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:
		c->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		enter_time_wait(c);
		break;
	}
	tcp_wake(c, NET_TCP_READABLE);
}

/* A connection we hold in TIME-WAIT because the application has not
 * closed it yet: only a retransmitted FIN matters. */
static void time_wait_input(struct net_tcp *c, const struct tcp_seg *s)
{
	if (s->flags & TH_RST) {
		COUNT(TCP_RST_IGNORED);
		return;
	}
	if (s->flags & TH_FIN) {
		c->ka_at = tcp_now() + NET_TCP_TIMEWAIT_S * NS_PER_S;
		c->flags |= TF_ACKNOW;
		tcp_schedule(c);
	}
}

/* Steps 5 and 6. Returns -1 if C is gone, else 0. */
static int data_input(struct net_tcp *c, struct tcp_seg *s)
{
	int had_fin = (c->flags & TF_RCVD_FIN) != 0;

	if (s->flags & TH_URG)
		COUNT(TCP_URG);
	if (!s->dlen && !(s->flags & TH_FIN))
		return 0;
	if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 &&
	    c->state != TCP_FIN_WAIT_2) {
		if (s->dlen)
			COUNT(TCP_DATA_AFTER_FIN);
		c->flags |= TF_ACKNOW; /* a repeated FIN is acknowledged */
		tcp_schedule(c);
		return 0;
	}
	if (s->dlen && (c->flags & TF_ORPHAN)) {
		/* Nobody will read it (RFC 9293 3.10.7.4, seventh step). */
		COUNT(TCP_DATA_AFTER_CLOSE);
		tcp_send_rst(c);
		tcp_drop(c, -ECONNABORTED);
		return -1;
	}
	tcp_rcv_data(c, s);
	if (!had_fin && (c->flags & TF_RCVD_FIN))
		fin_received(c);
	return 0;
}

static void after_accept(struct net_tcp *c, const struct tcp_seg *s,
			 uint64_t now)
{
	c->last_rx = now;
	tcp_keepalive_reset(c, now);
	if ((c->flags & TF_TS) && s->opt.has_ts &&
	    seq_le(s->seq, c->last_ack) && seq_ge(s->opt.tsval, c->ts_recent)) {
		c->ts_recent = s->opt.tsval;
		c->ts_recent_ms = tcp_ms(now);
	}
}

/* Steps 0 to 3 and the ACK bit: whether S goes on to the ACK and data
 * steps. Returns 1 to go on, 0 when the segment is done with, -1 when C
 * was reset (it must not be touched). */
static int screen(struct net_tcp *c, struct tcp_seg *s, uint64_t now)
{
	if (c->state == TCP_SYN_RECEIVED && !c->parent &&
	    (s->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
	    s->seq + 1 == c->rcv_nxt && s->ack == c->snd_nxt && !s->dlen) {
		/* Simultaneous open: the peer's SYN-ACK repeats its SYN and
		 * acknowledges ours; only the ACK is new. */
		s->flags &= (uint8_t)~TH_SYN;
		s->seq++;
		s->len--;
	}
	if (paws_reject(c, s, tcp_ms(now))) {
		COUNT(TCP_DROP_PAWS);
		answer_unacceptable(c, s);
		return 0;
	}
	if (!acceptable(c, s)) {
		COUNT(TCP_DROP_WINDOW);
		answer_unacceptable(c, s);
		return 0;
	}
	if (s->flags & TH_RST) {
		if (s->seq != c->rcv_nxt) {
			tcp_send_challenge(c);
			return 0;
		}
		COUNT(TCP_RST_RX);
		tcp_drop(c, c->state == TCP_SYN_RECEIVED ? -ECONNREFUSED
							 : -ECONNRESET);
		return -1;
	}
	if (s->flags & TH_SYN) {
		if (c->state == TCP_SYN_RECEIVED && s->seq == c->irs) {
			c->snd_nxt = c->iss; /* our SYN-ACK was lost */
			tcp_send_syn(c);
		} else {
			COUNT(TCP_SYN_IN_WINDOW);
			tcp_send_challenge(c);
		}
		return 0;
	}
	if (!(s->flags & TH_ACK)) {
		COUNT(TCP_DROP_NOACK);
		return 0;
	}
	return 1;
}

void tcp_state_input(struct net_tcp *c, struct pbuf *p, struct tcp_seg *s)
{
	uint64_t now = tcp_now();
	int r;

	if (c->state == TCP_TIME_WAIT) {
		time_wait_input(c, s);
		goto done;
	}
	r = screen(c, s, now);
	if (r < 0)
		goto gone;
	if (r == 0)
		goto done;
	trim(c, s);
	if (c->state == TCP_SYN_RECEIVED && handshake_done(c, p, s) < 0)
		goto done;
	after_accept(c, s, now);
	r = ack_input(c, s, now);
	if (r == -2)
		goto gone;
	if (r < 0)
		goto done;
	if (data_input(c, s) < 0)
		goto gone;
	if (c->state == TCP_TIME_WAIT && (c->flags & TF_ORPHAN)) {
		tcp_send_ack(c);
		tcp_tw_enter(c);
		goto gone;
	}
done:
	tcp_timer_update(c);
gone:
	pbuf_free(p);
}
