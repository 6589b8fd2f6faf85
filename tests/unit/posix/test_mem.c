/* lib/posix memory: brk and anonymous mmap over a heap region, against
 * Linux's rules and against a model under random use. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "../../../lib/posix/impl.h"
#include "fake_platform.h"
#include "pith/param.h"
#include "unit.h"

#define PAGE PITH_PAGE_SIZE

/* lib/posix keeps its heap state for the life of the process, as an
 * appliance does, so every test shares one heap and frees what it takes. */
static unsigned char *heap;
static const size_t heap_size = 64 * PAGE;

static void setup(void)
{
	if (heap)
		return;
	heap = aligned_alloc(PAGE, heap_size);
	memset(heap, 0, heap_size);
	fake_boot.heap_start = (uintptr_t)heap;
	fake_boot.heap_size = heap_size;
}

static long map(unsigned long len)
{
	return posix_mmap(0, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int all_zero(long addr, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (((unsigned char *)addr)[i])
			return 0;
	return 1;
}

static void test_mmap_zeroed_and_inside(void)
{
	long a, b;

	setup();
	a = map(3 * PAGE);
	CHECK(a > 0 && a % PAGE == 0);
	CHECK((uintptr_t)a >= (uintptr_t)heap &&
	      (uintptr_t)a + 3 * PAGE <= (uintptr_t)heap + heap_size);
	CHECK(all_zero(a, 3 * PAGE));
	memset((void *)a, 0xaa, 3 * PAGE);
	CHECK_EQ(posix_munmap((unsigned long)a, 3 * PAGE), 0);
	/* The same pages come back, cleared. */
	b = map(3 * PAGE);
	CHECK_EQ(b, a);
	CHECK(all_zero(b, 3 * PAGE));
	CHECK_EQ(posix_munmap((unsigned long)b, 3 * PAGE), 0);
}

static void test_mmap_refusals(void)
{
	setup();
	CHECK_EQ(posix_mmap(0, PAGE, PROT_READ | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		 -EPERM);
	CHECK_EQ(posix_mmap(0, PAGE, PROT_READ, MAP_PRIVATE, 3, 0), -ENODEV);
	CHECK_EQ(posix_mmap(0x10000, PAGE, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		 -EINVAL);
	CHECK_EQ(map(0), -EINVAL);
	CHECK_EQ(map(heap_size), -ENOMEM);
	CHECK_EQ(map((unsigned long)-1), -ENOMEM);
	CHECK_EQ(map((unsigned long)-PAGE), -ENOMEM);
}

static void test_munmap_refusals(void)
{
	long a;

	setup();
	a = map(PAGE);
	CHECK_EQ(posix_munmap((unsigned long)a + 1, PAGE), -EINVAL);
	CHECK_EQ(posix_munmap((unsigned long)a, 0), -EINVAL);
	CHECK_EQ(posix_munmap(0x1000, PAGE), -EINVAL);
	CHECK_EQ(posix_munmap((unsigned long)a, (unsigned long)-PAGE), -EINVAL);
	CHECK_EQ(posix_munmap((unsigned long)a, PAGE), 0);
	/* Unmapping free pages is allowed, as on Linux. */
	CHECK_EQ(posix_munmap((unsigned long)a, PAGE), 0);
}

static void test_brk(void)
{
	long base, top;

	setup();
	base = posix_brk(0);
	CHECK(base > (long)(uintptr_t)heap);
	CHECK_EQ(posix_brk(0), base);
	top = posix_brk((unsigned long)base + 10000);
	CHECK_EQ(top, base + 10000);
	CHECK(all_zero(base, 10000));
	memset((void *)base, 0x55, 10000);
	/* munmap of break pages is refused. */
	CHECK_EQ(posix_munmap((unsigned long)base, PAGE), -EINVAL);
	/* Shrinking and growing again clears what comes back. */
	CHECK_EQ(posix_brk((unsigned long)base + 100), base + 100);
	CHECK_EQ(posix_brk((unsigned long)base + 3 * PAGE), base + 3 * PAGE);
	CHECK(all_zero(base + PAGE, 2 * PAGE));
	/* Beyond the heap: the old break, unchanged. */
	CHECK_EQ(posix_brk((unsigned long)heap + heap_size + PAGE),
		 base + 3 * PAGE);
	CHECK_EQ(posix_brk(1), base + 3 * PAGE);
	CHECK_EQ(posix_brk((unsigned long)base), base);
}

static void test_brk_meets_mmap(void)
{
	long base, a;

	setup();
	base = posix_brk(0);
	/* Fill everything above the break with one mapping. */
	size_t free_pages =
		((uintptr_t)heap + heap_size - (uintptr_t)base) / PAGE;
	a = map(free_pages * PAGE);
	CHECK_EQ(a, base);
	CHECK_EQ(map(PAGE), -ENOMEM);
	CHECK_EQ(posix_brk((unsigned long)base + 1), base); /* no room */
	CHECK_EQ(posix_munmap((unsigned long)a, free_pages * PAGE), 0);
	CHECK_EQ(posix_brk((unsigned long)base + 1), base + 1);
	CHECK_EQ(posix_brk((unsigned long)base), base);
}

/* Random mmap/munmap against a model of which pages are in use. */
static void test_random_model(void)
{
	enum { SLOTS = 16 };
	long addr[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };
	unsigned seed = 12345;

	setup();
	for (int i = 0; i < 4000; i++) {
		int k = (int)((seed = seed * 1103515245 + 12345) >> 16) % SLOTS;
		if (addr[k]) {
			CHECK(all_zero(addr[k] + 1, len[k] - 1));
			CHECK_EQ(((unsigned char *)addr[k])[0], k + 1);
			CHECK_EQ(posix_munmap((unsigned long)addr[k], len[k]),
				 0);
			addr[k] = 0;
			continue;
		}
		len[k] = (1 + (seed >> 8) % 5) * PAGE;
		addr[k] = map(len[k]);
		if (addr[k] == -ENOMEM) {
			addr[k] = 0;
			continue;
		}
		CHECK(addr[k] > 0);
		CHECK(all_zero(addr[k], len[k]));
		/* No overlap with any other live mapping. */
		for (int j = 0; j < SLOTS; j++)
			if (j != k && addr[j])
				CHECK(addr[k] + (long)len[k] <= addr[j] ||
				      addr[j] + (long)len[j] <= addr[k]);
		((unsigned char *)addr[k])[0] = (unsigned char)(k + 1);
	}
	for (int k = 0; k < SLOTS; k++)
		if (addr[k])
			CHECK_EQ(posix_munmap((unsigned long)addr[k], len[k]),
				 0);
}

static const struct unit_test tests[] = {
	{ "mmap_zeroed_and_inside", test_mmap_zeroed_and_inside },
	{ "mmap_refusals", test_mmap_refusals },
	{ "munmap_refusals", test_munmap_refusals },
	{ "brk", test_brk },
	{ "brk_meets_mmap", test_brk_meets_mmap },
	{ "random_model", test_random_model },
};
const struct unit_suite suite_mem = UNIT_SUITE("posix_mem", tests);
