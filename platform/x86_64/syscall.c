/* System calls in ring 0: musl's SYSCALL instructions arrive here from
 * entry.S. TLS changes are the CPU's business; everything else is
 * lib/posix's, and what it does not serve ends the appliance, naming the
 * call, as on the linux target. */
#include <errno.h>
#include <sys/syscall.h>

#include "../common/fmt.h"
#include "../common/syscall_names.h"
#include "pith/exit.h"
#include "pith/posix.h"
#include "x86.h"

#define ARCH_SET_FS 0x1002

/* ARGS points at the six argument registers that entry.S saved; above
 * them lie the caller's RFLAGS and return address, and just below them
 * the caller's RBP. */
static _Noreturn void blocked(long nr, long *args)
{
	char reason[96];
	struct pith_buf b;
	const char *name = pith_syscall_name(nr);

	pith_buf_init(&b, reason, sizeof reason);
	pith_buf_str(&b, "system call ");
	pith_buf_str(&b, name ? name : "?");
	pith_buf_str(&b, " (");
	pith_buf_dec(&b, nr);
	pith_buf_str(&b, ") is not allowed");
	ring0_fatal(PITH_EXIT_SYSCALL, reason, (uint64_t)args[7],
		    (uint64_t)(uintptr_t)(args + 8) + 128, (uint64_t)args[-2]);
}

/* No stack protector: an arch_prctl changes FS, and with it the canary
 * this frame would be checked against. */
X86_NO_SSP long x86_syscall(long nr, long *args)
{
	long ret;

	if (nr == SYS_arch_prctl) {
		if (args[0] != ARCH_SET_FS)
			return -EINVAL;
		x86_wrmsr(X86_MSR_FS_BASE, (uint64_t)args[1]);
		return 0;
	}
	if (posix_syscall(nr, args, &ret))
		return ret;
	blocked(nr, args);
}
