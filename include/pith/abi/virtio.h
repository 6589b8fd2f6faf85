/* What a virtio guest shows the host's debugging tools (pith run's
 * --core, --gdb and --profile under QEMU; tools/pith/vdebug.c).
 *
 * The guest keeps one record in its memory: the ranges a core file
 * should hold besides the image's own writable segments (set at boot),
 * and the registers of a crash (set before the crash report is printed).
 * After the report the guest calls a function that does nothing, the
 * park: a debugger that holds a breakpoint there sees the crash before
 * the guest powers off. The image's PITH note PITH_NOTE_VIRTIO_DEBUG
 * gives the addresses of both, so the host needs no symbol table. The
 * guest writes the record; the host only reads it, and checks every
 * range and value in it (the guest may be the thing that broke). */
#ifndef PITH_ABI_VIRTIO_H
#define PITH_ABI_VIRTIO_H

#include <stdint.h>

struct pith_note_virtio_debug {
	uint64_t record; /* guest address of struct pith_virtio_record */
	uint64_t park;	 /* guest address of the park function */
};
_Static_assert(sizeof(struct pith_note_virtio_debug) == 16, "note layout");

/* "LOU2": the ranges are set, device memory among them (the first
 * layout, "LOUT", had no devmem). */
#define PITH_VIRTIO_LAYOUT_MAGIC 0x32554f4cu
#define PITH_VIRTIO_CRASH_MAGIC	 0x48535243u /* "CRSH": a crash is set */

/* Registers of a crash, in the order of struct pith_regs: rax, rbx, rcx,
 * rdx, rsi, rdi, rbp, rsp, r8 .. r15, rip, rflags. */
#define PITH_VIRTIO_NREGS 18

struct pith_virtio_record {
	uint32_t layout_magic;	     /* PITH_VIRTIO_LAYOUT_MAGIC, or 0 */
	uint32_t crash_magic;	     /* PITH_VIRTIO_CRASH_MAGIC, or 0 */
	uint64_t stack_lo, stack_hi; /* the application stack [lo, hi) */
	uint64_t heap_lo, heap_hi;   /* the heap [lo, hi) */
	uint32_t code;		     /* the crash's exit status */
	uint32_t have_regs;	     /* 1: all of regs; 0: only rip, rsp, rbp */
	uint64_t regs[PITH_VIRTIO_NREGS];
	uint64_t fs_base; /* the thread pointer at the crash */
	/* Device memory [lo, hi): the virtqueues' rings and the frame and
	 * block buffers, so a core shows what the driver and device saw. */
	uint64_t devmem_lo, devmem_hi;
};
_Static_assert(sizeof(struct pith_virtio_record) == 216, "record layout");

#endif
