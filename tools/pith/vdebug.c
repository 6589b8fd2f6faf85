/* pith run's debugging options for virtio images (see vdebug.h): their
 * setup before QEMU starts, the link's first steps once it has, the
 * profiler's timer, SIGQUIT, and the end of the run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../../platform/common/core.h"
#include "pith/exit.h"
#include "vdebug_impl.h"
#include "virtio.h"

#define NSEC	    1000000000ULL
#define SIGNAL_QUIT 3
/* How long the guest may take from QEMU's start to its 64-bit entry
 * (firmware, PVH loader, pvh.S: tens of milliseconds under TCG) before
 * --gdb gives up: a wide margin for a loaded host. */
#define START_MS 20000

void vdebug_say(const struct vdebug *d, const char *text)
{
	fprintf(stderr, "pith run: %s: %s\n", d->r->path, text);
}

uint64_t vdebug_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static _Noreturn void refuse(const struct vrun *r, const char *what,
			     const char *why)
{
	fprintf(stderr, "pith run: %s: %s%s%s\n", r->path, what,
		why ? ": " : "", why ? why : "");
	exit(PITH_EXIT_USAGE);
}

/* The image's note on its record and park. */
static void read_note(struct vdebug *d)
{
	const void *desc;
	size_t len;

	if (elf_pith_note(&d->r->img->elf, PITH_NOTE_VIRTIO_DEBUG, &desc,
			  &len) < 0 ||
	    len != sizeof d->note)
		refuse(d->r,
		       "--gdb, --core and --profile need an image built by "
		       "this pith (it has no virtio debug note): rebuild it",
		       0);
	memcpy(&d->note, desc, sizeof d->note);
	d->entry = d->r->img->elf.eh->e_entry;
}

static void open_profile(struct vdebug *d)
{
	const char *path = d->r->opt.profile;

	d->hz = d->r->opt.profile_hz;
	d->profile_fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (d->profile_fd < 0)
		refuse(d->r, "--profile: cannot create the file",
		       strerror(errno));
	d->prof = calloc(1, sizeof *d->prof);
	d->timer_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (!d->prof || d->timer_fd < 0) {
		perror("pith run: --profile");
		exit(PITH_EXIT_HOST);
	}
}

/* The files and sockets of the options, before QEMU starts. */
static void open_all(struct vdebug *d)
{
	const struct pith_options *o = &d->r->opt;
	int sv[2];

	if (o->core && pith_core_file_open(o->core, &d->core_file) < 0)
		refuse(d->r, "--core: cannot create the file", strerror(errno));
	d->core = !!o->core;
	if (o->profile)
		open_profile(d);
	if ((o->core || o->profile) && vmem_open(d) < 0) {
		perror("pith run: guest memory for --core or --profile");
		exit(PITH_EXIT_HOST);
	}
	if (o->gdb_port && !(d->gdb = vgdb_listen(o->gdb_port)))
		refuse(d->r, "--gdb: cannot listen on 127.0.0.1",
		       strerror(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0) {
		perror("pith run: a socket pair for QEMU's gdb stub");
		exit(PITH_EXIT_HOST);
	}
	rsp_init(&d->link, sv[0]);
	d->link_peer = sv[1];
}

struct vdebug *vdebug_open(struct vrun *r)
{
	const struct pith_options *o = &r->opt;
	struct vdebug *d;

	if (!o->gdb_port && !o->core && !o->profile)
		return 0;
	if (o->gdb_port && o->profile)
		refuse(r,
		       "--profile with --gdb: the profiler stops the guest "
		       "99 times a second, which gdb would see; use one at a "
		       "time",
		       0);
	d = calloc(1, sizeof *d);
	if (!d) {
		perror("pith run");
		exit(PITH_EXIT_HOST);
	}
	d->r = r;
	d->ram_fd = d->profile_fd = d->timer_fd = -1;
	read_note(d);
	image_symbols_use(r->img);
	open_all(d);
	r->gdb_fd = d->link_peer;
	r->ram_fd = d->ram_fd;
	return d;
}

unsigned vdebug_keep(const struct vdebug *d, int *fds)
{
	unsigned n = 0;

	fds[n++] = d->link_peer;
	if (d->ram_fd >= 0)
		fds[n++] = d->ram_fd;
	return n;
}

/* --gdb, --profile: the guest runs to its 64-bit entry, past the
 * firmware and the 32-bit PVH entry (whose registers gdb would take for
 * long mode's; samples there name no function of the image). */
static int run_to_entry(struct vdebug *d)
{
	char stop[RSP_STOP_MAX];
	struct rsp_regs regs;

	if (rsp_break(&d->link, d->entry, 1) < 0 ||
	    rsp_send(d->link.fd, "c") < 0 ||
	    rsp_wait_stop(&d->link, stop, sizeof stop, START_MS) != 1 ||
	    rsp_get_regs(&d->link, &regs) < 0 || regs.r[16] != d->entry ||
	    rsp_break(&d->link, d->entry, 0) < 0) {
		vdebug_say(d, "QEMU's gdb stub did not stop the guest at its "
			      "entry");
		return -1;
	}
	return 0;
}

static int start_timer(struct vdebug *d)
{
	struct itimerspec it = { { 0, 0 }, { 0, 0 } };

	it.it_interval.tv_sec = (time_t)(1 / d->hz);
	it.it_interval.tv_nsec = (long)(NSEC / d->hz % NSEC);
	it.it_value = it.it_interval;
	return timerfd_settime(d->timer_fd, 0, &it, 0);
}

int vdebug_start(struct vdebug *d)
{
	close(d->link_peer);
	d->link_peer = -1;
	if ((d->gdb || d->prof) && run_to_entry(d) < 0)
		return -1;
	d->start_ns = vdebug_now();
	if (d->gdb) {
		/* A crash stops at the park, for gdb to see. */
		if (rsp_break(&d->link, d->note.park, 1) < 0) {
			vdebug_say(d, "gdb: cannot set the crash breakpoint");
			return -1;
		}
		vgdb_waiting(d);
		return 0;
	}
	if ((d->prof && start_timer(d) < 0) || rsp_send(d->link.fd, "c") < 0) {
		vdebug_say(d, "QEMU's gdb stub did not start the guest");
		return -1;
	}
	d->running = 1;
	return 0;
}

unsigned vdebug_pollfds(struct vdebug *d, struct pollfd *p)
{
	unsigned n = 0;

	if (d->gdb)
		return vgdb_pollfds(d, p);
	if (!d->gone)
		p[n++] = (struct pollfd){ d->link.fd, POLLIN, 0 };
	if (d->prof && d->running)
		p[n++] = (struct pollfd){ d->timer_fd, POLLIN, 0 };
	return n;
}

/* One profile sample: the guest stopped, its registers, its stack. */
static void sample(struct vdebug *d)
{
	uint64_t t0 = vdebug_now(), ticks;
	struct rsp_regs regs;
	int st;

	if (read(d->timer_fd, &ticks, sizeof ticks) < 0 || d->gone)
		return;
	st = rsp_interrupt(&d->link);
	if (st == 1 && rsp_get_regs(&d->link, &regs) == 0)
		vmem_sample(d, regs.r);
	if (st == 0)
		d->gone = 1;
	else if (rsp_send(d->link.fd, "c") < 0)
		d->gone = 1;
	d->sample_ns += vdebug_now() - t0;
}

/* The link while the guest runs without gdb: QEMU says something only
 * when it exits (or on a stop nobody asked for: the guest resumes). */
static void from_qemu(struct vdebug *d)
{
	struct rsp_unit u;
	ssize_t got = rsp_fill(&d->link);

	if (got == 0 || got == -1)
		d->gone = 1;
	for (rsp_unit(&d->link, &u); u.kind != RSP_INCOMPLETE;
	     rsp_unit(&d->link, &u)) {
		char c = u.kind == RSP_PACKET ? u.payload[0] : 0;

		if (c == 'W' || c == 'X')
			d->gone = 1;
		else if ((c == 'T' || c == 'S') && !d->gone &&
			 rsp_send(d->link.fd, "c") < 0)
			d->gone = 1;
		rsp_drop(&d->link, u.len);
	}
}

enum vdebug_next vdebug_ready(struct vdebug *d, const struct pollfd *p,
			      unsigned n)
{
	if (d->gdb)
		return vgdb_ready(d, p, n);
	for (unsigned i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (p[i].fd == d->link.fd)
			from_qemu(d);
		else if (p[i].fd == d->timer_fd)
			sample(d);
	}
	return VDEBUG_GO_ON;
}

int vdebug_holding(const struct vdebug *d)
{
	return d->gdb && !d->running;
}

void vdebug_quit(struct vdebug *d)
{
	struct rsp_regs regs;

	if (!d->core)
		return;
	if (vgdb_attached(d)) {
		vdebug_say(d, "SIGQUIT: no core during a gdb session (gdb "
			      "holds the guest)");
		return;
	}
	if (d->gone || (d->running && rsp_interrupt(&d->link) != 1) ||
	    rsp_get_regs(&d->link, &regs) < 0) {
		vdebug_say(d, "SIGQUIT: the guest did not stop for its core");
		return;
	}
	d->running = 0;
	vmem_core(d, regs.r, regs.fs_base, SIGNAL_QUIT, "SIGQUIT: ");
}

int vdebug_killed(const struct vdebug *d)
{
	return d->killed;
}

void vdebug_finish(struct vdebug *d, int status)
{
	struct pith_virtio_record rec;

	if (d->core && vmem_record(d, &rec) == 0 &&
	    rec.crash_magic == PITH_VIRTIO_CRASH_MAGIC)
		vmem_core(d, rec.regs, rec.fs_base,
			  pith_core_signal_of_code((int)rec.code), "");
	vmem_profile_finish(d);
	if (d->gdb)
		vgdb_finish(d, status);
}
