/* The kvm target's console, clocks, sleeping and ending. The monotonic
 * clock reads the TSC (no exit); everything else is one hypercall. */
#include "../common/fmt.h"
#include "pith/exit.h"
#include "../x86_64/x86.h"
#include "kvm.h"

void pith_console_write(const char *buf, size_t len)
{
	struct pith_hc_console c;

	while (len) {
		size_t n =
			len < PITH_HC_CONSOLE_MAX ? len : PITH_HC_CONSOLE_MAX;
		c.buf = (pith_gpa)(uintptr_t)buf;
		c.len = n;
		kvm_hypercall(PITH_HC_CONSOLE, &c);
		buf += n;
		len -= n;
	}
}

uint64_t pith_clock_monotonic(void)
{
	uint64_t d = x86_rdtsc() - kvm.tsc0;

	return (uint64_t)(((unsigned __int128)d * kvm.tsc_mult) >> 32);
}

uint64_t pith_clock_wall(void)
{
	struct pith_hc_walltime w;

	kvm_hypercall(PITH_HC_WALLTIME, &w);
	return w.nsec;
}

void pith_yield(uint64_t deadline, pith_handle_set *ready)
{
	uint64_t now = pith_clock_monotonic();
	struct pith_hc_yield y = { deadline > now ? deadline - now : 0, 0 };

	kvm_hypercall(PITH_HC_YIELD, &y);
	if (ready)
		*ready = y.ready;
}

_Noreturn void pith_exit(int status)
{
	struct pith_hc_exit e = { status & 0xff, 0 };

	for (;;)
		kvm_hypercall(PITH_HC_EXIT, &e);
}

_Noreturn void kvm_fatal(int code, const char *reason, uint64_t rip,
			 uint64_t rsp, uint64_t rbp)
{
	struct pith_hc_abort a = { 0 };

	a.reason = (pith_gpa)(uintptr_t)reason;
	a.len = (uint32_t)pith_strnlen(reason, PITH_HC_REASON_MAX);
	a.code = (uint32_t)code;
	a.regs[16] = rip;
	a.regs[7] = rsp;
	a.regs[6] = rbp;
	for (;;)
		kvm_hypercall(PITH_HC_ABORT, &a);
}

_Noreturn void pith_abort(const char *reason)
{
	const uint64_t *frame = __builtin_frame_address(0);

	kvm_fatal(PITH_EXIT_ABORT, reason ? reason : "(no reason given)",
		  frame[1] - 1, (uint64_t)(uintptr_t)(frame + 2), frame[0]);
}

_Noreturn void ring0_fatal(int code, const char *reason, uint64_t rip,
			   uint64_t rsp, uint64_t rbp)
{
	kvm_fatal(code, reason, rip, rsp, rbp);
}

/* The monitor turns this into the report (it reads the stack). */
_Noreturn void ring0_exception(struct x86_frame *f)
{
	struct pith_hc_crash c;
	const uint64_t regs[PITH_HC_NREGS] = { f->rax, f->rbx,	 f->rcx, f->rdx,
					       f->rsi, f->rdi,	 f->rbp, f->rsp,
					       f->r8,  f->r9,	 f->r10, f->r11,
					       f->r12, f->r13,	 f->r14, f->r15,
					       f->rip, f->rflags };

	c.vector = f->vector;
	c.error_code = f->error_code;
	c.cr2 = f->vector == 14 ? x86_read_cr2() : 0;
	__builtin_memcpy(c.regs, regs, sizeof regs);
	for (;;)
		kvm_hypercall(PITH_HC_CRASH, &c);
}
