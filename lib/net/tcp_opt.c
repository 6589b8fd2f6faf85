/* TCP header and option parsing (RFC 9293 3.1, 3.2; RFC 7323; RFC 2018).
 *
 * A segment is dropped only for what makes it unusable: shorter than a
 * header, a data offset below 5 words or past the segment, a bad
 * checksum, or SYN together with RST or FIN. A malformed option (length 0
 * or 1, past the header) ends option parsing, as in Linux: the options
 * before it count, the segment is kept, and tcp.options_malformed says
 * it happened. A known option with the wrong length is ignored and
 * counted the same way. */
#include <errno.h>

#include "tcp_impl.h"

#define TCPOPT_EOL	 0
#define TCPOPT_NOP	 1
#define TCPOPT_MSS	 2
#define TCPOPT_WSCALE	 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK	 5
#define TCPOPT_TS	 8

/* One option of kind K and length LEN at V (its value). 0, or -EINVAL if
 * its length is wrong for its kind. */
static int one_option(uint8_t k, size_t len, const uint8_t *v,
		      struct tcp_opts *t)
{
	switch (k) {
	case TCPOPT_MSS:
		if (len != 4)
			return -EINVAL;
		t->mss = get16(v);
		t->has_mss = 1;
		return 0;
	case TCPOPT_WSCALE:
		if (len != 3)
			return -EINVAL;
		t->wscale = v[0];
		t->has_wscale = 1;
		return 0;
	case TCPOPT_SACK_PERM:
		if (len != 2)
			return -EINVAL;
		t->sack_ok = 1;
		return 0;
	case TCPOPT_SACK:
		if (len < 10 || (len - 2) % 8)
			return -EINVAL;
		t->nsack = 0;
		for (size_t i = 0; i + 8 <= len - 2 && t->nsack < 4; i += 8) {
			t->sack[t->nsack][0] = get32(v + i);
			t->sack[t->nsack][1] = get32(v + i + 4);
			t->nsack++;
		}
		return 0;
	case TCPOPT_TS:
		if (len != 10)
			return -EINVAL;
		t->tsval = get32(v);
		t->tsecr = get32(v + 4);
		t->has_ts = 1;
		return 0;
	default:
		return 0; /* unknown options are skipped (RFC 9293 3.2) */
	}
}

int tcp_parse_options(const uint8_t *o, size_t n, struct tcp_opts *t)
{
	size_t i = 0;
	int r = 0;

	memset(t, 0, sizeof *t);
	while (i < n) {
		size_t len;

		if (o[i] == TCPOPT_EOL)
			break;
		if (o[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (n - i < 2)
			return -EINVAL;
		len = o[i + 1];
		if (len < 2 || len > n - i)
			return -EINVAL; /* a loop or a cut option: stop */
		if (one_option(o[i], len, o + i + 2, t) < 0)
			r = -EINVAL;
		i += len;
	}
	return r;
}

int tcp_parse(struct pbuf *p, struct tcp_seg *s)
{
	const uint8_t *h = p->data;
	size_t doff;

	if (p->len < TCP_HLEN)
		return NET_TCP_DROP_SHORT;
	doff = (size_t)(h[12] >> 4) * 4;
	if (doff < TCP_HLEN || doff > p->len)
		return NET_TCP_DROP_DOFF;
	if (!p->csum_ok &&
	    net_csum_fold(net_csum_add(
		    net_csum_pseudo(p->src, p->dst, IP_PROTO_TCP, p->len), h,
		    p->len)) != 0)
		return NET_TCP_DROP_CSUM;
	s->sport = get16(h);
	s->dport = get16(h + 2);
	s->seq = get32(h + 4);
	s->ack = get32(h + 8);
	s->flags = h[13] & 0x3f;
	s->wnd = get16(h + 14);
	s->urg = get16(h + 18);
	if ((s->flags & TH_SYN) && (s->flags & (TH_RST | TH_FIN)))
		return NET_TCP_DROP_FLAGS;
	if (s->sport == 0 || s->dport == 0)
		return NET_TCP_DROP_FLAGS;
	if (tcp_parse_options(h + TCP_HLEN, doff - TCP_HLEN, &s->opt) < 0)
		COUNT(TCP_OPT_MALFORMED);
	s->data = h + doff;
	s->dlen = (uint32_t)(p->len - doff);
	s->len = s->dlen + ((s->flags & TH_SYN) != 0) +
		 ((s->flags & TH_FIN) != 0);
	return 0;
}
