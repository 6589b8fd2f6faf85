/* UDP (RFC 768): a table of NET_UDP_SOCKETS sockets, each with a receive
 * queue of at most NET_UDP_RXQ_MAX datagrams kept in the buffers they
 * arrived in (no copy until net_udp_recvfrom). A datagram for a closed
 * port is answered with a rate-limited port unreachable. */
#include <errno.h>
#include <stdlib.h>

#include "impl.h"

struct net_udp {
	int used;
	uint16_t port;
	unsigned qlen;
	struct pbuf *head, *tail;
	struct core_waitq readers;
};

static struct net_udp sockets[NET_UDP_SOCKETS];
static uint16_t next_ephemeral = NET_UDP_EPHEMERAL;

void udp_reset(void)
{
	for (unsigned i = 0; i < NET_UDP_SOCKETS; i++)
		if (sockets[i].used)
			net_udp_close(&sockets[i]);
}

static struct net_udp *find(uint16_t port)
{
	for (unsigned i = 0; i < NET_UDP_SOCKETS; i++)
		if (sockets[i].used && sockets[i].port == port)
			return &sockets[i];
	return 0;
}

static uint16_t ephemeral(void)
{
	for (unsigned tries = 0; tries < 65536 - NET_UDP_EPHEMERAL; tries++) {
		uint16_t p = next_ephemeral;
		next_ephemeral = p == 65535 ? NET_UDP_EPHEMERAL : p + 1;
		if (!find(p))
			return p;
	}
	return 0;
}

int net_udp_bind(uint16_t port, struct net_udp **out)
{
	struct net_udp *s = 0;

	if (!net_if.up)
		return -ENETDOWN;
	if (port && find(port))
		return -EADDRINUSE;
	for (unsigned i = 0; i < NET_UDP_SOCKETS && !s; i++)
		if (!sockets[i].used)
			s = &sockets[i];
	if (!s)
		return -EMFILE;
	if (!port && !(port = ephemeral()))
		return -EADDRINUSE;
	memset(s, 0, sizeof *s);
	s->used = 1;
	s->port = port;
	*out = s;
	return 0;
}

uint16_t net_udp_port(const struct net_udp *s)
{
	return s->port;
}

void net_udp_close(struct net_udp *s)
{
	pbuf_free_list(s->head);
	memset(s, 0, sizeof *s);
}

/* Checks P's header; 0, or the counter to bump. */
static int check(struct pbuf *p)
{
	const uint8_t *u = p->data;
	size_t ulen;

	if (p->len < UDP_HLEN)
		return NET_UDP_DROP_SHORT;
	ulen = get16(u + 4);
	if (ulen < UDP_HLEN || ulen > p->len)
		return NET_UDP_DROP_LENGTH;
	p->len = ulen;
	if (get16(u + 6) && !p->csum_ok &&
	    net_csum_fold(net_csum_add(
		    net_csum_pseudo(p->src, p->dst, IP_PROTO_UDP, ulen), u,
		    ulen)) != 0)
		return NET_UDP_DROP_CSUM;
	return 0;
}

void udp_input(struct pbuf *p)
{
	struct net_udp *s;
	int why;

	COUNT(UDP_RX);
	if ((why = check(p)) != 0) {
		net_counters[why]++;
		goto drop;
	}
	s = find(get16(p->data + 2));
	if (!s) {
		COUNT(UDP_DROP_NO_PORT);
		icmp_error(p, 3, 3); /* port unreachable */
		goto drop;
	}
	if (s->qlen >= NET_UDP_RXQ_MAX) {
		COUNT(UDP_DROP_QUEUE);
		goto drop;
	}
	if (!p->heap && !pbuf_may_keep()) {
		COUNT(UDP_DROP_NOBUF);
		goto drop;
	}
	p->sport = get16(p->data);
	p->data += UDP_HLEN;
	p->len -= UDP_HLEN;
	p->next = 0;
	if (s->tail)
		s->tail->next = p;
	else
		s->head = p;
	s->tail = p;
	s->qlen++;
	core_wake_one(&s->readers);
	return;
drop:
	pbuf_free(p);
}

ssize_t net_udp_sendto(struct net_udp *s, const void *buf, size_t len,
		       uint32_t addr, uint16_t port)
{
	size_t ulen = UDP_HLEN + len;
	struct pbuf *p;
	uint8_t *u;
	uint16_t sum;
	int r;

	if (len > NET_UDP_MAX)
		return -EMSGSIZE;
	if (!addr || !port)
		return -EINVAL;
	if (!net_if.addr && addr != IP_BROADCAST)
		return -ENETUNREACH;
	p = ulen + IP_HLEN <= net_if.mtu ? pbuf_alloc(0)
					 : pbuf_alloc_heap(ulen);
	if (!p) {
		COUNT(UDP_DROP_NOBUF);
		return -ENOBUFS;
	}
	u = p->data;
	put16(u, s->port);
	put16(u + 2, port);
	put16(u + 4, (uint16_t)ulen);
	put16(u + 6, 0);
	memcpy(u + UDP_HLEN, buf, len);
	p->len = ulen;
	sum = net_csum_fold(net_csum_add(
		net_csum_pseudo(net_if.addr, addr, IP_PROTO_UDP, ulen), u,
		ulen));
	put16(u + 6, sum ? sum : 0xffff);
	COUNT(UDP_TX);
	r = ip_output(p, net_if.addr, addr, IP_PROTO_UDP);
	return r < 0 ? r : (ssize_t)len;
}

ssize_t net_udp_recvfrom(struct net_udp *s, void *buf, size_t cap,
			 uint32_t *from, uint16_t *from_port, uint64_t deadline,
			 int *flags)
{
	struct pbuf *p;
	size_t n;

	while (!s->head) {
		int r = core_wait(&s->readers, deadline);
		if (r < 0)
			return r;
	}
	p = s->head;
	s->head = p->next;
	if (!s->head)
		s->tail = 0;
	s->qlen--;
	n = p->len < cap ? p->len : cap;
	memcpy(buf, p->data, n);
	if (flags)
		*flags = p->len > cap ? NET_UDP_TRUNC : 0;
	if (p->len > cap)
		COUNT(UDP_TRUNCATED);
	if (from)
		*from = p->src;
	if (from_port)
		*from_port = p->sport;
	pbuf_free(p);
	return (ssize_t)n;
}
