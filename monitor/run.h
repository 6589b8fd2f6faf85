/* The monitor's run loop (run.c). */
#ifndef PITH_MON_RUN_H
#define PITH_MON_RUN_H

#include "vm.h"

/* Runs the guest until it exits or is stopped; returns the exit status
 * (the guest's own, or one of pith/exit.h with a report printed). */
int mon_run(struct mon_hc *hc, const struct mon_vm *v);

#endif
