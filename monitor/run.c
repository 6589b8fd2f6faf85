/* The run loop: enter the guest, serve its exit, repeat until it exits or
 * is stopped. Every exit is counted by reason (--stats). Exits other than
 * hypercalls end the guest with a message that says what happened:
 * a halt (musl's way of failing), a triple fault, KVM's inability to
 * emulate an instruction (this host's nested KVM cannot execute SSE
 * arithmetic: say so plainly), or an exit that should not happen. */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "../platform/common/symbols.h"
#include "debug.h"
#include "pith/exit.h"
#include "run.h"

int mon_vcpu_regs(const struct mon_vm *v, uint64_t r[PITH_HC_NREGS])
{
	struct kvm_regs k;

	if (ioctl(v->vcpu, KVM_GET_REGS, &k) < 0)
		return -1;
	const uint64_t regs[PITH_HC_NREGS] = {
		k.rax, k.rbx, k.rcx, k.rdx, k.rsi, k.rdi, k.rbp, k.rsp, k.r8,
		k.r9,  k.r10, k.r11, k.r12, k.r13, k.r14, k.r15, k.rip, k.rflags
	};
	memcpy(r, regs, sizeof regs);
	return 0;
}

/* The guest executed hlt: musl's a_crash() (a failed stack-protector
 * check among its uses), since nothing else in pith halts. */
static int halted(struct mon_hc *hc, const struct mon_vm *v)
{
	uint64_t r[PITH_HC_NREGS] = { 0 }, off;
	const char *fn;

	mon_vcpu_regs(v, r);
	r[16] -= 1; /* KVM reports the instruction after hlt */
	fn = pith_symbolize(r[16], &off);
	if (fn && (!strcmp(fn, "__stack_chk_fail") ||
		   !strcmp(fn, "__stack_chk_fail_local")))
		return mon_report(hc, PITH_EXIT_SSP, "hlt",
				  "a function's stack frame was overwritten "
				  "(canary mismatch)",
				  r, 1);
	return mon_report(hc, PITH_EXIT_ABORT, "hlt",
			  fn ? "libc detected memory corruption (heap metadata "
			       "damaged, or a double free)"
			     : "the guest halted",
			  r, 1);
}

static int shutdown_exit(struct mon_hc *hc, const struct mon_vm *v)
{
	uint64_t r[PITH_HC_NREGS] = { 0 };

	mon_vcpu_regs(v, r);
	return mon_report(hc, PITH_EXIT_SEGV, "triple fault",
			  "the guest faulted while handling a fault (its "
			  "exception stacks or tables are unusable)",
			  r, 1);
}

/* KVM gave up on an instruction: say which, with its bytes. */
static int emulation_failure(struct mon_hc *hc, const struct mon_vm *v)
{
	const struct kvm_run *run = v->run;
	char text[384];
	struct pith_buf b;
	uint64_t r[PITH_HC_NREGS] = { 0 };
	unsigned n = 0;
	const uint8_t *bytes = 0;

	mon_vcpu_regs(v, r);
	if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		n = run->emulation_failure.insn_size;
		bytes = run->emulation_failure.insn_bytes;
	} else if ((bytes = mon_guest(hc->mem, r[16], 8, MON_R)) != 0)
		n = 8;
	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b, "the host's KVM could not emulate the instruction at "
			 "RIP ");
	pith_buf_hex(&b, r[16], 0);
	pith_buf_str(&b, ": bytes");
	for (unsigned i = 0; i < n && i < 15; i++) {
		static const char x[] = "0123456789abcdef";
		pith_buf_chr(&b, ' ');
		pith_buf_chr(&b, x[bytes[i] >> 4]);
		pith_buf_chr(&b, x[bytes[i] & 15]);
	}
	pith_buf_str(&b, "; this host's KVM appears to be software-emulated "
			 "(it cannot run SSE or x87 arithmetic)");
	mon_diag(hc, text);
	return PITH_EXIT_HOST;
}

static int unexpected(struct mon_hc *hc, const char *what, uint64_t v)
{
	char text[160];
	struct pith_buf b;

	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b, "guest stopped: ");
	pith_buf_str(&b, what);
	pith_buf_hex(&b, v, 0);
	mon_diag(hc, text);
	return PITH_EXIT_ABORT;
}

/* Serves one exit; returns -1 to go on, else the exit status. */
static int serve(struct mon_hc *hc, const struct mon_vm *v)
{
	struct kvm_run *run = v->run;
	int status = 0;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
		    run->io.count != 1)
			return unexpected(hc,
					  "port access that is not a "
					  "hypercall, port ",
					  run->io.port);
		switch (mon_hypercall(
			hc, run->io.port,
			*(uint32_t *)((char *)run + run->io.data_offset),
			&status)) {
		case MON_CONTINUE:
			return -1;
		default:
			return status;
		}
	case KVM_EXIT_HLT:
		return halted(hc, v);
	case KVM_EXIT_SHUTDOWN:
		return shutdown_exit(hc, v);
	case KVM_EXIT_INTERNAL_ERROR:
		return emulation_failure(hc, v);
	case KVM_EXIT_DEBUG:
		return hc->dbg ? mon_debug_exit(hc->dbg)
			       : unexpected(hc, "debug exit without --gdb ", 0);
	case KVM_EXIT_MMIO:
		return unexpected(hc, "access outside guest memory at ",
				  run->mmio.phys_addr);
	case KVM_EXIT_FAIL_ENTRY:
		return unexpected(
			hc, "KVM could not enter the guest, reason ",
			run->fail_entry.hardware_entry_failure_reason);
	default:
		return unexpected(hc, "unexpected VM exit, reason ",
				  run->exit_reason);
	}
}

int mon_run(struct mon_hc *hc, const struct mon_vm *v)
{
	struct timespec ts;

	/* --stats reports when the guest first ran (exec to first KVM_RUN
	 * is the monitor's setup time; bench/boot measures it). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	hc->stats->first_run_ns =
		(uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	for (;;) {
		int status, r;
		uint64_t t0 = 0;

		/* Debugging: signals and gdb are served between runs. */
		if (hc->dbg) {
			status = mon_debug_enter(hc->dbg);
			if (status >= 0)
				return status;
			t0 = mon_now();
		}
		r = ioctl(v->vcpu, KVM_RUN, 0);
		if (hc->dbg)
			mon_debug_ran(hc->dbg, t0, r == 0);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return unexpected(hc, "KVM_RUN failed, errno ",
					  (uint64_t)errno);
		}
		hc->stats->exits++;
		hc->stats->by_reason[v->run->exit_reason < MON_EXIT_REASONS
					     ? v->run->exit_reason
					     : 0]++;
		status = serve(hc, v);
		if (status >= 0)
			return status;
	}
}
