/* pith debug: runs an image halted at its first instruction under gdb.
 *
 *   linux   gdb runs the executable itself (a linux image is one), with
 *           the signals the platform uses for itself passed through
 *           silently: SIGSYS (seccomp's trap, served by lib/posix) and
 *           SIGPROF (--profile);
 *   kvm     the monitor serves gdb (--gdb on a free port); pith starts it
 *           in its own process group (the terminal's Ctrl-C is gdb's,
 *           which forwards it as an interrupt) and starts gdb once the
 *           monitor listens;
 *   virtio  QEMU's gdb stub, once the virtio target lands; refused now.
 *
 * gdb's own options may come before the image's: -ex CMD, -x FILE,
 * --batch (the tests drive it in batch mode). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pith.h"

/* gdb arguments pith adds or passes, besides the user's -ex/-x. */
#define GDB_ARGS_MAX 256

static const char usage[] =
	"usage: pith debug [-ex CMD]... [-x FILE]... [--batch] IMAGE "
	"[RUN OPTIONS] [-- ARGS]\n"
	"Starts IMAGE halted at its first instruction and gdb connected to "
	"it\n"
	"(linux: gdb runs the image; kvm: the monitor's gdb stub). gdb's "
	"-ex, -x\n"
	"and --batch come first; `pith run`'s options and the application's\n"
	"arguments follow the image. `break FUNC` and `continue` from there.\n"
	"On kvm, breakpoints and watchpoints share the four debug "
	"registers.\n";

struct gdb_args {
	char *argv[GDB_ARGS_MAX];
	int argc;
};

static void add(struct gdb_args *g, const char *a)
{
	if (g->argc == GDB_ARGS_MAX - 1)
		errx(PITH_TOOL_USAGE, "debug: too many arguments");
	g->argv[g->argc++] = (char *)a;
	g->argv[g->argc] = 0;
}

int debug_options_supported(const char *target, int argc, char **argv)
{
	static const char *const opts[] = { "--gdb", "--core", "--profile",
					    "--trace" };

	if (strcmp(target, "virtio"))
		return 1;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
			if (!strncmp(argv[i], opts[k], strlen(opts[k]))) {
				warnx("run: %s is not available on the virtio "
				      "target yet (it will use QEMU's gdb "
				      "stub and guest-memory dump); use the "
				      "kvm or linux target",
				      opts[k]);
				return 0;
			}
	return 1;
}

/* A TCP port on 127.0.0.1 that is free now (the kernel's choice). */
static unsigned free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t n = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &n) < 0)
		err(PITH_TOOL_FAIL, "debug: cannot find a free port");
	close(s);
	return ntohs(a.sin_port);
}

static int debug_linux(struct gdb_args *g, const struct gdb_args *user,
		       int argc, char **argv)
{
	add(g, "-ex");
	add(g, "handle SIGSYS nostop noprint pass");
	add(g, "-ex");
	add(g, "handle SIGPROF nostop noprint pass");
	add(g, "-ex");
	add(g, "starti");
	for (int i = 0; i < user->argc; i++)
		add(g, user->argv[i]);
	add(g, "--args");
	for (int i = 0; i < argc; i++)
		add(g, argv[i]);
	execvp("gdb", g->argv);
	err(PITH_TOOL_FAIL, "debug: cannot run gdb (apt-get install gdb)");
}

/* Starts the monitor on PORT in its own process group, its stderr on a
 * pipe; returns the pipe after the monitor said it listens. */
static int start_monitor(char **argv, unsigned port, pid_t *pid)
{
	char monitor[4096], portarg[16], line[512];
	char *mon_argv[GDB_ARGS_MAX];
	int p[2], n = 0, i = 0;
	FILE *f;

	snprintf(monitor, sizeof monitor, "%s/build/bin/pith-kvm", pith_root());
	snprintf(portarg, sizeof portarg, "%u", port);
	mon_argv[n++] = monitor;
	mon_argv[n++] = argv[0];
	mon_argv[n++] = (char *)"--gdb";
	mon_argv[n++] = portarg;
	for (i = 1; argv[i] && n < GDB_ARGS_MAX - 1; i++)
		mon_argv[n++] = argv[i];
	mon_argv[n] = 0;
	if (pipe(p) < 0 || (*pid = fork()) < 0)
		err(PITH_TOOL_FAIL, "debug: cannot start the monitor");
	if (*pid == 0) {
		setpgid(0, 0);
		dup2(p[1], 2);
		close(p[0]);
		execv(monitor, mon_argv);
		_exit(PITH_TOOL_FAIL);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof line, f)) {
		fputs(line, stderr);
		if (strstr(line, "waiting for gdb"))
			return p[0];
	}
	errx(PITH_TOOL_FAIL, "debug: the monitor did not start listening");
}

static int debug_kvm(struct gdb_args *g, const struct gdb_args *user,
		     char **argv)
{
	unsigned port = free_port();
	char target[64];
	pid_t mon, gdb;
	int fd = start_monitor(argv, port, &mon), status = 0;

	snprintf(target, sizeof target, "target remote 127.0.0.1:%u", port);
	/* A guest under a software-emulated KVM can take longer than gdb's
	 * default two seconds to answer. */
	add(g, "-ex");
	add(g, "set remotetimeout 30");
	add(g, "-ex");
	add(g, target);
	for (int i = 0; i < user->argc; i++)
		add(g, user->argv[i]);
	add(g, argv[0]);
	gdb = fork();
	if (gdb == 0) {
		execvp("gdb", g->argv);
		err(PITH_TOOL_FAIL,
		    "debug: cannot run gdb (apt-get install gdb)");
	}
	signal(SIGINT, SIG_IGN); /* gdb's; it interrupts the guest itself */
	/* The monitor's messages (the guest's crash report among them). */
	relay_stderr(fd, argv[0]);
	waitpid(gdb, &status, 0);
	kill(mon, SIGKILL);
	waitpid(mon, 0, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : PITH_TOOL_FAIL;
}

int cmd_debug(int argc, char **argv)
{
	struct gdb_args g = { { 0 }, 0 }, user = { { 0 }, 0 };
	struct image img;
	int i = 1;

	add(&g, "gdb");
	add(&g, "-q");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--batch"))
			add(&g, "--batch");
		else if ((!strcmp(argv[i], "-ex") || !strcmp(argv[i], "-x")) &&
			 i + 1 < argc) {
			add(&user, argv[i]);
			add(&user, argv[++i]);
		} else {
			warnx("debug: unknown option '%s'", argv[i]);
			fputs(usage, stderr);
			return PITH_TOOL_USAGE;
		}
	}
	if (i == argc) {
		fputs(usage, stderr);
		return PITH_TOOL_USAGE;
	}
	if (image_open("debug", argv[i], &img) < 0)
		return PITH_TOOL_FAIL;
	if (!strcmp(img.target.target, "linux")) {
		image_close(&img);
		return debug_linux(&g, &user, argc - i, argv + i);
	}
	if (!strcmp(img.target.target, "kvm")) {
		image_close(&img);
		return debug_kvm(&g, &user, argv + i);
	}
	warnx("debug: %s: the %s target is not supported yet (virtio will use "
	      "QEMU's gdb stub); use the kvm or linux target",
	      argv[i], img.target.target);
	image_close(&img);
	return PITH_TOOL_FAIL;
}
