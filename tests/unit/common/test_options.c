/* Run-time options: sizes, the option parser and manifest matching. */
#include <stdio.h>

#include "options.h"
#include "unit.h"

struct size_case {
	const char *text;
	int ok;
	uint64_t value;
};

static const struct size_case sizes[] = {
	{ "1", 1, 1 },
	{ "4096", 1, 4096 },
	{ "64M", 1, 64ULL << 20 },
	{ "64m", 1, 64ULL << 20 },
	{ "1k", 1, 1024 },
	{ "1KiB", 1, 1024 },
	{ "1KB", 1, 1024 },
	{ "1kib", 1, 1024 },
	{ "2G", 1, 2ULL << 30 },
	{ "18446744073709551615", 1, UINT64_MAX },
	{ "0", 0, 0 },
	{ "0M", 0, 0 },
	{ "", 0, 0 },
	{ "M", 0, 0 },
	{ "-1", 0, 0 },
	{ "+1", 0, 0 },
	{ " 1", 0, 0 },
	{ "1 ", 0, 0 },
	{ "1X", 0, 0 },
	{ "1MM", 0, 0 },
	{ "1Mi", 1, 1ULL << 20 },
	{ "1MiBB", 0, 0 },
	{ "0x10", 0, 0 },
	{ "18446744073709551616", 0, 0 },
	{ "17179869184G", 0, 0 },
	{ "17179869183G", 1, 17179869183ULL << 30 },
};

static void test_sizes(void)
{
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		uint64_t v = 0;
		int r = pith_parse_size(sizes[i].text, &v);

		if ((r == 0) != sizes[i].ok)
			unit_fail(__FILE__, __LINE__, "\"%s\": result %d",
				  sizes[i].text, r);
		else if (r == 0 && v != sizes[i].value)
			unit_fail(__FILE__, __LINE__, "\"%s\": %llu",
				  sizes[i].text, (unsigned long long)v);
	}
}

static const struct unit_test size_tests[] = { { "table", test_sizes } };
const struct unit_suite suite_size = UNIT_SUITE("size", size_tests);

/* Parses the NULL-terminated ARGS; returns the result, message in MSG.
 * The parser may rewrite the array (not the strings), so it gets a copy
 * that lives as long as the test's options. */
static char *argv_copy[32];

static int parse(const char *const *args, struct pith_options *o, char *msg,
		 size_t n)
{
	struct pith_buf err;
	int argc = 0;

	while (args[argc] && argc < 31) {
		argv_copy[argc] = (char *)(uintptr_t)args[argc];
		argc++;
	}
	argv_copy[argc] = 0;
	pith_buf_init(&err, msg, n);
	return pith_options_parse(argc, argv_copy, o, &err);
}

static void test_defaults(void)
{
	const char *a[] = { "img", 0 };
	char msg[256];
	struct pith_options o;

	CHECK_EQ(parse(a, &o, msg, sizeof msg), 0);
	CHECK_EQ(o.mem, PITH_MEM_DEFAULT);
	CHECK_EQ(o.nattach, 0);
	CHECK_EQ(o.app_argc, 1);
	CHECK_STR(o.app_argv[0], "img");
	CHECK(o.app_argv[1] == 0);
	CHECK(!o.show_seccomp && !o.help);
}

static void test_app_args(void)
{
	const char *a[] = { "img", "--mem", "1M", "--", "x", "--mem", "y", 0 };
	char msg[256];
	struct pith_options o;

	CHECK_EQ(parse(a, &o, msg, sizeof msg), 0);
	CHECK_EQ(o.mem, 1 << 20);
	CHECK_EQ(o.app_argc, 4);
	CHECK_STR(o.app_argv[0], "img");
	CHECK_STR(o.app_argv[1], "x");
	CHECK_STR(o.app_argv[2], "--mem");
	CHECK_STR(o.app_argv[3], "y");
	CHECK(o.app_argv[4] == 0);
}

static void test_devices(void)
{
	const char *a[] = { "img",
			    "--net",
			    "service=tap:tap0",
			    "--block=disk=/tmp/d",
			    "--net=b=tap:x",
			    "--show-seccomp",
			    0 };
	char msg[256];
	struct pith_options o;

	CHECK_EQ(parse(a, &o, msg, sizeof msg), 0);
	CHECK_EQ(o.nattach, 3);
	CHECK_STR(o.attach[0].name, "service");
	CHECK_EQ(o.attach[0].type, PITH_DEV_NET);
	CHECK_STR(o.attach[0].path, "tap0");
	CHECK_STR(o.attach[1].name, "disk");
	CHECK_EQ(o.attach[1].type, PITH_DEV_BLOCK);
	CHECK_STR(o.attach[1].path, "/tmp/d");
	CHECK_STR(o.attach[2].path, "x");
	CHECK(o.show_seccomp);
	CHECK(pith_options_find(&o, "disk") == &o.attach[1]);
	CHECK(pith_options_find(&o, "dis") == 0);
}

static void test_mem_rounding(void)
{
	const char *a[] = { "img", "--mem=100000", 0 };
	char msg[256];
	struct pith_options o;

	CHECK_EQ(parse(a, &o, msg, sizeof msg), 0);
	CHECK_EQ(o.mem, 102400); /* 25 pages */
}

struct refusal {
	const char *args[4];
	const char *why;
};

static const struct refusal refusals[] = {
	{ { "--mem" }, "--mem: needs a value" },
	{ { "--mem", "1K" }, "below the minimum of 64K" },
	{ { "--mem", "63K" }, "below the minimum" },
	{ { "--mem", "17G" }, "above the maximum of 16G" },
	{ { "--mem", "lots" }, "expects a size" },
	{ { "--net", "service=tun:x" }, "expects NAME=tap:IFNAME" },
	{ { "--net", "=tap:x" }, "expects NAME=..." },
	{ { "--net", "service" }, "expects NAME=..." },
	{ { "--net", "service=tap:" }, "interface name must be 1-15" },
	{ { "--net", "service=tap:abcdefghijklmnop" },
	  "interface name must be" },
	{ { "--net", "service=tap:a/b" }, "interface name must be" },
	{ { "--net", "service=tap:a b" }, "interface name must be" },
	{ { "--net", "service=tap:.." }, "interface name must be" },
	{ { "--block", "disk=" }, "expects NAME=FILE" },
	{ { "--block", "abcdefghijklmnopqrstuvwxyz0123456=f" },
	  "longer than 31" },
	{ { "--bogus" }, "unknown option '--bogus'" },
	{ { "app-arg" }, "unknown option 'app-arg'" },
	{ { "--memory=1M" }, "unknown option" },
};

static void test_refusals(void)
{
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		const char *a[6] = { "img" };
		char msg[256];
		struct pith_options o;

		for (int k = 0; refusals[i].args[k]; k++)
			a[k + 1] = refusals[i].args[k];
		if (parse(a, &o, msg, sizeof msg) != -1)
			unit_fail(__FILE__, __LINE__, "case %zu accepted", i);
		else
			CHECK_CONTAINS(msg, refusals[i].why);
	}
}

static void test_too_many_devices(void)
{
	const char *a[2 * PITH_DEVICES_MAX + 4] = { "img" };
	char msg[256], specs[9][16];
	struct pith_options o;
	int n = 1;

	for (int i = 0; i <= PITH_DEVICES_MAX; i++) {
		snprintf(specs[i], sizeof specs[i], "d%d=f", i);
		a[n++] = "--block";
		a[n++] = specs[i];
	}
	a[n] = 0;
	CHECK_EQ(parse(a, &o, msg, sizeof msg), -1);
	CHECK_CONTAINS(msg, "more than 8 devices");
	a[n - 2] = 0; /* exactly eight */
	CHECK_EQ(parse(a, &o, msg, sizeof msg), 0);
	CHECK_EQ(o.nattach, PITH_DEVICES_MAX);
}

static const struct unit_test option_tests[] = {
	{ "defaults", test_defaults },
	{ "app_args", test_app_args },
	{ "devices", test_devices },
	{ "mem_rounding", test_mem_rounding },
	{ "refusals", test_refusals },
	{ "too_many_devices", test_too_many_devices },
};
const struct unit_suite suite_options = UNIT_SUITE("options", option_tests);

/* Parses manifest TEXT and the attachments ARGS; returns the match. */
static int match(const char *text, const char *const *args, char *msg, size_t n)
{
	struct pith_manifest m;
	struct pith_manifest_error e;
	struct pith_options o;
	struct pith_buf err;

	if (pith_manifest_parse(text, strlen(text), &m, &e) < 0 ||
	    parse(args, &o, msg, n) < 0) {
		unit_fail(__FILE__, __LINE__, "bad test input");
		return -2;
	}
	pith_buf_init(&err, msg, n);
	return pith_options_match(&m, &o, &err);
}

static void test_match(void)
{
	char msg[256];
	const char *none[] = { "img", 0 };
	const char *net[] = { "img", "--net", "service=tap:t0", 0 };
	const char *both[] = { "img",	"--block",	 "disk=f",
			       "--net", "service=tap:t", 0 };
	const char *extra[] = { "img",	   "--net", "service=tap:t0",
				"--block", "x=f",   0 };
	const char *wrong[] = { "img", "--block", "service=f", 0 };
	const char *twice[] = { "img",	 "--net",	  "service=tap:a",
				"--net", "service=tap:b", 0 };

	CHECK_EQ(match("", none, msg, sizeof msg), 0);
	CHECK_EQ(match("net service\n", net, msg, sizeof msg), 0);
	CHECK_EQ(match("net service\nblock disk\n", both, msg, sizeof msg), 0);

	CHECK_EQ(match("net service\n", none, msg, sizeof msg), -1);
	CHECK_STR(msg, "device 'service' is declared in the manifest but not "
		       "attached; add --net service=tap:IFNAME");
	CHECK_EQ(match("block disk\n", none, msg, sizeof msg), -1);
	CHECK_CONTAINS(msg, "add --block disk=FILE");
	CHECK_EQ(match("net service\n", extra, msg, sizeof msg), -1);
	CHECK_CONTAINS(msg, "device 'x' is attached but the manifest does "
			    "not declare it");
	CHECK_EQ(match("", net, msg, sizeof msg), -1);
	CHECK_CONTAINS(msg, "device 'service' is attached but");
	CHECK_EQ(match("net service\n", wrong, msg, sizeof msg), -1);
	CHECK_CONTAINS(msg, "declared as net but attached with --block");
	CHECK_EQ(match("block service\n", net, msg, sizeof msg), -1);
	CHECK_CONTAINS(msg, "declared as block but attached with --net");
	CHECK_EQ(match("net service\n", twice, msg, sizeof msg), -1);
	CHECK_CONTAINS(msg, "device 'service' is attached twice");
}

static const struct unit_test match_tests[] = { { "rules", test_match } };
const struct unit_suite suite_match = UNIT_SUITE("match", match_tests);
