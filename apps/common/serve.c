/* One worker fiber for many connections (serve.h). */
#include <errno.h>
#include <stdlib.h>

#include "pith/core.h"
#include "serve.h"

struct conn {
	struct net_tcp *c;
	struct conn *next; /* in the ready queue */
	int queued;
	unsigned char state[];
};

static const struct serve_ops *ops;
static struct conn *ready_head, *ready_tail;
static struct core_waitq work;
static unsigned long long open_now, closed;

unsigned long long serve_open(void)
{
	return open_now;
}

unsigned long long serve_closed(void)
{
	return closed;
}

/* The readiness callback: queue the connection, wake the worker. */
static void on_ready(struct net_tcp *c, void *arg, int events)
{
	struct conn *k = arg;

	(void)c;
	(void)events;
	if (k->queued)
		return;
	k->queued = 1;
	k->next = 0;
	if (ready_tail)
		ready_tail->next = k;
	else
		ready_head = k;
	ready_tail = k;
	core_wake_one(&work);
}

static void worker(void *arg)
{
	(void)arg;
	for (;;) {
		struct conn *k;
		while (!(k = ready_head))
			core_wait(&work, NET_FOREVER);
		ready_head = k->next;
		if (!ready_head)
			ready_tail = 0;
		k->queued = 0;
		if (ops->work(k->c, k->state)) {
			net_tcp_close(k->c);
			free(k);
			open_now--;
			closed++;
		}
	}
}

static void acceptor(void *arg)
{
	struct net_tcp_listener *l = arg;

	for (;;) {
		struct net_tcp *c;
		struct conn *k;
		if (net_tcp_accept(l, &c, NET_FOREVER) < 0)
			continue;
		if (!(k = calloc(1, sizeof *k + ops->state))) {
			net_tcp_abort(c);
			continue;
		}
		k->c = c;
		open_now++;
		if (ops->opened)
			ops->opened(c, k->state);
		net_tcp_set_notify(c, on_ready, k);
		/* Data may have come with the handshake already. */
		on_ready(c, k, NET_TCP_READABLE);
	}
}

int serve_start(struct net_tcp_listener *l, const struct serve_ops *o)
{
	ops = o;
	if (!core_fiber_spawn(acceptor, l, 0, "acceptor") ||
	    !core_fiber_spawn(worker, 0, 0, "worker"))
		return -ENOMEM;
	return 0;
}
