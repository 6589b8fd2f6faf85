/* The monitor's checked accessor and memory layout. */
#include <stdlib.h>

#include "../../../monitor/mon.h"
#include "unit.h"

#define SIZE 0x40000ULL

static struct mon_mem fake(void)
{
	struct mon_mem m = { 0 };

	m.size = SIZE;
	m.base = calloc(1, SIZE);
	CHECK_EQ(mon_region_add(&m, 0x13000, 0x14000, MON_R | MON_W), 0);
	CHECK_EQ(mon_region_add(&m, 0x10000, 0x12000, MON_R | MON_X), 0);
	CHECK_EQ(mon_region_add(&m, 0x12000, 0x13000, MON_R), 0);
	CHECK_EQ(mon_region_add(&m, 0x20000, 0x30000, MON_R | MON_W), 0);
	return m;
}

static void test_accessor(void)
{
	struct mon_mem m = fake();
	const unsigned RW = MON_R | MON_W;

	CHECK(mon_guest(&m, 0x10000, 16, MON_R) == m.base + 0x10000);
	CHECK(mon_guest(&m, 0x10000, 16, RW) == 0);    /* code */
	CHECK(mon_guest(&m, 0x12ff0, 16, MON_R) != 0); /* rodata */
	CHECK(mon_guest(&m, 0x12ff0, 16, RW) == 0);
	CHECK(mon_guest(&m, 0x13000, 0x1000, RW) != 0); /* data */
	CHECK(mon_guest(&m, 0x13000, 0x1001, RW) == 0); /* into a hole */
	/* Spanning adjacent regions: readable all along, writable not. */
	CHECK(mon_guest(&m, 0x11ff0, 0x1020, MON_R) != 0);
	CHECK(mon_guest(&m, 0x12ff0, 0x20, RW) == 0);
	CHECK(mon_guest(&m, 0x2fff0, 0x10, RW) != 0);
	CHECK(mon_guest(&m, 0x2fff0, 0x11, RW) == 0);
	/* Not guest-visible: page 0, the page-table area, beyond memory. */
	CHECK(mon_guest(&m, 0, 8, MON_R) == 0);
	CHECK(mon_guest(&m, 0x1000, 8, MON_R) == 0);
	CHECK(mon_guest(&m, 0x14000, 1, MON_R) == 0);
	CHECK(mon_guest(&m, SIZE, 0, MON_R) == 0);
	CHECK(mon_guest(&m, SIZE + 1, 0, MON_R) == 0);
	/* Lengths that wrap or exceed memory. */
	CHECK(mon_guest(&m, 0x20000, UINT64_MAX, MON_R) == 0);
	CHECK(mon_guest(&m, UINT64_MAX, 2, MON_R) == 0);
	CHECK(mon_guest(&m, 0x20000, SIZE, MON_R) == 0);
	/* A zero-length range at a visible address is fine. */
	CHECK(mon_guest(&m, 0x20000, 0, RW) != 0);
	free(m.base);
}

static void test_regions(void)
{
	struct mon_mem m = fake();

	CHECK_EQ(m.nregion, 4);
	for (unsigned i = 1; i < m.nregion; i++)
		CHECK(m.region[i - 1].end <= m.region[i].start);
	CHECK_EQ(mon_region_add(&m, 0x11000, 0x15000, MON_R), -1); /* overlap */
	CHECK_EQ(mon_region_add(&m, 0x15000, 0x15000, MON_R), -1); /* empty */
	CHECK_EQ(mon_region_add(&m, 0x30000, SIZE + 4096, MON_R), -1);
	for (uint64_t a = 0x30000; m.nregion < MON_REGIONS_MAX; a += 0x800)
		if (mon_region_add(&m, a, a + 0x400, MON_R) < 0)
			break;
	CHECK_EQ(m.nregion, MON_REGIONS_MAX);
	CHECK_EQ(mon_region_add(&m, 0x3f000, 0x3f800, MON_R), -1); /* full */
	free(m.base);
}

static const struct unit_test mem_tests[] = {
	{ "accessor", test_accessor },
	{ "regions", test_regions },
};
const struct unit_suite suite_mon_mem = UNIT_SUITE("mon_mem", mem_tests);

static void test_layout(void)
{
	char msg[128];
	struct pith_buf err;
	struct mon_mem m = { 0 };
	const struct mon_layout *l = &m.lay;

	pith_buf_init(&err, msg, sizeof msg);
	m.size = 1 << 20;
	CHECK_EQ(mon_layout(&m, 0x15123, &err), 0);
	CHECK_EQ(l->image_end, 0x16000);
	CHECK_EQ(l->boot, 0x16000);
	CHECK(l->trap_lo > l->boot + 8192); /* a guard page between */
	CHECK_EQ(l->guard_lo, l->trap_hi);
	CHECK_EQ(l->guard_hi - l->guard_lo, PITH_STACK_GUARD);
	CHECK_EQ(l->stack_hi - l->stack_lo, PITH_STACK_SIZE);
	CHECK_EQ(l->heap_start, l->stack_hi);
	CHECK_EQ(l->heap_end, l->tables);
	CHECK_EQ(l->tables_end, m.size);
	CHECK(l->heap_end > l->heap_start);
	/* Too small: refused with the sizes. */
	m.size = 256 << 10;
	CHECK_EQ(mon_layout(&m, 0x15123, &err), -1);
	CHECK_CONTAINS(msg, "of guest memory; --mem is 256K");
}

static const struct unit_test layout_tests[] = { { "layout", test_layout } };
const struct unit_suite suite_mon_layout =
	UNIT_SUITE("mon_layout", layout_tests);
