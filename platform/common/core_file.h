/* Opening a core file before confinement, so that a run that does not
 * crash leaves no file: the file is created unnamed (O_TMPFILE) in its
 * directory and named at crash time by linking /proc/self/fd/N into that
 * directory (one linkat, which the confined process may make with these
 * exact descriptors). A stale file of the same name is removed first:
 * after a run, FILE exists if and only if this run dumped core. On a file
 * system without O_TMPFILE the file is created by name instead (and stays
 * empty if nothing crashed). Host code (the linux image before its
 * confinement, the kvm monitor): uses libc. */
#ifndef PITH_CORE_FILE_H
#define PITH_CORE_FILE_H

struct pith_core_file {
	int fd;		  /* the (unnamed) core file, open for writing */
	int dir;	  /* its directory (O_PATH) */
	int proc_fd;	  /* /proc/self/fd (O_PATH), or -1 when named */
	const char *name; /* its name in DIR (points into the path) */
};

/* Opens the core file for PATH.  0, or -1 with errno set. */
int pith_core_file_open(const char *path, struct pith_core_file *f);

/* The linkat arguments that name F's file: writes the decimal FD into
 * NUM (16 bytes) for the path relative to F->proc_fd. */
void pith_core_file_fdname(const struct pith_core_file *f, char num[16]);

#endif
