/* One timer per connection, armed for the earliest of its deadlines:
 *
 *   rtx_at     retransmission (RFC 6298: RTO doubled per backoff, at most
 *              NET_TCP_RTO_MAX_MS), SYN and SYN-ACK repetition, the
 *              persist timer probing a zero window, or (TF_PTO) the
 *              tail-loss probe's timeout, which comes first when it is
 *              shorter (RFC 8985 7; see tcp_rtx_arm);
 *   delack_at  the delayed ACK;
 *   ka_at      keepalive, an orphan's FIN-WAIT-2 limit, or TIME-WAIT of
 *              a connection the application still holds.
 *
 * The user timeout bounds every wait for the peer: once retransmissions
 * or window probes have gone unanswered for user_timeout_ms (counted
 * from the first expiry), the connection is dropped with -ETIMEDOUT. An
 * idle connection without keepalive arms nothing. The timer is moved
 * only when a deadline comes earlier; a timer that fires early just
 * re-arms. */
#include <errno.h>
#include <stddef.h>

#include "tcp_impl.h"

/* Backoff doublings counted at most (2^16 times any RTO is past
 * NET_TCP_RTO_MAX_MS). */
#define BACKOFF_MAX 16

static void fire(struct core_timer *t);

void tcp_timer_init(struct net_tcp *c)
{
	core_timer_init(&c->timer, fire);
}

static uint64_t backed_off(const struct net_tcp *c)
{
	uint64_t ms = (uint64_t)c->rto_ms << c->backoff;

	return (ms > NET_TCP_RTO_MAX_MS ? NET_TCP_RTO_MAX_MS : ms) * NS_PER_MS;
}

/* Whether a tail-loss probe may be timed now (RFC 8985 7.2): data out
 * on a synchronized connection with SACK, an RTT measured, no recovery,
 * backoff or probe already under way, nothing resent from an earlier
 * timeout still to go, and no FIN sent. */
static int tlp_allowed(const struct net_tcp *c)
{
	uint32_t end = c->sq_seq + c->sq_len;

	return (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) &&
	       (c->flags & TF_SACK) &&
	       !(c->flags & (TF_RECOVERY | TF_TLP_OUT)) && !c->backoff &&
	       c->srtt_us && c->snd_una != c->snd_max &&
	       c->snd_nxt == c->snd_max &&
	       !((c->flags & TF_FIN_Q) && seq_gt(c->snd_max, end));
}

/* The probe timeout (RFC 8985 7.2), or 0 when no probe may be timed. */
static uint64_t pto_ns(const struct net_tcp *c)
{
	uint64_t pto;

	if (!tlp_allowed(c))
		return 0;
	pto = 2ULL * c->srtt_us * 1000;
	if (c->snd_max - c->snd_una <= c->mss)
		pto += NET_TCP_TLP_DELACK_MS * NS_PER_MS;
	if (pto < NET_TCP_TLP_MIN_MS * NS_PER_MS)
		pto = NET_TCP_TLP_MIN_MS * NS_PER_MS;
	return pto;
}

void tcp_rtx_arm(struct net_tcp *c)
{
	uint64_t rto = backed_off(c), pto = pto_ns(c);

	c->flags &= ~TF_PTO;
	if (pto && pto < rto) {
		c->flags |= TF_PTO;
		rto = pto;
	}
	c->rtx_at = tcp_now() + rto;
}

void tcp_tlp_sent(struct net_tcp *c)
{
	uint64_t pto = pto_ns(c), at;

	if (!pto)
		return;
	at = tcp_now() + pto;
	/* Never past a running RTO's deadline. */
	if (c->rtx_at && !(c->flags & TF_PTO) && at >= c->rtx_at)
		return;
	c->rtx_at = at;
	c->flags |= TF_PTO;
}

void tcp_tlp_acked(struct net_tcp *c, uint32_t ack)
{
	if (!(c->flags & TF_TLP_OUT) || seq_lt(ack, c->watch_max))
		return;
	/* A resent segment's ACK ended the episode without fast recovery:
	 * the probe repaired a loss (RFC 8985 7.4.2 without D-SACK: assume
	 * it), and the window answers for it as fast recovery would. */
	if ((c->flags & TF_TLP_RTX) && !(c->flags & TF_RECOVERY))
		tcp_cc_tlp_loss(c);
	c->flags &= ~(TF_TLP_OUT | TF_TLP_RTX);
}

/* The probe timeout expired: one segment goes out, new data if the
 * window takes some, else the last segment again; then the RTO runs. */
static void tlp_probe(struct net_tcp *c)
{
	uint32_t end = c->sq_seq + c->sq_len, wend = c->snd_una + c->snd_wnd;
	uint32_t seq = c->snd_max, len;
	int rtx = !tcp_can_send_new(c), r;

	if (c->snd_una == c->snd_max)
		return; /* everything was acknowledged meanwhile */
	len = rtx ? c->snd_max - c->snd_una : seq_min(end, wend) - seq;
	if (len > c->mss)
		len = c->mss;
	if (rtx)
		seq -= len; /* the last segment's bytes again */
	COUNT(TCP_TLP);
	r = tcp_send_data(c, seq, len, rtx);
	if (r >= 0) {
		c->watch_max = c->snd_max;
		c->flags |= TF_TLP_OUT | (rtx ? TF_TLP_RTX : 0);
	}
	tcp_rtx_arm(c);
}

/* Whether C holds data back with nothing in flight: the window is shut,
 * or too small for silly window avoidance to send into (RFC 9293
 * 3.8.6.2.1). The persist timer's case: on expiry it probes a shut window
 * and fills a small one (the override timeout). */
static int window_shut(const struct net_tcp *c)
{
	uint32_t end = c->sq_seq + c->sq_len;

	return c->snd_una == c->snd_max &&
	       (seq_lt(c->snd_max, end) ||
		((c->flags & TF_FIN_Q) && c->snd_max == end)) &&
	       c->state >= TCP_ESTABLISHED;
}

void tcp_keepalive_reset(struct net_tcp *c, uint64_t now)
{
	if (!(c->flags & TF_KEEPALIVE))
		return;
	if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) {
		c->ka_at = now + (uint64_t)c->ka_idle_s * NS_PER_S;
		c->ka_sent = 0;
	}
}

void tcp_timer_update(struct net_tcp *c)
{
	uint64_t next = UINT64_MAX;

	if (c->state == TCP_CLOSED) {
		core_timer_cancel(&c->timer);
		return;
	}
	if (!c->rtx_at && window_shut(c))
		tcp_rtx_arm(c); /* persist */
	if (c->rtx_at)
		next = c->rtx_at;
	if (c->delack_at && c->delack_at < next)
		next = c->delack_at;
	if (c->ka_at && c->ka_at < next)
		next = c->ka_at;
	if (next == UINT64_MAX)
		return; /* nothing to time; an armed timer will find that */
	if (core_timer_armed(&c->timer) && c->timer.deadline <= next)
		return;
	if (core_timer_arm(&c->timer, next) < 0)
		COUNT(TCP_TIMER_NOSPC);
}

/* The peer has not answered for the user timeout: give up. Returns 1 if
 * C was dropped. */
static int user_timeout(struct net_tcp *c, uint64_t now)
{
	if (!c->stall_since) {
		c->stall_since = now;
		return 0;
	}
	if (now - c->stall_since < (uint64_t)c->user_timeout_ms * NS_PER_MS)
		return 0;
	COUNT(TCP_USER_TIMEOUT);
	tcp_drop(c, -ETIMEDOUT);
	return 1;
}

/* rtx_at expired. Returns 1 if C is gone. */
static int on_rtx(struct net_tcp *c, uint64_t now)
{
	if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
		if (c->syn_tries >= NET_TCP_SYN_TRIES) {
			COUNT(TCP_SYN_TIMEOUT);
			tcp_drop(c, -ETIMEDOUT);
			return 1;
		}
		if (c->backoff < BACKOFF_MAX)
			c->backoff++;
		c->rto_ms = NET_TCP_RTO_INIT_MS; /* RFC 6298 5.7 */
		tcp_send_syn(c);
		return 0;
	}
	if (c->flags & TF_PTO) {
		c->flags &= ~TF_PTO;
		tlp_probe(c);
		return 0;
	}
	if (user_timeout(c, now))
		return 1;
	if (c->backoff < BACKOFF_MAX)
		c->backoff++;
	if (window_shut(c)) {
		uint32_t end = c->sq_seq + c->sq_len, len = c->snd_wnd;
		COUNT(TCP_PROBE);
		if (len > c->mss)
			len = c->mss;
		if (len > end - c->snd_nxt)
			len = end - c->snd_nxt;
		if (len)
			tcp_send_data(c, c->snd_nxt, len, 0);
		else
			tcp_send_probe(c);
		tcp_rtx_arm(c);
		if (c->rtx_at > now + NET_TCP_PROBE_MAX_MS * NS_PER_MS)
			c->rtx_at = now + NET_TCP_PROBE_MAX_MS * NS_PER_MS;
		return 0;
	}
	if (c->snd_una == c->snd_max)
		return 0; /* everything was acknowledged meanwhile */
	COUNT(TCP_RTO);
	tcp_cc_timeout(c);
	if (c->backoff >= 2 && c->sack) {
		/* A second timeout: the peer may have reneged on its SACKs
		 * (RFC 2018 8); resend everything. */
		c->sack->n = 0;
	}
	tcp_rtx_arm(c);
	tcp_schedule(c);
	return 0;
}

/* ka_at expired. Returns 1 if C is gone. */
static int on_ka(struct net_tcp *c, uint64_t now)
{
	if (c->state == TCP_TIME_WAIT) {
		tcp_drop(c, 0);
		return 1;
	}
	if (c->state == TCP_FIN_WAIT_2) {
		COUNT(TCP_FIN_WAIT2_TIMEOUT);
		tcp_drop(c, -ETIMEDOUT);
		return 1;
	}
	if (!(c->flags & TF_KEEPALIVE) || c->snd_una != c->snd_max)
		return 0; /* the retransmission timer watches the peer */
	if (c->ka_sent >= c->ka_count) {
		COUNT(TCP_KEEPALIVE_DROP);
		tcp_send_rst(c);
		tcp_drop(c, -ETIMEDOUT);
		return 1;
	}
	COUNT(TCP_KEEPALIVE);
	c->ka_sent++;
	tcp_send_probe(c);
	c->ka_at = now + (uint64_t)c->ka_intvl_s * NS_PER_S;
	return 0;
}

static void fire(struct core_timer *t)
{
	struct net_tcp *c =
		(struct net_tcp *)(void *)((char *)t -
					   offsetof(struct net_tcp, timer));
	uint64_t now = tcp_now();

	if (c->delack_at && c->delack_at <= now) {
		c->delack_at = 0;
		c->flags |= TF_ACKNOW;
		COUNT(TCP_DELACK);
		tcp_schedule(c);
	}
	if (c->rtx_at && c->rtx_at <= now) {
		c->rtx_at = 0;
		if (on_rtx(c, now))
			return;
	}
	if (c->ka_at && c->ka_at <= now) {
		c->ka_at = 0;
		if (on_ka(c, now))
			return;
	}
	tcp_timer_update(c);
}
