/* Crash reports: one format for every target.
 *
 * A target turns its fault (a Linux signal, a CPU exception in the guest,
 * an abort) into a struct pith_crash, then calls pith_crash_report(),
 * which prints the kind and reason in words, the registers and a
 * symbolized backtrace, and returns the exit status to end with. */
#ifndef PITH_CRASH_H
#define PITH_CRASH_H

#include <stddef.h>
#include <stdint.h>

#include "pith/exit.h"

struct pith_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};

/* Page-fault error-code bits (the x86 #PF error code, which Linux also
 * reports for SIGSEGV). */
#define PITH_PF_PRESENT 0x1u
#define PITH_PF_WRITE	0x2u
#define PITH_PF_FETCH	0x10u

struct pith_crash {
	enum pith_exit_code code;
	const char *cause;     /* what the CPU or host said: "SIGSEGV", "#PF" */
	char reason[192];      /* the reason in words */
	int have_regs;	       /* all of regs is valid, else rip/rsp/rbp */
	struct pith_regs regs; /* rip 0: no location, no backtrace */
	/* Copies LEN bytes at (guest) address ADDR to BUF and returns 0 if
	 * they are safe to read (stack or code), else returns -1. The report
	 * reads memory only through this. */
	int (*peek)(uint64_t addr, void *buf, size_t len);
};

/* Says in C->reason why an access to ADDR faulted, from the page-fault
 * error code ERR and the stack guard region [GUARD_LO, GUARD_HI). */
void pith_crash_explain_fault(struct pith_crash *c, uint64_t addr, unsigned err,
			      uint64_t guard_lo, uint64_t guard_hi);

/* The return address of the function executing at C's rip when that
 * function has not set up a frame (a leaf compiled without one, or libc
 * code without frame pointers), found on the stack near rsp; 0 if none.
 * The frame-pointer chain does not contain the caller of such a
 * function, so the backtrace adds it from here. */
uint64_t pith_crash_leaf_return(const struct pith_crash *c);

/* Prints the report for C through OUT, then returns C->code. */
int pith_crash_report(const struct pith_crash *c,
		      void (*out)(const char *, size_t));

/* The ring-0 targets' CPU exceptions: sets C->cause to vector VEC's name
 * ("#PF") and C->reason to the exception in words (ERR the error code,
 * ADDR the faulting address of a #PF, [GUARD_LO, GUARD_HI) the stack
 * guard; C->regs.rip set), and returns the exit status. */
int pith_crash_x86(struct pith_crash *c, uint64_t vec, uint64_t err,
		   uint64_t addr, uint64_t guard_lo, uint64_t guard_hi);
const char *pith_crash_x86_vector(uint64_t vec);

/* A word for each crash exit status ("memory fault"), or NULL. */
const char *pith_crash_kind(int code);

#endif
