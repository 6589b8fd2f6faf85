/* Guest memory: the layout the monitor gives every guest, and the one
 * checked accessor through which a guest address becomes a host pointer.
 *
 * The accessor admits a range only if it lies wholly inside regions the
 * guest itself can access with the requested permission: a guest cannot
 * make the monitor read its page tables, or write into its own code. */
#include <string.h>

#include "mon.h"

#define PAGE	   4096ULL
#define BOOT_BYTES (2 * PAGE)	/* struct pith_kvm_boot, argv */
#define TRAP_BYTES (4 * PAGE)	/* two IST stacks of 8 KiB */
#define LARGE	   (2ULL << 20) /* 2 MiB pages above the low area */
#define GIB	   (1ULL << 30)

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void *mon_guest(const struct mon_mem *m, uint64_t gpa, uint64_t len,
		unsigned perm)
{
	uint64_t at = gpa, end;

	if (gpa > m->size || len > m->size - gpa)
		return 0;
	end = gpa + len;
	/* The regions are sorted and disjoint: walk those covering the
	 * range; a hole or a region without PERM refuses it. */
	for (unsigned i = 0; i < m->nregion; i++) {
		const struct mon_region *r = &m->region[i];
		if (r->end <= at)
			continue;
		if (r->start > at || (r->perm & perm) != perm)
			return 0;
		if (end <= r->end)
			return m->base + gpa;
		at = r->end;
	}
	return 0;
}

int mon_region_add(struct mon_mem *m, uint64_t start, uint64_t end,
		   unsigned perm)
{
	unsigned i;

	if (m->nregion == MON_REGIONS_MAX || start >= end || end > m->size)
		return -1;
	for (i = 0; i < m->nregion && m->region[i].start < start; i++)
		;
	if ((i > 0 && m->region[i - 1].end > start) ||
	    (i < m->nregion && m->region[i].start < end))
		return -1;
	memmove(&m->region[i + 1], &m->region[i],
		(m->nregion - i) * sizeof m->region[0]);
	m->region[i] = (struct mon_region){ start, end, perm };
	m->nregion++;
	return 0;
}

/* Page-table pages for memory of SIZE whose low 4 KiB-mapped area ends at
 * LOW: PML4, PDPT, one PD per GiB, one PT per low 2 MiB, one for a tail
 * that is not a whole 2 MiB. */
static uint64_t table_pages(uint64_t size, uint64_t low)
{
	return 2 + align_up(size, GIB) / GIB + align_up(low, LARGE) / LARGE + 1;
}

int mon_layout(struct mon_mem *m, uint64_t image_end, struct pith_buf *err)
{
	struct mon_layout *l = &m->lay;
	uint64_t need;

	l->image_end = align_up(image_end, PAGE);
	l->boot = l->image_end;
	l->trap_lo = l->boot + BOOT_BYTES + PAGE; /* a guard page */
	l->trap_hi = l->trap_lo + TRAP_BYTES;
	l->guard_lo = l->trap_hi;
	l->guard_hi = l->guard_lo + PITH_STACK_GUARD;
	l->stack_lo = l->guard_hi;
	l->stack_hi = l->stack_lo + PITH_STACK_SIZE;
	need = l->stack_hi + table_pages(m->size, l->stack_hi) * PAGE;
	if (need > m->size) {
		pith_buf_str(err,
			     "the image, its stacks and page tables need ");
		pith_buf_udec(err, need >> 10);
		pith_buf_str(err, "K of guest memory; --mem is ");
		pith_buf_udec(err, m->size >> 10);
		pith_buf_str(err, "K");
		return -1;
	}
	l->tables = m->size - table_pages(m->size, l->stack_hi) * PAGE;
	l->tables_end = m->size;
	l->heap_start = l->stack_hi;
	l->heap_end = l->tables;
	return 0;
}
