/* The plumbing pith's network appliances share (service.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pith/core.h"
#include "pith/net.h"
#include "service.h"

#define REPORT_MAX 16384
#define CMD_MAX	   16

static const char *app_name;
static size_t (*hook)(char *buf, size_t n);
static char report[REPORT_MAX];
static int exiting;

void service_report_hook(size_t (*fn)(char *buf, size_t n))
{
	hook = fn;
}

int service_exiting(void)
{
	return exiting;
}

size_t service_report(char *buf, size_t n)
{
	size_t len = net_report(buf, n);

	if (hook && len < n)
		len += hook(buf + len, n - len);
	return len;
}

int service_number(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end || errno || *v > max ? -1 : 0;
}

static void stats(void *arg)
{
	struct net_udp *s = arg;
	char cmd[CMD_MAX];

	for (;;) {
		uint32_t from;
		uint16_t port;
		ssize_t n = net_udp_recvfrom(s, cmd, sizeof cmd - 1, &from,
					     &port, NET_FOREVER, 0);
		size_t len;
		if (n < 0)
			continue;
		cmd[n] = '\0';
		len = service_report(report, sizeof report);
		if (len >= sizeof report)
			len = sizeof report - 1;
		net_udp_sendto(s, report, len, from, port);
		if (!strncmp(cmd, "exit", 4)) {
			exiting = 1; /* the loop flushes the reply, returns */
			core_stop();
			return;
		}
	}
}

static void announce(void *arg)
{
	struct net_ifinfo i;

	(void)arg;
	net_wait_configured(NET_FOREVER);
	net_ifinfo(&i);
	printf("%s: address %u.%u.%u.%u netmask %u.%u.%u.%u gateway "
	       "%u.%u.%u.%u\n",
	       app_name, i.addr >> 24, i.addr >> 16 & 255, i.addr >> 8 & 255,
	       i.addr & 255, i.netmask >> 24, i.netmask >> 16 & 255,
	       i.netmask >> 8 & 255, i.netmask & 255, i.gateway >> 24,
	       i.gateway >> 16 & 255, i.gateway >> 8 & 255, i.gateway & 255);
	fflush(stdout);
}

/* One argument at ARGV: returns how many it took, or -1. */
static int one(struct net_config *c, char **argv, unsigned *stats_port,
	       const struct service_opt *opts, size_t nopts)
{
	char err[160];
	unsigned long long v;
	int r = net_config_option(c, argv, err, sizeof err);

	if (r < 0) {
		fprintf(stderr, "%s: %s\n", app_name, err);
		return -1;
	}
	if (r)
		return r;
	if (!strcmp(argv[0], "--stats-port")) {
		if (service_number(argv[1], 65535, &v) < 0 || v == 0)
			goto bad;
		*stats_port = (unsigned)v;
		return 2;
	}
	for (size_t i = 0; i < nopts; i++)
		if (!strcmp(argv[0] + 2, opts[i].name) && argv[0][0] == '-' &&
		    argv[0][1] == '-')
			return argv[1] && opts[i].set(argv[1]) == 0 ? 2 : -2;
bad:
	fprintf(stderr, "%s: unknown or malformed argument '%s'\n", app_name,
		argv[0]);
	return -1;
}

int service_start(const char *app, int argc, char **argv,
		  const struct service_opt *opts, size_t nopts)
{
	struct net_config c = { 0 };
	struct net_udp *st;
	unsigned stats_port = 0;
	char err[160];
	int r;

	app_name = app;
	for (int i = 1; i < argc; i += r) {
		r = one(&c, argv + i, &stats_port, opts, nopts);
		if (r == -2)
			fprintf(stderr, "%s: malformed value for '%s'\n", app,
				argv[i]);
		if (r < 0)
			return -1;
	}
	if (net_config_check(&c, err, sizeof err) < 0) {
		fprintf(stderr, "%s: %s\n", app, err);
		return -1;
	}
	if ((r = net_start("service", &c)) < 0) {
		fprintf(stderr, "%s: cannot start the network: %s\n", app,
			strerror(-r));
		return -1;
	}
	core_fiber_spawn(announce, 0, 0, "announce");
	if (stats_port) {
		if ((r = net_udp_bind((uint16_t)stats_port, &st)) < 0) {
			fprintf(stderr, "%s: stats port: %s\n", app,
				strerror(-r));
			return -1;
		}
		core_fiber_spawn(stats, st, 0, "stats");
	}
	return 0;
}

int service_run(const char *app)
{
	int r = core_run();

	if (exiting) {
		service_report(report, sizeof report);
		printf("%s: exit requested\n%s", app, report);
	}
	return r < 0;
}
