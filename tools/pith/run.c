/* pith run: starts an image on its target. A linux image is an
 * executable that parses the same options itself, so pith checks that it
 * is one and starts it (relay.c: its crash reports gain source lines). */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pith.h"

static const char usage[] =
	"usage: pith run IMAGE [-p [ADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]]...\n"
	"                [--net NAME=tap:IF|user]... [--block NAME=FILE]...\n"
	"                [--mem SIZE] [--show-seccomp] [--stats] [--core "
	"FILE]\n"
	"                [--gdb PORT] [--profile FILE [--profile-hz N]]\n"
	"                [--trace FILE] [-- ARGS...]\n"
	"Runs IMAGE. Devices declared in its manifest must be attached:\n"
	"  -p [ADDR:]HP:GP     forward host port HP (on ADDR, default "
	"127.0.0.1)\n"
	"                      to the appliance's port GP, tcp unless /udp; "
	"the\n"
	"                      network device is user-mode (no root, no tap)\n"
	"  --net NAME=tap:IF   network device NAME on tap interface IF\n"
	"  --net NAME=user     network device NAME on user-mode networking\n"
	"  --block NAME=FILE   block device NAME backed by FILE\n"
	"  --mem SIZE          guest memory for the heap (K, M, G; default "
	"64M)\n"
	"  --show-seccomp      print the confinement policy and exit\n"
	"  --stats             counters, time and memory on exit\n"
	"Debugging (docs/debugging.md walks through them):\n"
	"  --core FILE         an ELF core file on a crash or SIGQUIT\n"
	"  --gdb PORT          (kvm, virtio) wait for gdb on "
	"127.0.0.1:PORT; `pith debug`\n"
	"  --profile FILE      sample the stack, write folded stacks "
	"(`pith profile`)\n"
	"  --profile-hz N      samples per CPU second (default 99)\n"
	"  --trace FILE        log platform calls (linux) or VM exits (kvm)\n"
	"  -- ARGS             arguments for the application\n"
	"Virtio images (run under QEMU) have options of their own: pith run\n"
	"IMAGE.virtio --help. The exit status is the appliance's (see `pith "
	"--help`).\n";

/* A kvm image runs under pith-kvm, next to this pith binary. */
static int run_monitor(char **argv)
{
	char monitor[PATH_MAX];

	if ((size_t)snprintf(monitor, sizeof monitor, "%s/build/bin/pith-kvm",
			     pith_root()) >= sizeof monitor)
		errx(PITH_TOOL_FAIL, "run: path of pith-kvm too long");
	argv[0] = monitor;
	return relay_run(monitor, argv, argv[1]);
}

int cmd_run(int argc, char **argv)
{
	struct image img;
	const char *path;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? PITH_TOOL_USAGE : 0;
	}
	path = argv[1];
	if (image_open("run", path, &img) < 0)
		return PITH_TOOL_FAIL;
	if (!target_supported(img.target.target)) {
		warnx("run: %s: a %s image; this pith runs linux, kvm and "
		      "virtio images",
		      path, img.target.target);
		image_close(&img);
		return PITH_TOOL_FAIL;
	}
	argv = usernet_args(&img, argc - 1, argv + 1) - 1;
	if (!strcmp(img.target.target, "kvm")) {
		image_close(&img);
		return run_monitor(argv);
	}
	if (!strcmp(img.target.target, "virtio")) {
		for (argc = 1; argv[argc]; argc++)
			;
		return run_virtio(argc, argv, &img);
	}
	image_close(&img);
	/* The image's own argv[0] is its path, which names it in messages. */
	return relay_run(path, argv + 1, path);
}
