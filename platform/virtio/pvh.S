/* The PVH entry of a virtio image: the ELF note that tells QEMU,
 * Firecracker and cloud-hypervisor where to start, and the 32-bit code
 * that gets from there to the shared 64-bit _start (platform/x86_64).
 *
 * The PVH boot protocol starts the guest at the note's physical address
 * in 32-bit protected mode, paging off, interrupts off, flat segments,
 * EBX = the physical address of a struct hvm_start_info. In order:
 *   1. the TSC at the first instruction (the guest's boot time);
 *   2. .bss zeroed (loaders need not clear it);
 *   3. boot page tables: the first 4 GiB identity-mapped with 2 MiB pages,
 *      read-write-execute (replaced by W^X tables before main, paging.c);
 *   4. PAE, EFER.LME (long mode), NXE (if the CPU has NX), SCE (SYSCALL),
 *      then paging with CR0.WP (ring 0 honours read-only pages);
 *   5. a GDT with a 64-bit code segment, a far jump into it, and _start
 *      with RDI = the start info and RSP = the boot stack. */
#include "pvh_note.h"

#define BOOT_PD_PAGES	 4	/* 4 x 512 x 2 MiB = 4 GiB */
#define PTE_PRESENT_RW	 0x3
#define PTE_LARGE	 0x83	/* present, writable, 2 MiB */
#define CR0_WP_PG	 0x80010000
#define CR4_PAE		 0x20
#define MSR_EFER	 0xc0000080
#define EFER_SCE_LME	 0x101
#define EFER_NXE	 0x800
#define CPUID_NX_BIT	 20	/* CPUID 0x80000001 EDX */
#define BOOT_STACK_SIZE	 16384

	PVH_NOTE(pvh_start32)

	.text
	.code32
	.globl	pvh_start32
	.type	pvh_start32, @function
pvh_start32:
	rdtsc
	mov	%eax, %esi
	mov	%edx, %ebp
	cld
	mov	$__pith_bss_start, %edi
	mov	$__pith_bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx		/* the linker script aligns both to 8 */
	xor	%eax, %eax
	rep stosl
	mov	%esi, virtio_tsc_entry
	mov	%ebp, virtio_tsc_entry + 4

	/* PML4[0] -> PDPT; PDPT[0..3] -> the four PDs; PD entries map
	 * 2 MiB each, in order. */
	mov	$boot_pdpt + PTE_PRESENT_RW, %eax
	mov	%eax, boot_pml4
	mov	$boot_pd + PTE_PRESENT_RW, %eax
	xor	%ecx, %ecx
1:	mov	%eax, boot_pdpt(, %ecx, 8)
	add	$4096, %eax
	inc	%ecx
	cmp	$BOOT_PD_PAGES, %ecx
	jb	1b
	xor	%ecx, %ecx
2:	mov	%ecx, %eax
	shl	$21, %eax
	or	$PTE_LARGE, %eax
	mov	%eax, boot_pd(, %ecx, 8)
	inc	%ecx
	cmp	$BOOT_PD_PAGES * 512, %ecx
	jb	2b

	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	/* NXE only where the CPU has NX: setting it otherwise faults.
	 * CPUID overwrites EBX: the start info moves to ESI. */
	mov	%ebx, %esi
	mov	$0x80000001, %eax
	cpuid
	xor	%edi, %edi
	bt	$CPUID_NX_BIT, %edx
	jnc	3f
	mov	$EFER_NXE, %edi
3:	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_SCE_LME, %eax
	or	%edi, %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_WP_PG, %eax
	mov	%eax, %cr0
	lgdt	boot_gdt_ptr
	ljmp	$0x08, $pvh_start64

	.code64
pvh_start64:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	lea	boot_stack + BOOT_STACK_SIZE(%rip), %rsp
	mov	%esi, %edi
	jmp	_start
	.size	pvh_start32, . - pvh_start32

	.section .rodata
	.balign	8
/* Null, 64-bit code, data; accessed bits preset so that loading a
 * segment never writes to this read-only table. */
boot_gdt:
	.quad	0
	.quad	0x00209b0000000000
	.quad	0x0000930000000000
boot_gdt_ptr:
	.word	boot_gdt_ptr - boot_gdt - 1
	.long	boot_gdt

	.data
	.balign	8
	.globl	virtio_tsc_entry
virtio_tsc_entry:
	.quad	0

	.bss
	.balign	4096
boot_pml4:
	.fill	4096
boot_pdpt:
	.fill	4096
boot_pd:
	.fill	BOOT_PD_PAGES * 4096
	.balign	16
	.globl	boot_stack
boot_stack:
	.fill	BOOT_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
