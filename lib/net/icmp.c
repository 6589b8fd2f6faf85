/* ICMP (RFC 792, RFC 1122 3.2.2): echo requests are answered in place
 * (the request's buffer becomes the reply), at any size reassembly
 * allows; errors we receive are counted and change nothing (no state
 * here depends on them); errors we send (port and protocol unreachable)
 * pass a token bucket of NET_ICMP_ERR_RATE a second, and are never sent
 * about broadcasts, non-first fragments, ICMP errors or odd sources. */
#include "impl.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH	3
#define ICMP_ECHO	8
#define ICMP_QUOTE_MAX	(576 - IP_HLEN - ICMP_HLEN) /* RFC 1812 4.3.2.3 */

static struct {
	uint64_t tokens_at; /* when the bucket was last filled */
	unsigned tokens;
} bucket;

void icmp_reset(void)
{
	bucket.tokens = NET_ICMP_ERR_BURST;
	bucket.tokens_at = 0;
}

static int is_error_type(uint8_t t)
{
	return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
}

static void echo_reply(struct pbuf *p)
{
	uint8_t *m = p->data;

	if (iface_is_broadcast(p->dst)) {
		COUNT(ICMP_DROP_TYPE); /* no answers to broadcast pings */
		pbuf_free(p);
		return;
	}
	m[0] = ICMP_ECHO_REPLY;
	put16(m + 2, 0);
	put16(m + 2, net_csum_fold(net_csum_add(0, m, p->len)));
	COUNT(ICMP_ECHO_REPLIES);
	COUNT(ICMP_TX);
	ip_output(p, p->dst, p->src, IP_PROTO_ICMP);
}

void icmp_input(struct pbuf *p)
{
	const uint8_t *m = p->data;

	COUNT(ICMP_RX);
	if (p->len < ICMP_HLEN) {
		COUNT(ICMP_DROP_SHORT);
		goto drop;
	}
	if (net_csum_fold(net_csum_add(0, m, p->len)) != 0) {
		COUNT(ICMP_DROP_CSUM);
		goto drop;
	}
	if (m[0] == ICMP_ECHO && m[1] == 0) {
		echo_reply(p);
		return;
	}
	if (is_error_type(m[0]))
		COUNT(ICMP_ERRORS_RX);
	else
		COUNT(ICMP_DROP_TYPE);
drop:
	pbuf_free(p);
}

static int allowed(void)
{
	uint64_t now = pith_clock_monotonic();
	uint64_t gained =
		(now - bucket.tokens_at) * NET_ICMP_ERR_RATE / NS_PER_S;

	if (gained) {
		bucket.tokens = gained + bucket.tokens > NET_ICMP_ERR_BURST
					? NET_ICMP_ERR_BURST
					: bucket.tokens + (unsigned)gained;
		bucket.tokens_at = now;
	}
	if (!bucket.tokens)
		return 0;
	bucket.tokens--;
	return 1;
}

/* Whether the datagram P may cause an error message (RFC 1122 3.2.2). */
static int may_answer(const struct pbuf *p)
{
	const uint8_t *ip = p->ip;
	size_t hl = (size_t)(ip[0] & 0xf) * 4;

	if (iface_is_broadcast(p->dst) || (get16(ip + 6) & 0x1fff))
		return 0;
	if (ip[9] == IP_PROTO_ICMP &&
	    (p->data + p->len < ip + hl + 1 || is_error_type(ip[hl])))
		return 0;
	return p->src != 0 && p->src != IP_BROADCAST && (p->src >> 28) < 0xe;
}

void icmp_error(const struct pbuf *p, uint8_t type, uint8_t code)
{
	size_t quote = (size_t)(p->data + p->len - p->ip);
	struct pbuf *q;
	uint8_t *m;

	if (!p->ip || !may_answer(p))
		return;
	if (!allowed()) {
		COUNT(ICMP_RATE_LIMITED);
		return;
	}
	if (quote > ICMP_QUOTE_MAX)
		quote = ICMP_QUOTE_MAX;
	if (!(q = pbuf_alloc(0))) {
		COUNT(ICMP_DROP_NOBUF);
		return;
	}
	m = q->data;
	m[0] = type;
	m[1] = code;
	put16(m + 2, 0);
	put32(m + 4, 0);
	memcpy(m + ICMP_HLEN, p->ip, quote);
	q->len = ICMP_HLEN + quote;
	put16(m + 2, net_csum_fold(net_csum_add(0, m, q->len)));
	COUNT(ICMP_UNREACH_TX);
	COUNT(ICMP_TX);
	ip_output(q, net_if.addr, p->src, IP_PROTO_ICMP);
}
