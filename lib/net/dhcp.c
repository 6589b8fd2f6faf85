/* DHCP client (RFC 2131), one fiber, used when no static address is
 * given:
 *
 *   INIT        DISCOVER, broadcast, retransmitted after 4, 8, 16, 32,
 *               32... seconds until an OFFER comes;
 *   REQUESTING  REQUEST for the offered address (broadcast, naming the
 *               server), NET_DHCP_TRIES times; an ACK binds, a NAK or
 *               silence starts over;
 *   BOUND       the address, mask, router and DNS servers of the ACK are
 *               set; at T1 (option 58, default half the lease)
 *   RENEWING    REQUEST unicast to the server until T2, then
 *   REBINDING   broadcast until the lease ends, then back to INIT with
 *               the address removed.
 *
 * Replies are parsed strictly (dhcp_parse): every option's length is
 * checked against the message and against what the option must hold;
 * anything malformed is dropped and counted, never half-used. */
#include <errno.h>

#include "impl.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define BOOTP_REQUEST	 1
#define BOOTP_REPLY	 2
#define DHCP_FIXED	 236 /* the BOOTP fields before the magic cookie */
#define DHCP_OPTIONS	 240 /* first option byte */
#define DHCP_MAGIC	 0x63825363U
#define DHCP_MIN_LEN	 300  /* BOOTP's minimum; some servers insist */
#define DHCP_BUF	 1500 /* largest message read (one frame) */
#define DHCP_FLAG_BCAST	 0x8000

/* REQUESTs sent for one offer before starting over. */
#define NET_DHCP_TRIES 4

enum { DISCOVER = 1, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE };

enum {
	OPT_PAD = 0,
	OPT_MASK = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_REQUESTED = 50,
	OPT_LEASE = 51,
	OPT_OVERLOAD = 52,
	OPT_TYPE = 53,
	OPT_SERVER = 54,
	OPT_PARAMS = 55,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_END = 255
};

static struct {
	struct net_udp *sock;
	uint32_t xid;
	uint8_t buf[DHCP_BUF];
} dc;

/* --- Parsing ------------------------------------------------------------- */

static int contiguous_mask(uint32_t m)
{
	return m != 0 && (~m & (~m + 1)) == 0;
}

/* Checks one option's length and stores its value in M. */
static int take_option(struct dhcp_msg *m, uint8_t code, const uint8_t *v,
		       size_t len)
{
	switch (code) {
	case OPT_TYPE:
		if (len != 1 || v[0] < DISCOVER || v[0] > RELEASE || m->type)
			return -EINVAL;
		m->type = v[0];
		return 0;
	case OPT_OVERLOAD:
		return -EINVAL; /* options in sname/file: not supported */
	case OPT_MASK:
	case OPT_SERVER:
	case OPT_LEASE:
	case OPT_T1:
	case OPT_T2:
		if (len != 4)
			return -EINVAL;
		break;
	case OPT_ROUTER:
	case OPT_DNS:
		if (len < 4 || len % 4)
			return -EINVAL;
		break;
	default:
		return 0; /* others are skipped */
	}
	uint32_t x = get32(v);
	switch (code) {
	case OPT_MASK:
		if (!contiguous_mask(x))
			return -EINVAL;
		m->netmask = x;
		break;
	case OPT_SERVER:
		m->server = x;
		break;
	case OPT_LEASE:
		m->lease = x;
		break;
	case OPT_T1:
		m->t1 = x;
		break;
	case OPT_T2:
		m->t2 = x;
		break;
	case OPT_ROUTER:
		m->router = x;
		break;
	default: /* OPT_DNS */
		for (size_t i = 0; i < NET_DNS_MAX && i < len / 4; i++)
			m->dns[i] = get32(v + 4 * i);
	}
	return 0;
}

int dhcp_parse(const uint8_t *pkt, size_t len, struct dhcp_msg *m)
{
	size_t i = DHCP_OPTIONS;

	memset(m, 0, sizeof *m);
	if (len < DHCP_OPTIONS || pkt[0] != BOOTP_REPLY || pkt[1] != 1 ||
	    pkt[2] != ETH_ALEN || get32(pkt + DHCP_FIXED) != DHCP_MAGIC)
		return -EINVAL;
	m->xid = get32(pkt + 4);
	m->yiaddr = get32(pkt + 16);
	memcpy(m->chaddr, pkt + 28, ETH_ALEN);
	for (;;) {
		uint8_t code, olen;
		if (i >= len)
			return -EINVAL; /* no END option */
		code = pkt[i++];
		if (code == OPT_END)
			break;
		if (code == OPT_PAD)
			continue;
		if (i >= len)
			return -EINVAL;
		olen = pkt[i++];
		if (olen > len - i)
			return -EINVAL;
		if (take_option(m, code, pkt + i, olen) < 0)
			return -EINVAL;
		i += olen;
	}
	return m->type ? 0 : -EINVAL;
}

/* --- Messages we send ---------------------------------------------------- */

static size_t put_option(uint8_t *b, size_t i, uint8_t code, uint32_t v)
{
	b[i] = code;
	b[i + 1] = 4;
	put32(b + i + 2, v);
	return i + 6;
}

/* Builds a message of TYPE in dc.buf. CIADDR: our address while renewing
 * (then no broadcast flag); REQ and SERVER: options 50 and 54, if set. */
static size_t build(uint8_t type, uint32_t ciaddr, uint32_t req,
		    uint32_t server)
{
	static const uint8_t params[] = { OPT_PARAMS, 5,       OPT_MASK,
					  OPT_ROUTER, OPT_DNS, OPT_T1,
					  OPT_T2 };
	uint8_t *b = dc.buf;
	size_t i = DHCP_OPTIONS;

	memset(b, 0, DHCP_MIN_LEN);
	b[0] = BOOTP_REQUEST;
	b[1] = 1;
	b[2] = ETH_ALEN;
	put32(b + 4, dc.xid);
	put16(b + 10, ciaddr ? 0 : DHCP_FLAG_BCAST);
	put32(b + 12, ciaddr);
	memcpy(b + 28, net_if.mac, ETH_ALEN);
	put32(b + DHCP_FIXED, DHCP_MAGIC);
	b[i++] = OPT_TYPE;
	b[i++] = 1;
	b[i++] = type;
	if (req)
		i = put_option(b, i, OPT_REQUESTED, req);
	if (server)
		i = put_option(b, i, OPT_SERVER, server);
	memcpy(b + i, params, sizeof params);
	i += sizeof params;
	b[i++] = OPT_END;
	return i < DHCP_MIN_LEN ? DHCP_MIN_LEN : i;
}

/* Sends the message in dc.buf (none if LEN is 0) and waits for a reply of our transaction until
 * DEADLINE. 0 with *M filled (an OFFER, ACK or NAK), or -ETIMEDOUT. */
static int exchange(size_t len, uint32_t to, uint64_t deadline,
		    struct dhcp_msg *m)
{
	if (len) {
		COUNT(DHCP_TX);
		net_udp_sendto(dc.sock, dc.buf, len, to, DHCP_SERVER_PORT);
	}
	for (;;) {
		uint16_t port;
		ssize_t n = net_udp_recvfrom(dc.sock, dc.buf, sizeof dc.buf, 0,
					     &port, deadline, 0);
		if (n < 0)
			return (int)n;
		COUNT(DHCP_RX);
		if (port != DHCP_SERVER_PORT ||
		    dhcp_parse(dc.buf, (size_t)n, m) < 0) {
			COUNT(DHCP_DROP_MALFORMED);
			continue;
		}
		if (m->xid != dc.xid ||
		    memcmp(m->chaddr, net_if.mac, ETH_ALEN) ||
		    (m->type != OFFER && m->type != ACK && m->type != NAK)) {
			COUNT(DHCP_DROP_UNEXPECTED);
			continue;
		}
		return 0;
	}
}

/* --- The state machine ---------------------------------------------------- */

static uint64_t now_ns(void)
{
	return pith_clock_monotonic();
}

static void new_xid(void)
{
	uint64_t t = now_ns();

	dc.xid = (uint32_t)(t ^ t >> 32) ^ get32(net_if.mac + 2) ^ dc.xid * 31;
}

/* An offer worth requesting: a host address and a server. */
static int usable(const struct dhcp_msg *m)
{
	return m->type == OFFER && m->yiaddr && m->yiaddr != IP_BROADCAST &&
	       (m->yiaddr >> 28) < 0xe && (m->yiaddr >> 24) != 127 && m->server;
}

static void discover(struct dhcp_msg *offer)
{
	unsigned wait = NET_DHCP_RETRY_MIN_S;

	new_xid();
	for (;;) {
		size_t len = build(DISCOVER, 0, 0, 0);
		uint64_t deadline = now_ns() + wait * NS_PER_S;
		while (exchange(len, IP_BROADCAST, deadline, offer) == 0) {
			if (usable(offer))
				return;
			COUNT(DHCP_DROP_UNEXPECTED);
			len = 0; /* keep listening without resending */
			if (now_ns() >= deadline)
				break;
		}
		if (wait < NET_DHCP_RETRY_MAX_S)
			wait *= 2;
	}
}

static uint32_t classful(uint32_t a)
{
	return a >> 31 == 0   ? 0xff000000U
	       : a >> 30 == 2 ? 0xffff0000U
			      : 0xffffff00U;
}

/* Applies an ACK; returns the lease's T1, T2 and end (monotonic ns). */
static void bind(const struct dhcp_msg *m, uint64_t t[3])
{
	uint64_t now = now_ns(), lease = m->lease ? m->lease : 3600;
	uint64_t t1 = m->t1 ? m->t1 : lease / 2,
		 t2 = m->t2 ? m->t2 : lease * 7 / 8;
	uint32_t mask = m->netmask ? m->netmask : classful(m->yiaddr);
	uint32_t gw =
		m->router && !((m->router ^ m->yiaddr) & mask) ? m->router : 0;

	if (t1 > t2 || t2 > lease) {
		t1 = lease / 2;
		t2 = lease * 7 / 8;
	}
	t[0] = now + t1 * NS_PER_S;
	t[1] = now + t2 * NS_PER_S;
	t[2] = m->lease == 0xffffffffU ? UINT64_MAX : now + lease * NS_PER_S;
	memcpy(net_if.dns, m->dns, sizeof net_if.dns);
	net_if.dhcp_server = m->server;
	net_if.lease_end = t[2];
	iface_set_addr(m->yiaddr, mask, gw);
}

/* REQUESTING: 0 and *ACK when bound, -1 to start over. */
static int request(const struct dhcp_msg *offer, struct dhcp_msg *ack)
{
	for (unsigned i = 0; i < NET_DHCP_TRIES; i++) {
		size_t len = build(REQUEST, 0, offer->yiaddr, offer->server);
		uint64_t deadline = now_ns() + NET_DHCP_RETRY_MIN_S * NS_PER_S;
		while (exchange(len, IP_BROADCAST, deadline, ack) == 0) {
			if (ack->type == NAK && ack->server == offer->server) {
				COUNT(DHCP_NAK);
				return -1;
			}
			if (ack->type == ACK && ack->yiaddr == offer->yiaddr &&
			    ack->lease)
				return 0;
			COUNT(DHCP_DROP_UNEXPECTED);
			len = 0;
		}
	}
	return -1;
}

/* RENEWING then REBINDING until the lease ends: 0 when renewed (T holds
 * the new times), -1 when the address is lost. */
static int renew(uint64_t t[3])
{
	struct dhcp_msg ack;
	uint32_t addr = net_if.addr;

	core_sleep_until(t[0]);
	new_xid();
	while (now_ns() < t[2]) {
		int rebinding = now_ns() >= t[1];
		uint64_t end = rebinding ? t[2] : t[1];
		uint64_t wait = (end - now_ns()) / 2;
		size_t len = build(REQUEST, addr, 0, 0);

		if (wait < NET_DHCP_RENEW_MIN_S * NS_PER_S)
			wait = NET_DHCP_RENEW_MIN_S * NS_PER_S;
		while (exchange(len,
				rebinding ? IP_BROADCAST : net_if.dhcp_server,
				now_ns() + wait, &ack) == 0) {
			if (ack.type == NAK) {
				COUNT(DHCP_NAK);
				return -1;
			}
			if (ack.type == ACK && ack.yiaddr == addr &&
			    ack.lease) {
				COUNT(DHCP_RENEWED);
				bind(&ack, t);
				return 0;
			}
			COUNT(DHCP_DROP_UNEXPECTED);
			len = 0;
		}
	}
	COUNT(DHCP_EXPIRED);
	return -1;
}

static void client(void *arg)
{
	struct dhcp_msg offer, ack;
	uint64_t t[3];

	(void)arg;
	for (;;) {
		discover(&offer);
		if (request(&offer, &ack) < 0)
			continue;
		COUNT(DHCP_BOUND);
		bind(&ack, t);
		while (renew(t) == 0)
			;
		iface_set_addr(0, 0, 0);
		net_if.dhcp_server = 0;
		net_if.lease_end = 0;
	}
}

int dhcp_start(void)
{
	int r = net_udp_bind(DHCP_CLIENT_PORT, &dc.sock);

	if (r < 0)
		return r;
	if (!core_fiber_spawn(client, 0, 0, "dhcp")) {
		net_udp_close(dc.sock);
		return -ENOMEM;
	}
	return 0;
}
