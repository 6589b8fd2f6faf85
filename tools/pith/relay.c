/* How `pith run` starts an appliance: as a child whose standard error
 * comes through pith, which adds source lines to crash reports
 * (symbolize.c) and passes everything else through unchanged. Standard
 * input and output are the child's own, untouched. The exit status is the
 * child's; a child killed by a signal kills pith with the same signal (so
 * a shell sees the same thing); signals sent to pith (kill, not the
 * terminal, which signals both) are passed on to the child; if pith dies,
 * the child gets SIGKILL (PR_SET_PDEATHSIG). Lines are passed on as they
 * end; a partial line waits at most PARTIAL_MS. */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pith.h"

/* How long a line without its newline waits before it is passed on (a
 * prompt, progress dots): short enough not to be noticed. */
#define PARTIAL_MS     20
#define LINE_MAX_RELAY 4096

static volatile pid_t child;

static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* The terminal's signals reach the child directly. */
	if (si->si_code <= 0 && child > 0)
		kill(child, sig);
}

static void forward_signals(void)
{
	static const int sigs[] = { SIGINT,  SIGTERM, SIGHUP, SIGQUIT,
				    SIGUSR1, SIGUSR2, SIGPROF };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, 0);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Passes complete lines of BUF (LEN bytes) on, annotated; keeps the rest
 * at the start of BUF and returns its length. ALL: pass the rest too. */
static size_t pass(struct symbolizer *s, char *buf, size_t len, int all)
{
	char out[LINE_MAX_RELAY + 600];
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		write_all(2, out,
			  sym_annotate(s, buf + start, i + 1 - start, out,
				       sizeof out));
		start = i + 1;
	}
	if (all || len - start == LINE_MAX_RELAY) {
		write_all(2, buf + start, len - start);
		start = len;
	}
	memmove(buf, buf + start, len - start);
	return len - start;
}

void relay_stderr(int fd, const char *image)
{
	char buf[LINE_MAX_RELAY];
	size_t len = 0;
	struct symbolizer *s = 0;
	int loaded = 0;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int r = poll(&p, 1, len ? PARTIAL_MS : -1);
		ssize_t n;

		if (r == 0) {
			len = pass(s, buf, len, 1);
			continue;
		}
		n = read(fd, buf + len, sizeof buf - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* DWARF is read only when a report appears. */
		if (!loaded &&
		    memmem(buf + len, (size_t)n, "pith: crash", 11)) {
			s = sym_open(image);
			loaded = 1;
		}
		len = pass(s, buf, len + (size_t)n, 0);
	}
	pass(s, buf, len, 1);
	sym_close(s);
}

int relay_run(const char *path, char **argv, const char *image)
{
	int p[2], status;

	if (pipe2(p, O_CLOEXEC) < 0)
		err(PITH_TOOL_FAIL, "run: pipe");
	forward_signals();
	child = fork();
	if (child < 0)
		err(PITH_TOOL_FAIL, "run: fork");
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 2);
		execv(path, argv);
		fprintf(stderr, "pith: run: %s: %s%s\n", path, strerror(errno),
			errno == EACCES ? " (is it executable? chmod +x)" : "");
		_exit(PITH_TOOL_FAIL);
	}
	close(p[1]);
	relay_stderr(p[0], image);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			err(PITH_TOOL_FAIL, "run: waitpid");
	if (WIFSIGNALED(status)) {
		/* Die the same way, without a core file of pith itself. */
		prctl(PR_SET_DUMPABLE, 0);
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : PITH_TOOL_FAIL;
}
