/* Building and sending segments, and deciding what a connection sends.
 *
 * Output is deferred: tcp_schedule puts a connection on the output list,
 * and tcp_flush (called by the interface before every sleep) runs
 * tcp_output on each, so one flush sends one ACK per connection however
 * many segments arrived, and the ACK rides on data the application
 * queued meanwhile. tcp_output sends, in this order:
 *
 *   1. the segment at snd_una when a fast retransmit or a NewReno partial
 *      ACK asks for it (ignoring the congestion window, RFC 6582);
 *   2. in SACK recovery, holes the scoreboard counts as lost, above
 *      the highest one retransmitted (RFC 6675 NextSeg rule 1);
 *   3. after a timeout, everything from snd_nxt to snd_max again
 *      (go-back-N), skipping what the peer SACKed;
 *   4. new data, within the peer's window and the congestion window,
 *      with Nagle (RFC 9293 3.7.4, off with nodelay) and sender-side
 *      silly window avoidance (a part of a segment only when it is all
 *      that is queued or at least half the peer's largest window);
 *   5. the FIN once every byte before it is sent;
 *   6. a pure ACK if one is owed and nothing else carried it.
 *
 * A segment's payload is copied from the send buffer into a pool buffer
 * right behind the headroom; the headers are then prepended in place.
 *
 * On a device with segmentation offload (net_if.tso_max), new data goes
 * out as up to 64 KiB in one frame from a TSO buffer, a whole number of
 * segments unless it reaches the end of what is queued; the device cuts
 * it into segments of the connection's size, each with the same options,
 * and computes their checksums (the frame carries the pseudo-header sum
 * only). Retransmissions are one segment each, as before. */
#include <errno.h>

#include "tcp_impl.h"

/* Connections that could not get a buffer wait here for the next flush. */
static struct net_tcp *stalled;

void tcp_schedule(struct net_tcp *c)
{
	if (c->flags & TF_SCHED)
		return;
	c->flags |= TF_SCHED;
	c->onext = 0;
	if (tcp.out_tail)
		tcp.out_tail->onext = c;
	else
		tcp.out_head = c;
	tcp.out_tail = c;
}

static int emit(struct pbuf *p, uint32_t laddr, uint32_t raddr, uint16_t lport,
		uint16_t rport, uint32_t seq, uint32_t ack, uint8_t flags,
		uint16_t wnd, const uint8_t *opt, size_t optlen)
{
	size_t hl = TCP_HLEN + optlen;
	uint8_t *h = pbuf_push(p, hl);

	put16(h, lport);
	put16(h + 2, rport);
	put32(h + 4, seq);
	put32(h + 8, ack);
	h[12] = (uint8_t)((hl / 4) << 4);
	h[13] = flags;
	put16(h + 14, wnd);
	put32(h + 16, 0); /* checksum and urgent pointer */
	if (optlen)
		memcpy(h + TCP_HLEN, opt, optlen);
	if (p->gso_size) /* the device sums each segment: the pseudo-header */
		put16(h + 16, (uint16_t)~net_csum_fold(net_csum_pseudo(
				      laddr, raddr, IP_PROTO_TCP, p->len)));
	else
		put16(h + 16, net_csum_fold(net_csum_add(
				      net_csum_pseudo(laddr, raddr,
						      IP_PROTO_TCP, p->len),
				      h, p->len)));
	COUNT(TCP_TX);
	return ip_output(p, laddr, raddr, IP_PROTO_TCP);
}

int tcp_xmit_raw(uint32_t laddr, uint32_t raddr, uint16_t lport, uint16_t rport,
		 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
		 const uint8_t *opt, size_t optlen)
{
	struct pbuf *p = pbuf_alloc(0);

	if (!p) {
		COUNT(TCP_TX_NOBUF);
		return -ENOBUFS;
	}
	return emit(p, laddr, raddr, lport, rport, seq, ack, flags, wnd, opt,
		    optlen);
}

/* The window field for C (SYN: unscaled), moving rcv_adv, never left. */
static uint16_t window_field(struct net_tcp *c, int syn)
{
	uint8_t ws = syn ? 0 : c->rcv_wscale;
	uint32_t old =
		seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t f = tcp_rcv_window(c) >> ws, edge;

	if (f > TCP_WIN_MAX)
		f = TCP_WIN_MAX;
	if ((f << ws) < old)
		f = (old + (1U << ws) - 1) >> ws;
	if (f > TCP_WIN_MAX)
		f = TCP_WIN_MAX;
	edge = c->rcv_nxt + (f << ws);
	if (seq_gt(edge, c->rcv_adv))
		c->rcv_adv = edge;
	return (uint16_t)f;
}

/* Timestamps and SACK blocks for a segment of C; returns their length. */
static size_t conn_options(struct net_tcp *c, uint8_t *o, int sack)
{
	size_t n = 0;

	if (c->flags & TF_TS) {
		o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
		put32(o + 4, tcp_ms(tcp_now()) + c->ts_off);
		put32(o + 8, c->ts_recent);
		n = 12;
	}
	if (sack)
		n += tcp_rcv_sack_opt(c, o + n, TCP_OPT_MAX - n);
	return n;
}

/* Bookkeeping after any segment carrying our ACK. */
static void ack_sent(struct net_tcp *c)
{
	c->flags &= ~TF_ACKNOW;
	c->delack_at = 0;
	if (c->flags & TF_REOPEN) { /* the repeat goes out as a late ACK */
		c->flags &= ~TF_REOPEN;
		c->delack_at = tcp_now() + NET_TCP_RTO_MIN_MS * NS_PER_MS;
	}
	c->rcv_unacked = 0;
	c->last_ack = c->rcv_nxt;
}

void tcp_set_mss(struct net_tcp *c, uint16_t peer_mss)
{
	uint32_t base = net_if.mtu - IP_HLEN - TCP_HLEN;

	if (peer_mss < base)
		base = peer_mss;
	c->optlen = (c->flags & TF_TS) ? 12 : 0;
	c->mss = (uint16_t)(base - c->optlen);
	if (c->state <= TCP_SYN_RECEIVED)
		tcp_cc_init(c);
}

/* The TCP bytes (options and payload) one TSO frame holds. */
static uint32_t tso_tcp_room(void)
{
	return (uint32_t)(net_if.tso_max - ETH_HLEN - IP_HLEN - TCP_HLEN);
}

/* A TSO buffer for LEN bytes of new data in segments of ROOM, or NULL
 * (one segment is enough, no offload, or no buffer even after writing
 * the queue). */
static struct pbuf *tso_buffer(uint32_t len, uint32_t room, int rtx)
{
	struct pbuf *p;

	if (rtx || len <= room || !net_if.tso_max)
		return 0;
	if (!(p = pbuf_alloc_tso())) {
		iface_tx_write(); /* frees the TSO frames the host takes */
		p = pbuf_alloc_tso();
	}
	return p;
}

int tcp_send_data(struct net_tcp *c, uint32_t seq, uint32_t len, int rtx)
{
	uint8_t o[TCP_OPT_MAX], flags = TH_ACK;
	size_t optlen = conn_options(c, o, 1);
	uint32_t room = (uint32_t)(c->mss + c->optlen - optlen);
	uint32_t end = c->sq_seq + c->sq_len, nxt;
	struct pbuf *p = tso_buffer(len, room, rtx);

	if (p) {
		uint32_t most = tso_tcp_room() - (uint32_t)optlen;
		if (len > most)
			len = most;
		/* Whole segments, unless this is the end of the queue. */
		if (seq + len != end)
			len -= len % room;
	} else if ((p = pbuf_alloc(0)) != 0) {
		if (len > room)
			len = room;
	} else {
		COUNT(TCP_TX_NOBUF);
		return -ENOBUFS;
	}
	p->gso_size = (uint16_t)(len > room ? room : 0);
	tcp_snd_copy_out(c, seq, p->data, len);
	p->len = len;
	if (seq + len == end) {
		if (len)
			flags |= TH_PSH;
		if (c->flags & TF_FIN_Q)
			flags |= TH_FIN;
	}
	emit(p, c->laddr, c->raddr, c->lport, c->rport, seq, c->rcv_nxt, flags,
	     window_field(c, 0), o, optlen);
	ack_sent(c);
	nxt = seq + len + ((flags & TH_FIN) != 0);
	if (seq_gt(nxt, c->snd_nxt))
		c->snd_nxt = nxt;
	if (seq_gt(nxt, c->snd_max))
		c->snd_max = nxt;
	if (rtx) {
		COUNT(TCP_RTX);
		c->retransmits++;
		if ((c->flags & TF_RTT) && seq_in(c->rtt_seq, seq, nxt))
			c->flags &= ~TF_RTT; /* Karn */
	} else if (!(c->flags & (TF_TS | TF_RTT)) && len) {
		c->flags |= TF_RTT;
		c->rtt_seq = seq;
		c->rtt_start = tcp_now();
	}
	if (!c->rtx_at)
		tcp_rtx_arm(c);
	if (!rtx && len)
		tcp_tlp_sent(c);
	return (int)len;
}

void tcp_send_ack(struct net_tcp *c)
{
	uint8_t o[TCP_OPT_MAX];
	size_t n = conn_options(c, o, 1);

	if (tcp_xmit_raw(c->laddr, c->raddr, c->lport, c->rport, c->snd_nxt,
			 c->rcv_nxt, TH_ACK, window_field(c, 0), o, n) == 0)
		ack_sent(c);
}

void tcp_send_probe(struct net_tcp *c)
{
	uint8_t o[TCP_OPT_MAX];
	size_t n = conn_options(c, o, 0);

	tcp_xmit_raw(c->laddr, c->raddr, c->lport, c->rport, c->snd_una - 1,
		     c->rcv_nxt, TH_ACK, window_field(c, 0), o, n);
}

void tcp_send_rst(struct net_tcp *c)
{
	COUNT(TCP_RST_TX);
	tcp_xmit_raw(c->laddr, c->raddr, c->lport, c->rport, c->snd_nxt,
		     c->rcv_nxt, TH_RST | TH_ACK, 0, 0, 0);
}

void tcp_send_challenge(struct net_tcp *c)
{
	uint32_t sec = (uint32_t)(tcp_now() / NS_PER_S);

	if (c->challenge_s != sec) {
		c->challenge_s = sec;
		c->challenges = 0;
	}
	if (c->challenges >= NET_TCP_CHALLENGE_PER_S) {
		COUNT(TCP_CHALLENGE_LIMITED);
		return;
	}
	c->challenges++;
	COUNT(TCP_CHALLENGE_TX);
	tcp_send_ack(c);
}

int tcp_send_syn(struct net_tcp *c)
{
	uint8_t o[TCP_OPT_MAX];
	size_t n = 4;
	int active = c->state == TCP_SYN_SENT;
	int ts = active || (c->flags & TF_TS),
	    sack = active || (c->flags & TF_SACK);
	uint8_t flags = active ? TH_SYN : TH_SYN | TH_ACK;

	o[0] = 2, o[1] = 4;
	put16(o + 2, (uint16_t)(net_if.mtu - IP_HLEN - TCP_HLEN));
	if (ts) {
		o[n++] = sack ? 4 : 1, o[n++] = sack ? 2 : 1;
		o[n++] = 8, o[n++] = 10;
		put32(o + n, tcp_ms(tcp_now()) + c->ts_off);
		put32(o + n + 4, c->ts_recent);
		n += 8;
	} else if (sack) {
		o[n++] = 1, o[n++] = 1, o[n++] = 4, o[n++] = 2;
	}
	if (active || (c->flags & TF_WSCALE)) {
		uint8_t ws = 0;
		while ((NET_TCP_RCVBUF >> ws) > TCP_WIN_MAX)
			ws++;
		o[n++] = 1, o[n++] = 3, o[n++] = 3, o[n++] = ws;
	}
	c->syn_tries++;
	c->snd_nxt = c->iss + 1;
	if (seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	if (c->syn_tries == 1)
		c->rtt_start = tcp_now();
	tcp_rtx_arm(c);
	return tcp_xmit_raw(c->laddr, c->raddr, c->lport, c->rport, c->iss,
			    active ? 0 : c->rcv_nxt, flags, window_field(c, 1),
			    o, n);
}

void tcp_reply_rst(const struct pbuf *p, const struct tcp_seg *s)
{
	uint64_t now = tcp_now();
	uint64_t gained = (now - tcp.rst_at) * NET_TCP_RST_RATE / NS_PER_S;

	if (gained) {
		tcp.rst_tokens = gained + tcp.rst_tokens > NET_TCP_RST_BURST
					 ? NET_TCP_RST_BURST
					 : tcp.rst_tokens + (unsigned)gained;
		tcp.rst_at = now;
	}
	if (!tcp.rst_tokens) {
		COUNT(TCP_RST_LIMITED);
		return;
	}
	tcp.rst_tokens--;
	COUNT(TCP_RST_TX);
	if (s->flags & TH_ACK)
		tcp_xmit_raw(p->dst, p->src, s->dport, s->sport, s->ack, 0,
			     TH_RST, 0, 0, 0);
	else
		tcp_xmit_raw(p->dst, p->src, s->dport, s->sport, 0,
			     s->seq + s->len, TH_RST | TH_ACK, 0, 0, 0);
}

/* --- The output decision --------------------------------------------------- */

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Step 3: go-back-N from snd_nxt after a timeout. */
static int resend_next(struct net_tcp *c, uint32_t end, uint32_t allow)
{
	uint32_t seq = tcp_sack_skip(c, c->snd_nxt), data_end, len;

	if (!seq_lt(seq, c->snd_max)) {
		c->snd_nxt = c->snd_max;
		return 0;
	}
	data_end = seq_min(end, c->snd_max);
	len = seq_lt(seq, data_end) ? min32(c->mss, data_end - seq) : 0;
	len = min32(len, tcp_sack_next_left(c, seq, data_end) - seq);
	if (allow < (len ? len : 1))
		return -1; /* wait for the window */
	c->snd_nxt = seq;
	return tcp_send_data(c, seq, len, 1) < 0 ? -2 : 1;
}

/* The most new data one frame may carry: a segment, or with segmentation
 * offload as much as a TSO frame holds. */
static uint32_t tcp_max_send(const struct net_tcp *c)
{
	return net_if.tso_max ? tso_tcp_room() : c->mss;
}

/* One frame: 1 sent, 0 nothing to send, -1 out of buffers. */
static int send_one(struct net_tcp *c)
{
	uint32_t end = c->sq_seq + c->sq_len, allow = tcp_cc_allowance(c);
	uint32_t seq, len, avail, wnd;
	int fin_pending = (c->flags & TF_FIN_Q) && seq_le(c->snd_max, end);
	int r;

	if ((c->flags & TF_RTX_UNA) && c->snd_una == c->snd_max)
		c->flags &= ~TF_RTX_UNA; /* acknowledged meanwhile */
	if (c->flags & TF_RTX_UNA) {
		c->flags &= ~TF_RTX_UNA;
		len = seq_lt(c->snd_una, seq_min(end, c->snd_max))
			      ? min32(c->mss,
				      seq_min(end, c->snd_max) - c->snd_una)
			      : 0;
		if ((r = tcp_send_data(c, c->snd_una, len, 1)) < 0)
			return -1;
		/* SACK recovery's next hole starts past it (else a small
		 * window's allowance sent the same bytes twice). */
		if (seq_gt(c->snd_una + (uint32_t)r, c->high_rxt))
			c->high_rxt = c->snd_una + (uint32_t)r;
		if (c->flags & TF_RECOVERY) { /* watched: tcp_lost_rtx */
			c->watch_max = c->snd_max;
			c->flags |= TF_UNA_RXT;
		}
		return 1;
	}
	if ((c->flags & TF_RECOVERY) &&
	    tcp_sack_next_lost(c, seq_max(c->high_rxt, c->snd_una), &seq,
			       &len)) {
		len = min32(len, c->mss);
		if (allow < len)
			return 0;
		if ((r = tcp_send_data(c, seq, len, 1)) < 0)
			return -1;
		c->high_rxt = seq + (uint32_t)r;
		return 1;
	}
	if (seq_lt(c->snd_nxt, c->snd_max)) {
		r = resend_next(c, end, allow);
		if (r)
			return r == -1 ? 0 : r == -2 ? -1 : 1;
	}
	seq = c->snd_nxt;
	avail = seq_gt(end, seq) ? end - seq : 0;
	wnd = seq_gt(c->snd_una + c->snd_wnd, seq)
		      ? c->snd_una + c->snd_wnd - seq
		      : 0;
	len = min32(min32(avail, wnd), min32(allow, tcp_max_send(c)));
	if (len == 0) {
		if (avail == 0 && fin_pending && seq == end)
			return tcp_send_data(c, seq, 0, 0) < 0 ? -1 : 1;
		return 0;
	}
	if (len < c->mss && len < avail && len < c->max_snd_wnd / 2)
		return 0; /* silly window: wait for a bigger one */
	if (len < c->mss && len == avail && !(c->flags & TF_NODELAY) &&
	    c->snd_una != c->snd_max)
		return 0; /* Nagle: a small segment waits for the ACK */
	return tcp_send_data(c, seq, len, 0) < 0 ? -1 : 1;
}

void tcp_output(struct net_tcp *c)
{
	int r = 0;

	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		while ((r = send_one(c)) > 0)
			;
		break;
	case TCP_FIN_WAIT_2:
	case TCP_TIME_WAIT:
		break;
	default:
		return;
	}
	if (r < 0) {
		c->onext = stalled;
		stalled = c;
		c->flags |= TF_SCHED;
		return;
	}
	if (c->flags & TF_ACKNOW)
		tcp_send_ack(c);
	tcp_timer_update(c);
}

void tcp_flush(void)
{
	struct net_tcp *c;

	tcp_snd_run_callbacks();
	while ((c = tcp.out_head) != 0) {
		tcp.out_head = c->onext;
		if (!tcp.out_head)
			tcp.out_tail = 0;
		c->onext = 0;
		c->flags &= ~TF_SCHED;
		tcp_output(c);
	}
	/* Stalled connections go first next time. */
	while ((c = stalled) != 0) {
		stalled = c->onext;
		c->flags &= ~TF_SCHED;
		tcp_schedule(c);
	}
}

int tcp_stalled(void)
{
	return tcp.out_head != 0;
}
