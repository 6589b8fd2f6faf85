/* The linux target's system-call policy (see policy.h). Each entry is a
 * call the platform layer itself makes after confinement; everything
 * libc does beyond these is trapped and served by lib/posix or refused. */
#include "policy.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>

/* Device N is descriptor LX_FD_BASE + N (see linux.h). */
#define FD_BASE 3

const struct lx_rule lx_policy[] = {
	{ SYS_write, "write", LX_ARGS_LOG_FDS, 0,
	  "console output (fd 1), platform messages and crash reports (fd 2)" },
	{ SYS_writev, "writev", LX_ARGS_OUT_FDS, 0,
	  "console output of libc's stdio (fd 1, 2), served without a trap; "
	  "frames to network devices (a tap's after its virtio-net header)" },
	{ SYS_readv, "readv", LX_ARGS_NET_FDS, PITH_DEV_NET,
	  "frames from network devices (a tap's after its virtio-net "
	  "header)" },
	{ SYS_pread64, "pread64", LX_ARGS_BLOCK_FDS, PITH_DEV_BLOCK,
	  "block device reads" },
	{ SYS_pwrite64, "pwrite64", LX_ARGS_BLOCK_FDS, PITH_DEV_BLOCK,
	  "block device writes" },
	{ SYS_ppoll, "ppoll", LX_ARGS_POLL, 0,
	  "pith_yield: sleep until a deadline or a frame arrives" },
	{ SYS_clock_gettime, "clock_gettime", LX_ARGS_CLOCKS, 0,
	  "the two clocks, when the vDSO falls back to the kernel" },
	{ SYS_rt_sigreturn, "rt_sigreturn", LX_ARGS_NONE, 0,
	  "return from the SIGSYS handler that serves libc's other calls" },
	{ SYS_exit_group, "exit_group", LX_ARGS_NONE, 0, "pith_exit" },
	{ SYS_linkat, "linkat", LX_ARGS_LINKAT, LX_NEEDS_DEBUG,
	  "--core: give the core file, unnamed until a crash, its name "
	  "(/proc/self/fd/11 into the directory opened as fd 12)" },
	{ SYS_mincore, "mincore", LX_ARGS_NONE, LX_NEEDS_DEBUG,
	  "--stats: which heap pages the application touched" },
};

const unsigned lx_policy_len = sizeof lx_policy / sizeof lx_policy[0];

static int has_type(const struct pith_manifest *m, unsigned type)
{
	for (unsigned i = 0; i < m->count; i++)
		if (m->dev[i].type == (enum pith_dev_type)type)
			return 1;
	return 0;
}

int lx_rule_applies(const struct lx_rule *r, const struct pith_manifest *m,
		    int debug)
{
	if (r->needs == LX_NEEDS_DEBUG)
		return debug;
	return r->needs == 0 || has_type(m, r->needs);
}

unsigned lx_net_count(const struct pith_manifest *m)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->count; i++)
		n += m->dev[i].type == PITH_DEV_NET;
	return n;
}

static unsigned device_fds(const struct pith_manifest *m,
			   enum pith_dev_type type, long *vals)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->count; i++)
		if (m->dev[i].type == type)
			vals[n++] = FD_BASE + (long)i;
	return n;
}

unsigned lx_rule_values(const struct lx_rule *r, const struct pith_manifest *m,
			int debug, long *vals)
{
	unsigned n;

	switch (r->args) {
	case LX_ARGS_OUT_FDS:
		vals[0] = 1;
		vals[1] = 2;
		return 2 + device_fds(m, PITH_DEV_NET, vals + 2);
	case LX_ARGS_LOG_FDS:
		vals[0] = 1;
		vals[1] = 2;
		n = 2;
		if (debug) {
			vals[n++] = LX_FD_DEBUG_BASE;	  /* the core */
			vals[n++] = LX_FD_DEBUG_BASE + 3; /* the profile */
			vals[n++] = LX_FD_DEBUG_BASE + 4; /* the trace */
		}
		return n;
	case LX_ARGS_LINKAT:
		vals[0] = LX_FD_DEBUG_BASE + 2; /* /proc/self/fd */
		vals[1] = LX_FD_DEBUG_BASE + 1; /* the core's directory */
		vals[2] = AT_SYMLINK_FOLLOW;
		return 3;
	case LX_ARGS_CONSOLE_FDS:
		vals[0] = 1;
		vals[1] = 2;
		return 2;
	case LX_ARGS_NET_FDS:
		return device_fds(m, PITH_DEV_NET, vals);
	case LX_ARGS_BLOCK_FDS:
		return device_fds(m, PITH_DEV_BLOCK, vals);
	case LX_ARGS_CLOCKS:
		vals[0] = CLOCK_REALTIME;
		vals[1] = CLOCK_MONOTONIC;
		return 2;
	default:
		return 0;
	}
}
