/* libFuzzer harness: arbitrary input into lib/net on the host, under
 * AddressSanitizer and UndefinedBehaviorSanitizer. The first byte picks
 * what the rest is:
 *
 *   0   a sequence of frames, each a 16-bit big-endian length and that
 *       many bytes, fed through the fake device into a started stack (a
 *       length of 0xffff instead advances the clock by 1..16 s and fires
 *       the timers); a UDP socket on port 7 takes datagrams and is
 *       drained between frames;
 *   1   a DHCP message for dhcp_parse;
 *   2   the stack's arguments, NUL-separated, for net_config_parse.
 *
 * Any sanitizer report, abort or leak is a finding. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/net/impl.h"
#include "../unit/fake_platform.h"

#define FUZZ_PBUFS 128 /* small, so exhaustion paths are reached */
#define ARGS_MAX   16

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void frames(const uint8_t *d, size_t n)
{
	struct net_config c = { 0x0a090002, 24, 0x0a090001, FUZZ_PBUFS, 0 };
	static char buf[NET_UDP_MAX];
	struct net_udp *s = 0;

	fake_reset();
	fake_net_reset();
	net_reset();
	if (net_start("service", &c) < 0)
		abort();
	net_udp_bind(7, &s);
	while (n >= 2) {
		size_t len = (size_t)(d[0] << 8 | d[1]);
		d += 2;
		n -= 2;
		if (len == 0xffff) {
			fake_mono += (1 + (n ? d[0] % 16 : 0)) * NS_PER_S;
			core_timer_expire(fake_mono);
			iface_poll();
			continue;
		}
		if (len > n)
			len = n;
		fake_net_rx(d, len);
		iface_poll();
		while (s &&
		       net_udp_recvfrom(s, buf, sizeof buf, 0, 0, 0, 0) >= 0)
			;
		d += len;
		n -= len;
	}
	net_reset();
}

static void arguments(const uint8_t *d, size_t n)
{
	char *copy = malloc(n + 1), *argv[ARGS_MAX + 1] = { (char *)"fuzz" };
	struct net_config c;
	char err[160];
	int argc = 1;

	memcpy(copy, d, n);
	copy[n] = '\0';
	for (char *p = copy; argc < ARGS_MAX && p < copy + n;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = 0;
	net_config_parse(argc, argv, &c, err, sizeof err);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct dhcp_msg m;

	if (n < 1)
		return 0;
	switch (d[0] % 3) {
	case 0:
		frames(d + 1, n - 1);
		break;
	case 1:
		dhcp_parse(d + 1, n - 1, &m);
		break;
	default:
		arguments(d + 1, n - 1);
	}
	return 0;
}
