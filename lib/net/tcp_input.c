/* Segment arrival (RFC 9293 3.10.7): the checks every segment passes,
 * the lookup (connection, then TIME-WAIT, then listener), and the two
 * states without a synchronized connection: LISTEN (3.10.7.2, with the
 * SYN queue and SYN cookies) and SYN-SENT (3.10.7.3). The synchronized
 * states are tcp_state.c's. A segment for nothing is answered with a
 * rate-limited RST. */
#include <errno.h>

#include "tcp_impl.h"

/* Our window scale: the smallest that can offer NET_TCP_RCVBUF. */
static uint8_t our_wscale(void)
{
	uint8_t s = 0;

	while ((NET_TCP_RCVBUF >> s) > TCP_WIN_MAX)
		s++;
	return s;
}

void tcp_syn_options(struct net_tcp *c, const struct tcp_opts *o)
{
	uint16_t mss = o->has_mss ? o->mss : TCP_MSS_DEFAULT;

	if (mss < NET_TCP_MSS_MIN) {
		COUNT(TCP_MSS_RAISED);
		mss = NET_TCP_MSS_MIN;
	}
	if (o->has_wscale) {
		c->snd_wscale = o->wscale;
		if (o->wscale > TCP_WSCALE_MAX) {
			COUNT(TCP_WSCALE_CLAMPED);
			c->snd_wscale = TCP_WSCALE_MAX;
		}
		c->rcv_wscale = our_wscale();
		c->flags |= TF_WSCALE;
	}
	if (o->sack_ok)
		c->flags |= TF_SACK;
	if (o->has_ts) {
		c->flags |= TF_TS;
		c->ts_recent = o->tsval;
		c->ts_recent_ms = tcp_ms(tcp_now());
	}
	tcp_set_mss(c, mss);
}

static void no_connection(struct pbuf *p, const struct tcp_seg *s)
{
	COUNT(TCP_NO_CONN);
	if (!(s->flags & TH_RST))
		tcp_reply_rst(p, s);
	pbuf_free(p);
}

/* A SYN-ACK carrying a cookie: no state is kept. */
static void send_cookie(struct pbuf *p, const struct tcp_seg *s)
{
	uint8_t o[TCP_OPT_MAX];
	size_t n = 0;
	uint16_t mss;
	uint32_t iss = tcp_cookie_make(s, p->dst, p->src, &mss);
	uint32_t off = tcp_ts_offset(p->dst, s->dport, p->src, s->sport);
	uint16_t ours = (uint16_t)(net_if.mtu - IP_HLEN - TCP_HLEN);

	o[n++] = 2, o[n++] = 4;
	put16(o + n, ours < mss ? ours : mss);
	n += 2;
	if (s->opt.has_ts) {
		/* SACK and window scale only with timestamps: they are
		 * remembered in the timestamp we send. */
		if (s->opt.sack_ok)
			o[n++] = 4, o[n++] = 2;
		else
			o[n++] = 1, o[n++] = 1;
		o[n++] = 8, o[n++] = 10;
		put32(o + n,
		      tcp_cookie_tsval(&s->opt, tcp_ms(tcp_now()) + off));
		put32(o + n + 4, s->opt.tsval);
		n += 8;
		if (s->opt.has_wscale) {
			o[n++] = 1, o[n++] = 3, o[n++] = 3;
			o[n++] = our_wscale();
		}
	}
	COUNT(TCP_COOKIE_TX);
	tcp_xmit_raw(p->dst, p->src, s->dport, s->sport, iss, s->seq + 1,
		     TH_SYN | TH_ACK,
		     (uint16_t)(NET_TCP_RCVBUF > TCP_WIN_MAX ? TCP_WIN_MAX
							     : NET_TCP_RCVBUF),
		     o, n);
}

/* The ACK of a SYN cookie: the connection is made ESTABLISHED from it
 * (*OUT). Returns 0, or -EINVAL (no valid cookie), or -ENOSPC (no room
 * now: dropped, so that the peer's retransmission can try again, as for
 * a full accept queue). */
static int cookie_conn(struct net_tcp_listener *l, struct pbuf *p,
		       const struct tcp_seg *s, struct net_tcp **out)
{
	struct tcp_opts o = { 0 };
	struct net_tcp *c;
	uint16_t mss;

	if (tcp_cookie_check(s, p->dst, p->src, &mss) < 0) {
		COUNT(TCP_COOKIE_BAD);
		return -EINVAL;
	}
	if (l->acc_len >= l->backlog) {
		COUNT(TCP_ACCEPTQ_FULL);
		return -ENOSPC;
	}
	c = tcp_conn_new(p->dst, p->src, s->dport, s->sport);
	if (!c)
		return -ENOSPC;
	o.has_mss = 1;
	o.mss = mss;
	if (s->opt.has_ts) {
		int sack, valid;
		uint8_t ws;
		tcp_cookie_tsbits(s->opt.tsecr, &ws, &sack, &valid);
		if (valid) {
			o.has_ts = 1;
			o.tsval = s->opt.tsval;
			o.sack_ok = (uint8_t)sack;
			o.has_wscale = ws <= TCP_WSCALE_MAX;
			o.wscale = ws;
		}
	}
	tcp_syn_options(c, &o);
	c->irs = s->seq - 1;
	c->iss = s->ack - 1;
	c->rcv_nxt = s->seq;
	/* The window our cookie SYN-ACK offered (unscaled, as in a SYN). */
	c->rcv_adv = s->seq + (NET_TCP_RCVBUF > TCP_WIN_MAX ? TCP_WIN_MAX
							    : NET_TCP_RCVBUF);
	c->snd_una = c->snd_nxt = c->snd_max = s->ack;
	c->sq_seq = s->ack;
	c->snd_wnd = s->wnd << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->state = TCP_ESTABLISHED;
	c->parent = l;
	l->syn_len++;
	tcp_hash_add(c);
	tcp_accept_ready(c);
	COUNT(TCP_COOKIE_OK);
	COUNT(TCP_PASSIVE);
	*out = c;
	return 0;
}

static void new_child(struct net_tcp_listener *l, struct pbuf *p,
		      const struct tcp_seg *s)
{
	struct net_tcp *c = tcp_conn_new(p->dst, p->src, s->dport, s->sport);

	if (!c)
		return;
	c->state = TCP_SYN_RECEIVED;
	c->irs = s->seq;
	c->rcv_nxt = c->rcv_adv = s->seq + 1;
	tcp_syn_options(c, &s->opt);
	c->iss = tcp_isn(c->laddr, c->lport, c->raddr, c->rport);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sq_seq = c->iss + 1;
	c->snd_wnd = s->wnd; /* never scaled in a SYN */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = c->iss;
	c->parent = l;
	l->syn_len++;
	tcp_hash_add(c);
	tcp_send_syn(c);
}

static void listen_input(struct net_tcp_listener *l, struct pbuf *p,
			 struct tcp_seg *s)
{
	struct net_tcp *c;
	int r = -EINVAL;

	if (s->flags & TH_RST) {
		COUNT(TCP_DROP_LISTEN);
		goto drop;
	}
	if (s->flags & TH_ACK) {
		if (!(s->flags & TH_SYN) &&
		    (r = cookie_conn(l, p, s, &c)) == 0) {
			tcp_state_input(c, p, s);
			return;
		}
		COUNT(TCP_DROP_LISTEN);
		/* A cookie is checked against the sequence number of the
		 * handshake's ACK; a data segment that failed may be a later
		 * one whose ACK was lost: dropped, the peer resends from the
		 * start. Only a pure ACK is refused with a RST. */
		if (r == -EINVAL && !s->dlen)
			tcp_reply_rst(p, s);
		goto drop;
	}
	if (!(s->flags & TH_SYN)) {
		COUNT(TCP_DROP_LISTEN);
		goto drop;
	}
	COUNT(TCP_SYN_RX);
	if (l->acc_len >= l->backlog)
		COUNT(TCP_ACCEPTQ_FULL);
	else if (l->syn_len >= NET_TCP_SYNQ_MAX ||
		 tcp.conns >= NET_TCP_CONNS_MAX)
		send_cookie(p, s);
	else
		new_child(l, p, s);
drop:
	pbuf_free(p);
}

/* The first RTT sample: from the timestamp echoed, or from the time of
 * a SYN sent once (Karn). */
static void syn_rtt(struct net_tcp *c, const struct tcp_seg *s)
{
	uint64_t now = tcp_now();

	if ((c->flags & TF_TS) && s->opt.tsecr)
		tcp_rtt_sample(c,
			       (tcp_ms(now) + c->ts_off - s->opt.tsecr) * 1000 +
				       500);
	else if (c->syn_tries == 1)
		tcp_rtt_sample(c, (uint32_t)((now - c->rtt_start) / 1000));
}

/* RFC 9293 3.10.7.3. */
static void syn_sent_input(struct net_tcp *c, struct pbuf *p, struct tcp_seg *s)
{
	int ack_ok = 0;

	if (s->flags & TH_ACK) {
		if (seq_le(s->ack, c->iss) || seq_gt(s->ack, c->snd_nxt)) {
			if (!(s->flags & TH_RST))
				tcp_reply_rst(p, s);
			goto drop;
		}
		ack_ok = 1;
	}
	if (s->flags & TH_RST) {
		if (ack_ok) {
			COUNT(TCP_RST_RX);
			COUNT(TCP_REFUSED);
			tcp_drop(c, -ECONNREFUSED);
		}
		goto drop;
	}
	if (!(s->flags & TH_SYN))
		goto drop;
	c->irs = s->seq;
	c->rcv_nxt = c->rcv_adv = s->seq + 1;
	c->flags &= ~(TF_WSCALE | TF_SACK | TF_TS);
	c->rcv_wscale = 0;
	tcp_syn_options(c, &s->opt);
	c->snd_wnd = s->wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->last_rx = tcp_now();
	if (ack_ok) {
		c->snd_una = s->ack;
		c->backoff = 0;
		c->state = TCP_ESTABLISHED;
		c->max_snd_wnd = c->snd_wnd;
		c->rtx_at = 0;
		c->stall_since = 0;
		syn_rtt(c, s);
		c->flags |= TF_ACKNOW;
		tcp_schedule(c);
		tcp_keepalive_reset(c, c->last_rx);
		tcp_wake(c, NET_TCP_WRITABLE);
	} else {
		/* Simultaneous open: answer with our SYN again, now
		 * acknowledging theirs (3.10.7.3, fourth step). */
		c->state = TCP_SYN_RECEIVED;
		c->snd_nxt = c->iss;
		tcp_send_syn(c);
	}
	tcp_timer_update(c);
drop:
	pbuf_free(p);
}

void tcp_input(struct pbuf *p)
{
	struct net_tcp_listener *l;
	struct net_tcp *c;
	struct tcp_seg s;
	int why;

	COUNT(TCP_RX);
	if (p->dst != net_if.addr) {
		COUNT(TCP_DROP_ADDR); /* broadcasts: TCP is unicast only */
		goto drop;
	}
	if ((why = tcp_parse(p, &s)) != 0) {
		net_counters[why]++;
		goto drop;
	}
	c = tcp_lookup(p->src, s.dport, s.sport);
	if (c && c->laddr == p->dst) {
		if (c->state == TCP_SYN_SENT)
			syn_sent_input(c, p, &s);
		else
			tcp_state_input(c, p, &s);
		return;
	}
	if (tcp_tw_input(p, &s))
		return;
	if ((l = tcp_listener(s.dport)) != 0) {
		listen_input(l, p, &s);
		return;
	}
	no_connection(p, &s);
	return;
drop:
	pbuf_free(p);
}
