/* The manifest parser against valid and malformed manifests. */
#include <stdio.h>
#include <stdlib.h>

#include "manifest.h"
#include "unit.h"

struct manifest_case {
	const char *text;
	int ok;
	unsigned count;	 /* devices, when ok */
	unsigned line;	 /* error line, when refused */
	const char *why; /* part of the error, when refused */
};

static const struct manifest_case cases[] = {
	{ "", 1, 0, 0, 0 },
	{ "# only a comment\n\n   \n", 1, 0, 0, 0 },
	{ "net service\n", 1, 1, 0, 0 },
	{ "net service", 1, 1, 0, 0 },
	{ "net service\r\nblock disk\r\n", 1, 2, 0, 0 },
	{ "\tnet\tservice  # the one interface\nblock disk#x\n", 1, 2, 0, 0 },
	{ "net a-b_c9\n", 1, 1, 0, 0 },
	{ "disk x\n", 0, 0, 1, "unknown device type" },
	{ "NET service\n", 0, 0, 1, "unknown device type" },
	{ "net\n", 0, 0, 1, "without a name" },
	{ "\nnet service extra\n", 0, 0, 2, "more than a type and a name" },
	{ "net 9lives\n", 0, 0, 1, "must start with a lower-case letter" },
	{ "net Service\n", 0, 0, 1, "must start with a lower-case letter" },
	{ "net ser.vice\n", 0, 0, 1, "may hold only" },
	{ "net a\nblock a\n", 0, 0, 2, "declared twice" },
	{ "net abcdefghijklmnopqrstuvwxyz012345\n", 0, 0, 1, "longer than 31" },
	{ "net x\x01y\n", 0, 0, 1, "control or non-ASCII" },
	{ "net caf\xc3\xa9\n", 0, 0, 1, "control or non-ASCII" },
	{ "net a\nnet b\nnet c\nnet d\nnet e\nnet f\nnet g\nnet h\nnet i\n", 0,
	  0, 9, "more than 8 devices" },
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct manifest_case *c = &cases[i];
		struct pith_manifest m;
		struct pith_manifest_error e;
		int r = pith_manifest_parse(c->text, strlen(c->text), &m, &e);

		if ((r == 0) != c->ok) {
			unit_fail(__FILE__, __LINE__,
				  "case %zu: result %d (%s)", i, r,
				  e.what ? e.what : "no error");
			continue;
		}
		if (c->ok)
			CHECK_EQ(m.count, c->count);
		else {
			CHECK_EQ(e.line, c->line);
			CHECK_CONTAINS(e.what, c->why);
		}
	}
}

static void test_devices_in_order(void)
{
	const char text[] = "net service\nblock content\n";
	struct pith_manifest m;
	struct pith_manifest_error e;

	CHECK_EQ(pith_manifest_parse(text, sizeof text - 1, &m, &e), 0);
	CHECK_EQ(m.count, 2);
	CHECK_STR(m.dev[0].name, "service");
	CHECK_EQ(m.dev[0].type, PITH_DEV_NET);
	CHECK_STR(m.dev[1].name, "content");
	CHECK_EQ(m.dev[1].type, PITH_DEV_BLOCK);
	CHECK(pith_manifest_find(&m, "content") == &m.dev[1]);
	CHECK(pith_manifest_find(&m, "cont") == 0);
	CHECK_STR(pith_dev_type_name(PITH_DEV_BLOCK), "block");
}

static void test_bounds(void)
{
	char name31[64], line[400], *big = malloc(PITH_MANIFEST_MAX + 2);
	struct pith_manifest m;
	struct pith_manifest_error e;

	/* A name of exactly 31 characters is the longest allowed. */
	snprintf(name31, sizeof name31, "net %031d", 0);
	name31[4] = 'n';
	CHECK_EQ(pith_manifest_parse(name31, strlen(name31), &m, &e), 0);
	CHECK_EQ(strlen(m.dev[0].name), 31);
	/* Lines: 256 bytes pass, 257 do not. */
	memset(line, ' ', sizeof line);
	memcpy(line, "net a #", 7);
	CHECK_EQ(pith_manifest_parse(line, 256, &m, &e), 0);
	CHECK_EQ(pith_manifest_parse(line, 257, &m, &e), -1);
	CHECK_CONTAINS(e.what, "longer than 256");
	/* The text: 4096 bytes pass, 4097 do not. */
	memset(big, '\n', PITH_MANIFEST_MAX + 1);
	CHECK_EQ(pith_manifest_parse(big, PITH_MANIFEST_MAX, &m, &e), 0);
	CHECK_EQ(pith_manifest_parse(big, PITH_MANIFEST_MAX + 1, &m, &e), -1);
	CHECK_EQ(e.line, 0);
	/* A NUL inside the text is refused, not taken as its end. */
	CHECK_EQ(pith_manifest_parse("net a\0net b\n", 12, &m, &e), -1);
	CHECK_CONTAINS(e.what, "NUL");
	free(big);
}

static const struct unit_test tests[] = {
	{ "table", test_table },
	{ "devices_in_order", test_devices_in_order },
	{ "bounds", test_bounds },
};
const struct unit_suite suite_manifest = UNIT_SUITE("manifest", tests);
