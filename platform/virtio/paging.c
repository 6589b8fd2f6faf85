/* The final page tables of a virtio guest, identity-mapped, W^X from the
 * link layout: each PT_LOAD segment with its own flags (text R+X, read-
 * only data R, data and bss R+W, never both W and X), the stack, device
 * memory and the heap R+W and non-executable, device windows R+W,
 * uncached and non-executable. Not mapped: the first MiB (null pointers,
 * the firmware's leftovers), the stack guard, the trap stacks' guard
 * page, and the page tables themselves (only the CPU reads them).
 *
 * Without the CPU's NX bit (EFER.NXE, set by pvh.S when CPUID offers it)
 * nothing can be made non-executable; every CPU the target VMMs run on
 * has it. */
#include <elf.h>

#include "../x86_64/x86.h"
#include "pith/exit.h"
#include "pith/param.h"
#include "vio.h"

#define PAGE  PITH_PAGE_SIZE
#define LARGE (2ULL << 20)

#define PTE_P	 0x1ULL
#define PTE_W	 0x2ULL
#define PTE_PWT	 0x8ULL
#define PTE_PCD	 0x10ULL
#define PTE_PS	 0x80ULL
#define PTE_NX	 (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#define EFER_NXE 0x800ULL

/* Pages at the top of the reserve for mapping windows above 4 GiB into
 * the boot tables (3 per window at most; windows that high are rare). */
#define BOOT_EXTRA_PAGES 8

extern const char __ehdr_start[];

struct tables {
	uint64_t next, end; /* free table pages */
	uint64_t nx;	    /* PTE_NX, or 0 without NX */
};

static uint64_t *table_at(uint64_t pa)
{
	return (uint64_t *)(uintptr_t)pa;
}

static uint64_t new_table(struct tables *t)
{
	uint64_t pa = t->next;

	if (pa >= t->end)
		vio_fail(PITH_EXIT_HOST,
			 "the page tables outgrew their reserve");
	t->next += PAGE;
	__builtin_memset(table_at(pa), 0, PAGE);
	return pa;
}

/* The table entry E of table TBL points to, made if absent; 0 if E
 * already maps a large page (left as it is). */
static uint64_t descend(struct tables *t, uint64_t tbl, unsigned e)
{
	uint64_t *ent = &table_at(tbl)[e];

	if (*ent & PTE_PS)
		return 0;
	if (!(*ent & PTE_P))
		*ent = new_table(t) | PTE_P | PTE_W;
	return *ent & PTE_ADDR;
}

/* Maps [LO, HI) (page-aligned) under ROOT with FLAGS, in 2 MiB pages
 * where alignment allows. */
static void map(struct tables *t, uint64_t root, uint64_t lo, uint64_t hi,
		uint64_t flags)
{
	for (uint64_t va = lo; va < hi;) {
		int large = va % LARGE == 0 && hi - va >= LARGE;
		uint64_t pdpt = descend(t, root, (va >> 39) & 511);
		uint64_t pd = pdpt ? descend(t, pdpt, (va >> 30) & 511) : 0;
		uint64_t pt;

		if (pd && large)
			table_at(pd)[(va >> 21) & 511] = va | flags | PTE_PS;
		else if (pd && (pt = descend(t, pd, (va >> 21) & 511)))
			table_at(pt)[(va >> 12) & 511] = va | flags;
		va += large ? LARGE : PAGE;
	}
}

static uint64_t page_down(uint64_t v)
{
	return v & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

/* Each loadable segment with its flags; the trap stacks' guard page
 * (inside .bss) left out. */
static void map_image(struct tables *t, uint64_t root)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__ehdr_start;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(__ehdr_start + eh->e_phoff);

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		uint64_t lo = page_down(ph[i].p_vaddr);
		uint64_t hi = page_up(ph[i].p_vaddr + ph[i].p_memsz);
		uint64_t f = PTE_P;

		if (ph[i].p_type != PT_LOAD)
			continue;
		f |= (ph[i].p_flags & PF_W) ? PTE_W : 0;
		f |= (ph[i].p_flags & PF_X) ? 0 : t->nx;
		if (vio.trap_guard.lo >= lo && vio.trap_guard.hi <= hi) {
			map(t, root, lo, vio.trap_guard.lo, f);
			map(t, root, vio.trap_guard.hi, hi, f);
		} else
			map(t, root, lo, hi, f);
	}
}

void vio_paging_switch(void)
{
	struct tables t = { vio.tables.lo,
			    vio.tables.hi - BOOT_EXTRA_PAGES * PAGE, 0 };
	uint64_t root, data = PTE_P | PTE_W;

	if (x86_rdmsr(X86_MSR_EFER) & EFER_NXE)
		t.nx = PTE_NX;
	data |= t.nx;
	root = new_table(&t);
	map_image(&t, root);
	map(&t, root, vio.stack.lo, vio.stack.hi, data);
	map(&t, root, vio.devmem.lo, vio.devmem.hi, data);
	map(&t, root, vio.heap.lo, vio.heap.hi, data);
	for (unsigned i = 0; i < vio.nwindows; i++)
		map(&t, root, vio.windows[i].lo, vio.windows[i].hi,
		    data | PTE_PCD | PTE_PWT);
	__asm__ volatile("mov %0, %%cr3" ::"r"(root) : "memory");
}

/* Boot tables: pvh.S's, which map the first 4 GiB with 2 MiB pages; a
 * window above gets tables from the reserve's top end. */
void vio_paging_map_boot(uint64_t lo, uint64_t hi)
{
	static uint64_t used;
	uint64_t base = vio.tables.hi - BOOT_EXTRA_PAGES * PAGE, root;
	struct tables t = { base + used, vio.tables.hi, 0 };

	__asm__ volatile("mov %%cr3, %0" : "=r"(root));
	map(&t, root & PTE_ADDR, page_down(lo), page_up(hi),
	    PTE_P | PTE_W | PTE_PCD | PTE_PWT);
	used = t.next - base;
	__asm__ volatile("mov %0, %%cr3" ::"r"(root) : "memory");
}
