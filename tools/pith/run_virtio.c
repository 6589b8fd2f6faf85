/* pith run for virtio images (see virtio.h). In order: the virtio-only
 * options come out of the command line, the shared ones are parsed and
 * matched against the manifest as on every target; --vmm prints a
 * configuration and stops there; otherwise the devices are opened with
 * the same checks as on the other targets (their descriptors go to QEMU),
 * the accelerator is chosen, and QEMU runs under supervise.c.
 *
 * Memory: QEMU's -m is the heap (--mem) plus what the guest places
 * beside it (platform/virtio/memory.c): the image, the stack and its
 * guard, the page-table reserve, device buffers, and the first MiB. */
#include <err.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "../../platform/virtio/vio.h"
#include "../../platform/virtio/vnet.h"
#include "pith/exit.h"
#include "pith/param.h"
#include "virtio.h"

#define MIB (1ULL << 20)
/* Device memory the guest takes per device: a net device's buffers both
 * ways and its rings; a block device's ring and request. */
#define NET_DEVICE_BYTES   (2 * VNET_BUF_BYTES + 64 * 1024)
#define BLOCK_DEVICE_BYTES (16 * 1024)
/* Room for alignment and the boot's small allocations. */
#define RAM_SLACK MIB
/* The least and most RAM QEMU keeps below 4 GiB (q35, microvm). */
#define LOWMEM_MIN (2ULL << 30)
#define LOWMEM_MAX (3ULL << 30)

static const char usage[] =
	"usage: pith run IMAGE [-p [ADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]]...\n"
	"                [--net NAME=tap:IF|user]... [--mem SIZE]\n"
	"                [--block NAME=FILE]... [--stats] [--accel kvm|tcg]\n"
	"                [--machine microvm|q35] [--core FILE] [--gdb PORT]\n"
	"                [--profile FILE [--profile-hz N]] [-- ARGS...]\n"
	"       pith run IMAGE --vmm qemu|firecracker|cloud-hypervisor "
	"[-o FILE] ...\n"
	"Runs a virtio image under QEMU (qemu-system-x86_64). Devices "
	"declared\n"
	"in its manifest must be attached:\n"
	"  --mem SIZE          the appliance's heap (K, M, G; default 64M)\n"
	"  -p [ADDR:]HP:GP     forward host port HP (on ADDR, default "
	"127.0.0.1)\n"
	"                      to the appliance's port GP, tcp unless /udp "
	"(QEMU's\n"
	"                      user-mode networking: no root, no tap)\n"
	"  --net NAME=tap:IF   network device NAME (virtio-net) on tap IF\n"
	"  --net NAME=user     network device NAME on QEMU's user-mode "
	"networking\n"
	"  --block NAME=FILE   block device NAME (virtio-blk) backed by FILE\n"
	"  --stats             guest boot time, device counters and QEMU's "
	"peak\n"
	"                      RSS at exit\n"
	"  --accel kvm|tcg     QEMU's accelerator (default: KVM where it can "
	"run\n"
	"                      the guest, else TCG, with a notice)\n"
	"  --machine M         microvm (virtio-mmio, the default) or q35 "
	"(PCI)\n"
	"  --core FILE         an ELF core file on a crash or SIGQUIT\n"
	"  --gdb PORT          start halted, wait for gdb on "
	"127.0.0.1:PORT\n"
	"                      (QEMU's gdb stub; `pith debug` does both "
	"halves)\n"
	"  --profile FILE      sample the stack, write folded stacks "
	"(`pith profile`)\n"
	"  --profile-hz N      samples per second (default 99)\n"
	"  --vmm V             print V's configuration instead of running "
	"it\n"
	"                      (docs/deploying.md); -o FILE writes it there\n"
	"  -- ARGS             arguments for the application\n"
	"The exit status is the appliance's (see `pith --help`).\n";

static _Noreturn void refuse(const struct vrun *r, int status, const char *why)
{
	fprintf(stderr, "pith run: %s: %s\n", r->path, why);
	exit(status);
}

void vrun_arg(struct vrun *r, const char *fmt, ...)
{
	size_t room = sizeof r->strings - r->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->strings + r->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room || r->argc == VRUN_ARGS_MAX)
		errx(PITH_EXIT_USAGE, "run: QEMU's command line is too long");
	r->argv[r->argc++] = r->strings + r->used;
	r->argv[r->argc] = 0;
	r->used += (size_t)n + 1;
}

/* The value of option NAME at ARGV[*I] ("--name V" or "--name=V"), or
 * NULL if ARGV[*I] is another option. */
static const char *value(char **argv, int argc, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "pith run: %s: needs a value\n", name);
		exit(PITH_EXIT_USAGE);
	}
	return argv[++*i];
}

static int one_of(const char *v, const char *a, const char *b, const char *c)
{
	return !strcmp(v, a) || !strcmp(v, b) || (c && !strcmp(v, c));
}

/* Takes --accel, --machine, --vmm and -o out of ARGV (before "--"). */
static void split(struct vrun *r, int *argc, char **argv)
{
	int i, o = 1;
	const char *v;

	for (i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
		if ((v = value(argv, *argc, &i, "--accel")))
			r->accel = v;
		else if ((v = value(argv, *argc, &i, "--machine")))
			r->machine = v;
		else if ((v = value(argv, *argc, &i, "--vmm")))
			r->vmm = v;
		else if ((v = value(argv, *argc, &i, "-o")))
			r->out = v;
		else
			argv[o++] = argv[i];
	}
	while (i < *argc)
		argv[o++] = argv[i++];
	argv[o] = 0;
	*argc = o;
	if (r->accel && !one_of(r->accel, "kvm", "tcg", 0))
		refuse(r, PITH_EXIT_USAGE, "--accel: expects kvm or tcg");
	if (!one_of(r->machine, "microvm", "q35", 0))
		refuse(r, PITH_EXIT_USAGE, "--machine: expects microvm or q35");
	if (r->vmm &&
	    !one_of(r->vmm, "qemu", "firecracker", "cloud-hypervisor"))
		refuse(r, PITH_EXIT_USAGE,
		       "--vmm: expects qemu, firecracker or cloud-hypervisor");
	if (r->out && !r->vmm)
		refuse(r, PITH_EXIT_USAGE, "-o FILE goes with --vmm");
}

/* --vmm prints a configuration: no pith run to debug it. */
static void vmm_plain(const struct vrun *r)
{
	if (r->vmm && (r->opt.core || r->opt.gdb_port || r->opt.profile))
		refuse(r, PITH_EXIT_USAGE,
		       "--core, --gdb and --profile need pith run under QEMU, "
		       "not a printed configuration (docs/debugging.md)");
}

static void parse(struct vrun *r, int argc, char **argv)
{
	char msg[512];
	struct pith_buf err;

	pith_buf_init(&err, msg, sizeof msg);
	if (pith_options_parse(argc, argv, &r->opt, &err) < 0)
		refuse(r, PITH_EXIT_USAGE, msg);
	if (r->opt.help) {
		fputs(usage, stdout);
		exit(0);
	}
	if (r->opt.show_seccomp)
		refuse(r, PITH_EXIT_USAGE,
		       "--show-seccomp: a virtio image has no seccomp "
		       "policy of its own (QEMU runs it; see "
		       "docs/deploying.md)");
	if (r->opt.trace)
		refuse(r, PITH_EXIT_USAGE,
		       "--trace: not available on the virtio target: the "
		       "guest makes no hypercalls and its VM exits are "
		       "QEMU's, not pith's to log; --stats, --core, --gdb "
		       "and --profile work here, --trace on the kvm (VM "
		       "exits) and linux (platform calls) targets");
	pith_buf_init(&err, msg, sizeof msg);
	if (pith_options_match(&r->img->manifest, &r->opt, &err) < 0)
		refuse(r, PITH_EXIT_DEVICE, msg);
}

/* The end of the image in guest-physical memory. */
static uint64_t image_end(const struct elf_file *f)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < f->eh->e_phnum; i++)
		if (f->ph[i].p_type == PT_LOAD &&
		    f->ph[i].p_paddr + f->ph[i].p_memsz > end)
			end = f->ph[i].p_paddr + f->ph[i].p_memsz;
	return end;
}

static void size_ram(struct vrun *r)
{
	uint64_t b = image_end(&r->img->elf) + PITH_STACK_GUARD +
		     PITH_STACK_SIZE + VIO_TABLE_PAGES * PITH_PAGE_SIZE +
		     r->opt.mem + RAM_SLACK;

	for (unsigned i = 0; i < r->img->manifest.count; i++)
		b += r->img->manifest.dev[i].type == PITH_DEV_NET
			     ? NET_DEVICE_BYTES
			     : BLOCK_DEVICE_BYTES;
	/* Past LOWMEM_MIN, QEMU splits RAM at its 32-bit hole (microvm
	 * keeps up to 3 GiB below 4 GiB, q35 2 GiB) and the heap, one
	 * range, moves above 4 GiB: that range must hold all of it. Only
	 * what the guest touches costs host memory. */
	if (b > LOWMEM_MIN)
		b += LOWMEM_MAX;
	r->ram_mib = (b + MIB - 1) / MIB;
}

/* Appends S to the command line, or refuses the run. */
static void put(struct vrun *r, size_t *len, const char *s, size_t n)
{
	if (n >= sizeof r->cmdline - *len)
		refuse(r, PITH_EXIT_USAGE,
		       "the application's arguments do not fit the guest's "
		       "8192-byte command line");
	memcpy(r->cmdline + *len, s, n);
	*len += n;
	r->cmdline[*len] = '\0';
}

/* Appends ARG percent-encoded (platform/virtio/cmdline.c decodes it). */
static void put_encoded(struct vrun *r, size_t *len, const char *arg)
{
	static const char safe[] = "-._~/:,+@";
	char e[4];

	if (!*arg)
		put(r, len, "%00", 3);
	for (const unsigned char *p = (const unsigned char *)arg; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(safe, *p))
			put(r, len, (const char *)p, 1);
		else {
			snprintf(e, sizeof e, "%%%02X", *p);
			put(r, len, e, 3);
		}
	}
}

void vrun_cmdline(struct vrun *r, int with_seed)
{
	char w[128];
	size_t len = 0;
	uint8_t seed[32];

	snprintf(w, sizeof w, "pith.heap=%llu", (unsigned long long)r->opt.mem);
	put(r, &len, w, strlen(w));
	if (r->opt.stats)
		put(r, &len, " pith.stats=1", 13);
	if (with_seed && getrandom(seed, sizeof seed, 0) == sizeof seed) {
		put(r, &len, " pith.seed=", 11);
		for (unsigned i = 0; i < sizeof seed; i++) {
			snprintf(w, sizeof w, "%02x", seed[i]);
			put(r, &len, w, 2);
		}
	}
	put(r, &len, " pith.argv0=", 12);
	put_encoded(r, &len, r->path);
	put(r, &len, " --", 3);
	for (int i = 1; i < r->opt.app_argc; i++) {
		put(r, &len, " ", 1);
		put_encoded(r, &len, r->opt.app_argv[i]);
	}
}

static void open_devices(struct vrun *r)
{
	char msg[512], path[64];
	struct pith_buf err;

	pith_buf_init(&err, msg, sizeof msg);
	if (hostdev_open_all(&r->img->manifest, &r->opt, r->dev,
			     HOSTDEV_VMM_USER, 0, &err) < 0)
		refuse(r, PITH_EXIT_DEVICE, msg);
	for (unsigned i = 0; i < r->img->manifest.count; i++) {
		r->ro_fd[i] = -1;
		if (r->dev[i].type != PITH_DEV_BLOCK)
			continue;
		/* QEMU opens a block device read-only first: the descriptor
		 * set it takes from needs both modes (same open file). */
		snprintf(path, sizeof path, "/proc/self/fd/%d", r->dev[i].fd);
		r->ro_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (r->ro_fd[i] < 0)
			refuse(r, PITH_EXIT_DEVICE,
			       "cannot reopen a block device read-only");
	}
	r->devs_open = 1;
}

/* Random, locally administered MACs for --vmm (a run uses hostdev's). */
static void pick_macs(struct vrun *r)
{
	for (unsigned i = 0; i < r->img->manifest.count; i++) {
		if (r->devs_open)
			memcpy(r->mac[i], r->dev[i].net.mac, 6);
		else if (getrandom(r->mac[i], 6, 0) != 6)
			err(PITH_EXIT_HOST, "run: getrandom");
		r->mac[i][0] = (uint8_t)((r->mac[i][0] & 0xfe) | 0x02);
	}
}

int run_virtio(int argc, char **argv, struct image *img)
{
	static struct vrun r;

	argc--; /* ARGV[0] is the image from here on, as on every target */
	argv++;
	r.path = argv[0];
	r.img = img;
	r.machine = "microvm";
	r.ram_fd = r.gdb_fd = -1;
	if (!realpath(r.path, r.image))
		refuse(&r, PITH_TOOL_FAIL, "cannot resolve the image's path");
	split(&r, &argc, argv);
	parse(&r, argc, argv);
	vmm_plain(&r);
	size_ram(&r);
	if (r.vmm) {
		pick_macs(&r);
		return vrun_print(&r);
	}
	open_devices(&r);
	r.dbg = vdebug_open(&r);
	pick_macs(&r);
	vrun_cmdline(&r, 1);
	if (!r.accel)
		r.accel = vrun_accel(pith_root());
	return vrun_supervise(&r);
}
