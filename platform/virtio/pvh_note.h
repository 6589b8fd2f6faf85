/* The PVH entry note, for assembler sources: PVH_NOTE(sym) puts into
 * .note.Xen the note that QEMU, Firecracker and cloud-hypervisor read to
 * start a guest in 32-bit mode at SYM (XEN_ELFNOTE_PHYS32_ENTRY, owner
 * "Xen", a 4-byte physical address). Used by the virtio target's entry
 * (pvh.S), pith run's KVM probe and bench/boot's floor payload. */
#ifndef PITH_PVH_NOTE_H
#define PITH_PVH_NOTE_H

#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* clang-format off */
#define PVH_NOTE(sym)						\
	.pushsection .note.Xen, "a", @note;			\
	.balign	4;						\
	.long	4, 4, XEN_ELFNOTE_PHYS32_ENTRY;			\
	.asciz	"Xen";						\
	.long	sym;						\
	.popsection
/* clang-format on */

#endif
