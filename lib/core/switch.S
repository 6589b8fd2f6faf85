/* Fiber context switch for x86_64 (System V ABI).
 *
 * core_switch(void **save, void *next) saves the callee-saved registers on
 * the current stack, stores the stack pointer in *save, loads NEXT as the
 * stack pointer and restores the registers saved there. A new fiber's
 * stack is laid out by fiber.c so that the first switch "returns" into
 * core_fiber_trampoline with the fiber in %r12 and %rbp zero (the end of
 * every backtrace). MXCSR and the x87 control word are not switched:
 * fibers share them (no code in pith changes them, and the ring-0
 * targets' instruction emulators cannot run the x87 instructions). */
	.text
	.globl	core_switch
	.type	core_switch, @function
core_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	core_switch, . - core_switch

	.globl	core_fiber_trampoline
	.type	core_fiber_trampoline, @function
core_fiber_trampoline:
	movq	%r12, %rdi
	call	core_fiber_main
	ud2
	.size	core_fiber_trampoline, . - core_fiber_trampoline

	.section .note.GNU-stack, "", @progbits
