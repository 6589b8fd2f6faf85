/* pith: builds, runs and inspects pith appliances. This file dispatches
 * to one source file per subcommand and holds the overall help. */
#include <stdio.h>
#include <string.h>

#include "pith.h"
#include "pith/exit.h"

static const char help[] =
	"usage: pith COMMAND [ARGS]\n"
	"\n"
	"pith turns one application into a single-purpose machine image.\n"
	"\n"
	"commands:\n"
	"  build APPDIR [--target T] [-o OUT]   build the application in "
	"APPDIR\n"
	"  run IMAGE [OPTIONS] [-- ARGS]        run an image\n"
	"  inspect IMAGE                        target, manifest, size by "
	"library\n"
	"  debug IMAGE [-- ARGS]                run it halted under gdb\n"
	"  profile FILE --svg OUT               flame graph of a --profile "
	"run\n"
	"  symbolize IMAGE [REPORT]             source lines for a crash "
	"report\n"
	"  help                                 this text\n"
	"`pith COMMAND --help` describes each command.\n"
	"\n"
	"targets: linux (a seccomp-confined Linux process), kvm (pith's own\n"
	"monitor on /dev/kvm), virtio (a PVH guest for QEMU, Firecracker and\n"
	"cloud-hypervisor; `pith run` starts QEMU).\n"
	"\n"
	"exit status of pith itself: 0 success, 1 failure (a message says "
	"why),\n"
	"2 malformed command line. `pith run` exits with the appliance's "
	"status,\n"
	"which is the application's own, or one of:\n"
	"  240 a run-time option was malformed\n"
	"  241 a device was refused (not declared, not attached, cannot open)\n"
	"  242 the host refused (memory, seccomp, READ_IMPLIES_EXEC)\n"
	"  243 memory fault (null pointer, read-only, non-executable, stack "
	"overflow)\n"
	"  244 bus error (misaligned access)\n"
	"  245 arithmetic fault (integer divide by zero)\n"
	"  246 illegal instruction\n"
	"  247 blocked system call (outside the seccomp policy)\n"
	"  248 stack-protector check failed\n"
	"  249 abort() or pith_abort(), or libc found its heap corrupt\n"
	"  250 the image was refused before it ran\n";

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "build", cmd_build },	    { "run", cmd_run },
		{ "inspect", cmd_inspect }, { "debug", cmd_debug },
		{ "profile", cmd_profile }, { "symbolize", cmd_symbolize }
	};

	_Static_assert(PITH_EXIT_IMAGE == 250, "help text lists exit codes");
	if (argc < 2) {
		fputs(help, stderr);
		return PITH_TOOL_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		fputs(help, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "pith: unknown command '%s' (see `pith --help`)\n",
		argv[1]);
	return PITH_TOOL_USAGE;
}
