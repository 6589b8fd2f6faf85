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
 *   virtio  QEMU's gdb stub: `pith run IMAGE --gdb PORT` (vgdb.c relays
 *           it and stops the guest at its 64-bit entry), started and
 *           attached as on kvm.
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
	"(linux: gdb runs the image; kvm: the monitor's gdb stub; virtio:\n"
	"QEMU's gdb stub through pith run). gdb's -ex, -x\n"
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

/* Starts SERVER_ARGV (the kvm monitor, or pith run for a virtio image,
 * with --gdb) in its own process group, its stderr on a pipe; returns
 * the pipe after the server said it listens. */
static int start_server(char **server_argv, pid_t *pid)
{
	char line[512];
	int p[2];
	FILE *f;

	if (pipe(p) < 0 || (*pid = fork()) < 0)
		err(PITH_TOOL_FAIL, "debug: cannot start %s", server_argv[0]);
	if (*pid == 0) {
		setpgid(0, 0);
		dup2(p[1], 2);
		close(p[0]);
		execv(server_argv[0], server_argv);
		_exit(PITH_TOOL_FAIL);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof line, f)) {
		fputs(line, stderr);
		if (strstr(line, "waiting for gdb"))
			return p[0];
	}
	errx(PITH_TOOL_FAIL, "debug: %s did not start listening",
	     server_argv[0]);
}

/* The server's argument list: PROG, then ARGS (the image first, then
 * `pith run` options and the application's) with --gdb PORT after the
 * image. */
static void server_args(char **out, const char *prog, const char *run,
			char **args, const char *port)
{
	int n = 0;

	out[n++] = (char *)prog;
	if (run)
		out[n++] = (char *)run;
	out[n++] = args[0];
	out[n++] = (char *)"--gdb";
	out[n++] = (char *)port;
	for (int i = 1; args[i] && n < GDB_ARGS_MAX - 1; i++)
		out[n++] = args[i];
	out[n] = 0;
}

/* kvm and virtio: the server on a free port, then gdb attached to it;
 * pith debug's status is gdb's. */
static int debug_remote(struct gdb_args *g, const struct gdb_args *user,
			char **argv, int virtio)
{
	char prog[4096], port[16], target[64];
	char *server[GDB_ARGS_MAX];
	pid_t srv, gdb, relay;
	int fd, status = 0;

	snprintf(prog, sizeof prog, "%s/build/bin/%s", pith_root(),
		 virtio ? "pith" : "pith-kvm");
	snprintf(port, sizeof port, "%u", free_port());
	server_args(server, prog, virtio ? "run" : 0, argv, port);
	fd = start_server(server, &srv);
	snprintf(target, sizeof target, "target remote 127.0.0.1:%s", port);
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
	/* The server's messages (the guest's crash report among them), by
	 * a child: the session ends with gdb, even if the guest would run
	 * on after a detach. */
	relay = fork();
	if (relay == 0) {
		relay_stderr(fd, argv[0]);
		_exit(0);
	}
	close(fd);
	waitpid(gdb, &status, 0);
	kill(srv, SIGKILL);
	waitpid(srv, 0, 0);
	if (relay > 0)
		waitpid(relay, 0, 0);
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
	if (!strcmp(img.target.target, "kvm") ||
	    !strcmp(img.target.target, "virtio")) {
		int virtio = !strcmp(img.target.target, "virtio");

		image_close(&img);
		return debug_remote(&g, &user, argv + i, virtio);
	}
	warnx("debug: %s: a %s image; pith debugs linux, kvm and virtio "
	      "images",
	      argv[i], img.target.target);
	image_close(&img);
	return PITH_TOOL_FAIL;
}
