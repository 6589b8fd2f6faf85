/* Guest memory of a virtio image: the VMM's memory map (from the PVH
 * start info) and the layout the boot builds on it. From the image up,
 * inside the RAM range that holds the image:
 *
 *   image           its segments (1 MiB ..), W^X
 *   guard           PITH_STACK_GUARD bytes, unmapped: overflows fault
 *   stack           PITH_STACK_SIZE bytes, the application's
 *   page tables     VIO_TABLE_PAGES pages, never mapped
 *   device memory   virtqueues and buffers (the boot allocator)
 *   heap            pith.heap bytes, or what RAM has left
 *
 * Below the image nothing is mapped once the final tables load. The heap
 * moves to another RAM range (above 4 GiB) when that one fits it and the
 * first does not. Device memory must sit below 4 GiB (the boot tables map
 * only that much while the devices are set up); the image's range always
 * starts there. */
#include "../common/fmt.h"
#include "pith/exit.h"
#include "pith/param.h"
#include "vio.h"
#include "vdev.h"

#define PAGE	 PITH_PAGE_SIZE
#define FOUR_GIB (4ULL << 30)

extern char __pith_image_end[];

static struct {
	uint64_t lo, cursor, limit; /* the boot allocator's range */
	uint64_t ram_hi;	    /* end of the image's RAM range */
} mem;

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static _Noreturn void too_small(const char *what)
{
	char text[160];
	struct pith_buf b;

	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b, "guest memory is too small for ");
	pith_buf_str(&b, what);
	pith_buf_str(&b, " (give the VM more memory)");
	vio_fail(PITH_EXIT_HOST, text);
}

void vio_memory_init(void)
{
	uint64_t end = page_up((uint64_t)(uintptr_t)__pith_image_end);
	const struct vio_range *r = 0;

	for (unsigned i = 0; i < vio.nram; i++)
		if (vio.ram[i].lo <= 0x100000 && vio.ram[i].hi >= end)
			r = &vio.ram[i];
	if (!r)
		vio_fail(PITH_EXIT_HOST,
			 "the memory map has no RAM where the image is loaded");
	vio.guard = (struct vio_range){ end, end + PITH_STACK_GUARD };
	vio.stack = (struct vio_range){ vio.guard.hi,
					vio.guard.hi + PITH_STACK_SIZE };
	vio.tables =
		(struct vio_range){ vio.stack.hi,
				    vio.stack.hi + VIO_TABLE_PAGES * PAGE };
	mem.lo = mem.cursor = vio.tables.hi;
	mem.ram_hi = r->hi & ~(PAGE - 1);
	mem.limit = mem.ram_hi < FOUR_GIB ? mem.ram_hi : FOUR_GIB;
	if (mem.lo > mem.limit)
		too_small("the stack and page tables");
}

void *vio_alloc(size_t bytes, size_t align)
{
	uint64_t at = (mem.cursor + align - 1) & ~(uint64_t)(align - 1);

	if (at > mem.limit || bytes > mem.limit - at)
		return 0;
	mem.cursor = at + bytes;
	__builtin_memset((void *)(uintptr_t)at, 0, bytes);
	return (void *)(uintptr_t)at;
}

void *vdev_alloc(size_t bytes, size_t align)
{
	return vio_alloc(bytes, align);
}

/* The heap: after the tables in the image's range if it fits there, else
 * the first other RAM range that fits it, else the largest room found. */
static void place_heap(uint64_t lo, uint64_t hi)
{
	uint64_t want = vio.heap_request ? vio.heap_request : PITH_MEM_DEFAULT;
	struct vio_range best = { lo, hi };

	for (unsigned i = 0; hi - lo < want && i < vio.nram; i++) {
		const struct vio_range *r = &vio.ram[i];
		uint64_t a = page_up(r->lo), b = r->hi & ~(PAGE - 1);

		if (a >= hi && b > a && b - a > best.hi - best.lo)
			best = (struct vio_range){ a, b };
	}
	if (best.hi - best.lo > want)
		best.hi = best.lo + want;
	if (best.hi - best.lo < PITH_MEM_MIN)
		too_small("the heap");
	vio.heap = best;
}

void vio_memory_finish(void)
{
	vio.devmem = (struct vio_range){ mem.lo, page_up(mem.cursor) };
	place_heap(vio.devmem.hi, mem.ram_hi);
}

int vio_map_mmio(uint64_t addr, uint64_t len)
{
	uint64_t lo = addr & ~(PAGE - 1), hi = page_up(addr + len);

	if (len == 0 || addr + len < addr || hi < lo)
		return -1;
	for (unsigned i = 0; i < vio.nwindows; i++)
		if (vio.windows[i].lo <= lo && hi <= vio.windows[i].hi)
			return 0;
	if (vio.nwindows == VIO_WINDOWS_MAX)
		return -1;
	vio.windows[vio.nwindows++] = (struct vio_range){ lo, hi };
	if (hi > FOUR_GIB)
		vio_paging_map_boot(lo, hi);
	return 0;
}

static int inside(const struct vio_range *r, uint64_t a, size_t len)
{
	return a >= r->lo && a <= r->hi && len <= r->hi - a;
}

int vio_readable(uint64_t addr, size_t len)
{
	const struct vio_range image = {
		0x100000, page_up((uint64_t)(uintptr_t)__pith_image_end)
	};

	if (inside(&vio.trap_guard, addr, 1) ||
	    inside(&vio.trap_guard, addr + len - 1, 1))
		return 0;
	return inside(&image, addr, len) || inside(&vio.stack, addr, len) ||
	       inside(&vio.heap, addr, len) || inside(&vio.devmem, addr, len);
}
