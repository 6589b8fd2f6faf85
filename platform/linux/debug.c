/* Debugging on the linux target: core files, the profiler, the trace of
 * platform calls and their statistics. Nothing here runs unless one of
 * --core, --profile, --trace or --stats was given; then the image loads
 * the debug variant of its build-time filter, which adds exactly the calls
 * below (policy.c): write on the LX_FD_ debug descriptors, linkat from
 * /proc/self/fd into the core's directory, and mincore (--stats).
 *
 * The core file is opened unnamed (O_TMPFILE) before confinement and
 * linked under its name only when written, so a run that does not crash
 * leaves no file behind; on a file system without O_TMPFILE it is created
 * by name (and stays empty if nothing crashed). A stale core of the same
 * name is removed at start: after the run, the file exists if and only if
 * this run dumped core. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../common/core.h"
#include "../common/core_file.h"
#include "../common/profile.h"
#include "linux.h"
#include "sys.h"

#define NSEC	      1000000000ULL
#define MINCORE_CHUNK 4096 /* pages per mincore call (a stack vector) */

extern const Elf64_Ehdr __ehdr_start;

static struct {
	int core, core_named, profile, trace, stats, sampling, finished;
	const char *core_name;
	unsigned hz;
	unsigned long traced;
	uint64_t start_ns, sample_ns;
	uint64_t calls[LX_CALLS], call_ns[LX_CALLS];
	uint64_t bytes[PITH_DEVICES_MAX], frames[PITH_DEVICES_MAX];
} dbg;

static struct pith_profile prof;

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

/* Moves descriptor FD to number AT. */
static int place(int fd, int at)
{
	if (fd < 0)
		return -1;
	if (fd != at && dup2(fd, at) < 0) {
		close(fd);
		return -1;
	}
	if (fd != at)
		close(fd);
	return 0;
}

static int open_core(const char *path)
{
	struct pith_core_file f;

	if (pith_core_file_open(path, &f) < 0)
		return -1;
	dbg.core = 1;
	dbg.core_named = f.proc_fd < 0;
	dbg.core_name = f.name;
	return (f.proc_fd >= 0 && place(f.proc_fd, LX_FD_PROC_FD) < 0) ||
			       place(f.dir, LX_FD_CORE_DIR) < 0
		       ? -1
		       : place(f.fd, LX_FD_CORE);
}

static int open_out(const char *path, int at)
{
	return place(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644),
		     at);
}

int lx_debug_open(const struct pith_options *o, struct pith_buf *err)
{
	const char *bad = 0;

	if (!PITH_OPTIONS_DEBUG(o))
		return 0;
	if (o->gdb_port) {
		pith_buf_str(err, "--gdb is for the kvm target; a linux image "
				  "runs under gdb itself: `pith debug IMAGE`");
		return -1;
	}
	if (o->core && open_core(o->core) < 0)
		bad = o->core;
	else if (o->profile && open_out(o->profile, LX_FD_PROFILE) < 0)
		bad = o->profile;
	else if (o->trace && open_out(o->trace, LX_FD_TRACE) < 0)
		bad = o->trace;
	if (bad) {
		pith_buf_str(err, "cannot create ");
		pith_buf_str(err, bad);
		pith_buf_str(err, ": ");
		pith_buf_str(err, strerror(errno));
		return -1;
	}
	dbg.profile = !!o->profile;
	dbg.hz = o->profile_hz;
	dbg.trace = !!o->trace;
	dbg.stats = o->stats;
	dbg.start_ns = now();
	lx.debug = 1;
	return 0;
}

/* --- Core files ------------------------------------------------------ */

static void line(struct pith_buf *b, int fd)
{
	pith_buf_chr(b, '\n');
	lx_write_all(fd, b->p, b->len);
	b->len = 0;
}

static int core_write(void *ctx, const void *buf, size_t len)
{
	const char *p = buf;

	(void)ctx;
	while (len) {
		long n = lx_syscall3(SYS_write, LX_FD_CORE, (long)p, (long)len);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void add_region(struct pith_core *c, uint64_t lo, uint64_t hi,
		       unsigned flags)
{
	lo &= ~(uint64_t)(PITH_PAGE_SIZE - 1);
	hi = (hi + PITH_PAGE_SIZE - 1) & ~(uint64_t)(PITH_PAGE_SIZE - 1);
	if (c->nregion < PITH_CORE_REGIONS_MAX && hi > lo)
		c->region[c->nregion++] = (struct pith_core_region){
			lo, hi - lo, (const unsigned char *)(uintptr_t)lo,
			flags, 1
		};
}

/* The writable memory of the process: the image's data segment (from its
 * own program headers), the application stack, the heap. Code and
 * read-only data are in the image file, where gdb reads them. */
static void regions(struct pith_core *c)
{
	const Elf64_Phdr *ph = (const void *)((const char *)&__ehdr_start +
					      __ehdr_start.e_phoff);

	for (unsigned i = 0; i < __ehdr_start.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W))
			add_region(c, ph[i].p_vaddr,
				   ph[i].p_vaddr + ph[i].p_memsz,
				   ph[i].p_flags);
	add_region(c, lx.stack_lo, lx.stack_hi, PF_R | PF_W);
	add_region(c, lx.boot.heap_start,
		   lx.boot.heap_start + lx.boot.heap_size, PF_R | PF_W);
}

/* Gives the unnamed core file its name: linkat of /proc/self/fd/N. */
static int core_link(void)
{
	struct pith_core_file f = { LX_FD_CORE, LX_FD_CORE_DIR, LX_FD_PROC_FD,
				    dbg.core_name };
	char fd[16];

	if (dbg.core_named)
		return 0;
	pith_core_file_fdname(&f, fd);
	return lx_syscall6(SYS_linkat, LX_FD_PROC_FD, (long)fd, LX_FD_CORE_DIR,
			   (long)dbg.core_name, AT_SYMLINK_FOLLOW, 0) < 0
		       ? -1
		       : 0;
}

void lx_debug_crash(const struct pith_crash *cr, int signo)
{
	struct pith_core c;
	char msg[320];
	struct pith_buf b;
	uint64_t fs;

	if (!dbg.core)
		return;
	dbg.core = 0; /* one core, even if writing it faults */
	memset(&c, 0, sizeof c);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(fs)); /* musl's TCB self */
	c.regs = &cr->regs;
	c.fs_base = fs;
	c.cs = 0x33; /* Linux's 64-bit user code and stack selectors */
	c.ss = 0x2b;
	c.signo = signo;
	c.name = lx.image;
	c.write = core_write;
	regions(&c);
	pith_buf_init(&b, msg, sizeof msg);
	if (pith_core_write(&c) < 0 || core_link() < 0)
		pith_buf_str(&b, "pith: cannot write the core file ");
	else
		pith_buf_str(&b, "pith: core dumped to ");
	pith_buf_str(&b, dbg.core_name);
	line(&b, 2);
}

static void on_quit(int sig, siginfo_t *si, void *uc)
{
	struct pith_crash c = { .code = 128 + SIGQUIT };

	(void)si;
	lx_regs_of(uc, &c.regs);
	lx_diag("SIGQUIT: dumping core");
	lx_debug_crash(&c, sig);
	lx_exit(128 + sig);
}

/* --- The profiler ---------------------------------------------------- */

static void on_prof(int sig, siginfo_t *si, void *ucv)
{
	struct pith_regs r;
	uint64_t t0;

	(void)sig;
	(void)si;
	if (!dbg.sampling)
		return;
	t0 = now();
	lx_regs_of(ucv, &r);
	pith_profile_sample(&prof, r.rip, r.rsp, r.rbp, lx_peek);
	dbg.sample_ns += now() - t0;
}

int lx_debug_install(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	if (!lx.debug)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	sa.sa_sigaction = on_quit;
	if (dbg.core && sigaction(SIGQUIT, &sa, 0) < 0)
		return -1;
	if (!dbg.profile)
		return 0;
	sa.sa_sigaction = on_prof;
	it.it_interval.tv_usec = (long)(1000000 / dbg.hz);
	it.it_value = it.it_interval;
	dbg.sampling = 1;
	return sigaction(SIGPROF, &sa, 0) < 0 ||
			       setitimer(ITIMER_PROF, &it, 0) < 0
		       ? -1
		       : 0;
}

/* --- Trace and statistics ------------------------------------------- */

static const char *const call_names[LX_CALLS] = { "console",	"yield",
						  "net_read",	"net_write",
						  "block_read", "block_write" };

/* Appends " LABEL VALUE" for each of N pairs. */
static void put_pairs(struct pith_buf *b, const char *const *label,
		      const uint64_t *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		pith_buf_chr(b, ' ');
		pith_buf_str(b, label[i]);
		pith_buf_chr(b, ' ');
		pith_buf_udec(b, v[i]);
	}
}

/* One line per call: "T_NS CALL dev D bytes B frames F ns N r R". */
static void trace(enum lx_call call, int dev, uint64_t bytes, uint64_t frames,
		  uint64_t ns, long r)
{
	static const char *const label[] = { "dev", "bytes", "frames", "ns" };
	const uint64_t v[] = { (uint64_t)dev, bytes, frames, ns };
	char text[160];
	struct pith_buf b;

	pith_buf_init(&b, text, sizeof text);
	if (dbg.traced++ == PITH_TRACE_RECORDS_MAX) {
		pith_buf_str(&b, "trace cut: more than 100000 records");
		dbg.trace = 0;
	} else {
		pith_buf_udec(&b, now() - dbg.start_ns);
		pith_buf_chr(&b, ' ');
		pith_buf_str(&b, call_names[call]);
		put_pairs(&b, label + (dev < 0), v + (dev < 0), 4 - (dev < 0));
		pith_buf_str(&b, " r ");
		pith_buf_dec(&b, r);
	}
	line(&b, LX_FD_TRACE);
}

void lx_debug_note(enum lx_call call, int dev, uint64_t bytes, uint64_t frames,
		   uint64_t ns, long r)
{
	dbg.calls[call]++;
	dbg.call_ns[call] += ns;
	if (dev >= 0 && dev < PITH_DEVICES_MAX) {
		dbg.bytes[dev] += bytes;
		dbg.frames[dev] += frames;
	}
	if (dbg.trace)
		trace(call, dev, bytes, frames, ns, r);
}

/* Heap pages the application touched: its memory high-water mark. */
static uint64_t heap_touched(void)
{
	unsigned char v[MINCORE_CHUNK];
	uint64_t pages = lx.boot.heap_size / PITH_PAGE_SIZE, n = 0;

	for (uint64_t at = 0; at < pages; at += MINCORE_CHUNK) {
		uint64_t k =
			pages - at < MINCORE_CHUNK ? pages - at : MINCORE_CHUNK;
		if (lx_syscall3(
			    SYS_mincore,
			    (long)(lx.boot.heap_start + at * PITH_PAGE_SIZE),
			    (long)(k * PITH_PAGE_SIZE), (long)v) < 0)
			return 0;
		for (uint64_t i = 0; i < k; i++)
			n += v[i] & 1;
	}
	return n * PITH_PAGE_SIZE;
}

/* On stderr: times in microseconds, then calls, then devices. */
static void stats(void)
{
	static const char *const label[] = { "run_us", "app_us", "yield_us",
					     "heap_kib", "of_kib" };
	uint64_t run = now() - dbg.start_ns, slept = dbg.call_ns[LX_CALL_YIELD];
	const uint64_t v[] = { run / 1000, (run - slept) / 1000, slept / 1000,
			       heap_touched() >> 10, lx.boot.heap_size >> 10 };
	char text[200];
	struct pith_buf b;

	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b, "pith stats:");
	put_pairs(&b, label, v, 5);
	line(&b, 2);
	pith_buf_str(&b, "pith stats: calls");
	put_pairs(&b, call_names, dbg.calls, LX_CALLS);
	line(&b, 2);
	for (unsigned i = 0; i < lx.manifest.count; i++) {
		static const char *const dl[] = { "device", "bytes", "frames" };
		const uint64_t dv[] = { i, dbg.bytes[i], dbg.frames[i] };
		pith_buf_str(&b, "pith stats:");
		put_pairs(&b, dl, dv, 3);
		line(&b, 2);
	}
}

static void profile_out(const char *s, size_t len)
{
	lx_write_all(LX_FD_PROFILE, s, len);
}

/* "pith profile: samples N hz H run_us R sampling_us S": S / R is the
 * profiler's own cost (its signal handler), which pith run prints. */
static void profile_end(void)
{
	static const char *const label[] = { "samples", "hz", "run_us",
					     "sampling_us" };
	const uint64_t v[] = { prof.samples, dbg.hz,
			       (now() - dbg.start_ns) / 1000,
			       dbg.sample_ns / 1000 };
	char text[160];
	struct pith_buf b;

	dbg.sampling = 0;
	pith_profile_write(&prof, profile_out);
	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b, "pith profile:");
	put_pairs(&b, label, v, 4);
	line(&b, 2);
}

/* A destructor: musl's exit runs it (a return from main included);
 * lx_exit calls it for the other ways out. */
__attribute__((destructor)) void lx_debug_finish(void)
{
	if (!lx.debug || dbg.finished)
		return;
	dbg.finished = 1;
	if (dbg.profile)
		profile_end();
	if (dbg.stats)
		stats();
}
