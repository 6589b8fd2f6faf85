/* Exit statuses of a pith appliance that did not choose its own.
 *
 * An appliance's own status (exit(N), return from main) passes through
 * unchanged. The platform and the monitor use the top of the range for
 * the ways an appliance can be stopped; `pith --help` lists them. */
#ifndef PITH_EXIT_H
#define PITH_EXIT_H

enum pith_exit_code {
	PITH_EXIT_USAGE = 240,	 /* a platform option was malformed */
	PITH_EXIT_DEVICE = 241,	 /* a device was refused or could not open */
	PITH_EXIT_HOST = 242,	 /* the host refused (memory, confinement) */
	PITH_EXIT_SEGV = 243,	 /* memory fault: null, read-only, NX, guard */
	PITH_EXIT_BUS = 244,	 /* bus error: misaligned access */
	PITH_EXIT_FPE = 245,	 /* arithmetic fault: divide by zero */
	PITH_EXIT_ILL = 246,	 /* illegal instruction */
	PITH_EXIT_SYSCALL = 247, /* a system call outside the policy */
	PITH_EXIT_SSP = 248,	 /* stack-protector check failed */
	PITH_EXIT_ABORT = 249,	 /* abort() or pith_abort() */
	PITH_EXIT_IMAGE = 250	 /* the image was refused before it ran */
};

#endif
