/* IPv4 reassembly, bounded against every fragment attack we know of
 * (FragmentSmack, ping of death, overlap tricks, never-completed floods):
 *
 *   - at most NET_REASS_SLOTS datagrams at once; a new one evicts the
 *     oldest when all are busy;
 *   - the fragments held use at most NET_REASS_MEM_MAX bytes of buffers;
 *     above that the oldest other datagrams are evicted, and a fragment
 *     that still does not fit is dropped;
 *   - a datagram not complete NET_REASS_TIMEOUT_S after its first
 *     fragment is dropped;
 *   - a fragment that would end past 65,535 bytes drops its datagram; so
 *     does any overlap (an exact duplicate only drops itself), a second
 *     last fragment that disagrees, or data past the last fragment's end;
 *   - non-final fragments must carry a multiple of 8 bytes.
 *
 * Fragments wait in their buffers, sorted by offset; a complete datagram
 * is copied once into a heap buffer with its first fragment's header. */
#include "impl.h"

struct reass {
	int used;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint64_t deadline;
	uint64_t born; /* for eviction: oldest first */
	size_t total;  /* payload length once the last fragment is in */
	int have_last;
	size_t bytes;	    /* buffer bytes held */
	struct pbuf *frags; /* sorted by frag_off */
	uint8_t hdr[60];    /* the first fragment's header */
	size_t hlen;	    /* 0 until the first fragment is in */
};

static struct reass slots[NET_REASS_SLOTS];
static size_t held;
static uint64_t births;
static struct core_timer timer;

static void on_timer(struct core_timer *t);

size_t ipfrag_bytes(void)
{
	return held;
}

static void release(struct reass *r, int counter)
{
	pbuf_free_list(r->frags);
	held -= r->bytes;
	if (counter >= 0)
		net_counters[counter]++;
	memset(r, 0, sizeof *r);
}

void ipfrag_reset(void)
{
	for (unsigned i = 0; i < NET_REASS_SLOTS; i++)
		if (slots[i].used)
			release(&slots[i], -1);
	core_timer_cancel(&timer);
	core_timer_init(&timer, on_timer);
}

static void rearm(void)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < NET_REASS_SLOTS; i++)
		if (slots[i].used && slots[i].deadline < next)
			next = slots[i].deadline;
	if (next == UINT64_MAX)
		core_timer_cancel(&timer);
	else
		core_timer_arm(&timer, next);
}

static void on_timer(struct core_timer *t)
{
	uint64_t now = pith_clock_monotonic();

	(void)t;
	for (unsigned i = 0; i < NET_REASS_SLOTS; i++)
		if (slots[i].used && slots[i].deadline <= now)
			release(&slots[i], NET_IP_REASS_TIMEOUT);
	rearm();
}

/* The oldest busy slot other than KEEP, or NULL. */
static struct reass *oldest(const struct reass *keep)
{
	struct reass *o = 0;

	for (unsigned i = 0; i < NET_REASS_SLOTS; i++)
		if (slots[i].used && &slots[i] != keep &&
		    (!o || slots[i].born < o->born))
			o = &slots[i];
	return o;
}

static struct reass *lookup(const struct pbuf *p, uint8_t proto, uint16_t id)
{
	struct reass *r = 0;

	for (unsigned i = 0; i < NET_REASS_SLOTS; i++) {
		struct reass *s = &slots[i];
		if (s->used && s->src == p->src && s->dst == p->dst &&
		    s->id == id && s->proto == proto)
			return s;
		if (!s->used && !r)
			r = s;
	}
	if (!r) {
		r = oldest(0);
		release(r, NET_IP_REASS_EVICT);
	}
	r->used = 1;
	r->src = p->src;
	r->dst = p->dst;
	r->id = id;
	r->proto = proto;
	r->born = ++births;
	r->deadline = pith_clock_monotonic() + NET_REASS_TIMEOUT_S * NS_PER_S;
	rearm();
	return r;
}

/* Makes room for BYTES more; 0, or -1 if only R itself could give. */
static int make_room(struct reass *r, size_t bytes)
{
	while (held + bytes > NET_REASS_MEM_MAX) {
		struct reass *o = oldest(r);
		if (!o)
			return -1;
		release(o, NET_IP_REASS_EVICT);
	}
	return 0;
}

/* Inserts P in R's sorted list. 0, 1 for an exact duplicate (P is not
 * taken), -1 for an overlap. */
static int insert(struct reass *r, struct pbuf *p)
{
	struct pbuf **at = &r->frags, *prev = 0;
	size_t off = p->frag_off, end = off + p->len;

	while (*at && (*at)->frag_off < off) {
		prev = *at;
		at = &(*at)->next;
	}
	if (*at && (*at)->frag_off == off && (*at)->len == p->len)
		return 1;
	if (prev && prev->frag_off + prev->len > off)
		return -1;
	if (*at && (*at)->frag_off < end)
		return -1;
	p->next = *at;
	*at = p;
	return 0;
}

static int complete(const struct reass *r)
{
	size_t next = 0;

	if (!r->have_last || !r->hlen)
		return 0;
	for (const struct pbuf *f = r->frags; f; f = f->next) {
		if (f->frag_off != next)
			return 0;
		next += f->len;
	}
	return next == r->total;
}

/* Copies R's fragments into one heap buffer; frees the slot. */
static struct pbuf *assemble(struct reass *r)
{
	struct pbuf *d = pbuf_alloc_heap(r->hlen + r->total);
	uint8_t *h;

	if (!d) {
		release(r, NET_IP_REASS_NOMEM);
		return 0;
	}
	h = d->data;
	memcpy(h, r->hdr, r->hlen);
	put16(h + 2, (uint16_t)(r->hlen + r->total));
	put16(h + 6, 0);
	put16(h + 10, 0);
	put16(h + 10, net_csum_fold(net_csum_add(0, h, r->hlen)));
	for (const struct pbuf *f = r->frags; f; f = f->next)
		memcpy(h + r->hlen + f->frag_off, f->data, f->len);
	d->ip = h;
	d->data = h + r->hlen;
	d->len = r->total;
	d->src = r->src;
	d->dst = r->dst;
	release(r, NET_IP_REASS_OK);
	rearm();
	return d;
}

/* Checks P against what R knows; 0, or the counter that drops R. */
static int consistent(struct reass *r, const struct pbuf *p, size_t end)
{
	if (!p->frag_more) {
		if (r->have_last && r->total != end)
			return NET_IP_REASS_BAD;
		for (const struct pbuf *f = r->frags; f; f = f->next)
			if (f->frag_off + f->len > end)
				return NET_IP_REASS_BAD;
	} else if (r->have_last && end > r->total) {
		return NET_IP_REASS_BAD;
	}
	return 0;
}

struct pbuf *ipfrag_input(struct pbuf *p, uint8_t proto, uint16_t id)
{
	size_t hl = (size_t)(p->ip[0] & 0xf) * 4, end = p->frag_off + p->len;
	struct reass *r;
	int why;

	if (p->len == 0 || (p->frag_more && p->len % 8)) {
		COUNT(IP_REASS_BAD);
		goto drop;
	}
	r = lookup(p, proto, id);
	if (hl + end > NET_IP_MAX) {
		release(r, NET_IP_REASS_TOOBIG);
		goto drop_rearm;
	}
	if ((why = consistent(r, p, end)) != 0) {
		release(r, why);
		goto drop_rearm;
	}
	if ((!p->heap && !pbuf_may_keep()) || make_room(r, p->cap) < 0) {
		COUNT(IP_REASS_NOMEM);
		if (!r->frags)
			release(r, -1);
		goto drop_rearm;
	}
	switch (insert(r, p)) {
	case 1:
		COUNT(IP_REASS_DUP);
		goto drop;
	case -1:
		release(r, NET_IP_REASS_OVERLAP);
		goto drop_rearm;
	}
	r->bytes += p->cap;
	held += p->cap;
	if (!p->frag_more) {
		r->have_last = 1;
		r->total = end;
	}
	if (p->frag_off == 0) {
		memcpy(r->hdr, p->ip, hl);
		r->hlen = hl;
	}
	return complete(r) ? assemble(r) : 0;
drop_rearm:
	rearm();
drop:
	pbuf_free(p);
	return 0;
}
