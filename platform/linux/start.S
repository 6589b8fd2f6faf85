/* Entry point of a linux-target image: hands the initial stack (argc,
 * argv, envp, auxv) to C, which starts musl and then the platform. */
	.text
	.globl	_start
	.type	_start, @function
_start:
	xor	%ebp, %ebp		/* the outermost frame */
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	lx_start_c
	hlt
	.size	_start, . - _start

/* int lx_call_on_stack(fn, argc, argv, top): runs fn(argc, argv) on the
 * stack that ends at top (16-byte aligned), then returns on this one.
 * The frame-pointer chain starts afresh there, so backtraces of the
 * application end at its first frame. */
	.globl	lx_call_on_stack
	.type	lx_call_on_stack, @function
lx_call_on_stack:
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	sub	$8, %rsp
	mov	%rsp, %rbx
	mov	%rcx, %rsp
	mov	%rdi, %rax
	mov	%esi, %edi
	mov	%rdx, %rsi
	xor	%ebp, %ebp
	call	*%rax
	mov	%rbx, %rsp
	add	$8, %rsp
	pop	%rbx
	pop	%rbp
	ret
	.size	lx_call_on_stack, . - lx_call_on_stack

	.section .note.GNU-stack, "", @progbits
