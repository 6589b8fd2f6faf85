/* The monitor's debugging modules (see debug.h). Signals reach the run
 * loop through one handler that records them and sets the vCPU's
 * immediate_exit, so that KVM_RUN returns EINTR at once, even when the
 * signal lands just before it; mon_debug_enter then serves them with the
 * guest stopped: SIGQUIT dumps core, SIGPROF takes a profile sample,
 * SIGIO lets gdb interrupt the guest (Ctrl-C). */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../platform/common/core.h"
#include "../platform/common/symbols.h"
#include "debug.h"
#include "gdb.h"
#include "pith/exit.h"
#include "run.h"

#define NSEC	    1000000000ULL
#define SIGNAL_QUIT 3
#define SIGNAL_TRAP 5
#define SEL_CODE    0x08 /* the guest's ring-0 selectors (x86_64/cpu.c) */
#define SEL_DATA    0x10

static volatile sig_atomic_t pending_quit, pending_prof, pending_io;
static struct kvm_run *volatile signal_run;
static const struct mon_mem *peek_mem;

uint64_t mon_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static void on_signal(int sig)
{
	if (sig == SIGQUIT)
		pending_quit = 1;
	else if (sig == SIGPROF)
		pending_prof = 1;
	else
		pending_io = 1;
	if (signal_run)
		signal_run->immediate_exit = 1;
}

static int open_out(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

int mon_debug_open(struct mon_debug *d, const struct pith_options *o,
		   struct pith_buf *err)
{
	const char *bad = 0;

	d->profile_fd = d->trace_fd = -1;
	d->stats = o->stats;
	d->hz = o->profile_hz;
	if (o->core && pith_core_file_open(o->core, &d->core_file) < 0)
		bad = o->core;
	else if (o->profile && (d->profile_fd = open_out(o->profile)) < 0)
		bad = o->profile;
	else if (o->trace && (d->trace_fd = open_out(o->trace)) < 0)
		bad = o->trace;
	if (bad) {
		pith_buf_str(err, "cannot create ");
		pith_buf_str(err, bad);
		pith_buf_str(err, ": ");
		pith_buf_str(err, strerror(errno));
		return -1;
	}
	d->core = !!o->core;
	if (o->profile && !(d->prof = calloc(1, sizeof *d->prof))) {
		pith_buf_str(err, "out of memory for the profile");
		return -1;
	}
	if (o->gdb_port &&
	    mon_gdb_open(&d->gdb, o->gdb_port, d->hc, d->vm, err) < 0)
		return -1;
	return 0;
}

int mon_debug_start(struct mon_debug *d)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	/* No SA_RESTART: the signal must end KVM_RUN. */
	signal_run = d->vm->run;
	peek_mem = d->hc->mem;
	mon_symbols_use(d->hc); /* samples name their functions */
	d->start_ns = mon_now();
	if ((d->core && sigaction(SIGQUIT, &sa, 0) < 0) ||
	    (d->gdb && sigaction(SIGIO, &sa, 0) < 0))
		return -1;
	if (!d->prof)
		return 0;
	it.it_interval.tv_usec = (long)(1000000 / d->hz);
	it.it_value = it.it_interval;
	return sigaction(SIGPROF, &sa, 0) < 0 ||
			       setitimer(ITIMER_PROF, &it, 0) < 0
		       ? -1
		       : 0;
}

/* --- Core files ------------------------------------------------------ */

static int core_write(void *ctx, const void *buf, size_t len)
{
	const struct mon_debug *d = ctx;
	const char *p = buf;

	while (len) {
		ssize_t n = write(d->core_file.fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes the core of a guest stopped with REGS and signal SIGNO. */
static void dump_core(struct mon_debug *d, const uint64_t *regs, int signo)
{
	const struct mon_mem *m = d->hc->mem;
	struct pith_core c;
	struct kvm_sregs s;
	char text[320], fd[16];
	struct pith_buf b;
	int ok;

	d->core = 0; /* one core per run */
	memset(&c, 0, sizeof c);
	c.regs = (const struct pith_regs *)(const void *)regs;
	c.fs_base = ioctl(d->vm->vcpu, KVM_GET_SREGS, &s) == 0 ? s.fs.base : 0;
	c.cs = SEL_CODE;
	c.ss = SEL_DATA;
	c.signo = signo;
	c.name = d->image;
	c.write = core_write;
	c.ctx = d;
	/* What the guest can write: data, trap stack, stack, heap. Code
	 * and read-only data are in the image, where gdb reads them. */
	for (unsigned i = 0;
	     i < m->nregion && c.nregion < PITH_CORE_REGIONS_MAX; i++)
		if (m->region[i].perm & MON_W)
			c.region[c.nregion++] = (struct pith_core_region){
				m->region[i].start,
				m->region[i].end - m->region[i].start,
				m->base + m->region[i].start, PF_R | PF_W, 1
			};
	pith_core_file_fdname(&d->core_file, fd);
	ok = pith_core_write(&c) == 0 &&
	     (d->core_file.proc_fd < 0 ||
	      linkat(d->core_file.proc_fd, fd, d->core_file.dir,
		     d->core_file.name, AT_SYMLINK_FOLLOW) == 0);
	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b,
		     ok ? "core dumped to " : "cannot write the core file ");
	pith_buf_str(&b, d->core_file.name);
	mon_diag(d->hc, text);
}

/* SIGQUIT: a core of the running guest, then the end of the run. */
static int quit(struct mon_debug *d)
{
	uint64_t r[PITH_HC_NREGS] = { 0 };

	mon_diag(d->hc, "SIGQUIT: dumping core");
	mon_vcpu_regs(d->vm, r);
	dump_core(d, r, SIGNAL_QUIT);
	return 128 + SIGNAL_QUIT;
}

void mon_debug_crashed(struct mon_hc *hc, const uint64_t *regs, int have_regs,
		       int code)
{
	struct mon_debug *d = hc->dbg;
	int signo = pith_core_signal_of_code(code);

	(void)have_regs;
	if (d->core)
		dump_core(d, regs, signo);
	/* gdb sees the crash with its registers; any resumption ends the
	 * run, which has nowhere to go. */
	if (d->gdb && mon_gdb_stop(d->gdb, signo, regs) != MON_GDB_DETACH)
		mon_gdb_exited(d->gdb, code);
}

/* --- Profiler and trace ---------------------------------------------- */

static int peek(uint64_t addr, void *buf, size_t len)
{
	const void *p = mon_guest(peek_mem, addr, len, MON_R);

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static void sample(struct mon_debug *d)
{
	uint64_t r[PITH_HC_NREGS], t0 = mon_now();

	if (mon_vcpu_regs(d->vm, r) == 0)
		pith_profile_sample(d->prof, r[16], r[7], r[6], peek);
	d->sample_ns += mon_now() - t0;
}

static void trace(struct mon_debug *d, uint64_t t0, uint64_t ns)
{
	char text[160];
	struct pith_buf b;

	pith_buf_init(&b, text, sizeof text);
	if (d->traced++ == PITH_TRACE_RECORDS_MAX) {
		pith_buf_str(&b, "trace cut: more than 100000 records\n");
		d->trace_fd = -d->trace_fd - 2; /* stop, keep the number */
		if (write(-d->trace_fd - 2, b.p, b.len) < 0) {
			/* A trace that cannot be written is lost. */
		}
		return;
	}
	pith_buf_udec(&b, t0 - d->start_ns);
	pith_buf_str(&b, " exit ");
	pith_buf_str(&b, mon_exit_name(d->vm->run));
	pith_buf_str(&b, " guest_ns ");
	pith_buf_udec(&b, ns);
	pith_buf_chr(&b, '\n');
	if (write(d->trace_fd, b.p, b.len) < 0) {
		/* A trace that cannot be written is lost. */
	}
}

void mon_debug_ran(struct mon_debug *d, uint64_t t0, int exited)
{
	uint64_t ns = mon_now() - t0;

	d->hc->stats->guest_ns += ns;
	if (exited && d->trace_fd >= 0)
		trace(d, t0, ns);
}

/* --- The run loop's hooks -------------------------------------------- */

/* gdb stopped the guest: serve it; -1 to run on, or a status. */
static int stop(struct mon_debug *d, int signo)
{
	switch (mon_gdb_stop(d->gdb, signo, 0)) {
	case MON_GDB_KILL:
		mon_diag(d->hc, "killed from gdb");
		return 128 + 9;
	case MON_GDB_DETACH:
		d->gdb = 0;
		return -1;
	default:
		return -1;
	}
}

int mon_debug_enter(struct mon_debug *d)
{
	static int first = 1;

	d->vm->run->immediate_exit = 0;
	if (first && d->gdb) {
		first = 0;
		return stop(d, SIGNAL_TRAP);
	}
	if (pending_quit && d->core) {
		pending_quit = 0;
		return quit(d);
	}
	if (pending_prof) {
		pending_prof = 0;
		sample(d);
	}
	if (pending_io) {
		pending_io = 0;
		if (d->gdb && mon_gdb_interrupted(d->gdb))
			return stop(d, 2);
	}
	return -1;
}

int mon_debug_exit(struct mon_debug *d)
{
	if (!d->gdb)
		return PITH_EXIT_ABORT;
	return stop(d, SIGNAL_TRAP);
}

static int profile_fd = -1;

static void profile_out(const char *s, size_t len)
{
	if (write(profile_fd, s, len) < 0) {
		/* A profile that cannot be written is lost. */
	}
}

void mon_debug_finish(struct mon_debug *d, int status)
{
	char text[200];
	struct pith_buf b;
	uint64_t run = mon_now() - d->start_ns;

	if (d->stats)
		d->hc->stats->run_ns = run;
	if (d->gdb)
		mon_gdb_exited(d->gdb, status);
	if (!d->prof)
		return;
	profile_fd = d->profile_fd;
	mon_symbols_use(d->hc);
	pith_profile_write(d->prof, profile_out);
	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b, "pith profile: samples ");
	pith_buf_udec(&b, d->prof->samples);
	pith_buf_str(&b, " hz ");
	pith_buf_udec(&b, d->hz);
	pith_buf_str(&b, " run_us ");
	pith_buf_udec(&b, run / 1000);
	pith_buf_str(&b, " sampling_us ");
	pith_buf_udec(&b, d->sample_ns / 1000);
	pith_buf_chr(&b, '\n');
	if (write(d->hc->diag_fd, b.p, b.len) < 0) {
		/* Nowhere else to say it. */
	}
}
