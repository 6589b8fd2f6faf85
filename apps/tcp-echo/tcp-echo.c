/* tcp-echo: sends back every byte received on TCP port 7 (RFC 862), on
 * pith's own stack, to any number of clients at once.
 *
 *     pith run tcp-echo.linux --net service=tap:IF -- [--ipv4 A/P]
 *         [--gateway G] [--stats-port N] [--port P] [--backlog N]
 *         [--keepalive S] [--user-timeout MS] [--nodelay 1]
 *
 * Idle connections cost no fiber: each connection's readiness callback
 * queues it, and one worker fiber serves the queue without ever parking
 * in the middle of a connection. It reads only as much as the send
 * buffer can take, so a client that does not read its echo closes its
 * own window (backpressure, never unbounded memory). At the end of a
 * client's stream the echo finishes and the connection is closed. The
 * stats port's report adds app.conns (connections open now). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/service.h"
#include "pith/core.h"
#include "pith/net.h"

#define ECHO_PORT 7
#define CHUNK	  65536 /* bytes moved per call */
#define BACKLOG	  1024	/* connections waiting for accept */

struct conn {
	struct net_tcp *c;
	struct conn *next;
	int queued;
};

static unsigned long long port = ECHO_PORT, backlog = BACKLOG, keepalive,
			  user_timeout, nodelay;
static struct conn *ready_head, *ready_tail;
static struct core_waitq work;
static unsigned long long conns;
static unsigned char buf[CHUNK];

static void enqueue(struct conn *k)
{
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

static void on_ready(struct net_tcp *c, void *arg, int events)
{
	(void)c;
	(void)events;
	enqueue(arg);
}

static void finish(struct conn *k)
{
	net_tcp_close(k->c);
	free(k);
	conns--;
}

/* Moves what can be moved now. Never parks. */
static void serve(struct conn *k)
{
	for (;;) {
		size_t space = net_tcp_send_space(k->c);
		ssize_t n;

		if (net_tcp_error(k->c)) {
			finish(k);
			return;
		}
		if (space == 0)
			return; /* the callback comes back when it grows */
		n = net_tcp_recv(k->c, buf, space < CHUNK ? space : CHUNK,
				 NET_NOWAIT);
		if (n == -EAGAIN)
			return;
		if (n <= 0) {
			finish(k); /* end of stream (the echo is queued, a
				      FIN follows) or an error */
			return;
		}
		net_tcp_send(k->c, buf, (size_t)n, NET_NOWAIT);
	}
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
		serve(k);
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
		if (!(k = calloc(1, sizeof *k))) {
			net_tcp_abort(c);
			continue;
		}
		k->c = c;
		conns++;
		if (keepalive)
			net_tcp_set_keepalive(c, (unsigned)keepalive,
					      (unsigned)keepalive, 3);
		if (user_timeout)
			net_tcp_set_user_timeout(c, (unsigned)user_timeout);
		net_tcp_set_nodelay(c, (int)nodelay);
		net_tcp_set_notify(c, on_ready, k);
		enqueue(k); /* data may have come with the handshake */
	}
}

static size_t app_report(char *b, size_t n)
{
	int k = snprintf(b, n, "app.conns %llu\n", conns);
	return k > 0 ? (size_t)k : 0;
}

static int set_port(const char *v)
{
	return service_number(v, 65535, &port) < 0 || !port ? -1 : 0;
}
static int set_backlog(const char *v)
{
	return service_number(v, NET_TCP_BACKLOG_MAX, &backlog);
}
static int set_keepalive(const char *v)
{
	return service_number(v, 86400, &keepalive);
}
static int set_user_timeout(const char *v)
{
	return service_number(v, 86400000, &user_timeout);
}
static int set_nodelay(const char *v)
{
	return service_number(v, 1, &nodelay);
}

static const struct service_opt opts[] = {
	{ "port", set_port },		{ "backlog", set_backlog },
	{ "keepalive", set_keepalive }, { "user-timeout", set_user_timeout },
	{ "nodelay", set_nodelay },
};

int main(int argc, char **argv)
{
	struct net_tcp_listener *l;
	int r;

	if (service_start("tcp-echo", argc, argv, opts,
			  sizeof opts / sizeof opts[0]) < 0)
		return 2;
	if ((r = net_tcp_listen((uint16_t)port, (unsigned)backlog, &l)) < 0) {
		fprintf(stderr, "tcp-echo: listen: %s\n", strerror(-r));
		return 1;
	}
	service_report_hook(app_report);
	core_fiber_spawn(acceptor, l, 0, "acceptor");
	core_fiber_spawn(worker, 0, 0, "worker");
	r = core_run();
	if (service_exiting()) {
		static char report[16384];
		service_report(report, sizeof report);
		printf("tcp-echo: exit requested\n%s", report);
	}
	return r < 0;
}
