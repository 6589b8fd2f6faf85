/* The run-time options every target shares:
 *
 *     IMAGE [--mem SIZE] [--net NAME=tap:IFNAME|user|fd:N]...
 *           [--block NAME=FILE]... [--show-seccomp] [--stats] [--help]
 *           [--core FILE] [--gdb PORT] [--profile FILE [--profile-hz N]]
 *           [--trace FILE] [-- ARGS...]
 *
 * Everything after "--" belongs to the application. The linux image parses
 * these itself; the kvm monitor and `pith run` parse them the same way.
 * Attached devices are then matched against the image's manifest: each
 * declared device must be attached once with its declared type, and
 * nothing undeclared may be attached. */
#ifndef PITH_OPTIONS_H
#define PITH_OPTIONS_H

#include <stdint.h>

#include "fmt.h"
#include "manifest.h"

/* Longest tap interface name (the kernel's IFNAMSIZ less the NUL). */
#define PITH_IFNAME_MAX 15

/* Whether any option that turns on debugging code (core, profile,
 * trace, stats, gdb) is set in O. */
#define PITH_OPTIONS_DEBUG(o)                                                  \
	((o)->core || (o)->profile || (o)->trace || (o)->stats || (o)->gdb_port)

struct pith_attach {
	enum pith_dev_type type;
	char name[PITH_DEVICE_NAME_MAX + 1];
	const char *path; /* tap interface name or file path (in argv) */
	int fd;	  /* net NAME=fd:N: an inherited frame socket; else -1 */
	int user; /* net NAME=user: pith run's network helper */
};

struct pith_options {
	uint64_t mem; /* bytes, page-aligned, within the PITH_MEM_ bounds */
	int show_seccomp;
	int stats; /* --stats: counters on exit */
	int help;
	/* Debugging (docs/debugging.md). A target that cannot serve one
	 * refuses it with a message; absent, none of their code runs. */
	const char *core;    /* --core FILE: an ELF core on crash or SIGQUIT */
	const char *profile; /* --profile FILE: folded stacks at exit */
	const char *trace;   /* --trace FILE: platform calls or VM exits */
	unsigned profile_hz; /* --profile-hz N: samples per CPU second */
	unsigned gdb_port;   /* --gdb PORT: 0 none (kvm: the gdb stub) */
	unsigned nattach;
	struct pith_attach attach[PITH_DEVICES_MAX];
	int app_argc;	 /* the application's argc and argv: argv[0] */
	char **app_argv; /* is the image name, the rest follow "--" */
	char *argv0_only[2];
};

/* Parses ARGV (ARGV[0] is the image). May rewrite ARGV's "--" slot so the
 * application's argv can point into it.
 *   0   *O is filled;
 *   -1  refused; ERR holds a one-line reason naming the option. */
int pith_options_parse(int argc, char **argv, struct pith_options *o,
		       struct pith_buf *err);

/* Checks the attached devices of O against manifest M.
 *   0   every declared device is attached once, with its type;
 *   -1  refused; ERR names the device and says what to do. */
int pith_options_match(const struct pith_manifest *m,
		       const struct pith_options *o, struct pith_buf *err);

/* The attachment of device NAME in O, or NULL. */
const struct pith_attach *pith_options_find(const struct pith_options *o,
					    const char *name);

/* Parses a byte count: decimal digits with an optional K, M or G suffix
 * (powers of 1024; "KiB"/"KB" spellings accepted, any case).
 *   0   *OUT is the value (> 0);   -1  malformed, zero or overflowing. */
int pith_parse_size(const char *s, uint64_t *out);

#endif
