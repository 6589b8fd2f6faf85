/* tcp-echo: sends back every byte received on TCP port 7 (RFC 862), on
 * pith's own stack, to any number of clients at once.
 *
 *     pith run tcp-echo.linux --net service=tap:IF -- [--ipv4 A/P]
 *         [--gateway G] [--stats-port N] [--port P] [--backlog N]
 *         [--keepalive S] [--user-timeout MS] [--nodelay 1]
 *
 * Idle connections cost no fiber (apps/common/serve.h). The echo reads
 * only as much as the send buffer can take, so a client that does not
 * read its echo closes its own window (backpressure, never unbounded
 * memory). At the end of a client's stream the echo finishes and the
 * connection is closed. --keepalive S probes after S idle seconds, S
 * apart, three times. The stats port's report adds app.conns. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../common/serve.h"
#include "../common/service.h"
#include "pith/core.h"

#define ECHO_PORT 7
#define CHUNK	  65536 /* bytes moved per call */
#define BACKLOG	  1024	/* connections waiting for accept */
#define KA_PROBES 3

static unsigned long long port = ECHO_PORT, backlog = BACKLOG, keepalive,
			  user_timeout, nodelay;
static unsigned char buf[CHUNK];

static void opened(struct net_tcp *c, void *state)
{
	(void)state;
	if (keepalive)
		net_tcp_set_keepalive(c, (unsigned)keepalive,
				      (unsigned)keepalive, KA_PROBES);
	if (user_timeout)
		net_tcp_set_user_timeout(c, (unsigned)user_timeout);
	net_tcp_set_nodelay(c, (int)nodelay);
}

/* Moves what can be moved now; 1 when the connection is over. */
static int echo(struct net_tcp *c, void *state)
{
	(void)state;
	for (;;) {
		size_t space = net_tcp_send_space(c);
		ssize_t n;

		if (net_tcp_error(c))
			return 1;
		if (space == 0)
			return 0; /* the callback comes back when it grows */
		n = net_tcp_recv(c, buf, space < CHUNK ? space : CHUNK,
				 NET_NOWAIT);
		if (n == -EAGAIN)
			return 0;
		if (n <= 0)
			return 1; /* end of stream (the echo is queued, a FIN
				     follows) or an error */
		net_tcp_send(c, buf, (size_t)n, NET_NOWAIT);
	}
}

static size_t app_report(char *b, size_t n)
{
	int k = snprintf(b, n, "app.conns %llu\n", serve_open());
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
static const struct serve_ops ops = { 0, opened, echo };

int main(int argc, char **argv)
{
	struct net_tcp_listener *l;
	int r;

	if (service_start("tcp-echo", argc, argv, opts,
			  sizeof opts / sizeof opts[0]) < 0)
		return 2;
	if ((r = net_tcp_listen((uint16_t)port, (unsigned)backlog, &l)) < 0 ||
	    (r = serve_start(l, &ops)) < 0) {
		fprintf(stderr, "tcp-echo: listen: %s\n", strerror(-r));
		return 1;
	}
	service_report_hook(app_report);
	return service_run("tcp-echo");
}
