/* Memory for libc: brk and anonymous mmap over the heap region.
 *
 * The heap region (pith_boot_info) is carved into pages. Its first pages
 * hold two bitmaps, one bit per page each: "used" (handed out, by brk or
 * mmap) and "dirty" (handed out before, so it may hold old data). The
 * break grows up from the bottom; mmap takes the highest free run, so the
 * two meet only when memory is full. New memory reads as zero, as Linux
 * promises, but only dirty pages are cleared: memory the appliance never
 * used is never touched (the host backs it lazily).
 *
 * Protection bits other than PROT_EXEC are not enforced (the heap is one
 * read-write region); PROT_EXEC, file mappings and fixed addresses are
 * refused: nothing in an appliance becomes executable at run time.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "impl.h"
#include "pith/param.h"
#include "pith/platform.h"

#define PAGE	  PITH_PAGE_SIZE
#define WORD_BITS 64

static struct {
	int ready;
	uintptr_t base;	 /* first allocatable page */
	size_t pages;	 /* allocatable pages from base */
	uint64_t *used;	 /* bit per page: handed out */
	uint64_t *dirty; /* bit per page: handed out at some time */
	uintptr_t brk;	 /* the break: base <= brk <= base + pages * PAGE */
} heap;

static int test_bit(const uint64_t *map, size_t i)
{
	return (int)(map[i / WORD_BITS] >> (i % WORD_BITS)) & 1;
}

static void set_bit(uint64_t *map, size_t i)
{
	map[i / WORD_BITS] |= 1ULL << (i % WORD_BITS);
}

static void clear_bit(uint64_t *map, size_t i)
{
	map[i / WORD_BITS] &= ~(1ULL << (i % WORD_BITS));
}

static void init(void)
{
	const struct pith_boot_info *bi = pith_boot_info();
	size_t total = bi->heap_size / PAGE;
	size_t words = (total + WORD_BITS - 1) / WORD_BITS;
	size_t meta = (2 * words * sizeof(uint64_t) + PAGE - 1) / PAGE;

	heap.ready = 1;
	if (total <= meta)
		return;
	heap.used = (uint64_t *)bi->heap_start;
	heap.dirty = heap.used + words;
	memset(heap.used, 0, 2 * words * sizeof(uint64_t));
	heap.base = bi->heap_start + meta * PAGE;
	heap.pages = total - meta;
	heap.brk = heap.base;
}

/* Marks pages [first, first + n) used, clearing those that were used
 * before. */
static void take(size_t first, size_t n)
{
	for (size_t i = first; i < first + n; i++) {
		if (test_bit(heap.dirty, i))
			memset((void *)(heap.base + i * PAGE), 0, PAGE);
		set_bit(heap.used, i);
		set_bit(heap.dirty, i);
	}
}

static void give_back(size_t first, size_t n)
{
	for (size_t i = first; i < first + n; i++)
		clear_bit(heap.used, i);
}

static int all_free(size_t first, size_t n)
{
	for (size_t i = first; i < first + n; i++)
		if (test_bit(heap.used, i))
			return 0;
	return 1;
}

/* The first page index of the highest run of N free pages, or -1. */
static long find_high(size_t n)
{
	size_t run = 0;

	for (size_t i = heap.pages; i-- > 0;) {
		if (i % WORD_BITS == WORD_BITS - 1 &&
		    heap.used[i / WORD_BITS] == ~0ULL) {
			run = 0;
			i -= WORD_BITS - 1;
			continue;
		}
		run = test_bit(heap.used, i) ? 0 : run + 1;
		if (run == n)
			return (long)i;
	}
	return -1;
}

static size_t brk_pages(uintptr_t brk)
{
	return (brk - heap.base + PAGE - 1) / PAGE;
}

long posix_brk(unsigned long addr)
{
	size_t have, want;

	if (!heap.ready)
		init();
	if (addr < heap.base || addr > heap.base + heap.pages * PAGE)
		return (long)heap.brk;
	have = brk_pages(heap.brk);
	want = brk_pages(addr);
	if (want > have) {
		if (!all_free(have, want - have))
			return (long)heap.brk;
		take(have, want - have);
	} else {
		give_back(want, have - want);
	}
	heap.brk = addr;
	return (long)heap.brk;
}

long posix_mmap(unsigned long addr, unsigned long len, long prot, long flags,
		long fd, long off)
{
	long first;
	size_t n;

	(void)addr;
	(void)off;
	if (!heap.ready)
		init();
	if (prot & PROT_EXEC)
		return -EPERM;
	if (!(flags & MAP_ANONYMOUS) || fd != -1)
		return -ENODEV;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
		return -EINVAL;
	if (len == 0)
		return -EINVAL;
	if (len > heap.pages * PAGE)
		return -ENOMEM;
	n = (len + PAGE - 1) / PAGE;
	first = find_high(n);
	if (first < 0)
		return -ENOMEM;
	take((size_t)first, n);
	return (long)(heap.base + (size_t)first * PAGE);
}

long posix_munmap(unsigned long addr, unsigned long len)
{
	unsigned long end = heap.base + heap.pages * PAGE;
	size_t first;

	if (!heap.ready)
		init();
	if (addr % PAGE || len == 0 || addr < heap.base || addr >= end ||
	    len > end - addr)
		return -EINVAL;
	first = (addr - heap.base) / PAGE;
	if (first < brk_pages(heap.brk))
		return -EINVAL;
	give_back(first, (len + PAGE - 1) / PAGE);
	return 0;
}
