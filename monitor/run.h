/* The monitor's run loop (run.c). */
#ifndef PITH_MON_RUN_H
#define PITH_MON_RUN_H

#include "vm.h"

/* The vCPU's registers in struct pith_regs order. 0, or -1. */
int mon_vcpu_regs(const struct mon_vm *v, uint64_t r[PITH_HC_NREGS]);

/* Runs the guest until it exits or is stopped; returns the exit status
 * (the guest's own, or one of pith/exit.h with a report printed). */
int mon_run(struct mon_hc *hc, const struct mon_vm *v);

#endif
