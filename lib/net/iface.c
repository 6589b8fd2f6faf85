/* The interface: bringing the device up, the loop's input and flush
 * callbacks (one batched read and batched writes per wake-up), the
 * output queue, the address state and the counters.
 *
 * Input: NET_RX_BATCH pool buffers are filled by one
 * pith_net_read_batch call and handed to eth_input one by one, each run
 * to completion. Output: every layer ends in iface_tx, which appends to a
 * queue of at most NET_TX_QUEUE frames; the loop's flush callback (before
 * every sleep) sends the queue in pith_net_write_batch calls. */
#include <errno.h>
#include <stdio.h>

#include "impl.h"
#include "pith/param.h"

struct net_if net_if;
uint64_t net_counters[NET_COUNTER_COUNT];

static struct pbuf *txq[NET_TX_QUEUE];
static unsigned tx_head, tx_len;
static unsigned rx_want = 1; /* frames asked for in the next read */
static uint64_t rx_last;     /* when the last read ended */

/* Reads closer together than this belong to one burst. */
#define RX_BURST_NS 50000
static int started, source_added;

int iface_is_broadcast(uint32_t a)
{
	return a == IP_BROADCAST ||
	       (net_if.addr && net_if.netmask != IP_BROADCAST &&
		(a & net_if.netmask) == (net_if.addr & net_if.netmask) &&
		(a | net_if.netmask) == IP_BROADCAST);
}

/* Rounds of TCP output per flush when connections ran out of buffers:
 * writing the queue frees buffers, so a stalled connection gets another
 * chance at once instead of at the next wake-up. */
#define TCP_FLUSH_ROUNDS 4

static void write_queue(void)
{
	struct pith_frame f[PITH_NET_BATCH_MAX];

	while (tx_len) {
		unsigned n = 0;
		size_t done = 0;
		enum pith_result r;

		while (n < tx_len && n < PITH_NET_BATCH_MAX) {
			struct pbuf *p = txq[(tx_head + n) % NET_TX_QUEUE];
			f[n].buf = p->data;
			f[n].cap = f[n].len = p->len;
			f[n].gso_size = p->gso_size;
			n++;
		}
		r = pith_net_write_batch(net_if.handle, f, n, &done);
		for (unsigned i = 0; i < done && i < n; i++)
			if (f[i].gso_size)
				COUNT(ETH_TX_TSO);
		/* A frame the host refused outright is dropped, so that one
		 * bad frame cannot block the queue. */
		if (r == PITH_EINVAL || r == PITH_EUNSPEC) {
			COUNT(ETH_TX_ERROR);
			done++;
		} else {
			net_counters[NET_ETH_TX] += done;
		}
		for (unsigned i = 0; i < done && i < n; i++) {
			pbuf_free(txq[tx_head]);
			tx_head = (tx_head + 1) % NET_TX_QUEUE;
			tx_len--;
		}
		if (r == PITH_AGAIN)
			return; /* the host is busy: the rest waits */
	}
}

void iface_tx_write(void)
{
	write_queue();
}

static void flush(void *arg)
{
	(void)arg;
	for (int round = 0; round < TCP_FLUSH_ROUNDS; round++) {
		tcp_flush(); /* what TCP connections owe goes first */
		write_queue();
		if (!tcp_stalled())
			break;
	}
}

void iface_tx(struct pbuf *p)
{
	if (tx_len == NET_TX_QUEUE)
		write_queue();
	if (tx_len == NET_TX_QUEUE) {
		COUNT(ETH_TX_DROP_QUEUE);
		pbuf_free(p);
		return;
	}
	txq[(tx_head + tx_len++) % NET_TX_QUEUE] = p;
}

static void input(void *arg)
{
	struct pith_frame f[NET_RX_BATCH];
	struct pbuf *p[NET_RX_BATCH];
	unsigned n = 0;
	size_t done = 0;

	(void)arg;
	/* Within a burst (reads less than RX_BURST_NS apart), a read that
	 * fills its batch asks for twice as many next time, up to
	 * NET_RX_BATCH; otherwise one frame is asked for. A lone frame (a
	 * ping) then costs one read, not a read and a second one that finds
	 * the queue empty; a burst still moves NET_RX_BATCH frames per call
	 * after a few wake-ups. */
	while (n < rx_want && (p[n] = pbuf_alloc(1))) {
		f[n].buf = p[n]->data;
		f[n].cap = net_if.mtu + ETH_HLEN;
		f[n].len = 0;
		f[n].gso_size = 0;
		f[n].flags = 0;
		n++;
	}
	if (n == 0) {
		COUNT(ETH_RX_NOBUF);
		return;
	}
	if (pith_net_read_batch(net_if.handle, f, n, &done) != PITH_OK)
		done = 0;
	uint64_t now = pith_clock_monotonic();
	rx_want = done < n || now - rx_last > RX_BURST_NS ? 1
		  : n * 2 > NET_RX_BATCH		  ? NET_RX_BATCH
							  : n * 2;
	rx_last = now;
	for (unsigned i = 0; i < n; i++) {
		if (i >= done) {
			pbuf_free(p[i]);
			continue;
		}
		p[i]->len = f[i].len;
		p[i]->csum_ok = (f[i].flags & PITH_FRAME_CSUM_OK) != 0;
		eth_input(p[i]);
	}
}

void iface_poll(void)
{
	input(0);
	flush(0);
}

void iface_set_addr(uint32_t addr, uint32_t netmask, uint32_t gateway)
{
	int changed = addr != net_if.addr;

	net_if.addr = addr;
	net_if.netmask = addr ? netmask : 0;
	net_if.gateway = addr ? gateway : 0;
	if (!addr)
		return;
	if (changed)
		arp_announce();
	core_wake_all(&net_if.configured);
}

void net_reset(void)
{
	while (tx_len) {
		pbuf_free(txq[tx_head]);
		tx_head = (tx_head + 1) % NET_TX_QUEUE;
		tx_len--;
	}
	tcp_reset();
	arp_reset();
	ipfrag_reset();
	udp_reset();
	icmp_reset();
	memset(&net_if, 0, sizeof net_if);
	memset(net_counters, 0, sizeof net_counters);
	started = 0;
}

static int bring_up(const char *device, const struct net_config *c)
{
	struct pith_net_info info;

	if (pith_net_acquire(device, &net_if.handle) != PITH_OK ||
	    pith_net_info(net_if.handle, &info) != PITH_OK)
		return -ENODEV;
	if (info.mtu < 576 || info.mtu + ETH_HLEN > PITH_FRAME_MAX)
		return -EINVAL;
	memcpy(net_if.mac, info.mac, ETH_ALEN);
	net_if.mtu = info.mtu;
	/* Segmentation offload only where a frame can hold several segments. */
	net_if.tso_max = info.tso_max < PITH_TSO_FRAME_MAX ? info.tso_max
							   : PITH_TSO_FRAME_MAX;
	if (net_if.tso_max <= info.mtu + ETH_HLEN)
		net_if.tso_max = 0;
	return pbuf_pool_init(c->pbufs ? c->pbufs : NET_PBUFS_DEFAULT,
			      info.mtu + ETH_HLEN);
}

int net_start(const char *device, const struct net_config *c)
{
	struct core_source s = { 0, input, flush, 0 };
	char err[8];
	int r;

	if (started)
		return -EBUSY;
	if (net_config_check(c, err, sizeof err) < 0)
		return -EINVAL;
	net_reset(); /* every layer's state and timers, from zero */
	r = bring_up(device, c);
	if (r < 0)
		return r;
	s.handle = net_if.handle;
	if (!source_added && (r = core_source_add(&s)) < 0)
		return r;
	source_added = 1;
	started = 1;
	core_set_busy_poll(net_busy_poll_us(c, pith_boot_info()->target) *
			   1000ULL);
	net_if.up = 1;
	if (c->addr) {
		uint32_t mask = c->prefix ? ~0U << (32 - c->prefix) : 0;
		iface_set_addr(c->addr, mask, c->gateway);
		return 0;
	}
	return dhcp_start();
}

int net_ifinfo(struct net_ifinfo *i)
{
	if (!net_if.up)
		return -ENODEV;
	memcpy(i->mac, net_if.mac, ETH_ALEN);
	i->mtu = net_if.mtu;
	i->addr = net_if.addr;
	i->netmask = net_if.netmask;
	i->gateway = net_if.gateway;
	memcpy(i->dns, net_if.dns, sizeof i->dns);
	i->dhcp_server = net_if.dhcp_server;
	i->lease_end = net_if.lease_end;
	return 0;
}

int net_wait_configured(uint64_t deadline)
{
	while (!net_if.addr) {
		int r = core_wait(&net_if.configured, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

/* --- Counters and memory --------------------------------------------------- */

#define NET_COUNTER_NAME(id, name) name,
static const char *const counter_names[] = { NET_COUNTERS(NET_COUNTER_NAME) };

uint64_t net_counter(enum net_counter c)
{
	return (unsigned)c < NET_COUNTER_COUNT ? net_counters[c] : 0;
}

const char *net_counter_name(enum net_counter c)
{
	return (unsigned)c < NET_COUNTER_COUNT ? counter_names[c] : "?";
}

void net_mem(struct net_mem *m)
{
	memset(m, 0, sizeof *m);
	pbuf_mem(m);
	m->reass_bytes = ipfrag_bytes();
	m->arp_entries = arp_entries();
	m->arp_pending = arp_pending();
	net_tcp_mem(&m->tcp);
}

size_t net_report(char *buf, size_t n)
{
	struct net_mem m;
	size_t len = 0;
	int k;

	if (n)
		buf[0] = '\0';
	for (unsigned i = 0; i < NET_COUNTER_COUNT; i++) {
		if (!net_counters[i])
			continue;
		k = snprintf(len < n ? buf + len : 0, len < n ? n - len : 0,
			     "%s %llu\n", counter_names[i],
			     (unsigned long long)net_counters[i]);
		len += k > 0 ? (size_t)k : 0;
	}
	net_mem(&m);
	k = snprintf(len < n ? buf + len : 0, len < n ? n - len : 0,
		     "mem.pbufs %u\nmem.pbufs_free %u\nmem.pbufs_free_min %u\n"
		     "mem.heap_bytes %zu\nmem.heap_bytes_max %zu\n"
		     "mem.reass_bytes %zu\nmem.arp_entries %u\n"
		     "mem.arp_pending %u\n",
		     m.pbufs, m.pbufs_free, m.pbufs_free_min, m.heap_bytes,
		     m.heap_bytes_max, m.reass_bytes, m.arp_entries,
		     m.arp_pending);
	len += k > 0 ? (size_t)k : 0;
	k = snprintf(len < n ? buf + len : 0, len < n ? n - len : 0,
		     "mem.tcp_conns %u\nmem.tcp_conns_max %u\n"
		     "mem.tcp_timewait %u\nmem.tcp_conn_bytes %zu\n"
		     "mem.tcp_buf_bytes %zu\nmem.tcp_buf_bytes_max %zu\n"
		     "mem.tcp_ooo_segs %u\n",
		     m.tcp.conns, m.tcp.conns_max, m.tcp.timewait,
		     m.tcp.conn_bytes, m.tcp.buf_bytes, m.tcp.buf_bytes_max,
		     m.tcp.ooo_segs);
	return len + (k > 0 ? (size_t)k : 0);
}
