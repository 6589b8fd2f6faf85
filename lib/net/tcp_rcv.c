/* The receiving side of a connection: the receive buffer, the
 * out-of-order queue, the window we offer, and the SACK blocks we send.
 *
 * In-order payload is copied out of its frame into the receive buffer at
 * once, a list of heap blocks allocated as data arrives and freed as it
 * is read (an idle connection holds none), so pool buffers are never
 * held by a slow reader. Out-of-order payload is copied too, one small
 * block per segment, sorted by sequence number, at most
 * NET_TCP_OOO_SEGS_MAX per connection; it moves into the receive buffer
 * when the hole before it fills. All of it counts against
 * NET_TCP_MEM_MAX; the receive buffer against NET_TCP_RCVBUF too. The
 * offered window says how much more fits, never moves its right edge
 * left (RFC 9293 3.8.6), and grows only in steps of at least an MSS or
 * half the buffer (receiver-side silly window avoidance, 3.8.6.2.2).
 *
 * ACKs: out-of-order data, a FIN, a hole filled, or two full segments
 * unacknowledged send one at the next flush; otherwise the ACK waits up to
 * NET_TCP_DELACK_MS for a reply to ride on. */

#include "tcp_impl.h"

/* Receive blocks: a request fits a small one, a bulk transfer takes a
 * big one per eleven full segments. */
#define RBLK_MIN TCP_BLOCK_SMALL
#define RBLK_MAX TCP_BLOCK_BIG

static size_t rblk_bytes(const struct tcp_rblk *b)
{
	return sizeof *b + b->cap;
}

/* Appends N bytes to the receive buffer; returns how many fitted. */
static uint32_t rq_append(struct net_tcp *c, const uint8_t *d, uint32_t n)
{
	uint32_t done = 0;

	while (done < n) {
		struct tcp_rblk *b = c->rq_tail;
		uint32_t take;

		if (!b || b->len == b->cap) {
			uint32_t cap = n - done <= RBLK_MIN && !c->rq_head
					       ? RBLK_MIN
					       : RBLK_MAX;
			if (!tcp_mem_ok(sizeof *b + cap) ||
			    !(b = tcp_block_get(sizeof *b, cap)))
				break;
			tcp_mem_add((long)(sizeof *b + cap));
			b->next = 0;
			b->off = b->len = 0;
			b->cap = cap;
			if (c->rq_tail)
				c->rq_tail->next = b;
			else
				c->rq_head = b;
			c->rq_tail = b;
		}
		take = b->cap - b->len < n - done ? b->cap - b->len : n - done;
		memcpy(b->data + b->len, d + done, take);
		b->len += take;
		done += take;
	}
	c->rq_bytes += done;
	return done;
}

size_t tcp_rcv_copy(struct net_tcp *c, void *buf, size_t cap)
{
	uint8_t *out = buf;
	size_t n = 0;

	while (n < cap && c->rq_head) {
		struct tcp_rblk *b = c->rq_head;
		size_t take = b->len - b->off;
		if (take > cap - n)
			take = cap - n;
		memcpy(out + n, b->data + b->off, take);
		b->off += (uint32_t)take;
		n += take;
		if (b->off ==
		    b->len) { /* read: an idle connection holds none */
			c->rq_head = b->next;
			if (!c->rq_head)
				c->rq_tail = 0;
			tcp_mem_add(-(long)rblk_bytes(b));
			tcp_block_put(b, b->cap);
		}
	}
	c->rq_bytes -= (uint32_t)n;
	return n;
}

uint32_t tcp_rcv_window(struct net_tcp *c)
{
	uint32_t space = NET_TCP_RCVBUF - c->rq_bytes;
	uint32_t old =
		seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t step = c->mss; /* below NET_TCP_RCVBUF / 2 always */
	size_t global =
		NET_TCP_MEM_MAX > tcp.mem ? NET_TCP_MEM_MAX - tcp.mem : 0;

	if (space > global)
		space = (uint32_t)global;
	if (space > TCP_WIN_MAX << c->rcv_wscale)
		space = TCP_WIN_MAX << c->rcv_wscale; /* what the field holds */
	if (space < old || space - old < step)
		return old; /* never shrink; grow only by a useful step */
	return space;
}

static size_t oseg_bytes(const struct tcp_oseg *o)
{
	return sizeof *o + o->cap;
}

static void oseg_free(struct tcp_oseg *o)
{
	tcp_mem_add(-(long)oseg_bytes(o));
	tcp_block_put(o, o->cap);
	tcp.ooo_segs--;
}

void tcp_rcv_free_ooo(struct net_tcp *c)
{
	while (c->ooo) {
		struct tcp_oseg *o = c->ooo;
		c->ooo = o->next;
		oseg_free(o);
	}
	c->ooo_segs = 0;
}

void tcp_rcv_free(struct net_tcp *c)
{
	while (c->rq_head) {
		struct tcp_rblk *b = c->rq_head;
		c->rq_head = b->next;
		tcp_mem_add(-(long)rblk_bytes(b));
		tcp_block_put(b, b->cap);
	}
	c->rq_tail = 0;
	c->rq_bytes = 0;
	tcp_rcv_free_ooo(c);
}

/* Copies in the out-of-order segments the new rcv_nxt reaches. */
static void pull_ooo(struct net_tcp *c)
{
	struct tcp_oseg *o;

	while ((o = c->ooo) && seq_le(o->seq, c->rcv_nxt)) {
		uint32_t end = o->seq + o->len;
		c->ooo = o->next;
		c->ooo_segs--;
		if (seq_gt(end, c->rcv_nxt)) {
			uint32_t skip = c->rcv_nxt - o->seq, n = o->len - skip;
			uint32_t got = rq_append(c, o->data + skip, n);
			c->rcv_nxt += got;
			c->rcv_unacked += got;
			if (got < n) {
				COUNT(TCP_DROP_NOMEM); /* the rest comes again */
				oseg_free(o);
				break;
			}
		}
		if (o->fin && c->rcv_nxt == end && !(c->flags & TF_RCVD_FIN)) {
			c->rcv_nxt++;
			c->flags |= TF_RCVD_FIN;
		}
		oseg_free(o);
	}
}

static void drop_highest(struct net_tcp *c)
{
	struct tcp_oseg **pp = &c->ooo;

	while ((*pp)->next)
		pp = &(*pp)->next;
	oseg_free(*pp);
	*pp = 0;
	c->ooo_segs--;
}

static struct tcp_oseg **ooo_place(struct net_tcp *c, uint32_t seq)
{
	struct tcp_oseg **pp = &c->ooo;

	while (*pp && seq_lt((*pp)->seq, seq))
		pp = &(*pp)->next;
	return pp;
}

/* A copy of S's payload for the out-of-order queue, or NULL. */
static struct tcp_oseg *oseg_new(const struct tcp_seg *s)
{
	uint32_t cap = s->dlen <= TCP_BLOCK_SMALL ? TCP_BLOCK_SMALL : s->dlen;
	struct tcp_oseg *o;

	if (!tcp_mem_ok(sizeof *o + cap) ||
	    !(o = tcp_block_get(sizeof *o, cap))) {
		COUNT(TCP_DROP_NOMEM);
		return 0;
	}
	o->seq = s->seq;
	o->len = s->dlen;
	o->cap = cap;
	o->fin = (s->flags & TH_FIN) != 0;
	memcpy(o->data, s->data, s->dlen);
	tcp_mem_add((long)(sizeof *o + cap));
	tcp.ooo_segs++;
	return o;
}

/* Queues S (payload at S->seq > rcv_nxt) out of order. */
static void ooo_insert(struct net_tcp *c, const struct tcp_seg *s)
{
	struct tcp_oseg **pp = ooo_place(c, s->seq), *last, *o;

	if (*pp && (*pp)->seq == s->seq && (*pp)->len >= s->dlen) {
		COUNT(TCP_DUP_DATA); /* the same segment again */
		return;
	}
	if (c->ooo_segs >= NET_TCP_OOO_SEGS_MAX) {
		/* Keep the lowest segments: they fill holes soonest. */
		COUNT(TCP_OOO_DROP);
		for (last = c->ooo; last->next; last = last->next)
			;
		if (!seq_lt(s->seq, last->seq))
			return;
		drop_highest(c);
		pp = ooo_place(c, s->seq);
	}
	if (!(o = oseg_new(s)))
		return;
	o->next = *pp;
	*pp = o;
	c->ooo_segs++;
	c->ooo_last[0] = s->seq;
	c->ooo_last[1] = s->seq + s->dlen;
	COUNT(TCP_OOO);
}

static void ack_policy(struct net_tcp *c, int now)
{
	if (now || c->rcv_unacked >= 2U * c->mss) {
		c->flags |= TF_ACKNOW;
		c->delack_at = 0;
	} else if (!c->delack_at) {
		c->delack_at = tcp_now() + NET_TCP_DELACK_MS * NS_PER_MS;
	}
	tcp_schedule(c);
}

void tcp_rcv_data(struct net_tcp *c, struct tcp_seg *s)
{
	int had_ooo = c->ooo != 0;

	if (seq_gt(s->seq, c->rcv_nxt)) {
		if (s->dlen || (s->flags & TH_FIN))
			ooo_insert(c, s);
		ack_policy(c, 1); /* a duplicate ACK tells the sender */
		return;
	}
	if (s->dlen) {
		uint32_t n = rq_append(c, s->data, s->dlen);
		if (n < s->dlen) {
			COUNT(TCP_DROP_NOMEM);
			s->flags &= (uint8_t)~TH_FIN;
		}
		c->rcv_nxt += n;
		c->rcv_unacked += n;
	}
	if (s->flags & TH_FIN) {
		c->rcv_nxt++;
		c->flags |= TF_RCVD_FIN;
	}
	if (c->ooo)
		pull_ooo(c);
	if (s->dlen || (c->flags & TF_RCVD_FIN))
		tcp_wake(c, NET_TCP_READABLE);
	ack_policy(c, had_ooo || (c->flags & TF_RCVD_FIN));
}

/* Collects the out-of-order queue's contiguous ranges into B (at most
 * MAX); returns how many. */
static unsigned ooo_ranges(const struct net_tcp *c, uint32_t b[][2],
			   unsigned max)
{
	unsigned n = 0;

	for (const struct tcp_oseg *o = c->ooo; o && n < max; o = o->next) {
		uint32_t l = o->seq, r = l + o->len;
		while (o->next && seq_le(o->next->seq, r)) {
			o = o->next;
			r = seq_max(r, o->seq + o->len);
		}
		if (r != l) {
			b[n][0] = l;
			b[n][1] = r;
			n++;
		}
	}
	return n;
}

size_t tcp_rcv_sack_opt(struct net_tcp *c, uint8_t *o, size_t room)
{
	uint32_t b[NET_TCP_OOO_SEGS_MAX][2];
	unsigned n, max = room >= 12 ? (unsigned)((room - 4) / 8) : 0;

	if (!(c->flags & TF_SACK) || !c->ooo || max == 0)
		return 0;
	if (max > 4)
		max = 4;
	n = ooo_ranges(c, b, NET_TCP_OOO_SEGS_MAX);
	/* The block holding the latest arrival goes first (RFC 2018 4). */
	for (unsigned i = 1; i < n; i++)
		if (seq_in(c->ooo_last[0], b[i][0], b[i][1])) {
			uint32_t l = b[i][0], r = b[i][1];
			memmove(b[1], b[0], i * sizeof b[0]);
			b[0][0] = l;
			b[0][1] = r;
			break;
		}
	if (n > max)
		n = max;
	if (n == 0)
		return 0;
	o[0] = 1;
	o[1] = 1;
	o[2] = 5;
	o[3] = (uint8_t)(2 + 8 * n);
	for (unsigned i = 0; i < n; i++) {
		put32(o + 4 + 8 * i, b[i][0]);
		put32(o + 8 + 8 * i, b[i][1]);
	}
	return 4 + 8 * n;
}
