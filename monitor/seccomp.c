/* The monitor's confinement: once the VM is set up, the monitor allows
 * itself only the system calls its run loop makes, each with a reason
 * and, where the kernel lets a filter see them, argument checks (which
 * descriptors, which ioctl). Anything else kills the process with
 * SIGSYS: a monitor that strays is broken or compromised. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "seccomp.h"

enum args {
	ARGS_NONE,     /* nothing to check */
	ARGS_VCPU,     /* the vCPU descriptor; KVM_RUN or KVM_GET_REGS */
	ARGS_OUT,      /* stdout, stderr, or a net device */
	ARGS_NET,      /* a net device */
	ARGS_BLOCK,    /* a block device */
	ARGS_POLL,     /* at most one pollfd per net device, no sigmask */
	ARGS_CLOCKS,   /* CLOCK_REALTIME or CLOCK_MONOTONIC */
	ARGS_STATUS,   /* the descriptor of /proc/self/status */
	ARGS_SREGS,    /* the vCPU descriptor; KVM_GET_SREGS */
	ARGS_VCPU_GDB, /* the vCPU; KVM_SET_REGS or KVM_SET_GUEST_DEBUG */
	ARGS_FILES,    /* the files of --core, --profile, --trace */
	ARGS_LINKAT,   /* /proc/self/fd/N into the core's directory */
	ARGS_GDB,      /* the gdb connection */
	ARGS_GDB_POLL, /* one pollfd (the gdb connection), no sigmask */
};

/* When a rule exists: always, with a device type, or with an option.
 * The debugging options' rules exist only with them: without options the
 * policy is what it was before they existed (tests/debug compares). */
#define NEEDS_NET     1
#define NEEDS_BLOCK   2
#define NEEDS_STATS   4
#define NEEDS_CORE    8
#define NEEDS_GDB     16
#define NEEDS_SREGS   32  /* --core or --gdb */
#define NEEDS_FILES   64  /* --core, --profile or --trace */
#define NEEDS_SIGNALS 128 /* --core, --profile or --gdb */

struct rule {
	int nr;
	const char *name;
	enum args args;
	unsigned needs;
	const char *reason;
};

static const struct rule rules[] = {
	{ SYS_ioctl, "ioctl", ARGS_VCPU, 0,
	  "KVM_RUN on the vCPU; KVM_GET_REGS for crash reports" },
	{ SYS_write, "write", ARGS_OUT, 0,
	  "the guest console (fd 1), messages and reports (fd 2), frames to "
	  "tap devices" },
	{ SYS_read, "read", ARGS_NET, NEEDS_NET, "frames from tap devices" },
	{ SYS_pread64, "pread64", ARGS_BLOCK, NEEDS_BLOCK,
	  "block device reads" },
	{ SYS_pwrite64, "pwrite64", ARGS_BLOCK, NEEDS_BLOCK,
	  "block device writes" },
	{ SYS_ppoll, "ppoll", ARGS_POLL, 0,
	  "the yield hypercall: sleep until the deadline or a frame" },
	{ SYS_clock_gettime, "clock_gettime", ARGS_CLOCKS, 0,
	  "the walltime hypercall, when the vDSO falls back to the kernel" },
	{ SYS_exit_group, "exit_group", ARGS_NONE, 0, "the guest's exit" },
	{ SYS_mincore, "mincore", ARGS_NONE, NEEDS_STATS,
	  "--stats: how much guest memory was touched" },
	{ SYS_pread64, "pread64", ARGS_STATUS, NEEDS_STATS,
	  "--stats: the monitor's peak memory, from /proc/self/status" },
	{ SYS_ioctl, "ioctl", ARGS_SREGS, NEEDS_SREGS,
	  "--core, --gdb: KVM_GET_SREGS (the guest's FS base)" },
	{ SYS_ioctl, "ioctl", ARGS_VCPU_GDB, NEEDS_GDB,
	  "--gdb: registers, breakpoints and single steps" },
	{ SYS_write, "write", ARGS_FILES, NEEDS_FILES,
	  "--core, --profile, --trace: their files" },
	{ SYS_linkat, "linkat", ARGS_LINKAT, NEEDS_CORE,
	  "--core: name the core file, unnamed until a crash" },
	{ SYS_rt_sigreturn, "rt_sigreturn", ARGS_NONE, NEEDS_SIGNALS,
	  "--core (SIGQUIT), --profile (SIGPROF), --gdb (SIGIO): return from "
	  "the handler that interrupts KVM_RUN" },
	{ SYS_read, "read", ARGS_GDB, NEEDS_GDB, "--gdb: packets from gdb" },
	{ SYS_write, "write", ARGS_GDB, NEEDS_GDB, "--gdb: replies to gdb" },
	{ SYS_ppoll, "ppoll", ARGS_GDB_POLL, NEEDS_GDB,
	  "--gdb: wait for gdb while the guest is stopped" },
};

#define NRULES (sizeof rules / sizeof rules[0])

static unsigned needs(const struct mon_confine *c)
{
	unsigned n = c->stats ? NEEDS_STATS : 0;

	n |= c->core ? NEEDS_CORE | NEEDS_SREGS | NEEDS_FILES | NEEDS_SIGNALS
		     : 0;
	n |= c->gdb ? NEEDS_GDB | NEEDS_SREGS | NEEDS_SIGNALS : 0;
	n |= c->profile ? NEEDS_FILES | NEEDS_SIGNALS : 0;
	n |= c->trace ? NEEDS_FILES : 0;
	for (unsigned i = 0; i < c->ndev; i++)
		n |= c->dev[i].type == PITH_DEV_NET ? NEEDS_NET : NEEDS_BLOCK;
	return n;
}

static int add(scmp_filter_ctx ctx, int nr, unsigned n, struct scmp_arg_cmp *a)
{
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, a);
}

static int add_fds(scmp_filter_ctx ctx, const struct rule *r,
		   const struct mon_confine *c, enum pith_dev_type type)
{
	struct scmp_arg_cmp a;

	for (unsigned i = 0; i < c->ndev; i++) {
		if (c->dev[i].type != type)
			continue;
		a = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)c->dev[i].fd);
		if (add(ctx, r->nr, 1, &a) < 0)
			return -1;
	}
	return 0;
}

/* ioctl(vCPU, REQ) for each of the N requests REQS. */
static int add_ioctls(scmp_filter_ctx ctx, const struct mon_confine *c,
		      const unsigned long *reqs, unsigned n)
{
	struct scmp_arg_cmp a[2];

	for (unsigned i = 0; i < n; i++) {
		a[0] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)c->vcpu_fd);
		a[1] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, reqs[i]);
		if (add(ctx, SYS_ioctl, 2, a) < 0)
			return -1;
	}
	return 0;
}

/* One rule per descriptor of the N in FDS that is open. */
static int add_each_fd(scmp_filter_ctx ctx, int nr, const int *fds, unsigned n)
{
	struct scmp_arg_cmp a;

	for (unsigned i = 0; i < n; i++) {
		a = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fds[i]);
		if (fds[i] >= 0 && add(ctx, nr, 1, &a) < 0)
			return -1;
	}
	return 0;
}

/* The debugging options' argument checks. */
static int add_debug_rule(scmp_filter_ctx ctx, const struct rule *r,
			  const struct mon_confine *c)
{
	static const unsigned long sregs[] = { KVM_GET_SREGS };
	static const unsigned long gdb[] = { KVM_SET_REGS,
					     KVM_SET_GUEST_DEBUG };
	const int files[] = { c->core_fd, c->profile_fd, c->trace_fd };
	struct scmp_arg_cmp a[3];

	switch (r->args) {
	case ARGS_SREGS:
		return add_ioctls(ctx, c, sregs, 1);
	case ARGS_VCPU_GDB:
		return add_ioctls(ctx, c, gdb, 2);
	case ARGS_FILES:
		return add_each_fd(ctx, r->nr, files, 3);
	case ARGS_GDB:
		return add_each_fd(ctx, r->nr, &c->gdb_fd, 1);
	case ARGS_LINKAT:
		if (c->proc_fd < 0)
			return 0; /* the core was created by name */
		a[0] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)c->proc_fd);
		a[1] = SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)c->core_dir);
		a[2] = SCMP_A4(SCMP_CMP_EQ, AT_SYMLINK_FOLLOW);
		return add(ctx, r->nr, 3, a);
	default: /* ARGS_GDB_POLL */
		a[0] = SCMP_A1(SCMP_CMP_LE, 1);
		a[1] = SCMP_A3(SCMP_CMP_EQ, 0);
		return add(ctx, r->nr, 2, a);
	}
}

static int add_rule(scmp_filter_ctx ctx, const struct rule *r,
		    const struct mon_confine *c)
{
	static const unsigned long ioctls[] = { KVM_RUN, KVM_GET_REGS };
	struct scmp_arg_cmp a[2];
	unsigned nnet = 0;

	if (r->args >= ARGS_SREGS)
		return add_debug_rule(ctx, r, c);
	switch (r->args) {
	case ARGS_VCPU:
		return add_ioctls(ctx, c, ioctls, 2);
	case ARGS_OUT:
		for (int fd = 1; fd <= 2; fd++) {
			a[0] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd);
			if (add(ctx, r->nr, 1, a) < 0)
				return -1;
		}
		return add_fds(ctx, r, c, PITH_DEV_NET);
	case ARGS_NET:
		return add_fds(ctx, r, c, PITH_DEV_NET);
	case ARGS_BLOCK:
		return add_fds(ctx, r, c, PITH_DEV_BLOCK);
	case ARGS_POLL:
		for (unsigned i = 0; i < c->ndev; i++)
			nnet += c->dev[i].type == PITH_DEV_NET;
		a[0] = SCMP_A1(SCMP_CMP_LE, nnet);
		a[1] = SCMP_A3(SCMP_CMP_EQ, 0);
		return add(ctx, r->nr, 2, a);
	case ARGS_CLOCKS:
		a[0] = SCMP_A0(SCMP_CMP_LE, CLOCK_MONOTONIC);
		return add(ctx, r->nr, 1, a);
	case ARGS_STATUS:
		a[0] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)c->status_fd);
		return add(ctx, r->nr, 1, a);
	default:
		return add(ctx, r->nr, 0, 0);
	}
}

int mon_confine(const struct mon_confine *c)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	unsigned have = needs(c);
	int r = 0;

	if (!ctx)
		return -ENOMEM;
	for (unsigned i = 0; i < NRULES && r == 0; i++)
		if ((rules[i].needs & have) == rules[i].needs)
			r = add_rule(ctx, &rules[i], c) < 0 ? -EINVAL : 0;
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

static const char *const args_text[] = {
	[ARGS_NONE] = "any arguments",
	[ARGS_VCPU] = "fd: the vCPU; request: KVM_RUN or KVM_GET_REGS",
	[ARGS_OUT] = "fd: 1, 2, or a net device's",
	[ARGS_NET] = "fd: a net device's",
	[ARGS_BLOCK] = "fd: a block device's",
	[ARGS_POLL] = "nfds <= the number of net devices, no sigmask",
	[ARGS_CLOCKS] = "clock: REALTIME or MONOTONIC",
	[ARGS_STATUS] = "fd: /proc/self/status, opened before confinement",
	[ARGS_SREGS] = "fd: the vCPU; request: KVM_GET_SREGS",
	[ARGS_VCPU_GDB] = "fd: the vCPU; request: KVM_SET_REGS or "
			  "KVM_SET_GUEST_DEBUG",
	[ARGS_FILES] = "fd: each option's file, opened before confinement",
	[ARGS_LINKAT] = "olddirfd: /proc/self/fd; newdirfd: the core's "
			"directory; flags: AT_SYMLINK_FOLLOW",
	[ARGS_GDB] = "fd: the gdb connection, accepted before confinement",
	[ARGS_GDB_POLL] = "nfds <= 1, no sigmask",
};

void mon_show_seccomp(const struct mon_confine *c, const char *image)
{
	unsigned have = needs(c), n = 0;

	for (unsigned i = 0; i < NRULES; i++)
		n += (rules[i].needs & have) == rules[i].needs;
	printf("seccomp policy of the pith-kvm monitor for %s: %u system "
	       "calls allowed after setup\n",
	       image, n);
	for (unsigned i = 0; i < NRULES; i++) {
		const struct rule *r = &rules[i];
		if ((r->needs & have) != r->needs)
			continue;
		printf("  %-14s %s\n  %-14s   %s\n", r->name,
		       args_text[r->args], "", r->reason);
	}
	printf("any other call, or another architecture or ABI: the monitor "
	       "is killed (SIGSYS).\n");
}
