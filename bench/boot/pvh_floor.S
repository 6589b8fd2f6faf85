/* QEMU's floor for the virtio target (bench/boot/virtio): the least a PVH
 * guest can do. It writes one byte to the serial console and powers off
 * the way a pith guest does with status 0 on microvm (ACPI: the GED's
 * sleep control register, S5), so QEMU exits with 0. */
#include "../../platform/virtio/pvh_note.h"
#define GED_SLEEP_CTL	0xfea00200 /* QEMU microvm: GED_MMIO_BASE_REGS */
#define SLP_EN_S5	0x34	   /* SLP_EN (bit 5) | SLP_TYP 5 << 2 */

	PVH_NOTE(floor)

	.text
	.code32
	.globl	floor
floor:
	mov	$0x3f8, %dx
	mov	$'x', %al
	out	%al, %dx
	movb	$SLP_EN_S5, GED_SLEEP_CTL
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
