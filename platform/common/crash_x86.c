/* CPU exceptions of the ring-0 targets in words (see crash.h). */
#include "crash.h"
#include "fmt.h"

#define X86_VECTORS_NAMED 22

const char *pith_crash_x86_vector(uint64_t vec)
{
	static const char *const names[X86_VECTORS_NAMED] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
		"#DF", "#09", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP"
	};

	return vec < X86_VECTORS_NAMED ? names[vec] : "#?";
}

int pith_crash_x86(struct pith_crash *c, uint64_t vec, uint64_t err,
		   uint64_t addr, uint64_t guard_lo, uint64_t guard_hi)
{
	struct pith_buf b;

	c->cause = pith_crash_x86_vector(vec);
	pith_buf_init(&b, c->reason, sizeof c->reason);
	switch (vec) {
	case 14:
		pith_crash_explain_fault(c, addr, (unsigned)err, guard_lo,
					 guard_hi);
		return PITH_EXIT_SEGV;
	case 0:
		pith_buf_str(&b, "integer divide by zero");
		return PITH_EXIT_FPE;
	case 16:
	case 19:
		pith_buf_str(&b, "floating-point exception");
		return PITH_EXIT_FPE;
	case 6:
		pith_buf_str(&b, "the CPU cannot execute the instruction at ");
		pith_buf_hex(&b, c->regs.rip, 0);
		return PITH_EXIT_ILL;
	case 17:
		pith_buf_str(&b, "misaligned memory access");
		return PITH_EXIT_BUS;
	case 13:
		pith_buf_str(&b, "general protection fault (a non-canonical "
				 "address or a privileged instruction)");
		return PITH_EXIT_SEGV;
	case 8:
		pith_buf_str(&b, "double fault: an exception while handling "
				 "another");
		return PITH_EXIT_SEGV;
	default:
		pith_buf_str(&b, "CPU exception ");
		pith_buf_udec(&b, vec);
		pith_buf_str(&b, ", error code ");
		pith_buf_hex(&b, err, 0);
		return PITH_EXIT_SEGV;
	}
}
