/* What pith run's debugging options read in a virtio guest (see
 * include/pith/abi/virtio.h): the record of the memory layout and of a
 * crash's registers, the park a debugger stops on after a crash report,
 * and the note that tells the host where both are. None of it changes
 * what the guest does: without a debugger the park returns at once and
 * the record is never read. */
#include "../common/crash.h"
#include "../x86_64/x86.h"
#include "pith/abi/image.h"
#include "pith/abi/virtio.h"
#include "vio.h"

struct pith_virtio_record vio_debug_record;

/* The note: owner "PITH" (5 bytes, padded to 8), 16 bytes of addresses. */
__asm__(".pushsection .note.pith, \"a\", @note\n\t"
	".balign 4\n\t"
	".long 5, 16, 6\n\t" /* PITH_NOTE_VIRTIO_DEBUG */
	".asciz \"PITH\"\n\t"
	".balign 4\n\t"
	".quad vio_debug_record, vio_debug_park\n\t"
	".popsection");
_Static_assert(PITH_NOTE_VIRTIO_DEBUG == 6, "the note's type above");

void vio_debug_layout(void)
{
	vio_debug_record.stack_lo = vio.stack.lo;
	vio_debug_record.stack_hi = vio.stack.hi;
	vio_debug_record.heap_lo = vio.heap.lo;
	vio_debug_record.heap_hi = vio.heap.hi;
	vio_debug_record.devmem_lo = vio.devmem.lo;
	vio_debug_record.devmem_hi = vio.devmem.hi;
	vio_debug_record.layout_magic = PITH_VIRTIO_LAYOUT_MAGIC;
}

void vio_debug_crash(const struct pith_crash *c)
{
	_Static_assert(sizeof c->regs == 8 * PITH_VIRTIO_NREGS, "regs");

	__builtin_memcpy(vio_debug_record.regs, &c->regs, sizeof c->regs);
	vio_debug_record.code = (uint32_t)c->code;
	vio_debug_record.have_regs = (uint32_t)c->have_regs;
	vio_debug_record.fs_base = x86_rdmsr(X86_MSR_FS_BASE);
	vio_debug_record.crash_magic = PITH_VIRTIO_CRASH_MAGIC;
}

__attribute__((noinline, used)) void vio_debug_park(void)
{
	/* A debugger's breakpoint stops the guest here; then it resumes,
	 * or never does. */
	__asm__ volatile("" ::: "memory");
}
