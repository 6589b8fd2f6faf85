/* IPv4 (RFC 791, host requirements of RFC 1122): strict input checks,
 * options walked and skipped, local delivery only (no forwarding), and
 * output with routing (on-link or the gateway) and fragmentation to the
 * MTU. Reassembly lives in ipfrag.c. */
#include <errno.h>

#include "impl.h"

#define IP_TTL	   64
#define IP_MF	   0x2000
#define IP_OFFMASK 0x1fff
#define IPOPT_EOL  0
#define IPOPT_NOP  1

static uint16_t next_id;

/* The sum is taken over native 32-bit halves of 64-bit loads into a
 * 64-bit accumulator (no carries to track below 2^32 words) and swapped
 * to network order at the end (RFC 1071 2.B: byte order does not matter
 * until then). */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *b = data;
	uint64_t s = 0, t = 0, w;
	uint32_t w4;
	uint16_t w2, v;

	for (; len >= 16; b += 16, len -= 16) {
		memcpy(&w, b, 8);
		s += (w & 0xffffffff) + (w >> 32);
		memcpy(&w, b + 8, 8);
		t += (w & 0xffffffff) + (w >> 32);
	}
	s += t;
	if (len >= 8) {
		memcpy(&w, b, 8);
		s += (w & 0xffffffff) + (w >> 32);
		b += 8, len -= 8;
	}
	if (len >= 4) {
		memcpy(&w4, b, 4);
		s += w4;
		b += 4, len -= 4;
	}
	if (len >= 2) {
		memcpy(&w2, b, 2);
		s += w2;
		b += 2, len -= 2;
	}
	if (len) /* a last odd byte is the high byte of its word */
		s += (uint64_t)b[0]
		     << (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : 8);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	v = (uint16_t)s;
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
		v = (uint16_t)(v >> 8 | v << 8);
	w = (uint64_t)sum + v;
	return (uint32_t)((w & 0xffffffff) + (w >> 32));
}

uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	uint64_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) +
		     (dst & 0xffff) + proto + (uint64_t)len;

	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

/* Whether the options in O (N bytes) are well formed: every option but
 * EOL and NOP has a length byte of at least 2 that stays inside. */
static int options_ok(const uint8_t *o, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (o[i] == IPOPT_EOL)
			return 1;
		if (o[i] == IPOPT_NOP) {
			i++;
			continue;
		}
		if (n - i < 2 || o[i + 1] < 2 || o[i + 1] > n - i)
			return 0;
		i += o[i + 1];
	}
	return 1;
}

static int bad_source(uint32_t s)
{
	return s == 0 || s == IP_BROADCAST || (s >> 28) >= 0xe ||
	       (s >> 24) == 127 || (net_if.addr && s == net_if.addr) ||
	       iface_is_broadcast(s);
}

static int for_us(uint32_t d)
{
	return (net_if.addr && d == net_if.addr) || iface_is_broadcast(d);
}

/* Checks the header of P; 0 and *HL set, or the counter to bump. */
static int check_header(struct pbuf *p, size_t *hl)
{
	const uint8_t *h = p->data;
	size_t total;

	if (p->len < IP_HLEN)
		return NET_IP_DROP_SHORT;
	if (h[0] >> 4 != 4)
		return NET_IP_DROP_VERSION;
	*hl = (size_t)(h[0] & 0xf) * 4;
	if (*hl < IP_HLEN || *hl > p->len)
		return NET_IP_DROP_IHL;
	total = get16(h + 2);
	if (total < *hl || total > p->len)
		return NET_IP_DROP_LENGTH;
	if (net_csum_fold(net_csum_add(0, h, *hl)) != 0)
		return NET_IP_DROP_CSUM;
	if (*hl > IP_HLEN && !options_ok(h + IP_HLEN, *hl - IP_HLEN))
		return NET_IP_DROP_OPTIONS;
	p->len = total; /* drop the link's padding */
	return 0;
}

static void deliver(struct pbuf *p, uint8_t proto)
{
	switch (proto) {
	case IP_PROTO_ICMP:
		icmp_input(p);
		return;
	case IP_PROTO_UDP:
		udp_input(p);
		return;
	case IP_PROTO_TCP:
		tcp_input(p);
		return;
	default:
		COUNT(IP_DROP_PROTO);
		if (!iface_is_broadcast(p->dst))
			icmp_error(p, 3, 2); /* protocol unreachable */
		pbuf_free(p);
	}
}

void ip_input(struct pbuf *p)
{
	const uint8_t *h = p->data;
	size_t hl = 0;
	uint16_t frag;
	int why;

	COUNT(IP_RX);
	if ((why = check_header(p, &hl)) != 0) {
		net_counters[why]++;
		goto drop;
	}
	p->src = get32(h + 12);
	p->dst = get32(h + 16);
	if (bad_source(p->src)) {
		COUNT(IP_DROP_SRC);
		goto drop;
	}
	if (!for_us(p->dst)) {
		COUNT(IP_DROP_NOT_US);
		goto drop;
	}
	if (hl > IP_HLEN)
		COUNT(IP_OPTIONS);
	p->ip = h;
	p->data += hl;
	p->len -= hl;
	frag = get16(h + 6);
	if (frag & (IP_MF | IP_OFFMASK)) {
		COUNT(IP_FRAG_RX);
		p->frag_off = (uint16_t)((frag & IP_OFFMASK) * 8);
		p->frag_more = (frag & IP_MF) != 0;
		p = ipfrag_input(p, h[9], get16(h + 4));
		if (!p)
			return;
	}
	deliver(p, p->ip[9]);
	return;
drop:
	pbuf_free(p);
}

uint32_t ip_source(void)
{
	return net_if.addr;
}

static void put_header(uint8_t *h, size_t total, uint16_t id, uint16_t frag,
		       uint8_t proto, uint32_t src, uint32_t dst)
{
	h[0] = 0x45;
	h[1] = 0;
	put16(h + 2, (uint16_t)total);
	put16(h + 4, id);
	put16(h + 6, frag);
	h[8] = IP_TTL;
	h[9] = proto;
	put16(h + 10, 0);
	put32(h + 12, src);
	put32(h + 16, dst);
	put16(h + 10, net_csum_fold(net_csum_add(0, h, IP_HLEN)));
}

/* Hands a finished datagram to the link: broadcasts straight to the
 * Ethernet broadcast address, everything else through ARP. */
static void link_out(struct pbuf *p, uint32_t nexthop)
{
	COUNT(IP_TX);
	if (nexthop == IP_BROADCAST || iface_is_broadcast(nexthop))
		eth_output(p, 0, ETH_P_IP);
	else
		arp_output(p, nexthop);
}

/* Sends P's payload in fragments of at most the MTU; frees P. */
static int fragment(struct pbuf *p, uint32_t src, uint32_t dst, uint8_t proto,
		    uint32_t nexthop)
{
	size_t step = (net_if.mtu - IP_HLEN) & ~(size_t)7, off;
	uint16_t id = next_id++;
	int r = 0;

	for (off = 0; off < p->len; off += step) {
		size_t n = p->len - off < step ? p->len - off : step;
		int more = off + n < p->len;
		struct pbuf *q = pbuf_alloc(0);

		if (!q) {
			COUNT(IP_DROP_NOBUF);
			r = -ENOBUFS;
			break;
		}
		memcpy(q->data, p->data + off, n);
		q->len = n;
		put_header(pbuf_push(q, IP_HLEN), n + IP_HLEN, id,
			   (uint16_t)((more ? IP_MF : 0) | off / 8), proto, src,
			   dst);
		COUNT(IP_FRAG_TX);
		link_out(q, nexthop);
	}
	pbuf_free(p);
	return r;
}

int ip_output(struct pbuf *p, uint32_t src, uint32_t dst, uint8_t proto)
{
	uint32_t nexthop = dst;
	size_t total;

	if (p->len + IP_HLEN > NET_IP_MAX) {
		pbuf_free(p);
		return -EMSGSIZE;
	}
	if (dst != IP_BROADCAST) {
		if (!net_if.addr ||
		    ((dst ^ net_if.addr) & net_if.netmask) != 0) {
			nexthop = net_if.gateway;
		}
		if (!nexthop) {
			COUNT(IP_DROP_NOROUTE);
			pbuf_free(p);
			return -ENETUNREACH;
		}
	}
	/* A TSO frame is cut into segments by the device, not fragmented. */
	if (p->len + IP_HLEN > net_if.mtu && !p->gso_size)
		return fragment(p, src, dst, proto, nexthop);
	if (pbuf_headroom(p) < IP_HLEN + ETH_HLEN) {
		pbuf_free(p);
		return -EINVAL;
	}
	total = p->len + IP_HLEN;
	put_header(pbuf_push(p, IP_HLEN), total, next_id++, 0, proto, src, dst);
	link_out(p, nexthop);
	return 0;
}
