/* The stack's options among the appliance's arguments:
 *
 *     --ipv4 ADDR/PREFIX    a static address (otherwise DHCP)
 *     --gateway ADDR        the default route, inside ADDR/PREFIX
 *     --busy-poll US        the loop's busy-poll window (core.h;
 *                           default: NET_BUSY_POLL_LINUX_US on linux)
 *
 * Values are parsed strictly (dotted quads without leading zeros, signs
 * or spaces; a decimal prefix 1..32) and refused with a message that
 * names the option and the value. */
#include <errno.h>
#include <stdio.h>

#include "impl.h"

/* Parses a decimal number of at most MAXDIG digits without leading
 * zeros into *V, stopping at the first non-digit; returns the digits
 * read, or 0 when malformed. */
static size_t decimal(const char *s, size_t maxdig, unsigned *v)
{
	size_t i = 0;

	*v = 0;
	while (s[i] >= '0' && s[i] <= '9') {
		if (i == maxdig || (i == 1 && s[0] == '0'))
			return 0;
		*v = *v * 10 + (unsigned)(s[i] - '0');
		i++;
	}
	return i;
}

/* As net_parse_ipv4, but stops at END (a '/' or the NUL). */
static int ipv4_until(const char *s, char end, uint32_t *out)
{
	uint32_t a = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v;
		size_t n = decimal(s, 3, &v);
		if (!n || v > 255)
			return -EINVAL;
		a = a << 8 | v;
		s += n;
		if (part < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s != end)
		return -EINVAL;
	*out = a;
	return 0;
}

int net_parse_ipv4(const char *s, uint32_t *out)
{
	return s ? ipv4_until(s, '\0', out) : -EINVAL;
}

static int fail(char *err, size_t n, const char *opt, const char *val,
		const char *why)
{
	if (n)
		snprintf(err, n, "%s: '%s' %s", opt, val ? val : "", why);
	return -EINVAL;
}

static int host_address(uint32_t a)
{
	return a != 0 && (a >> 24) != 127 && (a >> 28) < 0xe;
}

static int parse_cidr(struct net_config *c, const char *v, char *err, size_t n)
{
	const char *slash = v ? strchr(v, '/') : 0;
	unsigned prefix;
	size_t digits;
	uint32_t a, mask;

	if (!v)
		return fail(err, n, "--ipv4", v, "is missing (ADDR/PREFIX)");
	if (!slash)
		return fail(err, n, "--ipv4", v,
			    "needs a prefix length (ADDR/PREFIX)");
	if (ipv4_until(v, '/', &a) < 0)
		return fail(err, n, "--ipv4", v, "is not an IPv4 address");
	digits = decimal(slash + 1, 2, &prefix);
	if (!digits || slash[1 + digits] != '\0' || prefix < 1 || prefix > 32)
		return fail(err, n, "--ipv4", v,
			    "has a prefix length outside 1..32");
	mask = ~0U << (32 - prefix);
	if (!host_address(a))
		return fail(err, n, "--ipv4", v, "is not a host address");
	if (prefix <= 30 && ((a & ~mask) == 0 || (a | mask) == IP_BROADCAST))
		return fail(err, n, "--ipv4", v,
			    "is its subnet's network or broadcast address");
	c->addr = a;
	c->prefix = prefix;
	return 0;
}

unsigned net_busy_poll_us(const struct net_config *c, const char *target)
{
	if (c->busy_poll_set)
		return c->busy_poll_us;
	return target && !strcmp(target, "linux") ? NET_BUSY_POLL_LINUX_US : 0;
}

int net_config_option(struct net_config *c, char **argv, char *err, size_t n)
{
	const char *o = argv[0], *v = argv[1];
	uint32_t a;

	if (!strcmp(o, "--ipv4"))
		return parse_cidr(c, v, err, n) < 0 ? -EINVAL : 2;
	if (!strcmp(o, "--busy-poll")) {
		unsigned us;
		size_t d = v ? decimal(v, 5, &us) : 0;
		if (!d || v[d] || us * 1000ULL > CORE_BUSY_POLL_MAX)
			return fail(err, n, "--busy-poll", v,
				    "is not a number of microseconds 0..10000");
		c->busy_poll_us = us;
		c->busy_poll_set = 1;
		return 2;
	}
	if (strcmp(o, "--gateway"))
		return 0;
	if (!v)
		return fail(err, n, "--gateway", v, "is missing (ADDR)");
	if (net_parse_ipv4(v, &a) < 0)
		return fail(err, n, "--gateway", v, "is not an IPv4 address");
	if (!host_address(a))
		return fail(err, n, "--gateway", v, "is not a host address");
	c->gateway = a;
	return 2;
}

int net_config_check(const struct net_config *c, char *err, size_t n)
{
	uint32_t mask;
	char v[16];

	if (c->pbufs && (c->pbufs < NET_PBUFS_MIN || c->pbufs > NET_PBUFS_MAX))
		return fail(err, n, "pbufs", "", "outside the pool's bounds");
	if (!c->gateway)
		return 0;
	snprintf(v, sizeof v, "%u.%u.%u.%u", c->gateway >> 24,
		 c->gateway >> 16 & 255, c->gateway >> 8 & 255,
		 c->gateway & 255);
	if (!c->addr)
		return fail(err, n, "--gateway", v,
			    "needs --ipv4 (DHCP brings its own gateway)");
	mask = ~0U << (32 - c->prefix);
	if (((c->gateway ^ c->addr) & mask) || c->gateway == c->addr)
		return fail(err, n, "--gateway", v,
			    "is not another host of the --ipv4 subnet");
	return 0;
}

int net_config_parse(int argc, char **argv, struct net_config *c, char *err,
		     size_t n)
{
	memset(c, 0, sizeof *c);
	for (int i = 1; i < argc;) {
		int r = net_config_option(c, argv + i, err, n);
		if (r < 0)
			return r;
		if (r == 0) {
			if (n)
				snprintf(err, n,
					 "unknown argument '%s' (the stack "
					 "takes --ipv4 ADDR/PREFIX, "
					 "--gateway ADDR, --busy-poll US)",
					 argv[i]);
			return -EINVAL;
		}
		i += r;
	}
	return net_config_check(c, err, n);
}
