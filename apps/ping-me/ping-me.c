/* ping-me: answers ARP and ICMP echo and nothing else (every UDP port is
 * closed: port unreachable). The smallest network appliance, for tests
 * and benchmarks of the stack's lower layers.
 *
 *     pith run ping-me.linux --net service=tap:IF -- [--ipv4 A/P]
 *         [--gateway G]
 */
#include <stdio.h>
#include <string.h>

#include "pith/core.h"
#include "pith/net.h"

static void announce(void *arg)
{
	struct net_ifinfo i;

	(void)arg;
	net_wait_configured(UINT64_MAX);
	net_ifinfo(&i);
	printf("ping-me: address %u.%u.%u.%u%s\n", i.addr >> 24,
	       i.addr >> 16 & 255, i.addr >> 8 & 255, i.addr & 255,
	       i.dhcp_server ? " (dhcp)" : "");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct net_config c;
	char err[160];
	int r;

	if (net_config_parse(argc, argv, &c, err, sizeof err) < 0) {
		fprintf(stderr, "ping-me: %s\n", err);
		return 2;
	}
	if ((r = net_start("service", &c)) < 0) {
		fprintf(stderr, "ping-me: cannot start the network: %s\n",
			strerror(-r));
		return 1;
	}
	core_fiber_spawn(announce, 0, 0, "announce");
	return core_run() < 0;
}
