/* Console output for libc: stdout and stderr both go to the platform
 * console; there are no other files. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "impl.h"
#include "pith/platform.h"

/* Linux's limit on iovecs per call (UIO_MAXIOV); musl never needs more. */
#define POSIX_IOV_MAX 1024

/* Bytes gathered into one console write: a few lines of output, small
 * enough for the stack of a system call. */
#define POSIX_CONSOLE_GATHER 512

static int is_console(long fd)
{
	return fd == 1 || fd == 2;
}

long posix_write(long fd, const void *buf, unsigned long len)
{
	if (!is_console(fd))
		return -EBADF;
	if (len > INT32_MAX)
		len = INT32_MAX;
	pith_console_write(buf, len);
	return (long)len;
}

/* Writes the iovecs as few console writes as a stack buffer allows:
 * musl's stdio writes a buffer and the new data as two iovecs, and on a
 * ring-0 target each console write is a VM exit. */
static void console_gather(const struct iovec *iov, long cnt)
{
	char buf[POSIX_CONSOLE_GATHER];
	size_t used = 0;

	for (long i = 0; i < cnt; i++) {
		const char *p = iov[i].iov_base;
		size_t n = iov[i].iov_len;

		if (n > sizeof buf - used) {
			pith_console_write(buf, used);
			used = 0;
		}
		if (n > sizeof buf) {
			pith_console_write(p, n);
			continue;
		}
		memcpy(buf + used, p, n);
		used += n;
	}
	if (used)
		pith_console_write(buf, used);
}

long posix_writev(long fd, const void *iov_, long cnt)
{
	const struct iovec *iov = iov_;
	unsigned long total = 0;

	if (!is_console(fd))
		return -EBADF;
	if (cnt < 0 || cnt > POSIX_IOV_MAX)
		return -EINVAL;
	for (long i = 0; i < cnt; i++) {
		if (iov[i].iov_len > INT32_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	console_gather(iov, cnt);
	return (long)total;
}

long posix_ioctl(long fd, unsigned long req, void *arg)
{
	struct winsize *ws = arg;

	/* musl asks whether stdout is a terminal (to line-buffer it). The
	 * console is one: an appliance's log lines should appear as they
	 * are written, not when a buffer fills. */
	if (fd >= 0 && fd <= 2 && req == TIOCGWINSZ) {
		ws->ws_row = 24;
		ws->ws_col = 80;
		ws->ws_xpixel = 0;
		ws->ws_ypixel = 0;
		return 0;
	}
	return -ENOTTY;
}
