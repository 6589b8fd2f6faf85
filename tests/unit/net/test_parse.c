/* lib/net's parsers that need no device: addresses and the stack's
 * arguments, DHCP messages, the Internet checksum. */
#include <errno.h>

#include "frames.h"
#include "unit.h"

static void test_ipv4(void)
{
	static const struct {
		const char *s;
		int ok;
		uint32_t v;
	} t[] = {
		{ "10.0.0.1", 1, 0x0a000001 }, { "255.255.255.255", 1, ~0U },
		{ "0.0.0.0", 1, 0 },	       { "1.2.3", 0, 0 },
		{ "1.2.3.4.5", 0, 0 },	       { "256.1.1.1", 0, 0 },
		{ "01.2.3.4", 0, 0 },	       { "1.2.3.4 ", 0, 0 },
		{ " 1.2.3.4", 0, 0 },	       { "1..3.4", 0, 0 },
		{ "-1.2.3.4", 0, 0 },	       { "+1.2.3.4", 0, 0 },
		{ "1.2.3.4/24", 0, 0 },	       { "", 0, 0 },
		{ "1.2.3.1000", 0, 0 },	       { "a.b.c.d", 0, 0 },
		{ "99999999999.1.1.1", 0, 0 },
	};
	uint32_t v;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int r = net_parse_ipv4(t[i].s, &v);
		if ((r == 0) != t[i].ok || (t[i].ok && v != t[i].v))
			unit_fail(__FILE__, __LINE__, "'%s': %d", t[i].s, r);
	}
	CHECK_EQ(net_parse_ipv4(0, &v), -EINVAL);
}

static void test_options(void)
{
	static const struct {
		const char *args[4];
		const char *err; /* NULL: accepted */
	} t[] = {
		{ { "x", "--ipv4", "10.0.0.2/24" }, 0 },
		{ { "x", "--ipv4", "10.0.0.2/32" }, 0 },
		{ { "x", "--ipv4", "10.0.0.2/24", "--gateway" },
		  "--gateway: '' is missing" },
		{ { "x", "--ipv4" }, "--ipv4: '' is missing" },
		{ { "x", "--ipv4", "10.0.0.2" }, "needs a prefix length" },
		{ { "x", "--ipv4", "10.0.0.2/33" }, "outside 1..32" },
		{ { "x", "--ipv4", "10.0.0.2/0" }, "outside 1..32" },
		{ { "x", "--ipv4", "10.0.0.2/024" }, "outside 1..32" },
		{ { "x", "--ipv4", "10.0.0.2/2x" }, "outside 1..32" },
		{ { "x", "--ipv4", "10.0.0.2/" }, "outside 1..32" },
		{ { "x", "--ipv4", "10.0.0.300/24" }, "not an IPv4 address" },
		{ { "x", "--ipv4", "10.0.0.0/24" }, "network or broadcast" },
		{ { "x", "--ipv4", "10.0.0.255/24" }, "network or broadcast" },
		{ { "x", "--ipv4", "127.0.0.2/8" }, "not a host address" },
		{ { "x", "--ipv4", "224.0.0.2/8" }, "not a host address" },
		{ { "x", "--ipv4", "0.0.0.0/8" }, "not a host address" },
		{ { "x", "--gateway", "10.0.0.1" }, "needs --ipv4" },
		{ { "x", "--ipv4", "10.0.0.2/24", "--bogus" },
		  "unknown argument '--bogus'" },
		{ { "x", "--busy-poll", "200" }, 0 },
		{ { "x", "--busy-poll", "0" }, 0 },
		{ { "x", "--busy-poll", "10001" }, "0..10000" },
		{ { "x", "--busy-poll", "-1" }, "0..10000" },
		{ { "x", "--busy-poll", "99999999" }, "0..10000" },
		{ { "x", "--busy-poll", "1e3" }, "0..10000" },
		{ { "x", "--busy-poll" }, "0..10000" },
	};
	static const char *gw[][2] = {
		{ "10.0.0.1", 0 },
		{ "10.0.1.1", "not another host" },
		{ "10.0.0.2", "not another host" },
		{ "10.0.0", "not an IPv4 address" },
		{ "255.255.255.255", "not a host address" },
	};
	struct net_config c;
	char err[160];

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int argc = 1;
		char *argv[5] = { 0 };
		while (argc < 4 && t[i].args[argc])
			argc++;
		memcpy(argv, t[i].args, sizeof t[i].args);
		err[0] = '\0';
		int r = net_config_parse(argc, argv, &c, err, sizeof err);
		if (!t[i].err ? r != 0 : r != -EINVAL || !strstr(err, t[i].err))
			unit_fail(__FILE__, __LINE__, "case %zu: %d '%s'", i, r,
				  err);
	}
	for (size_t i = 0; i < sizeof gw / sizeof gw[0]; i++) {
		const char *cargv[] = { "x",	     "--ipv4", "10.0.0.2/24",
					"--gateway", gw[i][0], 0 };
		char *argv[6];
		memcpy(argv, cargv, sizeof argv);
		int r = net_config_parse(5, argv, &c, err, sizeof err);
		if (!gw[i][1] ? r != 0 : r != -EINVAL || !strstr(err, gw[i][1]))
			unit_fail(__FILE__, __LINE__, "gateway %s: %d '%s'",
				  gw[i][0], r, err);
	}
	const char *cok[] = { "x",	   "--ipv4",	  "192.168.7.9/20",
			      "--gateway", "192.168.0.1", 0 };
	char *ok[6];
	memcpy(ok, cok, sizeof ok);
	CHECK_EQ(net_config_parse(5, ok, &c, err, sizeof err), 0);
	CHECK_EQ(c.addr, 0xc0a80709);
	CHECK_EQ(c.prefix, 20);
	CHECK_EQ(c.gateway, 0xc0a80001);
	/* The busy-poll window: the target's default unless given, and a
	 * given 0 means never. */
	CHECK_EQ(net_busy_poll_us(&c, "linux"), NET_BUSY_POLL_LINUX_US);
	CHECK_EQ(net_busy_poll_us(&c, "kvm"), 0);
	CHECK_EQ(net_busy_poll_us(&c, "virtio"), 0);
	CHECK_EQ(net_busy_poll_us(&c, 0), 0);
	const char *cbp[] = { "x", "--busy-poll", "0", 0 };
	char *bp[4];
	memcpy(bp, cbp, sizeof bp);
	CHECK_EQ(net_config_parse(3, bp, &c, err, sizeof err), 0);
	CHECK_EQ(net_busy_poll_us(&c, "linux"), 0);
	cbp[2] = "200";
	memcpy(bp, cbp, sizeof bp);
	CHECK_EQ(net_config_parse(3, bp, &c, err, sizeof err), 0);
	CHECK_EQ(net_busy_poll_us(&c, "kvm"), 200);
}

/* A DHCP ACK with the given options (without the END byte unless the
 * caller adds it). */
static size_t dhcp_msg(uint8_t *b, const uint8_t *opts, size_t n)
{
	memset(b, 0, 240);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	put32(b + 4, 0x11223344);
	put32(b + 16, 0x0a090033);
	memcpy(b + 28, fake_mac, 6);
	put32(b + 236, 0x63825363);
	memcpy(b + 240, opts, n);
	return 240 + n;
}

static void test_dhcp_parse(void)
{
	static const uint8_t good[] = { 53, 1,	 5,   54,  4,  10, 9,	0,
					1,  51,	 4,   0,   0,  0,  120, 1,
					4,  255, 255, 255, 0,  3,  8,	10,
					9,  0,	 1,   10,  9,  0,  9,	6,
					4,  10,	 9,   0,   53, 0,  0,	255 };
	static const struct {
		const char *why;
		uint8_t opts[16];
		size_t n;
	} bad[] = {
		{ "no END", { 53, 1, 5 }, 3 },
		{ "length past the end", { 53, 1, 5, 6, 200, 1, 2, 3, 4 }, 9 },
		{ "code without length", { 53, 1, 5, 6 }, 4 },
		{ "type length 2", { 53, 2, 5, 5, 255 }, 5 },
		{ "type 0", { 53, 1, 0, 255 }, 4 },
		{ "type 9", { 53, 1, 9, 255 }, 4 },
		{ "two types", { 53, 1, 5, 53, 1, 5, 255 }, 7 },
		{ "no type", { 255 }, 1 },
		{ "server length 3", { 53, 1, 5, 54, 3, 1, 2, 3, 255 }, 9 },
		{ "lease length 5",
		  { 53, 1, 5, 51, 5, 0, 0, 0, 0, 9, 255 },
		  11 },
		{ "router length 0", { 53, 1, 5, 3, 0, 255 }, 6 },
		{ "dns length 6",
		  { 53, 1, 5, 6, 6, 1, 2, 3, 4, 5, 6, 255 },
		  12 },
		{ "mask with a hole",
		  { 53, 1, 5, 1, 4, 255, 0, 255, 0, 255 },
		  10 },
		{ "mask zero", { 53, 1, 5, 1, 4, 0, 0, 0, 0, 255 }, 10 },
		{ "overload", { 53, 1, 5, 52, 1, 3, 255 }, 7 },
	};
	uint8_t b[600];
	struct dhcp_msg m;
	size_t n = dhcp_msg(b, good, sizeof good);

	CHECK_EQ(dhcp_parse(b, n, &m), 0);
	CHECK_EQ(m.type, 5);
	CHECK_EQ(m.server, 0x0a090001);
	CHECK_EQ(m.lease, 120);
	CHECK_EQ(m.netmask, 0xffffff00);
	CHECK_EQ(m.router, 0x0a090001);
	CHECK_EQ(m.dns[0], 0x0a090035);
	CHECK_EQ(m.yiaddr, 0x0a090033);
	CHECK_EQ(m.xid, 0x11223344);
	for (size_t k = 0; k < n; k++) /* every truncation is refused */
		if (dhcp_parse(b, k, &m) == 0)
			unit_fail(__FILE__, __LINE__, "accepted %zu bytes", k);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = dhcp_msg(b, bad[i].opts, bad[i].n);
		if (dhcp_parse(b, n, &m) != -EINVAL)
			unit_fail(__FILE__, __LINE__, "accepted: %s",
				  bad[i].why);
	}
	n = dhcp_msg(b, good, sizeof good);
	b[0] = 1; /* a BOOTREQUEST */
	CHECK_EQ(dhcp_parse(b, n, &m), -EINVAL);
	b[0] = 2;
	b[2] = 16; /* not Ethernet's address length */
	CHECK_EQ(dhcp_parse(b, n, &m), -EINVAL);
	b[2] = 6;
	b[239] ^= 1; /* magic cookie */
	CHECK_EQ(dhcp_parse(b, n, &m), -EINVAL);
}

static void test_checksum(void)
{
	/* RFC 1071's example words sum to 0xddf2. */
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03,
				     0xf4, 0xf5, 0xf6, 0xf7 };
	CHECK_EQ(net_csum_fold(net_csum_add(0, d, sizeof d)), 0xffff & ~0xddf2);
	CHECK_EQ(net_csum_fold(net_csum_add(0, d, 3)),
		 0xffff & ~(0x0001 + 0xf200));
}

static const struct unit_test tests[] = {
	{ "ipv4-address", test_ipv4 },
	{ "arguments", test_options },
	{ "dhcp-parse", test_dhcp_parse },
	{ "checksum", test_checksum },
};

const struct unit_suite suite_netparse = UNIT_SUITE("netparse", tests);
