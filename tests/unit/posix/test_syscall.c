/* lib/posix dispatch: served calls reach their handlers; others are
 * reported as not served. */
#include <errno.h>
#include <sys/syscall.h>

#include "fake_platform.h"
#include "pith/posix.h"
#include "syscall_names.h"
#include "unit.h"

static void test_dispatch(void)
{
	long args[6] = { 1, (long)"hi", 2, 0, 0, 0 }, ret = 0;

	fake_reset();
	CHECK_EQ(posix_syscall(SYS_write, args, &ret), 1);
	CHECK_EQ(ret, 2);
	CHECK_STR(fake_console, "hi");
	CHECK_EQ(posix_syscall(SYS_getpid, args, &ret), 1);
	CHECK_EQ(ret, 1);
	CHECK_EQ(posix_syscall(SYS_mremap, args, &ret), 1);
	CHECK_EQ(ret, -ENOMEM);
	CHECK_EQ(posix_syscall(SYS_sched_yield, args, &ret), 1);
	CHECK_EQ(fake_yields, 1);
}

static void test_refused(void)
{
	static const long refused[] = {
		SYS_open,	  SYS_openat,	SYS_socket,
		SYS_execve,	  SYS_mprotect, SYS_fork,
		SYS_rt_sigaction, -1,		100000
	};
	long args[6] = { 0 }, ret = 77;

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		CHECK_EQ(posix_syscall(refused[i], args, &ret), 0);
		CHECK_EQ(ret, 77);
	}
}

static void test_served_list(void)
{
	size_t n;
	const short *s = posix_served(&n);
	long args[6] = { 0, 0, 0, 0, 0, 0 }, ret;

	CHECK(n >= 10);
	for (size_t i = 0; i < n; i++) {
		CHECK(pith_syscall_name(s[i]) != 0);
		/* Everything listed is dispatched, except the ones that end
		 * the appliance and cannot be tried here. */
		if (s[i] != SYS_exit && s[i] != SYS_exit_group &&
		    s[i] != SYS_nanosleep && s[i] != SYS_clock_nanosleep &&
		    s[i] != SYS_clock_gettime && s[i] != SYS_ioctl &&
		    s[i] != SYS_writev && s[i] != SYS_write)
			CHECK_EQ(posix_syscall(s[i], args, &ret), 1);
	}
}

static const struct unit_test tests[] = {
	{ "dispatch", test_dispatch },
	{ "refused", test_refused },
	{ "served_list", test_served_list },
};
const struct unit_suite suite_syscall = UNIT_SUITE("posix_syscall", tests);
