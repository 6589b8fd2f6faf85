/* tcp-sink: accepts TCP connections on port 9 and discards what they
 * send (RFC 863), counting the bytes.
 *
 *     pith run tcp-sink.linux --net service=tap:IF -- [--ipv4 A/P]
 *         [--gateway G] [--stats-port N] [--port P] [--close-after N]
 *
 * --close-after N closes each connection once it has read N bytes, with
 * whatever else arrived unread: the stack then resets the connection
 * (RFC 9293 3.6), which the tests use to see a RST on close. Idle
 * connections cost no fiber (apps/common/serve.h). The stats port's
 * report adds app.bytes (received in all), app.conns (open now) and
 * app.closed (connections finished). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../common/serve.h"
#include "../common/service.h"
#include "pith/core.h"

#define DISCARD_PORT 9
#define CHUNK	     65536
#define BACKLOG	     1024 /* connections waiting for accept */

static unsigned long long port = DISCARD_PORT, bytes, close_after;
static unsigned char buf[CHUNK];

/* Reads everything waiting; 1 when the connection is over. */
static int drain(struct net_tcp *c, void *state)
{
	unsigned long long *got = state;

	for (;;) {
		size_t cap = sizeof buf;
		ssize_t n;
		if (close_after && close_after - *got < cap)
			cap = (size_t)(close_after - *got);
		n = net_tcp_recv(c, buf, cap, NET_NOWAIT);
		if (n == -EAGAIN)
			return 0;
		if (n <= 0)
			return 1;
		bytes += (unsigned long long)n;
		*got += (unsigned long long)n;
		if (close_after && *got >= close_after)
			return 1;
	}
}

static size_t app_report(char *b, size_t n)
{
	int k = snprintf(b, n,
			 "app.bytes %llu\napp.conns %llu\napp.closed %llu\n",
			 bytes, serve_open(), serve_closed());
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
static const struct serve_ops ops = { sizeof(unsigned long long), 0, drain };

int main(int argc, char **argv)
{
	struct net_tcp_listener *l;
	int r;

	if (service_start("tcp-sink", argc, argv, opts,
			  sizeof opts / sizeof opts[0]) < 0)
		return 2;
	if ((r = net_tcp_listen((uint16_t)port, BACKLOG, &l)) < 0 ||
	    (r = serve_start(l, &ops)) < 0) {
		fprintf(stderr, "tcp-sink: listen: %s\n", strerror(-r));
		return 1;
	}
	service_report_hook(app_report);
	return service_run("tcp-sink");
}
