/* udp-echo: echoes every UDP datagram that reaches port 7 back to its
 * sender (RFC 862), on pith's own stack.
 *
 *     pith run udp-echo.linux --net service=tap:IF -- [--ipv4 A/P]
 *         [--gateway G] [--stats-port N]
 *
 * Without --ipv4 the address comes from DHCP. With --stats-port, a
 * datagram to port N is answered with the stack's counters ("name value"
 * lines); one that says "exit" also ends the appliance after printing
 * them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pith/core.h"
#include "pith/net.h"

#define ECHO_PORT  7
#define REPORT_MAX 8192

static unsigned char datagram[NET_UDP_MAX];
static char report[REPORT_MAX];
static int exiting;

static void echo(void *arg)
{
	struct net_udp *s = arg;

	for (;;) {
		uint32_t from;
		uint16_t port;
		ssize_t n = net_udp_recvfrom(s, datagram, sizeof datagram,
					     &from, &port, UINT64_MAX, 0);
		if (n >= 0)
			net_udp_sendto(s, datagram, (size_t)n, from, port);
	}
}

static void stats(void *arg)
{
	struct net_udp *s = arg;
	char cmd[16];

	for (;;) {
		uint32_t from;
		uint16_t port;
		ssize_t n = net_udp_recvfrom(s, cmd, sizeof cmd - 1, &from,
					     &port, UINT64_MAX, 0);
		if (n < 0)
			continue;
		cmd[n] = '\0';
		size_t len = net_report(report, sizeof report);
		if (len >= sizeof report)
			len = sizeof report - 1;
		net_udp_sendto(s, report, len, from, port);
		if (!strncmp(cmd, "exit", 4)) {
			/* The loop flushes the reply, then returns. */
			exiting = 1;
			core_stop();
			return;
		}
	}
}

static void announce(void *arg)
{
	struct net_ifinfo i;

	(void)arg;
	net_wait_configured(UINT64_MAX);
	net_ifinfo(&i);
	printf("udp-echo: address %u.%u.%u.%u netmask %u.%u.%u.%u gateway "
	       "%u.%u.%u.%u dns %u.%u.%u.%u%s\n",
	       i.addr >> 24, i.addr >> 16 & 255, i.addr >> 8 & 255,
	       i.addr & 255, i.netmask >> 24, i.netmask >> 16 & 255,
	       i.netmask >> 8 & 255, i.netmask & 255, i.gateway >> 24,
	       i.gateway >> 16 & 255, i.gateway >> 8 & 255, i.gateway & 255,
	       i.dns[0] >> 24, i.dns[0] >> 16 & 255, i.dns[0] >> 8 & 255,
	       i.dns[0] & 255, i.dhcp_server ? " (dhcp)" : "");
	fflush(stdout);
}

static int options(int argc, char **argv, struct net_config *c,
		   unsigned *stats_port)
{
	char err[160];

	for (int i = 1; i < argc;) {
		int r = net_config_option(c, argv + i, err, sizeof err);
		if (r < 0) {
			fprintf(stderr, "udp-echo: %s\n", err);
			return -1;
		}
		if (r == 0 && !strcmp(argv[i], "--stats-port") && argv[i + 1] &&
		    (*stats_port = (unsigned)atoi(argv[i + 1])) > 0 &&
		    *stats_port < 65536)
			r = 2;
		if (r == 0) {
			fprintf(stderr,
				"udp-echo: unknown or malformed argument "
				"'%s'\n",
				argv[i]);
			return -1;
		}
		i += r;
	}
	if (net_config_check(c, err, sizeof err) < 0) {
		fprintf(stderr, "udp-echo: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct net_config c = { 0 };
	struct net_udp *s, *st;
	unsigned stats_port = 0;
	int r;

	if (options(argc, argv, &c, &stats_port) < 0)
		return 2;
	if ((r = net_start("service", &c)) < 0 ||
	    (r = net_udp_bind(ECHO_PORT, &s)) < 0) {
		fprintf(stderr, "udp-echo: cannot start the network: %s\n",
			strerror(-r));
		return 1;
	}
	core_fiber_spawn(echo, s, 0, "echo");
	core_fiber_spawn(announce, 0, 0, "announce");
	if (stats_port) {
		if ((r = net_udp_bind((uint16_t)stats_port, &st)) < 0) {
			fprintf(stderr, "udp-echo: stats port: %s\n",
				strerror(-r));
			return 1;
		}
		core_fiber_spawn(stats, st, 0, "stats");
	}
	r = core_run();
	if (exiting) {
		net_report(report, sizeof report);
		printf("udp-echo: exit requested\n%s", report);
	}
	return r < 0;
}
