/* The linux target's seccomp policy as data: which system calls the
 * confined appliance may make, with which arguments, and why. The build
 * compiles it into a BPF filter with libseccomp (tools/imagegen); the
 * image prints it for --show-seccomp. One table, two uses, so the filter
 * and its explanation cannot drift apart. */
#ifndef PITH_LINUX_POLICY_H
#define PITH_LINUX_POLICY_H

#include "../common/manifest.h"

/* What a rule checks of the call's arguments. */
enum lx_args {
	LX_ARGS_NONE,	     /* nothing to check */
	LX_ARGS_OUT_FDS,     /* fd is stdout, stderr or a net device */
	LX_ARGS_CONSOLE_FDS, /* fd is stdout or stderr */
	LX_ARGS_LOG_FDS,     /* fd is stdout or stderr; in the debug variant
				also the core, the profile or the trace */
	LX_ARGS_NET_FDS,     /* fd is a net device */
	LX_ARGS_BLOCK_FDS,   /* fd is a block device */
	LX_ARGS_CLOCKS,	     /* clock is CLOCK_REALTIME or CLOCK_MONOTONIC */
	LX_ARGS_POLL,	     /* at most one pollfd per net device, no sigmask */
	LX_ARGS_LINKAT,	     /* /proc/self/fd/N into the core's directory */
};

/* A rule's needs: 0 (always), a device type, or LX_NEEDS_DEBUG: only in
 * the debug variant of the filter, which an image loads when a debugging
 * option (--core, --profile, --trace, --stats) is on. */
#define LX_NEEDS_DEBUG 0x100u

/* The debug descriptors (linux.h's LX_FD_ numbers, after the devices). */
#define LX_FD_DEBUG_BASE (3 + PITH_DEVICES_MAX)

struct lx_rule {
	int nr;
	const char *name;
	enum lx_args args;
	unsigned needs; /* 0, a device type, or LX_NEEDS_DEBUG */
	const char *reason;
};

extern const struct lx_rule lx_policy[];
extern const unsigned lx_policy_len;

/* Whether rule R exists for an image with manifest M, in the debug
 * variant of the filter if DEBUG. */
int lx_rule_applies(const struct lx_rule *r, const struct pith_manifest *m,
		    int debug);

/* Room lx_rule_values needs: devices, the console, the debug files. */
#define LX_RULE_VALUES_MAX (PITH_DEVICES_MAX + 5)

/* The values an fd or clock check of R allows for manifest M (and the
 * debug descriptors if DEBUG), into VALS (room for LX_RULE_VALUES_MAX);
 * returns how many. For LX_ARGS_LINKAT: olddirfd, newdirfd, flags. */
unsigned lx_rule_values(const struct lx_rule *r, const struct pith_manifest *m,
			int debug, long *vals);

/* The number of net devices in M (the ppoll bound). */
unsigned lx_net_count(const struct pith_manifest *m);

#endif
