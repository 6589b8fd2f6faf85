/* lib/posix: the system calls that libc (musl) makes, served on the libOS.
 *
 * musl issues system calls; pith's targets catch them (the SYSCALL trap on
 * the ring-0 targets, seccomp's SIGSYS trap on linux) and hand them here.
 * This layer serves what a single-purpose appliance needs from the
 * kernel: console output, clocks and sleeping, memory (brk and anonymous
 * mmap over the heap region of the boot information), process exit. It
 * reaches the world only through include/pith/platform.h. */
#ifndef PITH_POSIX_H
#define PITH_POSIX_H

#include <stddef.h>

/* Serves system call NR with arguments ARGS (x86_64 Linux numbering and
 * argument order).
 *   1   served: *RET is the result, a value or -errno, as Linux returns;
 *   0   not a call the libOS serves: the caller must treat it as a
 *       forbidden system call. */
int posix_syscall(long nr, const long args[6], long *ret);

/* The calls posix_syscall() serves, for policy listings; *N is set to
 * their number. */
const short *posix_served(size_t *n);

#endif
