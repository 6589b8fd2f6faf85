/* lib/posix console output and terminal queries. */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "../../../lib/posix/impl.h"
#include "fake_platform.h"
#include "unit.h"

static void test_write(void)
{
	fake_reset();
	CHECK_EQ(posix_write(1, "out ", 4), 4);
	CHECK_EQ(posix_write(2, "err", 3), 3);
	CHECK_STR(fake_console, "out err");
	CHECK_EQ(posix_write(0, "x", 1), -EBADF);
	CHECK_EQ(posix_write(3, "x", 1), -EBADF);
	CHECK_EQ(posix_write(-1, "x", 1), -EBADF);
	CHECK_STR(fake_console, "out err");
}

static void test_writev(void)
{
	static char a[] = "a", empty[] = "", bc[] = "bc", x[] = "x";
	struct iovec iov[3] = { { a, 1 }, { empty, 0 }, { bc, 2 } };
	struct iovec big[2] = { { x, 0x7fffffff }, { x, 1 } };

	fake_reset();
	CHECK_EQ(posix_writev(1, iov, 3), 3);
	CHECK_STR(fake_console, "abc");
	CHECK_EQ(posix_writev(1, iov, 0), 0);
	CHECK_EQ(posix_writev(5, iov, 3), -EBADF);
	CHECK_EQ(posix_writev(1, iov, -1), -EINVAL);
	CHECK_EQ(posix_writev(1, iov, 1025), -EINVAL);
	/* Lengths that sum past INT32_MAX are refused before any output. */
	CHECK_EQ(posix_writev(1, big, 2), -EINVAL);
	CHECK_STR(fake_console, "abc");
}

/* Counts console writes: gathered iovecs make few. */
static void test_writev_gathers(void)
{
	static char a[] = "buffered ", b[] = "and new\n", big[2000];
	struct iovec iov[2] = { { a, 9 }, { b, 8 } };
	struct iovec large[3] = { { a, 9 }, { big, sizeof big }, { b, 8 } };

	fake_reset();
	CHECK_EQ(posix_writev(1, iov, 2), 17);
	CHECK_EQ(fake_console_writes, 1);
	CHECK_STR(fake_console, "buffered and new\n");
	memset(big, 'x', sizeof big);
	fake_reset();
	CHECK_EQ(posix_writev(1, large, 3), 2017);
	CHECK_EQ(fake_console_writes, 3);
	CHECK_EQ(fake_console_len, 2017);
	CHECK(fake_console[9] == 'x' && fake_console[2008] == 'x');
	CHECK_STR(fake_console + 2009, "and new\n");
}

static void test_ioctl(void)
{
	struct winsize ws = { 0 };

	CHECK_EQ(posix_ioctl(1, TIOCGWINSZ, &ws), 0);
	CHECK_EQ(ws.ws_col, 80);
	CHECK_EQ(posix_ioctl(1, TIOCSWINSZ, &ws), -ENOTTY);
	CHECK_EQ(posix_ioctl(7, TIOCGWINSZ, &ws), -ENOTTY);
}

static const struct unit_test tests[] = {
	{ "write", test_write },
	{ "writev", test_writev },
	{ "writev_gathers", test_writev_gathers },
	{ "ioctl", test_ioctl },
};
const struct unit_suite suite_io = UNIT_SUITE("posix_io", tests);
