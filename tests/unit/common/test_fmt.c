/* The crash-path formatter: numbers, strings and truncation. */
#include "fmt.h"
#include "unit.h"

static void test_numbers(void)
{
	char s[128];
	struct pith_buf b;

	pith_buf_init(&b, s, sizeof s);
	pith_buf_udec(&b, 0);
	pith_buf_chr(&b, ' ');
	pith_buf_udec(&b, UINT64_MAX);
	pith_buf_chr(&b, ' ');
	pith_buf_dec(&b, INT64_MIN);
	pith_buf_chr(&b, ' ');
	pith_buf_hex(&b, 0xbeef, 0);
	pith_buf_chr(&b, ' ');
	pith_buf_hex(&b, 0x1, 4);
	pith_buf_chr(&b, ' ');
	pith_buf_hex(&b, UINT64_MAX, 20);
	CHECK_STR(s, "0 18446744073709551615 -9223372036854775808 0xbeef "
		     "0x0001 0xffffffffffffffff");
}

static void test_truncation(void)
{
	char s[8];
	struct pith_buf b;

	pith_buf_init(&b, s, sizeof s);
	pith_buf_str(&b, "abcdefghijkl");
	CHECK_STR(s, "abcdefg");
	CHECK_EQ(b.len, 7);
	pith_buf_udec(&b, 42);
	CHECK_STR(s, "abcdefg");
	pith_buf_init(&b, s, 1);
	pith_buf_str(&b, "x");
	CHECK_STR(s, "");
}

static void test_strings(void)
{
	CHECK_EQ(pith_strnlen("abc", 10), 3);
	CHECK_EQ(pith_strnlen("abcdef", 4), 4);
	CHECK(pith_streq("net", "net"));
	CHECK(!pith_streq("net", "nets"));
	CHECK(!pith_streq("", "a"));
}

static const struct unit_test tests[] = {
	{ "numbers", test_numbers },
	{ "truncation", test_truncation },
	{ "strings", test_strings },
};
const struct unit_suite suite_fmt = UNIT_SUITE("fmt", tests);
