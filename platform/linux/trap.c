/* Signals of the linux target, all on one alternate stack:
 *
 *   SIGSYS from seccomp: a system call outside the allow-list. If lib/posix
 *     serves it (console writes, memory, clocks, sleep), the result goes
 *     back in rax and the application continues as after a system call;
 *     otherwise the appliance ends with a report naming the call.
 *   SIGSEGV, SIGBUS, SIGFPE, SIGILL: a crash. The report says why in
 *     words, from the signal's code and the CPU's trap number and
 *     page-fault error code, with registers and a backtrace.
 */
#define _GNU_SOURCE /* REG_* names of the saved registers */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "../common/crash.h"
#include "../common/symbols.h"
#include "../common/syscall_names.h"
#include "linux.h"
#include "pith/posix.h"
#include "sys.h"

#define TRAP_GP 13 /* x86 general-protection fault */
#define TRAP_PF 14 /* x86 page fault */
#define OP_HLT	0xf4

extern const char __pith_text_start[], __pith_text_end[];

void lx_regs_of(const void *ucv, struct pith_regs *r)
{
	const ucontext_t *uc = ucv;
	const greg_t *g = uc->uc_mcontext.gregs;

	r->rax = (uint64_t)g[REG_RAX];
	r->rbx = (uint64_t)g[REG_RBX];
	r->rcx = (uint64_t)g[REG_RCX];
	r->rdx = (uint64_t)g[REG_RDX];
	r->rsi = (uint64_t)g[REG_RSI];
	r->rdi = (uint64_t)g[REG_RDI];
	r->rbp = (uint64_t)g[REG_RBP];
	r->rsp = (uint64_t)g[REG_RSP];
	r->r8 = (uint64_t)g[REG_R8];
	r->r9 = (uint64_t)g[REG_R9];
	r->r10 = (uint64_t)g[REG_R10];
	r->r11 = (uint64_t)g[REG_R11];
	r->r12 = (uint64_t)g[REG_R12];
	r->r13 = (uint64_t)g[REG_R13];
	r->r14 = (uint64_t)g[REG_R14];
	r->r15 = (uint64_t)g[REG_R15];
	r->rip = (uint64_t)g[REG_RIP];
	r->rflags = (uint64_t)g[REG_EFL];
}

static int in_text(uint64_t addr)
{
	return addr >= (uintptr_t)__pith_text_start &&
	       addr < (uintptr_t)__pith_text_end;
}

static int inside(uint64_t addr, size_t len, uintptr_t lo, uintptr_t hi)
{
	return addr >= lo && addr <= hi && len <= hi - addr;
}

int lx_peek(uint64_t addr, void *buf, size_t len)
{
	/* The heap holds the stacks of fibers (lib/core). */
	if (!inside(addr, len, lx.stack_lo, lx.stack_hi) &&
	    !inside(addr, len, lx.boot.heap_start,
		    lx.boot.heap_start + lx.boot.heap_size) &&
	    !inside(addr, len, (uintptr_t)__pith_text_start,
		    (uintptr_t)__pith_text_end))
		return -1;
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return 0;
}

/* A general-protection fault: musl's a_crash() executes hlt when it
 * detects corruption (a failed stack-protector check among them). */
static void explain_gp(struct pith_crash *c, struct pith_buf *b)
{
	uint64_t off;
	const char *fn = pith_symbolize(c->regs.rip, &off), *caller;

	if (!in_text(c->regs.rip) ||
	    *(const unsigned char *)(uintptr_t)c->regs.rip != OP_HLT) {
		pith_buf_str(b, "general protection fault (a non-canonical "
				"address or a privileged instruction)");
		return;
	}
	if (fn && (pith_streq(fn, "__stack_chk_fail") ||
		   pith_streq(fn, "__stack_chk_fail_local"))) {
		uint64_t ret = pith_crash_leaf_return(c);
		caller = ret ? pith_symbolize(ret - 1, &off) : 0;
		c->code = PITH_EXIT_SSP;
		pith_buf_str(b, "the stack frame of ");
		pith_buf_str(b, caller ? caller : "a function");
		pith_buf_str(b, " was overwritten (canary mismatch)");
		return;
	}
	c->code = PITH_EXIT_ABORT;
	pith_buf_str(b, "libc detected memory corruption in ");
	pith_buf_str(b, fn ? fn : "an unknown function");
	pith_buf_str(b, " (heap metadata damaged, or a double free)");
}

static void explain_segv(struct pith_crash *c, const siginfo_t *si,
			 const ucontext_t *uc, struct pith_buf *b)
{
	const greg_t *g = uc->uc_mcontext.gregs;

	c->code = PITH_EXIT_SEGV;
	if (g[REG_TRAPNO] == TRAP_PF)
		pith_crash_explain_fault(c, (uint64_t)(uintptr_t)si->si_addr,
					 (unsigned)g[REG_ERR], lx.guard_lo,
					 lx.guard_hi);
	else if (g[REG_TRAPNO] == TRAP_GP)
		explain_gp(c, b);
	else {
		pith_buf_str(b, "memory fault, CPU trap ");
		pith_buf_udec(b, (uint64_t)g[REG_TRAPNO]);
	}
}

static void explain(struct pith_crash *c, int sig, const siginfo_t *si,
		    const ucontext_t *uc)
{
	struct pith_buf b;

	pith_buf_init(&b, c->reason, sizeof c->reason);
	if (si->si_code <= 0) {
		c->code = PITH_EXIT_ABORT;
		pith_buf_str(&b, "killed by a signal sent from process ");
		pith_buf_udec(&b, (uint64_t)si->si_pid);
		return;
	}
	switch (sig) {
	case SIGSEGV:
		explain_segv(c, si, uc, &b);
		return;
	case SIGBUS:
		c->code = PITH_EXIT_BUS;
		if (si->si_code == BUS_ADRALN) {
			pith_buf_str(&b, "misaligned memory access (alignment "
					 "checking is on: EFLAGS.AC)");
			return;
		}
		pith_buf_str(&b, "access past the end of a mapped object at ");
		pith_buf_hex(&b, (uint64_t)(uintptr_t)si->si_addr, 0);
		return;
	case SIGFPE:
		c->code = PITH_EXIT_FPE;
		pith_buf_str(&b, si->si_code == FPE_INTDIV
					 ? "integer divide by zero"
				 : si->si_code == FPE_INTOVF
					 ? "integer overflow in division"
					 : "floating-point exception");
		return;
	default:
		c->code = PITH_EXIT_ILL;
		pith_buf_str(&b, "the CPU cannot execute the instruction at ");
		pith_buf_hex(&b, c->regs.rip, 0);
		return;
	}
}

static void begin(struct pith_crash *c, int sig, const ucontext_t *uc)
{
	static const char *const causes[] = { [SIGSEGV] = "SIGSEGV",
					      [SIGBUS] = "SIGBUS",
					      [SIGFPE] = "SIGFPE",
					      [SIGILL] = "SIGILL",
					      [SIGSYS] = "SIGSYS" };

	memset(c, 0, sizeof *c);
	c->cause = causes[sig];
	c->have_regs = 1;
	lx_regs_of(uc, &c->regs);
	c->peek = lx_peek;
}

/* The application may have turned on alignment checking (EFLAGS.AC),
 * which signal delivery keeps; the handlers' own code must not trip it.
 * Returning restores the application's flags. */
static void alignment_checks_off(void)
{
	__asm__ volatile("pushf; andl $~0x40000, (%%rsp); popf" ::
				 : "cc", "memory");
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	struct pith_crash c;
	int code;

	alignment_checks_off();
	begin(&c, sig, ucv);
	explain(&c, sig, si, ucv);
	code = pith_crash_report(&c, lx_diag_write);
	lx_debug_crash(&c, sig);
	lx_exit(code);
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	const long args[6] = { g[REG_RDI], g[REG_RSI], g[REG_RDX],
			       g[REG_R10], g[REG_R8],  g[REG_R9] };
	const char *name = pith_syscall_name(si->si_syscall);
	struct pith_crash c;
	struct pith_buf b;
	long ret;

	alignment_checks_off();
	if (si->si_code != SYS_SECCOMP) {
		on_fault(sig, si, ucv);
		return;
	}
	if (posix_syscall(si->si_syscall, args, &ret)) {
		g[REG_RAX] = ret;
		return;
	}
	begin(&c, sig, uc);
	c.code = PITH_EXIT_SYSCALL;
	pith_buf_init(&b, c.reason, sizeof c.reason);
	pith_buf_str(&b, "system call ");
	pith_buf_str(&b, name ? name : "?");
	pith_buf_str(&b, " (");
	pith_buf_dec(&b, si->si_syscall);
	pith_buf_str(&b, ") is not allowed; see --show-seccomp");
	ret = pith_crash_report(&c, lx_diag_write);
	lx_debug_crash(&c, sig);
	lx_exit((int)ret);
}

/* SIGINT or SIGTERM: the operator stops the appliance. That is a clean
 * end (status 0), said on stderr; the handler never returns, so the
 * policy needs nothing for it. */
static void on_stop(int sig)
{
	static const char intr[] = ": stopped (SIGINT)\n",
			  term[] = ": stopped (SIGTERM)\n";

	lx_diag_write(lx.image, pith_strnlen(lx.image, 4096));
	if (sig == SIGINT)
		lx_diag_write(intr, sizeof intr - 1);
	else
		lx_diag_write(term, sizeof term - 1);
	lx_exit(0);
}

int lx_traps_install(void *altstack, size_t size)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	stack_t ss = { .ss_sp = altstack, .ss_size = size, .ss_flags = 0 };
	struct sigaction sa;

	if (sigaltstack(&ss, 0) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	/* Crash handlers block everything: nothing may run in between. */
	sigfillset(&sa.sa_mask);
	sa.sa_sigaction = on_fault;
	for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++)
		if (sigaction(faults[i], &sa, 0) < 0)
			return -1;
	/* SIGSYS lets crash signals through, so a fault while serving a
	 * call is reported rather than escalated to a silent kill. */
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_sigsys;
	if (sigaction(SIGSYS, &sa, 0) < 0)
		return -1;
	sa.sa_flags = SA_ONSTACK;
	sa.sa_handler = on_stop;
	return sigaction(SIGINT, &sa, 0) | sigaction(SIGTERM, &sa, 0);
}
