/* The SACK scoreboard (RFC 2018, RFC 6675): which bytes above snd_una
 * the peer says it holds, as at most NET_TCP_SACK_RANGES sorted,
 * disjoint ranges, allocated at a connection's first SACK block and freed
 * once snd_una passes them all.
 *
 * A block is believed only if it lies inside what we sent: left < right,
 * right <= snd_max, right > snd_una (older ones are D-SACKs or stale),
 * and no longer than the largest window the peer offered; a left edge
 * below snd_una is cut to it. A new disjoint range that does not fit a
 * full scoreboard is ignored: less information only means more
 * retransmission, and crafted blocks cannot grow memory or work.
 *
 * Loss (RFC 6675 IsLost, by bytes): a byte counts as lost when more than
 * (DupThresh - 1) * MSS SACKed bytes lie above it (DupThresh from
 * tcp_dupthresh: 3, or less under early retransmit). */
#include <stdlib.h>

#include "tcp_impl.h"

void tcp_sb_add(struct tcp_sack *sb, uint32_t l, uint32_t r)
{
	unsigned i = 0, j;

	while (i < sb->n && seq_lt(sb->r[i][1], l))
		i++;
	/* Ranges i..j-1 touch or overlap [l, r): merge them. */
	for (j = i; j < sb->n && seq_le(sb->r[j][0], r); j++) {
		l = seq_min(l, sb->r[j][0]);
		r = seq_max(r, sb->r[j][1]);
	}
	if (j == i) { /* disjoint: insert at i */
		if (sb->n == NET_TCP_SACK_RANGES) {
			COUNT(TCP_SACK_MERGED);
			return;
		}
		memmove(sb->r[i + 1], sb->r[i], (sb->n - i) * sizeof sb->r[0]);
		sb->n++;
	} else if (j > i + 1) {
		memmove(sb->r[i + 1], sb->r[j], (sb->n - j) * sizeof sb->r[0]);
		sb->n -= j - i - 1;
	}
	sb->r[i][0] = l;
	sb->r[i][1] = r;
}

void tcp_sb_trim(struct tcp_sack *sb, uint32_t una)
{
	unsigned i = 0;

	while (i < sb->n && seq_le(sb->r[i][1], una))
		i++;
	memmove(sb->r[0], sb->r[i], (sb->n - i) * sizeof sb->r[0]);
	sb->n -= i;
	if (sb->n && seq_lt(sb->r[0][0], una))
		sb->r[0][0] = una;
}

uint32_t tcp_sb_above(const struct tcp_sack *sb, uint32_t seq)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < sb->n; i++)
		if (seq_gt(sb->r[i][1], seq))
			n += sb->r[i][1] - seq_max(sb->r[i][0], seq);
	return n;
}

void tcp_sack_update(struct net_tcp *c, const struct tcp_opts *o)
{
	for (unsigned i = 0; i < o->nsack; i++) {
		uint32_t l = o->sack[i][0], r = o->sack[i][1];
		if (!seq_lt(l, r) || seq_gt(r, c->snd_max) ||
		    r - l > c->max_snd_wnd + c->mss) {
			COUNT(TCP_SACK_INVALID);
			continue;
		}
		if (!seq_gt(r, c->snd_una))
			continue; /* a D-SACK or an old block */
		if (seq_lt(l, c->snd_una))
			l = c->snd_una;
		if (!c->sack && !(c->sack = calloc(1, sizeof *c->sack))) {
			COUNT(TCP_DROP_NOMEM);
			return;
		}
		tcp_sb_add(c->sack, l, r);
	}
}

void tcp_sack_acked(struct net_tcp *c)
{
	if (!c->sack)
		return;
	tcp_sb_trim(c->sack, c->snd_una);
	if (c->sack->n == 0) {
		free(c->sack);
		c->sack = 0;
	}
}

uint32_t tcp_sack_bytes(const struct net_tcp *c)
{
	return c->sack ? tcp_sb_above(c->sack, c->snd_una) : 0;
}

/* Bytes below this are lost (IsLost), or snd_una when none is. */
static uint32_t lost_edge(const struct net_tcp *c)
{
	uint32_t above = 0, thresh = (tcp_dupthresh(c) - 1) * (uint32_t)c->mss;

	if (!c->sack)
		return c->snd_una;
	for (unsigned i = c->sack->n; i-- > 0;) {
		uint32_t l = c->sack->r[i][0], r = c->sack->r[i][1];
		if (above + (r - l) > thresh)
			return r - (thresh - above); /* inside this range */
		above += r - l;
	}
	return c->snd_una;
}

int tcp_sack_has(const struct net_tcp *c, uint32_t seq)
{
	if (c->sack)
		for (unsigned i = 0; i < c->sack->n; i++)
			if (seq_in(seq, c->sack->r[i][0], c->sack->r[i][1]))
				return 1;
	return 0;
}

uint32_t tcp_sack_skip(const struct net_tcp *c, uint32_t seq)
{
	if (c->sack)
		for (unsigned i = 0; i < c->sack->n; i++)
			if (seq_in(seq, c->sack->r[i][0], c->sack->r[i][1]))
				return c->sack->r[i][1];
	return seq;
}

uint32_t tcp_sack_next_left(const struct net_tcp *c, uint32_t seq,
			    uint32_t limit)
{
	if (c->sack)
		for (unsigned i = 0; i < c->sack->n; i++)
			if (seq_gt(c->sack->r[i][0], seq))
				return seq_min(c->sack->r[i][0], limit);
	return limit;
}

int tcp_sack_next_lost(const struct net_tcp *c, uint32_t from, uint32_t *seq,
		       uint32_t *len)
{
	uint32_t edge = lost_edge(c), s = tcp_sack_skip(c, from);

	if (!c->sack || !seq_lt(s, edge))
		return 0;
	*seq = s;
	*len = tcp_sack_next_left(c, s, edge) - s;
	return *len > 0;
}

/* Unsacked bytes in [a, b). */
static uint32_t unsacked(const struct net_tcp *c, uint32_t a, uint32_t b)
{
	uint32_t n;

	if (!seq_lt(a, b))
		return 0;
	n = b - a;
	for (unsigned i = 0; i < c->sack->n; i++) {
		uint32_t l = seq_max(c->sack->r[i][0], a);
		uint32_t r = seq_min(c->sack->r[i][1], b);
		if (seq_lt(l, r))
			n -= r - l;
	}
	return n;
}

uint32_t tcp_sack_pipe(const struct net_tcp *c)
{
	uint32_t edge = lost_edge(c);

	/* RFC 6675 SetPipe: bytes not lost, plus lost ones retransmitted. */
	return unsacked(c, edge, c->snd_max) +
	       unsacked(c, c->snd_una, seq_min(c->high_rxt, edge));
}
