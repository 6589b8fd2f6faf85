/* serve: accepts TCP connections and serves them from one worker fiber,
 * without a fiber per connection: each connection's readiness callback
 * queues it, and the worker calls the appliance's WORK function for it,
 * which moves what it can without parking (NET_NOWAIT). An idle
 * connection costs its stack structure and a small struct here. */
#ifndef APPS_SERVE_H
#define APPS_SERVE_H

#include <stddef.h>

#include "pith/net.h"

struct serve_ops {
	/* Bytes of the appliance's own state per connection (zeroed). */
	size_t state;
	/* Called once accepted (may be NULL): set options on C. */
	void (*opened)(struct net_tcp *c, void *state);
	/* Called whenever C may have work; never parks. Returns 0 to wait
	 * for the next readiness, 1 when the connection is over: serve then
	 * closes it (net_tcp_close) and frees the state. */
	int (*work)(struct net_tcp *c, void *state);
};

/* Spawns the acceptor and worker fibers for listener L. 0, or -ENOMEM. */
int serve_start(struct net_tcp_listener *l, const struct serve_ops *ops);

/* Connections open now, and finished since start. */
unsigned long long serve_open(void);
unsigned long long serve_closed(void);

#endif
