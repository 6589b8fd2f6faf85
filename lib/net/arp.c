/* ARP for IPv4 over Ethernet (RFC 826), with a bounded cache:
 *
 *   - at most NET_ARP_ENTRIES entries; a new one evicts the least
 *     recently used (a pending one drops its queue, counted);
 *   - a resolved entry is trusted for NET_ARP_TTL_S seconds; after that
 *     it is stale: packets keep going to the address it knows while a
 *     request is sent to that address alone, once a second, up to
 *     NET_ARP_TRIES times (RFC 1122 2.3.2.1's unicast poll, Linux's
 *     PROBE state). An answer makes it fresh again; silence frees it, and
 *     the next packet resolves from scratch. So a refresh never holds up
 *     or drops a packet;
 *   - packets for an unresolved address wait in a queue of at most
 *     NET_ARP_PENDING_PER per entry and NET_ARP_PENDING_MAX in all, while
 *     a request is sent once a second, NET_ARP_TRIES times;
 *   - entries are created only for a request aimed at our address or for
 *     our own lookups; anything else only refreshes an existing entry, so
 *     a flood of spoofed senders cannot fill the cache with strangers.
 *
 * Requests for our address are answered; a packet that claims our
 * address as its sender is dropped (a conflict). When an address is set
 * the interface announces it with a gratuitous request. */
#include "impl.h"

#define ARP_LEN	       28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

enum arp_state { ARP_FREE, ARP_PENDING, ARP_RESOLVED, ARP_STALE };

struct arp_entry {
	enum arp_state state;
	uint32_t ip;
	uint8_t mac[ETH_ALEN];
	uint64_t expires;   /* resolved: trusted until; else: next try */
	uint64_t last_used; /* for LRU eviction */
	unsigned tries;
	unsigned nqueued;
	struct pbuf *head, *tail; /* packets waiting (pending) */
};

static struct arp_entry cache[NET_ARP_ENTRIES];
static unsigned npending;
static struct core_timer retry_timer;
static uint64_t use_clock; /* increases at every use: LRU order */

static void on_retry(struct core_timer *t);

unsigned arp_entries(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++)
		n += cache[i].state != ARP_FREE;
	return n;
}

unsigned arp_pending(void)
{
	return npending;
}

static void drop_queue(struct arp_entry *e, int count)
{
	struct pbuf *p = e->head;

	while (p) {
		struct pbuf *next = p->next;
		if (count)
			COUNT(ARP_DROP_UNRESOLVED);
		pbuf_free(p);
		p = next;
	}
	npending -= e->nqueued;
	e->nqueued = 0;
	e->head = e->tail = 0;
}

void arp_reset(void)
{
	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
		drop_queue(&cache[i], 0);
		cache[i].state = ARP_FREE;
	}
	core_timer_cancel(&retry_timer);
	core_timer_init(&retry_timer, on_retry);
}

static struct arp_entry *find(uint32_t ip)
{
	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++)
		if (cache[i].state != ARP_FREE && cache[i].ip == ip)
			return &cache[i];
	return 0;
}

/* A free entry, or the least recently used one emptied. */
static struct arp_entry *take_entry(uint32_t ip)
{
	struct arp_entry *e = 0;

	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
		if (cache[i].state == ARP_FREE) {
			e = &cache[i];
			break;
		}
		if (!e || cache[i].last_used < e->last_used)
			e = &cache[i];
	}
	if (e->state != ARP_FREE) {
		COUNT(ARP_EVICTED);
		drop_queue(e, 1);
	}
	memset(e, 0, sizeof *e);
	e->ip = ip;
	e->last_used = ++use_clock;
	return e;
}

/* A request with TMAC goes to that address alone (a refresh); without,
 * to everyone. A reply goes to TMAC. */
static void send_arp(uint16_t op, const uint8_t *tmac, uint32_t tip,
		     uint32_t sip)
{
	struct pbuf *p = pbuf_alloc(1);
	uint8_t *a;

	if (!p)
		return;
	a = p->data;
	put16(a, 1); /* Ethernet */
	put16(a + 2, ETH_P_IP);
	a[4] = ETH_ALEN;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, net_if.mac, ETH_ALEN);
	put32(a + 14, sip);
	if (op == ARP_OP_REPLY)
		memcpy(a + 18, tmac, ETH_ALEN);
	else
		memset(a + 18, 0, ETH_ALEN);
	put32(a + 24, tip);
	p->len = ARP_LEN;
	eth_output(p, tmac, ETH_P_ARP);
}

void arp_announce(void)
{
	COUNT(ARP_TX_GRATUITOUS);
	send_arp(ARP_OP_REQUEST, 0, net_if.addr, net_if.addr);
}

static void arm_retry(uint64_t when)
{
	if (!core_timer_armed(&retry_timer) || when < retry_timer.deadline)
		core_timer_arm(&retry_timer, when);
}

static void on_retry(struct core_timer *t)
{
	uint64_t now = pith_clock_monotonic(), next = UINT64_MAX;

	(void)t;
	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
		struct arp_entry *e = &cache[i];
		if (e->state != ARP_PENDING && e->state != ARP_STALE)
			continue;
		if (e->expires <= now) {
			if (e->tries >= NET_ARP_TRIES) {
				drop_queue(e, 1);
				e->state = ARP_FREE;
				continue;
			}
			e->tries++;
			e->expires = now + NS_PER_S;
			COUNT(ARP_TX_REQUEST);
			send_arp(ARP_OP_REQUEST,
				 e->state == ARP_STALE ? e->mac : 0, e->ip,
				 net_if.addr);
		}
		if (e->expires < next)
			next = e->expires;
	}
	if (next != UINT64_MAX)
		arm_retry(next);
}

static void resolve(struct arp_entry *e, const uint8_t *mac)
{
	struct pbuf *p = e->head;

	memcpy(e->mac, mac, ETH_ALEN);
	e->state = ARP_RESOLVED;
	e->expires = pith_clock_monotonic() + NET_ARP_TTL_S * NS_PER_S;
	e->head = e->tail = 0;
	npending -= e->nqueued;
	e->nqueued = 0;
	while (p) {
		struct pbuf *next = p->next;
		p->next = 0;
		eth_output(p, e->mac, ETH_P_IP);
		p = next;
	}
}

void arp_learn(uint32_t ip, const uint8_t *mac, int create)
{
	struct arp_entry *e = find(ip);

	if (!e && !create)
		return;
	if (!e)
		e = take_entry(ip);
	e->last_used = ++use_clock;
	resolve(e, mac);
}

static int valid_sender(const uint8_t *mac, uint32_t ip)
{
	static const uint8_t zero[ETH_ALEN];

	if ((mac[0] & 1) || !memcmp(mac, zero, ETH_ALEN))
		return 0;
	return ip != IP_BROADCAST && (ip >> 28) != 0xe && (ip >> 24) != 127;
}

void arp_input(struct pbuf *p)
{
	const uint8_t *a = p->data;
	uint32_t sip, tip;
	uint16_t op;

	COUNT(ARP_RX);
	if (p->len < ARP_LEN || get16(a) != 1 || get16(a + 2) != ETH_P_IP ||
	    a[4] != ETH_ALEN || a[5] != 4 ||
	    ((op = get16(a + 6)) != ARP_OP_REQUEST && op != ARP_OP_REPLY)) {
		COUNT(ARP_DROP_MALFORMED);
		goto out;
	}
	sip = get32(a + 14);
	tip = get32(a + 24);
	if (!valid_sender(a + 8, sip)) {
		COUNT(ARP_DROP_BAD_SENDER);
		goto out;
	}
	if (net_if.addr && sip == net_if.addr) {
		COUNT(ARP_DROP_CONFLICT);
		goto out;
	}
	if (!net_if.addr || tip != net_if.addr) {
		/* Not about us: refresh what we know, learn nothing new. */
		if (sip)
			arp_learn(sip, a + 8, 0);
		COUNT(ARP_IGNORED);
		goto out;
	}
	if (sip)
		arp_learn(sip, a + 8, op == ARP_OP_REQUEST);
	if (op == ARP_OP_REQUEST) {
		COUNT(ARP_TX_REPLY);
		send_arp(ARP_OP_REPLY, a + 8, sip, net_if.addr);
	}
out:
	pbuf_free(p);
}

static void enqueue(struct arp_entry *e, struct pbuf *p)
{
	if (e->nqueued >= NET_ARP_PENDING_PER ||
	    npending >= NET_ARP_PENDING_MAX || (!p->heap && !pbuf_may_keep())) {
		COUNT(ARP_DROP_PENDING);
		pbuf_free(p);
		return;
	}
	p->next = 0;
	if (e->tail)
		e->tail->next = p;
	else
		e->head = p;
	e->tail = p;
	e->nqueued++;
	npending++;
}

void arp_output(struct pbuf *p, uint32_t nexthop)
{
	struct arp_entry *e = find(nexthop);
	uint64_t now = pith_clock_monotonic();

	if (e && e->state != ARP_PENDING) {
		e->last_used = ++use_clock;
		if (e->state == ARP_RESOLVED && e->expires <= now) {
			e->state = ARP_STALE; /* ask its owner at once */
			e->tries = 0;
			e->expires = now;
			on_retry(0);
		}
		eth_output(p, e->mac, ETH_P_IP);
		return;
	}
	if (!e) {
		e = take_entry(nexthop);
		e->state = ARP_PENDING;
		e->expires = now; /* ask at once */
	}
	enqueue(e, p);
	if (e->tries == 0) {
		on_retry(0);
		return;
	}
	arm_retry(e->expires);
}
