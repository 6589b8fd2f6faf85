/* QEMU as pith run's child. The guest's console (COM1) and diagnostic
 * port (COM2) reach pith run through two pipes: the console goes to
 * stdout, the diagnostics (crash reports, refusals) to stderr, except the
 * exit record "pith-virtio: exit N" (platform/virtio/stop.c), which gives
 * pith run the appliance's status exactly; QEMU's own exit status cannot
 * hold all 256 (docs/deploying.md).
 *
 * Halts. A virtio guest polls and never idles, so a QEMU that stops
 * using CPU time holds a halted guest: musl's way of failing (a hlt on
 * heap corruption) stops the CPU with nothing to report it. After
 * IDLE_INTERVALS quiet intervals pith run injects an NMI through QMP; the
 * guest reports where it halted and powers off. An NMI that finds the
 * guest running (a busy host starved QEMU) is ignored by it.
 *
 * Signals: SIGINT and SIGTERM stop the appliance cleanly, as on the
 * other targets: QEMU is told to stop, "IMAGE: stopped (SIGTERM)" goes
 * to stderr, and the status is 0. SIGHUP stops it too, with 128 + 1,
 * and SIGQUIT with --core, after the core, with 128 + 3. QEMU dies with
 * pith run (PR_SET_PDEATHSIG).
 *
 * The debugging options (vdebug.h) add their descriptors to the relay's
 * poll; a guest they hold stopped is not a halted one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pith/exit.h"
#include "virtio.h"

/* Interval of the halt check; quiet intervals before an NMI; CPU ticks
 * (1/100 s) under which an interval counts as quiet: a polling guest
 * uses about 25 per interval. */
#define POLL_MS	       250
#define IDLE_INTERVALS 2
#define IDLE_TICKS     1
/* Poll intervals QEMU has to obey a QMP "quit" before it gets SIGTERM. */
#define STOP_TICKS 4
/* A diagnostic line longer than this is passed on in pieces. */
#define DIAG_LINE_MAX 1024
#define EXEC_FAILED   127
/* The status of a run gdb killed, as on kvm (128 + SIGKILL). */
#define KILLED_STATUS (128 + 9)
/* The relay's descriptors: console, diagnostics, QMP. */
#define RELAY_FDS 3

static volatile sig_atomic_t stop_signal;

struct sup {
	struct vrun *r;
	pid_t pid;
	int con, diag, qmp;
	char line[DIAG_LINE_MAX];
	size_t len;
	int record; /* the exit record's status, or -1 */
	unsigned long long ticks;
	unsigned idle;
	int nmi_sent, qmp_ready;
	struct symbolizer *sym; /* source lines for crash reports */
	unsigned stop_ticks;
	long long checked_ms; /* the last halt check */
	struct vdebug *dbg;   /* debugging options, or NULL */
};

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void put(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a closed stdout drops output */
		p += w;
		n -= (size_t)w;
	}
}

static void diag_line(struct sup *s)
{
	static const char prefix[] = "pith-virtio: exit ";
	char *end;
	long v;

	if (!strncmp(s->line, prefix, sizeof prefix - 1)) {
		v = strtol(s->line + sizeof prefix - 1, &end, 10);
		if (*end == '\n' && v >= 0 && v <= 255) {
			s->record = (int)v;
			return;
		}
	}
	if (!s->sym)
		s->sym = sym_open(s->r->image);
	char out[DIAG_LINE_MAX + 600];
	put(2, out, sym_annotate(s->sym, s->line, s->len, out, sizeof out));
}

static void diag_bytes(struct sup *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s->line[s->len++] = p[i];
		if (p[i] == '\n' || s->len == sizeof s->line - 1) {
			s->line[s->len] = '\0';
			diag_line(s);
			s->len = 0;
		}
	}
}

/* QEMU's user plus system CPU time in ticks, or 0. */
static unsigned long long cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold anything */
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%llu %llu",
			 &ut, &st) != 2)
		return 0;
	return ut + st;
}

/* Sends QEMU the QMP command NAME. */
static void qmp(struct sup *s, const char *name)
{
	char cmd[64];

	if (!s->qmp_ready)
		put(s->qmp, "{\"execute\":\"qmp_capabilities\"}\n", 31);
	s->qmp_ready = 1;
	snprintf(cmd, sizeof cmd, "{\"execute\":\"%s\"}\n", name);
	put(s->qmp, cmd, strlen(cmd));
}

static void send_nmi(struct sup *s)
{
	qmp(s, "inject-nmi");
	s->nmi_sent = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every POLL_MS: whether QEMU's CPU has gone quiet. */
static void halt_check(struct sup *s)
{
	unsigned long long t;

	if (now_ms() - s->checked_ms < POLL_MS)
		return;
	s->checked_ms = now_ms();
	t = cpu_ticks(s->pid);
	if (s->dbg && vdebug_holding(s->dbg))
		s->idle = 0; /* stopped on purpose */
	else if (t && t - s->ticks <= IDLE_TICKS) {
		if (++s->idle >= IDLE_INTERVALS && !s->nmi_sent)
			send_nmi(s);
	} else {
		s->idle = 0;
		s->nmi_sent = 0;
	}
	s->ticks = t;
}

static _Noreturn void child(struct vrun *r, const int *keep, unsigned n)
{
	sigset_t none;
	int null = open("/dev/null", O_RDONLY);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, 0);
	for (unsigned i = 0; i < n; i++)
		if (keep[i] >= 0)
			fcntl(keep[i], F_SETFD, 0);
	if (null >= 0)
		dup2(null, 0);
	execvp(r->argv[0], r->argv);
	fprintf(stderr, "pith run: cannot start %s: %s%s\n", r->argv[0],
		strerror(errno),
		errno == ENOENT ? " (install qemu-system-x86, or `make deps`)"
				: "");
	_exit(EXEC_FAILED);
}

/* Starts QEMU with the descriptors it inherits. */
static void start(struct sup *s, int con, int diag, int qmp)
{
	struct vrun *r = s->r;
	int keep[RELAY_FDS + 2 * PITH_DEVICES_MAX + 2],
		fds[RELAY_FDS] = { con, diag, qmp };
	unsigned n = 0;

	vrun_qemu_args(r, fds);
	keep[n++] = con;
	keep[n++] = diag;
	keep[n++] = qmp;
	if (s->dbg)
		n += vdebug_keep(s->dbg, keep + n);
	for (unsigned i = 0; i < r->img->manifest.count; i++) {
		keep[n++] = r->dev[i].fd;
		keep[n++] = r->ro_fd[i];
	}
	fflush(0);
	s->pid = fork();
	if (s->pid < 0) {
		perror("pith run: fork");
		exit(PITH_EXIT_HOST);
	}
	if (s->pid == 0)
		child(r, keep, n);
}

/* Acts on a signal: QEMU is told to quit (after a SIGQUIT's core);
 * SIGTERM if it has not obeyed after STOP_TICKS intervals. */
static void on_stop(struct sup *s)
{
	if (stop_signal > 0) {
		if (stop_signal == SIGQUIT && s->dbg)
			vdebug_quit(s->dbg);
		qmp(s, "quit"); /* QEMU stops quietly */
		stop_signal = -stop_signal;
	} else if (stop_signal && ++s->stop_ticks > STOP_TICKS)
		kill(s->pid, SIGTERM); /* QMP did not stop it */
}

/* Reads what the console, diagnostics and QMP have (P[0..2]). */
static void relay_fds(struct sup *s, struct pollfd *p)
{
	char buf[4096];

	for (int i = 0; i < RELAY_FDS; i++) {
		ssize_t got;

		if (p[i].fd < 0 || !p[i].revents)
			continue;
		got = read(p[i].fd, buf, sizeof buf);
		if (got <= 0 && !(got < 0 && errno == EINTR)) {
			p[i].fd = -1;
			continue;
		}
		if (i == 0)
			put(1, buf, (size_t)got);
		else if (i == 1)
			diag_bytes(s, buf, (size_t)got);
	}
}

/* Relays until both pipes close (QEMU exited). */
static void relay(struct sup *s)
{
	struct pollfd p[RELAY_FDS + VDEBUG_POLLFDS] = { { s->con, POLLIN, 0 },
							{ s->diag, POLLIN, 0 },
							{ s->qmp, POLLIN, 0 } };
	struct timespec tick = { 0, POLL_MS * 1000000L };
	sigset_t none;

	sigemptyset(&none);
	s->checked_ms = now_ms();
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		unsigned nd =
			s->dbg ? vdebug_pollfds(s->dbg, p + RELAY_FDS) : 0;
		int n = ppoll(p, RELAY_FDS + nd, &tick, &none);

		on_stop(s);
		halt_check(s);
		if (n <= 0)
			continue;
		relay_fds(s, p);
		if (nd &&
		    vdebug_ready(s->dbg, p + RELAY_FDS, nd) == VDEBUG_QUIT)
			qmp(s, "quit");
	}
	if (s->len) {
		s->line[s->len] = '\0';
		diag_line(s);
	}
}

static int status_of(struct sup *s, int st)
{
	const char *image = s->r->path;

	int sig = stop_signal < 0 ? -stop_signal : stop_signal;

	if (s->record >= 0)
		return s->record;
	if (sig == SIGINT || sig == SIGTERM) {
		fprintf(stderr, "pith run: %s: stopped (%s)\n", image,
			sig == SIGINT ? "SIGINT" : "SIGTERM");
		return 0;
	}
	if (sig)
		return 128 + sig;
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "pith run: %s: QEMU was killed by signal %d\n",
			image, WTERMSIG(st));
		return PITH_EXIT_HOST;
	}
	if (WEXITSTATUS(st) == EXEC_FAILED)
		return PITH_EXIT_HOST;
	if (WEXITSTATUS(st) == 0) {
		fprintf(stderr,
			"pith run: %s: the virtual machine stopped without "
			"the appliance's exit status (it reset itself: a "
			"fault before its exception handlers were set?)\n",
			image);
		return PITH_EXIT_SEGV;
	}
	fprintf(stderr,
		"pith run: %s: QEMU exited with status %d before the "
		"appliance did\n",
		image, WEXITSTATUS(st));
	return PITH_EXIT_HOST;
}

int vrun_supervise(struct vrun *r)
{
	struct sup s = { .r = r, .record = -1, .dbg = r->dbg };
	int con[2], diag[2], qmp[2], st = 0, status;
	struct sigaction sa = { .sa_handler = on_signal };
	struct rusage ru = { 0 };
	sigset_t block;

	if (pipe2(con, O_CLOEXEC) < 0 || pipe2(diag, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp) < 0) {
		perror("pith run: pipe");
		return PITH_EXIT_HOST;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	if (r->opt.core) /* a core, then the end */
		sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, 0);
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTERM, &sa, 0);
	sigaction(SIGHUP, &sa, 0);
	if (r->opt.core)
		sigaction(SIGQUIT, &sa, 0);
	signal(SIGPIPE, SIG_IGN);
	start(&s, con[1], diag[1], qmp[1]);
	close(con[1]);
	close(diag[1]);
	close(qmp[1]);
	s.con = con[0];
	s.diag = diag[0];
	s.qmp = qmp[0];
	if (s.dbg && vdebug_start(s.dbg) < 0)
		kill(s.pid, SIGKILL);
	relay(&s);
	while (wait4(s.pid, &st, 0, &ru) < 0 && errno == EINTR)
		;
	if (r->opt.stats)
		fprintf(stderr, "pith run: QEMU peak RSS %ld KiB (%s, %s)\n",
			ru.ru_maxrss, r->machine, r->accel);
	status = s.dbg && vdebug_killed(s.dbg) ? KILLED_STATUS
					       : status_of(&s, st);
	if (s.dbg)
		vdebug_finish(s.dbg, status);
	return status;
}
