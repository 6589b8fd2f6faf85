/* Names of x86_64 Linux system calls, for reports of blocked calls. */
#ifndef PITH_SYSCALL_NAMES_H
#define PITH_SYSCALL_NAMES_H

/* The name of system call NR ("open"), or NULL if it has none. */
const char *pith_syscall_name(long nr);

#endif
