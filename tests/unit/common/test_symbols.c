/* The embedded symbol table: lookups, and tables that lie. */
#include <stdlib.h>

#include "symbols.h"
#include "unit.h"

/* Builds a table of three functions: a [0x1000, 0x1010), b at 0x1020
 * (size 0: up to the next), c [0x1100, 0x1108). */
static size_t build(unsigned char *buf)
{
	struct pith_symtab *t = (struct pith_symtab *)buf;
	struct pith_sym *s = (struct pith_sym *)(t + 1);
	char *names = (char *)(s + 3);
	const char text[] = "a\0bee\0c";

	t->magic = PITH_SYMTAB_MAGIC;
	t->count = 3;
	t->names = (uint32_t)((unsigned char *)names - buf);
	s[0] = (struct pith_sym){ 0x1000, 0x10, t->names };
	s[1] = (struct pith_sym){ 0x1020, 0, t->names + 2 };
	s[2] = (struct pith_sym){ 0x1100, 8, t->names + 6 };
	memcpy(names, text, sizeof text);
	t->size = t->names + (uint32_t)sizeof text;
	return t->size;
}

static void test_lookup(void)
{
	unsigned char buf[256] __attribute__((aligned(8)));
	size_t n = build(buf);
	const struct pith_symtab *t = (const void *)buf;
	uint64_t off = 99;

	CHECK_STR(pith_symtab_lookup(t, n, 0x1000, &off), "a");
	CHECK_EQ(off, 0);
	CHECK_STR(pith_symtab_lookup(t, n, 0x100f, &off), "a");
	CHECK_EQ(off, 0xf);
	CHECK(pith_symtab_lookup(t, n, 0x1010, &off) == 0);
	CHECK(pith_symtab_lookup(t, n, 0xfff, &off) == 0);
	CHECK_STR(pith_symtab_lookup(t, n, 0x10ff, &off), "bee");
	CHECK_EQ(off, 0xdf);
	CHECK_STR(pith_symtab_lookup(t, n, 0x1107, &off), "c");
	CHECK(pith_symtab_lookup(t, n, 0x1108, &off) == 0);
}

static void test_malformed(void)
{
	unsigned char buf[256] __attribute__((aligned(8)));
	struct pith_symtab *t = (void *)buf;
	struct pith_sym *s = (void *)(t + 1);
	uint64_t off;
	size_t n;

	CHECK(pith_symtab_lookup(0, 0, 0x1000, &off) == 0);
	n = build(buf);
	CHECK(pith_symtab_lookup(t, sizeof *t - 1, 0x1000, &off) == 0);
	t->magic = 0;
	CHECK(pith_symtab_lookup(t, n, 0x1000, &off) == 0);
	n = build(buf);
	t->count = 1000000; /* entries past the table */
	CHECK(pith_symtab_lookup(t, n, 0x1000, &off) == 0);
	n = build(buf);
	t->size = (uint32_t)n + 1; /* claims more than there is */
	CHECK(pith_symtab_lookup(t, n, 0x1000, &off) == 0);
	n = build(buf);
	t->names = 8; /* names overlapping the entries */
	CHECK(pith_symtab_lookup(t, n, 0x1000, &off) == 0);
	n = build(buf);
	s[0].name = 100000; /* a name past the end */
	CHECK(pith_symtab_lookup(t, n, 0x1000, &off) == 0);
	n = build(buf);
	buf[n - 1] = 'x'; /* the last name unterminated */
	CHECK(pith_symtab_lookup(t, n, 0x1100, &off) == 0);
	CHECK_STR(pith_symtab_lookup(t, n, 0x1000, &off), "a");
}

static const struct unit_test tests[] = {
	{ "lookup", test_lookup },
	{ "malformed", test_malformed },
};
const struct unit_suite suite_symbols = UNIT_SUITE("symbols", tests);
