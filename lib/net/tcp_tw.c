/* The TIME-WAIT table: what is left of a connection we closed first, for
 * NET_TCP_TIMEWAIT_S, in 40 bytes instead of a whole connection.
 *
 * Entries sit in a ring in the order they expire (all wait equally long;
 * one whose wait restarts moves to the tail), with one timer for the
 * oldest, and in a hash of slot indices for lookup. The ring and the
 * hash are allocated at the first entry. At NET_TCP_TIMEWAIT_MAX the
 * oldest entry is recycled early (RFC 6191: with timestamps, a new
 * incarnation is told apart anyway). In TIME-WAIT:
 *   - a retransmitted FIN is acknowledged and restarts the wait;
 *   - a SYN with a higher sequence number or timestamp reopens the
 *     connection (the entry goes; the listener sees the SYN);
 *   - a RST is ignored (RFC 1337: assassination hazards);
 *   - other segments with data or FIN are answered with an ACK, pure
 *     ACKs are dropped (no ACK storms). */
#include <stdlib.h>

#include "tcp_impl.h"

#define TW_NONE UINT32_MAX

struct tcp_tw {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint32_t snd_nxt, rcv_nxt, ts_recent, ts_off;
	uint32_t next; /* hash chain: slot index, or TW_NONE */
	uint16_t wnd;  /* window to send (already scaled down) */
	uint8_t used, ts, restarted;
	uint64_t expire;
};

static struct {
	struct tcp_tw *e;   /* NET_TCP_TIMEWAIT_MAX slots, a ring */
	uint32_t *hash;	    /* NET_TCP_TIMEWAIT_MAX chains */
	unsigned head, len; /* ring: oldest slot and slots in use or holes */
	unsigned count;	    /* live entries */
	struct core_timer timer;
} tw;

static uint32_t *chain(uint32_t raddr, uint16_t lport, uint16_t rport)
{
	return &tw.hash[tcp_hash_tuple(raddr, lport, rport) %
			NET_TCP_TIMEWAIT_MAX];
}

static void unchain(uint32_t i)
{
	struct tcp_tw *t = &tw.e[i];

	for (uint32_t *pp = chain(t->raddr, t->lport, t->rport); *pp != TW_NONE;
	     pp = &tw.e[*pp].next)
		if (*pp == i) {
			*pp = t->next;
			break;
		}
	t->used = 0;
	tw.count--;
}

static uint32_t find(uint32_t raddr, uint16_t lport, uint16_t rport)
{
	if (!tw.e)
		return TW_NONE;
	for (uint32_t i = *chain(raddr, lport, rport); i != TW_NONE;
	     i = tw.e[i].next)
		if (tw.e[i].raddr == raddr && tw.e[i].lport == lport &&
		    tw.e[i].rport == rport)
			return i;
	return TW_NONE;
}

/* Drops empty slots at the ring's head and arms the timer for the
 * oldest live entry. */
static void settle(void)
{
	while (tw.len && !tw.e[tw.head].used) {
		tw.head = (tw.head + 1) % NET_TCP_TIMEWAIT_MAX;
		tw.len--;
	}
	if (tw.len) {
		if (core_timer_arm(&tw.timer, tw.e[tw.head].expire) < 0)
			COUNT(TCP_TIMER_NOSPC);
	} else {
		core_timer_cancel(&tw.timer);
	}
}

/* Appends a copy of T at the ring's tail (evicting the oldest if full). */
static void append(const struct tcp_tw *t)
{
	uint32_t i, *c;

	if (tw.len == NET_TCP_TIMEWAIT_MAX) {
		if (tw.e[tw.head].used) {
			unchain(tw.head);
			COUNT(TCP_TW_EVICTED);
		}
		tw.head = (tw.head + 1) % NET_TCP_TIMEWAIT_MAX;
		tw.len--;
	}
	i = (tw.head + tw.len++) % NET_TCP_TIMEWAIT_MAX;
	tw.e[i] = *t;
	c = chain(t->raddr, t->lport, t->rport);
	tw.e[i].next = *c;
	*c = i;
	tw.count++;
}

static void expire(struct core_timer *timer)
{
	uint64_t now = tcp_now();

	(void)timer;
	while (tw.len) {
		struct tcp_tw *t = &tw.e[tw.head];
		if (t->used && t->expire > now) {
			struct tcp_tw copy = *t;
			if (!t->restarted)
				break;
			/* Its wait restarted: it moves to the tail (it may
			 * then wait a little longer than it must). */
			copy.restarted = 0;
			unchain(tw.head);
			append(&copy);
			continue;
		}
		if (t->used)
			unchain(tw.head);
		tw.head = (tw.head + 1) % NET_TCP_TIMEWAIT_MAX;
		tw.len--;
	}
	settle();
}

static int ensure(void)
{
	if (tw.e)
		return 0;
	tw.e = calloc(NET_TCP_TIMEWAIT_MAX, sizeof *tw.e);
	tw.hash = malloc(NET_TCP_TIMEWAIT_MAX * sizeof *tw.hash);
	if (!tw.e || !tw.hash) {
		free(tw.e);
		free(tw.hash);
		tw.e = 0;
		tw.hash = 0;
		return -1;
	}
	memset(tw.hash, 0xff, NET_TCP_TIMEWAIT_MAX * sizeof *tw.hash);
	core_timer_init(&tw.timer, expire);
	return 0;
}

void tcp_tw_enter(struct net_tcp *c)
{
	struct tcp_tw t = { 0 };
	uint32_t wnd = tcp_rcv_window(c) >> c->rcv_wscale;

	if (c->flags & TF_ACKNOW)
		tcp_send_ack(c); /* the ACK of the peer's FIN, still owed */
	if (ensure() == 0) {
		t.laddr = c->laddr;
		t.raddr = c->raddr;
		t.lport = c->lport;
		t.rport = c->rport;
		t.snd_nxt = c->snd_nxt;
		t.rcv_nxt = c->rcv_nxt;
		t.ts_recent = c->ts_recent;
		t.ts_off = c->ts_off;
		t.ts = (c->flags & TF_TS) != 0;
		t.wnd = (uint16_t)(wnd > TCP_WIN_MAX ? TCP_WIN_MAX : wnd);
		t.used = 1;
		t.expire = tcp_now() + NET_TCP_TIMEWAIT_S * NS_PER_S;
		append(&t);
		settle();
	}
	tcp_conn_free(c);
}

static void tw_ack(const struct tcp_tw *t)
{
	uint8_t o[12];
	size_t n = 0;

	if (t->ts) {
		o[0] = o[1] = 1;
		o[2] = 8;
		o[3] = 10;
		put32(o + 4, tcp_ms(tcp_now()) + t->ts_off);
		put32(o + 8, t->ts_recent);
		n = 12;
	}
	tcp_xmit_raw(t->laddr, t->raddr, t->lport, t->rport, t->snd_nxt,
		     t->rcv_nxt, TH_ACK, t->wnd, o, n);
}

int tcp_tw_input(struct pbuf *p, const struct tcp_seg *s)
{
	uint32_t i = find(p->src, s->dport, s->sport);
	struct tcp_tw *t;

	if (i == TW_NONE)
		return 0;
	t = &tw.e[i];
	if (s->flags & TH_RST) {
		COUNT(TCP_RST_IGNORED);
		goto consumed;
	}
	if ((s->flags & (TH_SYN | TH_ACK)) == TH_SYN &&
	    (seq_gt(s->seq, t->rcv_nxt) ||
	     (t->ts && s->opt.has_ts && seq_gt(s->opt.tsval, t->ts_recent)))) {
		COUNT(TCP_TW_REUSED);
		unchain(i);
		settle();
		return 0;
	}
	if (t->ts && s->opt.has_ts && seq_lt(s->opt.tsval, t->ts_recent)) {
		COUNT(TCP_DROP_PAWS);
		tw_ack(t);
		goto consumed;
	}
	if (s->flags & TH_FIN) {
		t->expire = tcp_now() + NET_TCP_TIMEWAIT_S * NS_PER_S;
		t->restarted = 1;
		tw_ack(t);
	} else if (s->dlen || (s->flags & TH_SYN)) {
		tw_ack(t);
	}
consumed:
	pbuf_free(p);
	return 1;
}

unsigned tcp_tw_count(void)
{
	return tw.count;
}

void tcp_tw_reset(void)
{
	if (tw.e)
		core_timer_cancel(&tw.timer);
	free(tw.e);
	free(tw.hash);
	memset(&tw, 0, sizeof tw);
}
