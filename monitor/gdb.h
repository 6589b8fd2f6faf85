/* The gdb remote serial protocol stub of the monitor (gdb.c): gdb
 * connects to --gdb PORT on 127.0.0.1 and sees the guest's vCPU:
 * registers, memory (through mon_guest), breakpoints and watchpoints on
 * the four debug registers (this host's KVM cannot run int3 in ring 0,
 * so software breakpoints are served by them too), single steps,
 * continue, Ctrl-C, and a stop with the crash registers when the guest
 * crashes. */
#ifndef PITH_MON_GDB_H
#define PITH_MON_GDB_H

#include "vm.h"

/* What gdb asked the guest to do next. */
enum mon_gdb_next {
	MON_GDB_CONTINUE,
	MON_GDB_STEP,
	MON_GDB_DETACH, /* run on without gdb */
	MON_GDB_KILL	/* end the run */
};

struct mon_gdb;

/* Listens on 127.0.0.1:PORT, says so on stderr, waits for gdb and sets
 * the connection up to raise SIGIO on input. 0, or -1 with ERR. */
int mon_gdb_open(struct mon_gdb **g, unsigned port, struct mon_hc *hc,
		 const struct mon_vm *vm, struct pith_buf *err);

/* The connection's descriptor (for the seccomp policy). */
int mon_gdb_fd(const struct mon_gdb *g);

/* The guest stopped with signal SIGNO (5 trap, 2 interrupt, 11 crash,
 * ...); CRASH, if not NULL, holds the registers to show instead of the
 * vCPU's (PITH_HC_NREGS). Serves gdb until it resumes or ends the run. */
enum mon_gdb_next mon_gdb_stop(struct mon_gdb *g, int signo,
			       const uint64_t *crash);

/* After SIGIO: whether gdb sent an interrupt (Ctrl-C) meanwhile. */
int mon_gdb_interrupted(struct mon_gdb *g);

/* The guest exited with STATUS: tells gdb ("W"). */
void mon_gdb_exited(struct mon_gdb *g, int status);

/* Whether a KVM_EXIT_DEBUG belongs to gdb's single step or breakpoints
 * (always, while gdb is attached): gdb decides what happens next. */
int mon_gdb_attached(const struct mon_gdb *g);

#endif
