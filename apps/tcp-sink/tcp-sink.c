/* tcp-sink: accepts TCP connections on port 9 and discards what they
 * send (RFC 863), counting the bytes.
 *
 *     pith run tcp-sink.linux --net service=tap:IF -- [--ipv4 A/P]
 *         [--gateway G] [--stats-port N] [--port P] [--close-after N]
 *
 * --close-after N closes each connection once it has read N bytes, with
 * whatever else arrived unread: the stack then resets the connection
 * (RFC 9293 3.6), which the tests use to see a RST on close.
 *
 * As tcp-echo, idle connections cost no fiber: readiness callbacks queue
 * connections for one worker fiber that drains them without parking.
 * The stats port's report adds app.bytes (received in all), app.conns
 * (open now) and app.closed (connections finished). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/service.h"
#include "pith/core.h"
#include "pith/net.h"

#define DISCARD_PORT 9
#define CHUNK	     65536
#define BACKLOG	     1024 /* connections waiting for accept */

struct conn {
	struct net_tcp *c;
	struct conn *next;
	int queued;
	unsigned long long got;
};

static unsigned long long port = DISCARD_PORT, bytes, conns, closed,
			  close_after;
static struct conn *ready_head, *ready_tail;
static struct core_waitq work;
static unsigned char buf[CHUNK];

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

/* Reads everything waiting; returns 1 when the connection is over. */
static int drain(struct conn *k)
{
	for (;;) {
		size_t cap = sizeof buf;
		ssize_t n;
		if (close_after && close_after - k->got < cap)
			cap = (size_t)(close_after - k->got);
		n = net_tcp_recv(k->c, buf, cap, NET_NOWAIT);
		if (n == -EAGAIN)
			return 0;
		if (n <= 0)
			return 1;
		bytes += (unsigned long long)n;
		k->got += (unsigned long long)n;
		if (close_after && k->got >= close_after)
			return 1;
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
		if (drain(k)) {
			net_tcp_close(k->c);
			free(k);
			conns--;
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
		if (!(k = calloc(1, sizeof *k))) {
			net_tcp_abort(c);
			continue;
		}
		k->c = c;
		conns++;
		net_tcp_set_notify(c, on_ready, k);
		on_ready(c, k, NET_TCP_READABLE);
	}
}

static size_t app_report(char *b, size_t n)
{
	int k = snprintf(b, n,
			 "app.bytes %llu\napp.conns %llu\napp.closed %llu\n",
			 bytes, conns, closed);
	return k > 0 ? (size_t)k : 0;
}

static int set_port(const char *v)
{
	return service_number(v, 65535, &port) < 0 || !port ? -1 : 0;
}

static int set_close_after(const char *v)
{
	return service_number(v, 1ULL << 50, &close_after);
}

static const struct service_opt opts[] = {
	{ "port", set_port },
	{ "close-after", set_close_after },
};

int main(int argc, char **argv)
{
	struct net_tcp_listener *l;
	int r;

	if (service_start("tcp-sink", argc, argv, opts,
			  sizeof opts / sizeof opts[0]) < 0)
		return 2;
	if ((r = net_tcp_listen((uint16_t)port, BACKLOG, &l)) < 0) {
		fprintf(stderr, "tcp-sink: listen: %s\n", strerror(-r));
		return 1;
	}
	service_report_hook(app_report);
	core_fiber_spawn(acceptor, l, 0, "acceptor");
	core_fiber_spawn(worker, 0, 0, "worker");
	r = core_run();
	if (service_exiting()) {
		static char report[16384];
		service_report(report, sizeof report);
		printf("tcp-sink: exit requested\n%s", report);
	}
	return r < 0;
}
