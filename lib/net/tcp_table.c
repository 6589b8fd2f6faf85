/* The connection table: a hash of connections by (remote address, local
 * port, remote port) with a secret key, NET_TCP_HASH_BUCKETS chains
 * allocated at the first listen or connect; the listeners; ephemeral
 * ports; the global buffer budget; and the ends of a connection's life.
 *
 * Every connection is in exactly one of two places: the hash (while the
 * protocol may still receive segments for it) or the list of dead
 * connections (closed by the protocol, still held by the application).
 * Ownership: the application owns a connection from net_tcp_accept or
 * net_tcp_connect until net_tcp_close (TF_ACCEPTED); before and after
 * that the stack does, and frees it when the protocol is done. */
#include <errno.h>
#include <stdlib.h>

#include "tcp_impl.h"

struct tcp_globals tcp;
static struct net_tcp *dead; /* closed, still owned (linked by hnext) */

int tcp_table_init(void)
{
	if (tcp.hash)
		return 0;
	tcp_secret_init();
	tcp.hash = calloc(NET_TCP_HASH_BUCKETS, sizeof *tcp.hash);
	if (!tcp.hash)
		return -ENOMEM;
	/* A secret starting point (RFC 6056): a restarted appliance does
	 * not reuse the ports of its previous life first. */
	tcp.next_port = (uint16_t)(NET_TCP_EPHEMERAL +
				   tcp_hash_tuple(0, 0, 0) %
					   (65536 - NET_TCP_EPHEMERAL));
	tcp.rst_tokens = NET_TCP_RST_BURST;
	return 0;
}

static struct net_tcp **bucket(uint32_t raddr, uint16_t lport, uint16_t rport)
{
	return &tcp.hash[tcp_hash_tuple(raddr, lport, rport) &
			 (NET_TCP_HASH_BUCKETS - 1)];
}

struct net_tcp *tcp_lookup(uint32_t raddr, uint16_t lport, uint16_t rport)
{
	struct net_tcp *c;

	if (!tcp.hash)
		return 0;
	for (c = *bucket(raddr, lport, rport); c; c = c->hnext)
		if (c->raddr == raddr && c->lport == lport && c->rport == rport)
			return c;
	return 0;
}

void tcp_hash_add(struct net_tcp *c)
{
	struct net_tcp **b = bucket(c->raddr, c->lport, c->rport);

	c->hnext = *b;
	*b = c;
	c->flags |= TF_HASHED;
}

/* Takes C off its chain (or off the dead list). */
static void unlink_conn(struct net_tcp *c)
{
	struct net_tcp **pp = c->flags & TF_HASHED
				      ? bucket(c->raddr, c->lport, c->rport)
				      : &dead;

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	c->hnext = 0;
	c->flags &= ~TF_HASHED;
}

struct net_tcp_listener *tcp_listener(uint16_t port)
{
	for (unsigned i = 0; i < NET_TCP_LISTENERS_MAX; i++)
		if (tcp.listeners[i].used && tcp.listeners[i].port == port)
			return &tcp.listeners[i];
	return 0;
}

struct net_tcp *tcp_conn_new(uint32_t laddr, uint32_t raddr, uint16_t lport,
			     uint16_t rport)
{
	struct net_tcp *c;

	if (tcp.conns >= NET_TCP_CONNS_MAX) {
		COUNT(TCP_TABLE_FULL);
		return 0;
	}
	c = calloc(1, sizeof *c);
	if (!c) {
		COUNT(TCP_DROP_NOMEM);
		return 0;
	}
	c->laddr = laddr;
	c->raddr = raddr;
	c->lport = lport;
	c->rport = rport;
	c->state = TCP_CLOSED;
	c->mss = TCP_MSS_DEFAULT;
	c->user_timeout_ms = NET_TCP_USER_TIMEOUT_MS;
	c->ka_idle_s = NET_TCP_KEEPIDLE_S;
	c->ka_intvl_s = NET_TCP_KEEPINTVL_S;
	c->ka_count = NET_TCP_KEEPCNT;
	c->ts_off = tcp_ts_offset(laddr, lport, raddr, rport);
	c->last_rx = tcp_now();
	tcp_timer_init(c);
	tcp_cc_init(c);
	if (++tcp.conns > tcp.conns_max)
		tcp.conns_max = tcp.conns;
	return c;
}

/* Takes C off its listener's queues. */
static void leave_listener(struct net_tcp *c)
{
	struct net_tcp_listener *l = c->parent;
	struct net_tcp **pp;

	if (!l)
		return;
	if (c->state == TCP_SYN_RECEIVED) {
		l->syn_len--;
	} else {
		struct net_tcp *prev = 0;
		for (pp = &l->acc_head; *pp; prev = *pp, pp = &(*pp)->qnext)
			if (*pp == c) {
				*pp = c->qnext;
				if (l->acc_tail == c)
					l->acc_tail = prev;
				l->acc_len--;
				break;
			}
	}
	c->parent = 0;
	c->qnext = 0;
}

/* Takes C off the output list. */
static void unschedule(struct net_tcp *c)
{
	struct net_tcp **pp, *prev = 0;

	if (!(c->flags & TF_SCHED))
		return;
	for (pp = &tcp.out_head; *pp; prev = *pp, pp = &(*pp)->onext)
		if (*pp == c) {
			*pp = c->onext;
			if (tcp.out_tail == c)
				tcp.out_tail = prev;
			break;
		}
	c->onext = 0;
	c->flags &= ~TF_SCHED;
}

void tcp_conn_free(struct net_tcp *c)
{
	unlink_conn(c);
	leave_listener(c);
	unschedule(c);
	core_timer_cancel(&c->timer);
	tcp_rcv_free(c);
	tcp_snd_free(c, c->error ? c->error : -ECONNABORTED);
	free(c->sack);
	tcp.conns--;
	free(c);
}

void tcp_drop(struct net_tcp *c, int err)
{
	int owned = (c->flags & TF_ACCEPTED) && !(c->flags & TF_ORPHAN);

	if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
		if (err == -ECONNRESET)
			COUNT(TCP_ESTAB_RESET);
	c->state = TCP_CLOSED;
	if (!c->error)
		c->error = (int16_t)err;
	if (!owned) {
		tcp_conn_free(c);
		return;
	}
	/* The application still holds C: keep what it may read, drop the
	 * rest, and let it find the error. */
	unlink_conn(c);
	c->hnext = dead;
	dead = c;
	core_timer_cancel(&c->timer);
	tcp_snd_free(c, c->error ? c->error : -ECONNABORTED);
	tcp_rcv_free_ooo(c);
	free(c->sack);
	c->sack = 0;
	tcp_wake(c, NET_TCP_READABLE | NET_TCP_WRITABLE);
}

void tcp_accept_ready(struct net_tcp *c)
{
	struct net_tcp_listener *l = c->parent;

	l->syn_len--;
	c->qnext = 0;
	if (l->acc_tail)
		l->acc_tail->qnext = c;
	else
		l->acc_head = c;
	l->acc_tail = c;
	l->acc_len++;
	core_wake_one(&l->waiters);
}

static int port_used(uint16_t port, uint32_t raddr, uint16_t rport)
{
	return tcp_listener(port) || tcp_lookup(raddr, port, rport);
}

uint16_t tcp_ephemeral(uint32_t raddr, uint16_t rport)
{
	for (unsigned tries = 0; tries < 65536 - NET_TCP_EPHEMERAL; tries++) {
		uint16_t p = tcp.next_port;
		tcp.next_port = p == 65535 ? NET_TCP_EPHEMERAL : p + 1;
		if (!port_used(p, raddr, rport))
			return p;
	}
	return 0;
}

/* Free blocks kept, per size: 32 big ones (512 KiB) serve a few bulk
 * connections' turnover, 64 small ones (128 KiB) many request/response
 * connections'; little is held when everything is idle. */
#define BLOCK_HDR_MAX 64
static struct block_cache {
	size_t payload;
	unsigned max, n;
	void *b[64];
} caches[] = { { TCP_BLOCK_SMALL, 64, 0, { 0 } },
	       { TCP_BLOCK_BIG, 32, 0, { 0 } } };

static struct block_cache *cache_for(size_t payload)
{
	for (size_t i = 0; i < sizeof caches / sizeof caches[0]; i++)
		if (caches[i].payload == payload)
			return &caches[i];
	return 0;
}

void *tcp_block_get(size_t hdr, size_t payload)
{
	struct block_cache *k = hdr <= BLOCK_HDR_MAX ? cache_for(payload) : 0;

	if (!k)
		return malloc(hdr + payload);
	if (k->n)
		return k->b[--k->n];
	return malloc(BLOCK_HDR_MAX + payload);
}

void tcp_block_put(void *b, size_t payload)
{
	struct block_cache *k = cache_for(payload);

	if (k && k->n < k->max)
		k->b[k->n++] = b;
	else
		free(b);
}

static void block_cache_free(void)
{
	for (size_t i = 0; i < sizeof caches / sizeof caches[0]; i++)
		while (caches[i].n)
			free(caches[i].b[--caches[i].n]);
}

int tcp_mem_ok(size_t n)
{
	return tcp.mem + n <= NET_TCP_MEM_MAX;
}

void tcp_mem_add(long n)
{
	tcp.mem = (size_t)((long)tcp.mem + n);
	if (tcp.mem > tcp.mem_max)
		tcp.mem_max = tcp.mem;
}

void tcp_table_reset(void)
{
	if (tcp.hash) {
		for (unsigned i = 0; i < NET_TCP_HASH_BUCKETS; i++)
			while (tcp.hash[i])
				tcp_conn_free(tcp.hash[i]);
		free(tcp.hash);
	}
	while (dead)
		tcp_conn_free(dead);
	block_cache_free();
	for (unsigned i = 0; i < NET_TCP_LISTENERS_MAX; i++)
		while (tcp.listeners[i].acc_head)
			tcp_conn_free(tcp.listeners[i].acc_head);
	memset(&tcp, 0, sizeof tcp);
}

void net_tcp_mem(struct net_tcp_mem *m)
{
	memset(m, 0, sizeof *m);
	m->conns = tcp.conns;
	m->conns_max = tcp.conns_max;
	m->timewait = tcp_tw_count();
	for (unsigned i = 0; i < NET_TCP_LISTENERS_MAX; i++)
		m->listeners += tcp.listeners[i].used != 0;
	m->conn_bytes = tcp.conns * sizeof(struct net_tcp);
	m->buf_bytes = tcp.mem;
	m->buf_bytes_max = tcp.mem_max;
	m->ooo_segs = tcp.ooo_segs;
}
