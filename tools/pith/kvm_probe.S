/* The KVM probe of `pith run` (tools/pith/accel.c): a PVH payload that
 * does SSE arithmetic of the kind musl does (pxor, cvtsi2sd, addsd) and
 * leaves through QEMU's isa-debug-exit with 42 = 21 + 21. A KVM that
 * cannot run such code stops the VM with an emulation failure instead,
 * and pith run then uses TCG. */
#include "../../platform/virtio/pvh_note.h"
	PVH_NOTE(probe)

	.text
	.code32
	.globl	probe
probe:
	mov	%cr0, %eax
	and	$~0x4, %eax		/* EM off */
	or	$0x2, %eax		/* MP on */
	mov	%eax, %cr0
	mov	%cr4, %eax
	or	$0x600, %eax		/* OSFXSR, OSXMMEXCPT */
	mov	%eax, %cr4
	pxor	%xmm0, %xmm0
	mov	$21, %eax
	cvtsi2sd %eax, %xmm0
	addsd	%xmm0, %xmm0
	cvttsd2si %xmm0, %eax
	mov	$0xf4, %dx
	out	%al, %dx
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
