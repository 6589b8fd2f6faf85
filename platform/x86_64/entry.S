/* Entry points of the ring-0 runtime: the 64-bit start, the exception
 * stubs, and the SYSCALL handler. See x86.h. */


	.section .text.start, "ax", @progbits
	.globl	_start
	.type	_start, @function
/* 64-bit mode, interrupts off, RSP at the boot stack, RDI = boot data. */
_start:
	xor	%ebp, %ebp
	and	$-16, %rsp
	call	ring0_start
1:	hlt
	jmp	1b
	.size	_start, . - _start

	.text
/* Exception stubs: each pushes an error code (0 where the CPU pushes
 * none) and its vector, then joins x86_exc_common. */
	.macro	EXC vec, has_error
	.globl	x86_exc\vec
x86_exc\vec:
	.if \has_error == 0
	push	$0
	.endif
	push	$\vec
	jmp	x86_exc_common
	.endm

	EXC 0, 0
	EXC 1, 0
	EXC 2, 0
	EXC 3, 0
	EXC 4, 0
	EXC 5, 0
	EXC 6, 0
	EXC 7, 0
	EXC 8, 1
	EXC 9, 0
	EXC 10, 1
	EXC 11, 1
	EXC 12, 1
	EXC 13, 1
	EXC 14, 1
	EXC 15, 0
	EXC 16, 0
	EXC 17, 1
	EXC 18, 0
	EXC 19, 0
	EXC 20, 0
	EXC 21, 1
	EXC 22, 0
	EXC 23, 0
	EXC 24, 0
	EXC 25, 0
	EXC 26, 0
	EXC 27, 0
	EXC 28, 0
	EXC 29, 1
	EXC 30, 1
	EXC 31, 0

/* The stubs' addresses, for the IDT (x86_cpu_init). */
	.section .rodata
	.globl	x86_exc_stubs
	.balign	8
x86_exc_stubs:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	x86_exc\v
	.endr

	.text
	.type	x86_exc_common, @function
x86_exc_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi		/* struct x86_frame * */
	xor	%ebp, %ebp
	call	ring0_exception
	/* Returned: an NMI the target ignores. Resume where it hit. */
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector, error code */
	iretq
	.size	x86_exc_common, . - x86_exc_common

/* SYSCALL from ring 0: the CPU saved RIP in RCX and RFLAGS in R11 and did
 * not switch stacks. Skip the interrupted code's 128-byte red zone, save
 * the argument registers (a system call preserves all but RAX, RCX and
 * R11), call x86_syscall(nr, args), and return with a jump: SYSRET would
 * drop to ring 3. */
	.globl	x86_syscall_entry
	.type	x86_syscall_entry, @function
x86_syscall_entry:
	sub	$128, %rsp
	push	%rcx
	push	%r11
	push	%r9
	push	%r8
	push	%r10
	push	%rdx
	push	%rsi
	push	%rdi			/* args[0..5] now in order */
	mov	%rsp, %rsi
	mov	%rax, %rdi
	push	%rcx			/* a frame whose return address is */
	push	%rbp			/* the caller's: backtraces cross it */
	mov	%rsp, %rbp
	push	%rbx
	mov	%rsp, %rbx
	and	$-16, %rsp
	call	x86_syscall
	mov	%rbx, %rsp
	pop	%rbx
	pop	%rbp
	add	$8, %rsp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%r10
	pop	%r8
	pop	%r9
	pop	%r11
	pop	%rcx
	add	$128, %rsp
	push	%r11
	popfq
	jmp	*%rcx
	.size	x86_syscall_entry, . - x86_syscall_entry

	.section .note.GNU-stack, "", @progbits
