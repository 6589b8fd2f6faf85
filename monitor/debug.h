/* The monitor's debugging modules (docs/debugging.md): core files
 * (--core), the profiler (--profile), the exit trace (--trace), time in
 * the guest (--stats) and the gdb stub (--gdb, gdb.c). They exist in a
 * run only when their option is given: without them mon_hc.dbg is NULL,
 * no signal handler is installed and the seccomp policy has none of their
 * rules (seccomp.c). */
#ifndef PITH_MON_DEBUG_H
#define PITH_MON_DEBUG_H

#include "../platform/common/core_file.h"
#include "../platform/common/profile.h"
#include "vm.h"

struct mon_gdb;

struct mon_debug {
	struct mon_hc *hc;
	const struct mon_vm *vm;
	const char *image;
	int core; /* --core: CORE is open */
	struct pith_core_file core_file;
	int profile_fd; /* --profile, else -1 */
	unsigned hz;
	struct pith_profile *prof; /* allocated before confinement */
	uint64_t sample_ns;	   /* time spent taking samples */
	int trace_fd;		   /* --trace, else -1 */
	unsigned long traced;
	uint64_t start_ns;   /* CLOCK_MONOTONIC at the first KVM_RUN */
	int stats;	     /* --stats: time in the guest */
	struct mon_gdb *gdb; /* --gdb */
};

/* Opens the files of the options in O and, with --gdb, waits for gdb to
 * connect. Before confinement.  0, or -1 with ERR (the exit status is
 * then PITH_EXIT_USAGE). */
int mon_debug_open(struct mon_debug *d, const struct pith_options *o,
		   struct pith_buf *err);

/* Installs the signal handlers (SIGQUIT for --core, SIGPROF and its
 * timer for --profile, SIGIO for --gdb). 0, or -1. */
int mon_debug_start(struct mon_debug *d);

/* Before each KVM_RUN: serves what signals and gdb asked for. Returns
 * -1 to run the guest, or the exit status to end with. */
int mon_debug_enter(struct mon_debug *d);

/* After each KVM_RUN that began at T0 (ns); counts time and traces. */
void mon_debug_ran(struct mon_debug *d, uint64_t t0, int exited);

/* A KVM_EXIT_DEBUG (a breakpoint or a single step): -1 or a status. */
int mon_debug_exit(struct mon_debug *d);

/* The guest crashed with REGS (PITH_HC_NREGS; HAVE_REGS 0: only rip,
 * rsp, rbp) and exit status CODE: dumps core, stops in gdb. */
void mon_debug_crashed(struct mon_hc *hc, const uint64_t *regs, int have_regs,
		       int code);

/* The guest exited with STATUS: the profile, gdb told. */
void mon_debug_finish(struct mon_debug *d, int status);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t mon_now(void);

#endif
