/* The public calls of pith/net_tcp.h. Calls that wait park the calling
 * fiber on the connection's wait queues (readers on rwait; writers and
 * connectors on wwait; acceptors on the listener's), which input and
 * timers wake through tcp_wake. Nothing here sends at once: data and
 * FINs are queued and the connection scheduled for the next flush. */
#include <errno.h>

#include "tcp_impl.h"

/* Keepalive settings beyond these are typos, not intentions. */
#define KA_SECONDS_MAX (24U * 3600)
#define KA_COUNT_MAX   255

static const char *const state_names[] = {
	"CLOSED",     "SYN-SENT",   "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
	"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",	    "LAST-ACK",	   "TIME-WAIT",
};

const char *tcp_state_name(int state)
{
	return (unsigned)state < sizeof state_names / sizeof state_names[0]
		       ? state_names[state]
		       : "?";
}

void tcp_wake(struct net_tcp *c, int events)
{
	if (events & NET_TCP_READABLE)
		core_wake_all(&c->rwait);
	if (events & NET_TCP_WRITABLE)
		core_wake_all(&c->wwait);
	if (c->notify && !(c->flags & TF_ORPHAN))
		c->notify(c, c->notify_arg, events);
}

static int connected(const struct net_tcp *c)
{
	return c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT;
}

/* --- Listening ------------------------------------------------------------- */

int net_tcp_listen(uint16_t port, unsigned backlog, struct net_tcp_listener **l)
{
	struct net_tcp_listener *free_slot = 0;

	if (!net_if.up)
		return -ENETDOWN;
	if (!port)
		return -EINVAL;
	if (tcp_table_init() < 0)
		return -ENOMEM;
	if (tcp_listener(port))
		return -EADDRINUSE;
	for (unsigned i = 0; i < NET_TCP_LISTENERS_MAX && !free_slot; i++)
		if (!tcp.listeners[i].used)
			free_slot = &tcp.listeners[i];
	if (!free_slot)
		return -EMFILE;
	memset(free_slot, 0, sizeof *free_slot);
	free_slot->used = 1;
	free_slot->port = port;
	free_slot->backlog = backlog == 0 ? NET_TCP_BACKLOG_DEFAULT
			     : backlog > NET_TCP_BACKLOG_MAX
				     ? NET_TCP_BACKLOG_MAX
				     : backlog;
	*l = free_slot;
	return 0;
}

int net_tcp_accept(struct net_tcp_listener *l, struct net_tcp **out,
		   uint64_t deadline)
{
	struct net_tcp *c;

	while (!l->acc_head) {
		int r;
		if (deadline == NET_NOWAIT)
			return -EAGAIN;
		if ((r = core_wait(&l->waiters, deadline)) < 0)
			return r;
	}
	c = l->acc_head;
	l->acc_head = c->qnext;
	if (!l->acc_head)
		l->acc_tail = 0;
	l->acc_len--;
	c->qnext = 0;
	c->parent = 0;
	c->flags |= TF_ACCEPTED;
	*out = c;
	return 0;
}

void net_tcp_unlisten(struct net_tcp_listener *l)
{
	/* Children not yet accepted (half-open or queued) are reset. */
	for (unsigned i = 0; tcp.hash && i < NET_TCP_HASH_BUCKETS; i++) {
		struct net_tcp *c = tcp.hash[i], *next;
		for (; c; c = next) {
			next = c->hnext;
			if (c->parent == l) {
				tcp_send_rst(c);
				tcp_conn_free(c);
			}
		}
	}
	l->used = 0;
}

/* --- Connecting ------------------------------------------------------------ */

static int connect_checks(uint32_t addr, uint16_t port)
{
	if (!net_if.up)
		return -ENETDOWN;
	if (!addr || !port || iface_is_broadcast(addr) || (addr >> 28) >= 0xe)
		return -EINVAL;
	if (!net_if.addr)
		return -ENETUNREACH;
	if (((addr ^ net_if.addr) & net_if.netmask) && !net_if.gateway)
		return -ENETUNREACH;
	if (!core_fiber_self())
		return -EPERM;
	return tcp_table_init() < 0 ? -ENOMEM : 0;
}

int net_tcp_connect(uint32_t addr, uint16_t port, struct net_tcp **out,
		    uint64_t deadline)
{
	struct net_tcp *c;
	uint16_t lport;
	int r = connect_checks(addr, port);

	if (r < 0)
		return r;
	if (!(lport = tcp_ephemeral(addr, port)))
		return -EADDRNOTAVAIL;
	c = tcp_conn_new(net_if.addr, addr, lport, port);
	if (!c)
		return tcp.conns >= NET_TCP_CONNS_MAX ? -EMFILE : -ENOMEM;
	c->flags |= TF_ACCEPTED;
	c->state = TCP_SYN_SENT;
	c->iss = tcp_isn(c->laddr, lport, addr, port);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sq_seq = c->iss + 1;
	tcp_set_mss(c, TCP_MSS_DEFAULT);
	tcp_hash_add(c);
	COUNT(TCP_ACTIVE);
	tcp_send_syn(c);
	tcp_timer_update(c);
	while (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
		if ((r = core_wait(&c->wwait, deadline)) < 0) {
			c->flags |= TF_ORPHAN;
			tcp_drop(c, r);
			return r;
		}
	}
	if (c->state == TCP_CLOSED) {
		r = c->error ? c->error : -ECONNREFUSED;
		tcp_conn_free(c);
		return r;
	}
	*out = c;
	return 0;
}

/* --- Data ------------------------------------------------------------------ */

/* After a read: if the window can open a lot (it had shrunk to half or
 * to less than a segment), tell the peer now. */
static void window_update(struct net_tcp *c)
{
	uint32_t old =
		seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t now = tcp_rcv_window(c);

	if (c->state == TCP_CLOSED || (c->flags & TF_RCVD_FIN))
		return;
	if ((old <= NET_TCP_RCVBUF / 2 && now >= 2 * old) ||
	    (old < c->mss && now >= c->mss)) {
		/* A window reopened from nothing is announced twice: if the
		 * update is lost, the peer's next probe may be far off (its
		 * probe timer backs off while the window stays shut). */
		c->flags |= TF_ACKNOW | (old == 0 ? TF_REOPEN : 0);
		tcp_schedule(c);
	}
}

ssize_t net_tcp_recv(struct net_tcp *c, void *buf, size_t cap,
		     uint64_t deadline)
{
	for (;;) {
		int r;
		if (c->rq_bytes && cap) {
			size_t n = tcp_rcv_copy(c, buf, cap);
			window_update(c);
			return (ssize_t)n;
		}
		if ((c->flags & TF_RCVD_FIN) || cap == 0)
			return 0;
		if (c->error)
			return c->error;
		if (c->state == TCP_CLOSED)
			return 0;
		if (deadline == NET_NOWAIT)
			return -EAGAIN;
		if ((r = core_wait(&c->rwait, deadline)) < 0)
			return r;
	}
}

ssize_t net_tcp_send(struct net_tcp *c, const void *buf, size_t len,
		     uint64_t deadline)
{
	size_t done = 0;

	for (;;) {
		size_t n;
		int r;
		if (c->flags & TF_SHUT_WR)
			return done ? (ssize_t)done : -EPIPE;
		if (!connected(c))
			return done ? (ssize_t)done : -ENOTCONN;
		n = tcp_snd_copy_in(c, (const uint8_t *)buf + done, len - done);
		done += n;
		if (n)
			tcp_schedule(c);
		if (done == len)
			return (ssize_t)done;
		if (deadline == NET_NOWAIT)
			return done ? (ssize_t)done : -EAGAIN;
		if ((r = core_wait(&c->wwait, deadline)) < 0)
			return done ? (ssize_t)done : r;
	}
}

int net_tcp_send_ref(struct net_tcp *c, const void *buf, size_t len,
		     void (*done)(void *arg, int status), void *arg)
{
	int r;

	if (!buf || !len)
		return -EINVAL;
	if (c->flags & TF_SHUT_WR)
		return -EPIPE;
	if (!connected(c))
		return -ENOTCONN;
	if ((r = tcp_snd_ref(c, buf, len, done, arg)) < 0)
		return r;
	tcp_schedule(c);
	return 0;
}

size_t net_tcp_send_space(const struct net_tcp *c)
{
	return tcp_snd_space(c);
}

size_t net_tcp_readable(const struct net_tcp *c)
{
	return c->rq_bytes;
}

/* --- Closing ---------------------------------------------------------------- */

int net_tcp_shutdown(struct net_tcp *c)
{
	if (c->flags & TF_SHUT_WR)
		return 0;
	if (!connected(c))
		return -ENOTCONN;
	c->flags |= TF_SHUT_WR | TF_FIN_Q;
	c->state = c->state == TCP_ESTABLISHED ? TCP_FIN_WAIT_1 : TCP_LAST_ACK;
	tcp_schedule(c);
	tcp_wake(c, NET_TCP_WRITABLE);
	return 0;
}

int net_tcp_close(struct net_tcp *c)
{
	c->notify = 0;
	if (c->state == TCP_CLOSED) {
		tcp_conn_free(c);
		return 0;
	}
	c->flags |= TF_ORPHAN;
	if (c->rq_bytes) {
		COUNT(TCP_ABORT_UNREAD);
		tcp_send_rst(c);
		tcp_drop(c, -ECONNABORTED);
		return -ECONNABORTED;
	}
	if (connected(c))
		net_tcp_shutdown(c);
	if (c->state == TCP_TIME_WAIT) {
		tcp_tw_enter(c);
		return 0;
	}
	if (c->state == TCP_FIN_WAIT_2)
		c->ka_at = tcp_now() + NET_TCP_FIN_WAIT2_S * NS_PER_S;
	tcp_timer_update(c);
	return 0;
}

void net_tcp_abort(struct net_tcp *c)
{
	c->notify = 0;
	c->flags |= TF_ORPHAN;
	if (c->state == TCP_CLOSED) {
		tcp_conn_free(c);
		return;
	}
	if (c->state != TCP_TIME_WAIT && c->state != TCP_SYN_SENT)
		tcp_send_rst(c);
	tcp_drop(c, -ECONNABORTED);
}

/* --- Options and state -------------------------------------------------------- */

void net_tcp_set_nodelay(struct net_tcp *c, int on)
{
	if (on)
		c->flags |= TF_NODELAY;
	else
		c->flags &= ~TF_NODELAY;
	tcp_schedule(c);
}

int net_tcp_set_keepalive(struct net_tcp *c, unsigned idle_s, unsigned intvl_s,
			  unsigned count)
{
	if (idle_s == 0) {
		c->flags &= ~TF_KEEPALIVE;
		c->ka_at = 0;
		return 0;
	}
	if (!intvl_s || !count || idle_s > KA_SECONDS_MAX ||
	    intvl_s > KA_SECONDS_MAX || count > KA_COUNT_MAX)
		return -EINVAL;
	c->flags |= TF_KEEPALIVE;
	c->ka_idle_s = idle_s;
	c->ka_intvl_s = intvl_s;
	c->ka_count = (uint8_t)count;
	tcp_keepalive_reset(c, tcp_now());
	tcp_timer_update(c);
	return 0;
}

void net_tcp_set_user_timeout(struct net_tcp *c, unsigned ms)
{
	c->user_timeout_ms = ms ? ms : NET_TCP_USER_TIMEOUT_MS;
}

void net_tcp_set_notify(struct net_tcp *c,
			void (*fn)(struct net_tcp *c, void *arg, int events),
			void *arg)
{
	c->notify = fn;
	c->notify_arg = arg;
}

int net_tcp_error(const struct net_tcp *c)
{
	return c->error;
}

void net_tcp_info(const struct net_tcp *c, struct net_tcp_info *i)
{
	memset(i, 0, sizeof *i);
	i->local_addr = c->laddr;
	i->remote_addr = c->raddr;
	i->local_port = c->lport;
	i->remote_port = c->rport;
	i->state = tcp_state_name(c->state);
	i->mss = c->mss;
	i->srtt_us = c->srtt_us;
	i->rto_ms = c->rto_ms;
	i->cwnd = c->cwnd;
	i->ssthresh = c->ssthresh;
	i->snd_wnd = c->snd_wnd;
	i->rcv_wnd =
		seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	i->retransmits = c->retransmits;
	i->options = ((c->flags & TF_TS) ? NET_TCP_OPT_TS : 0) |
		     ((c->flags & TF_SACK) ? NET_TCP_OPT_SACK : 0) |
		     ((c->flags & TF_WSCALE) ? NET_TCP_OPT_SCALE : 0);
}

void tcp_reset(void)
{
	tcp_table_reset();
	tcp_tw_reset();
	tcp_snd_run_callbacks();
}
