/* System call dispatch: which calls the libOS serves and with what (see
 * include/pith/posix.h). A call not listed here is forbidden: the target
 * reports it and ends the appliance. */
#include "pith/posix.h"

#include <errno.h>
#include <sys/syscall.h>

#include "impl.h"
#include "pith/platform.h"

static const short served[] = {
	SYS_write,
	SYS_writev,
	SYS_ioctl,
	SYS_brk,
	SYS_mmap,
	SYS_munmap,
	SYS_mremap,
	SYS_madvise,
	SYS_clock_gettime,
	SYS_gettimeofday,
	SYS_time,
	SYS_nanosleep,
	SYS_clock_nanosleep,
	SYS_sched_yield,
	SYS_getpid,
	SYS_gettid,
	SYS_set_tid_address,
	SYS_exit,
	SYS_exit_group,
};

const short *posix_served(size_t *n)
{
	*n = sizeof served / sizeof served[0];
	return served;
}

int posix_syscall(long nr, const long a[6], long *ret)
{
	pith_handle_set ready;

	switch (nr) {
	case SYS_write:
		*ret = posix_write(a[0], (const void *)a[1],
				   (unsigned long)a[2]);
		return 1;
	case SYS_writev:
		*ret = posix_writev(a[0], (const void *)a[1], a[2]);
		return 1;
	case SYS_ioctl:
		*ret = posix_ioctl(a[0], (unsigned long)a[1], (void *)a[2]);
		return 1;
	case SYS_brk:
		*ret = posix_brk((unsigned long)a[0]);
		return 1;
	case SYS_mmap:
		*ret = posix_mmap((unsigned long)a[0], (unsigned long)a[1],
				  a[2], a[3], a[4], a[5]);
		return 1;
	case SYS_munmap:
		*ret = posix_munmap((unsigned long)a[0], (unsigned long)a[1]);
		return 1;
	case SYS_mremap:
		/* Growing in place is not offered; musl's realloc copies. */
		*ret = -ENOMEM;
		return 1;
	case SYS_madvise:
		/* Advice only; pages stay where they are. */
		*ret = 0;
		return 1;
	case SYS_clock_gettime:
		*ret = posix_clock_gettime(a[0], (void *)a[1]);
		return 1;
	case SYS_gettimeofday:
		*ret = posix_gettimeofday((void *)a[0]);
		return 1;
	case SYS_time:
		*ret = posix_time((long *)a[0]);
		return 1;
	case SYS_nanosleep:
		*ret = posix_nanosleep((const void *)a[0]);
		return 1;
	case SYS_clock_nanosleep:
		*ret = posix_clock_nanosleep(a[0], a[1], (const void *)a[2]);
		return 1;
	case SYS_sched_yield:
		pith_yield(0, &ready);
		*ret = 0;
		return 1;
	case SYS_getpid:
	case SYS_gettid:
	case SYS_set_tid_address:
		/* One appliance, one thread: it is process 1. */
		*ret = 1;
		return 1;
	case SYS_exit:
	case SYS_exit_group:
		pith_exit((int)(a[0] & 0xff));
	default:
		return 0;
	}
}
