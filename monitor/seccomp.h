/* The monitor's seccomp allow-list (seccomp.c). */
#ifndef PITH_MON_SECCOMP_H
#define PITH_MON_SECCOMP_H

#include "mon.h"

/* What the policy depends on. */
struct mon_confine {
	int vcpu_fd;
	const struct hostdev *dev;
	unsigned ndev;
	int stats;     /* --stats: mincore and /proc/self/status at the end */
	int status_fd; /* /proc/self/status, with --stats */
	/* Debugging options (debug.h), and their descriptors (-1: none, as
	 * for --show-seccomp, which opens nothing). */
	int core, profile, trace, gdb;
	int core_fd, core_dir, proc_fd, profile_fd, trace_fd, gdb_fd;
};

/* Loads the filter. 0, or -errno. */
int mon_confine(const struct mon_confine *c);

/* Prints the policy, with a reason per call, to stdout. */
void mon_show_seccomp(const struct mon_confine *c, const char *image);

#endif
