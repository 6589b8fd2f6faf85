/* pith-kvm: runs a kvm image. Setup, in order:
 *
 *   1. options (the same as every target's, plus --stats);
 *   2. the image: ELF, notes, segments, refused with a reason if bad;
 *   3. --show-seccomp prints the policy and stops here;
 *   4. the manifest against the attached devices;
 *   5. inherited descriptors closed, devices opened;
 *   6. the VM: memory (lazy), layout, segments, boot page, page tables,
 *      the vCPU in long mode;
 *   7. debugging options (files, gdb's connection, signal handlers);
 *   8. confinement (seccomp);
 *   9. the run loop, until the guest exits or is stopped.
 * The exit status is the guest's, or one of pith/exit.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "debug.h"
#include "gdb.h"
#include "pith/exit.h"
#include "run.h"
#include "seccomp.h"

struct mon {
	const char *image;
	struct pith_options opt;
	struct mon_image img;
	struct mon_mem mem;
	struct mon_vm vm;
	struct hostdev dev[PITH_DEVICES_MAX];
	struct mon_stats stats;
	struct mon_hc hc;
	unsigned char *residency; /* for --stats */
	struct mon_debug dbg;	  /* with a debugging option */
};

static _Noreturn void fail(struct mon *m, int status, const char *text)
{
	mon_diag(&m->hc, text);
	_exit(status);
}

static void usage(void)
{
	fputs("usage: pith-kvm IMAGE [--mem SIZE] [--net NAME=tap:IFNAME]... "
	      "[--block NAME=FILE]...\n"
	      "                [--stats] [--show-seccomp] [--core FILE] "
	      "[--gdb PORT]\n"
	      "                [--profile FILE [--profile-hz N]] [--trace "
	      "FILE] [-- ARGS...]\n"
	      "Runs a pith image built for the kvm target on /dev/kvm.\n"
	      "  --mem SIZE          guest memory (K, M, G; default 64M)\n"
	      "  --stats             print VM exits, device traffic and memory "
	      "on exit\n"
	      "  --show-seccomp      print the monitor's system-call policy\n"
	      "  --core FILE         an ELF core on a guest crash or SIGQUIT\n"
	      "  --gdb PORT          wait for gdb on 127.0.0.1:PORT, guest "
	      "halted\n"
	      "  --profile FILE      sample the guest's stack; folded stacks\n"
	      "  --trace FILE        log VM exits with timestamps\n"
	      "The exit status is the guest's (see `pith --help`).\n",
	      stdout);
}

/* Writes the boot page: struct pith_kvm_boot, then argv. */
static void boot_page(struct mon *m)
{
	const struct mon_layout *l = &m->mem.lay;
	struct pith_kvm_boot *b = (void *)(m->mem.base + l->boot);
	uint64_t *argv = (uint64_t *)(b + 1);
	uint64_t strs = l->boot + sizeof *b + (m->opt.app_argc + 1) * 8ULL;
	size_t room = sizeof *b + PITH_KVM_ARGS_MAX, used = strs - l->boot;

	b->abi_version = PITH_KVM_ABI_VERSION;
	b->ndevices = m->img.manifest.count;
	b->mem_size = m->mem.size;
	b->heap_start = l->heap_start;
	b->heap_size = l->heap_end - l->heap_start;
	b->stack_lo = l->stack_lo;
	b->stack_hi = l->stack_hi;
	b->guard_lo = l->guard_lo;
	b->guard_hi = l->guard_hi;
	b->trap_stack_hi = l->trap_hi;
	b->tsc_khz = m->vm.tsc_khz;
	if (getrandom(b->random, sizeof b->random, 0) != sizeof b->random)
		fail(m, PITH_EXIT_HOST, "cannot get random bytes");
	for (int i = 0; i < m->opt.app_argc; i++) {
		size_t n = strlen(m->opt.app_argv[i]) + 1;
		if (used + n > room)
			fail(m, PITH_EXIT_USAGE,
			     "the application's arguments "
			     "exceed 4096 bytes");
		memcpy(m->mem.base + strs, m->opt.app_argv[i], n);
		argv[i] = strs;
		strs += n;
		used += n;
	}
	b->argc = (uint32_t)m->opt.app_argc;
	b->argv = l->boot + sizeof *b;
	for (unsigned i = 0; i < b->ndevices; i++) {
		b->dev[i].type = m->dev[i].type;
		b->dev[i].mtu = (uint32_t)m->dev[i].net.mtu;
		memcpy(b->dev[i].mac, m->dev[i].net.mac, PITH_MAC_LEN);
		b->dev[i].capacity = m->dev[i].capacity;
	}
}

/* The regions the guest can see, besides its segments. */
static int regions(struct mon *m)
{
	const struct mon_layout *l = &m->mem.lay;

	return mon_region_add(&m->mem, l->boot, l->boot + 8192, MON_R) |
	       mon_region_add(&m->mem, l->trap_lo, l->trap_hi, MON_R | MON_W) |
	       mon_region_add(&m->mem, l->stack_lo, l->heap_end, MON_R | MON_W);
}

static void setup_vm(struct mon *m)
{
	char msg[256];
	struct pith_buf err;

	pith_buf_init(&err, msg, sizeof msg);
	m->mem.size = m->opt.mem;
	if (mon_vm_create(&m->vm, &m->mem, &err) < 0)
		fail(m, PITH_EXIT_HOST, msg);
	if (mon_layout(&m->mem, m->img.end, &err) < 0)
		fail(m, PITH_EXIT_IMAGE, msg);
	if (mon_image_load(&m->img, &m->mem, &err) < 0 || regions(m) < 0)
		fail(m, PITH_EXIT_IMAGE,
		     msg[0] ? msg : "cannot lay out memory");
	boot_page(m);
	if (mon_vm_start(&m->vm, &m->mem, m->img.entry, &err) < 0)
		fail(m, PITH_EXIT_HOST, msg);
}

static void parse(struct mon *m, int argc, char **argv)
{
	char msg[512];
	struct pith_buf err;

	pith_buf_init(&err, msg, sizeof msg);
	if (pith_options_parse(argc, argv, &m->opt, &err) < 0)
		fail(m, PITH_EXIT_USAGE, msg);
	if (m->opt.help) {
		usage();
		_exit(0);
	}
	if (mon_image_open(m->image, m->opt.mem, &m->img, &err) < 0)
		fail(m, PITH_EXIT_IMAGE, msg);
	m->hc.img = &m->img;
}

static void open_devices(struct mon *m)
{
	char msg[512];
	struct pith_buf err;

	pith_buf_init(&err, msg, sizeof msg);
	if (pith_options_match(&m->img.manifest, &m->opt, &err) < 0)
		fail(m, PITH_EXIT_DEVICE, msg);
	/* Inherited descriptors have no place next to a guest. */
	hostdev_close_inherited(&m->opt, 3);
	if (hostdev_open_all(&m->img.manifest, &m->opt, m->dev, -1, 0, &err) <
	    0)
		fail(m, PITH_EXIT_DEVICE, msg);
}

/* The debugging options: their files and gdb's connection, whose
 * descriptors the policy C names, and their signal handlers. */
static void setup_debug(struct mon *m, struct mon_confine *c)
{
	char msg[512];
	struct pith_buf err;

	pith_buf_init(&err, msg, sizeof msg);
	m->dbg.hc = &m->hc;
	m->dbg.vm = &m->vm;
	m->dbg.image = m->image;
	if (mon_debug_open(&m->dbg, &m->opt, &err) < 0)
		fail(m, PITH_EXIT_USAGE, msg);
	m->hc.dbg = &m->dbg;
	m->hc.crashed = mon_debug_crashed;
	if (m->dbg.core) {
		c->core_fd = m->dbg.core_file.fd;
		c->core_dir = m->dbg.core_file.dir;
		c->proc_fd = m->dbg.core_file.proc_fd;
	}
	c->profile_fd = m->dbg.profile_fd;
	c->trace_fd = m->dbg.trace_fd;
	c->gdb_fd = m->dbg.gdb ? mon_gdb_fd(m->dbg.gdb) : -1;
	if (mon_debug_start(&m->dbg) < 0)
		fail(m, PITH_EXIT_HOST, "cannot install the debugging signals");
}

static const char *stop_image = "pith-kvm";

/* SIGINT or SIGTERM: the operator stops the guest. A clean end (status
 * 0), said on stderr; the handler never returns, so the policy needs
 * nothing for it (write and exit_group are allowed anyway). */
static void on_stop(int sig)
{
	static const char head[] = "pith-kvm: ",
			  intr[] = ": stopped (SIGINT)\n",
			  term[] = ": stopped (SIGTERM)\n";

	if (write(2, head, sizeof head - 1) < 0 ||
	    write(2, stop_image, strlen(stop_image)) < 0 ||
	    (sig == SIGINT ? write(2, intr, sizeof intr - 1)
			   : write(2, term, sizeof term - 1)) < 0) {
		/* Stopping anyway. */
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	static struct mon m;
	struct mon_confine c;
	int status, e;

	m.hc = (struct mon_hc){ &m.mem, m.dev,	    0, &m.stats, 1,
				2,	"pith-kvm", 0, 0,	 0 };
	if (argc < 2 || argv[1][0] == '-') {
		usage();
		return argc < 2 ? PITH_EXIT_USAGE : 0;
	}
	m.image = m.hc.image = stop_image = argv[1];
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	parse(&m, argc - 1, argv + 1);
	m.hc.ndev = m.img.manifest.count;
	c = (struct mon_confine){ -1,
				  m.dev,
				  m.hc.ndev,
				  m.opt.stats,
				  -1,
				  !!m.opt.core,
				  !!m.opt.profile,
				  !!m.opt.trace,
				  !!m.opt.gdb_port,
				  -1,
				  -1,
				  -1,
				  -1,
				  -1,
				  -1 };
	for (unsigned i = 0; i < m.hc.ndev; i++)
		m.dev[i].type = m.img.manifest.dev[i].type;
	if (m.opt.show_seccomp) {
		mon_show_seccomp(&c, m.image);
		return 0;
	}
	open_devices(&m);
	setup_vm(&m);
	if (m.opt.stats) {
		m.residency = malloc(m.mem.size / 4096 + 1);
		c.status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		if (!m.residency)
			fail(&m, PITH_EXIT_HOST, "out of memory");
	}
	c.vcpu_fd = m.vm.vcpu;
	if (PITH_OPTIONS_DEBUG(&m.opt))
		setup_debug(&m, &c);
	fflush(stdout);
	e = mon_confine(&c);
	if (e < 0) {
		errno = -e;
		fail(&m, PITH_EXIT_HOST,
		     "cannot confine the monitor with seccomp");
	}
	status = mon_run(&m.hc, &m.vm);
	if (m.hc.dbg)
		mon_debug_finish(&m.dbg, status);
	if (m.opt.stats)
		mon_stats_print(&m.hc, &m.mem, m.residency, c.status_fd);
	_exit(status);
}
