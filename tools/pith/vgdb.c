/* --gdb on virtio images: gdb's connection on 127.0.0.1:PORT, relayed to
 * QEMU's gdb stub over the link (see vdebug.h). The relay passes the
 * protocol through byte for byte, both ways, except where pith run knows
 * more than QEMU does:
 *
 *   a crash   the guest stops at its park (a breakpoint pith run keeps
 *             there) after printing its report; gdb is told the crash's
 *             signal (SIGSEGV, SIGFPE, ...) and finds the crash's
 *             registers, which pith run writes back into the vCPU from
 *             the guest's record. Continuing executes the faulting
 *             instruction again, and the guest ends with the crash's
 *             status;
 *   the end   QEMU's word on it (none after isa-debug-exit, status 0
 *             after an ACPI power-off) is replaced by the appliance's
 *             status from its exit record;
 *   a kill    gdb's kill, or its connection closing without a detach,
 *             ends the run through QMP with status 137, as on kvm.
 *
 * Breakpoints, steps, memory, registers and gdb's interrupt (Ctrl-C) are
 * QEMU's own. One gdb connects; after it detaches the guest runs on
 * (QEMU drops the park's breakpoint then: a crash ends the run). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../platform/common/core.h"
#include "vdebug_impl.h"
#include "virtio.h"

/* gdb's numbers for the signals whose Linux numbers differ
 * (include/gdb/signals.def); SIGILL, SIGTRAP, SIGABRT, SIGFPE and SIGSEGV
 * are the same in both. */
#define LINUX_SIGBUS 7
#define LINUX_SIGSYS 31
#define GDB_SIGBUS   10
#define GDB_SIGSYS   12

struct vgdb {
	unsigned port;
	int listen_fd; /* until gdb connects */
	int fd;	       /* gdb's connection, or -1 */
	int detached;
	int rearm;	      /* gdb asked '?': QEMU dropped every breakpoint */
	struct rsp_stream in; /* gdb's bytes */
};

static const char hexdigits[] = "0123456789abcdef";

struct vgdb *vgdb_listen(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct vgdb *g = calloc(1, sizeof *g);
	int one = 1;

	if (!g)
		return 0;
	g->port = port;
	g->fd = -1;
	g->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g->listen_fd < 0 ||
	    setsockopt(g->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof one) < 0 ||
	    bind(g->listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(g->listen_fd, 1) < 0) {
		int e = errno;
		if (g->listen_fd >= 0)
			close(g->listen_fd);
		free(g);
		errno = e;
		return 0;
	}
	return g;
}

void vgdb_waiting(struct vdebug *d)
{
	char text[160];

	snprintf(text, sizeof text,
		 "waiting for gdb on 127.0.0.1:%u (gdb IMAGE -ex 'target "
		 "remote :%u')",
		 d->gdb->port, d->gdb->port);
	vdebug_say(d, text);
}

int vgdb_attached(const struct vdebug *d)
{
	return d->gdb && d->gdb->fd >= 0 && !d->gdb->detached;
}

unsigned vgdb_pollfds(struct vdebug *d, struct pollfd *p)
{
	struct vgdb *g = d->gdb;
	unsigned n = 0;

	if (g->listen_fd >= 0)
		p[n++] = (struct pollfd){ g->listen_fd, POLLIN, 0 };
	if (g->fd >= 0)
		p[n++] = (struct pollfd){ g->fd, POLLIN, 0 };
	if (!d->gone)
		p[n++] = (struct pollfd){ d->link.fd, POLLIN, 0 };
	return n;
}

static void accept_gdb(struct vgdb *g)
{
	int one = 1;

	g->fd = accept4(g->listen_fd, 0, 0, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (g->fd < 0)
		return; /* gone before it was taken: wait for another */
	setsockopt(g->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	close(g->listen_fd);
	g->listen_fd = -1;
	rsp_init(&g->in, g->fd);
}

/* Sends gdb N bytes at P. A failure is not acted on here: a broken
 * connection is seen when it is read (gdb_gone). */
static void to_gdb(struct vdebug *d, const char *p, size_t n)
{
	if (d->gdb->fd >= 0 && rsp_write(d->gdb->fd, p, n) < 0) {
		/* as above */
	}
}

static enum vdebug_next kill_run(struct vdebug *d, const char *why)
{
	if (!d->killed)
		vdebug_say(d, why);
	d->killed = 1;
	return VDEBUG_QUIT;
}

/* gdb's connection ended. */
static enum vdebug_next gdb_gone(struct vdebug *d)
{
	struct vgdb *g = d->gdb;

	close(g->fd);
	g->fd = -1;
	if (g->detached || d->gone || d->killed)
		return VDEBUG_GO_ON;
	return kill_run(d, "gdb: the connection closed; ending the run");
}

/* What gdb's packet P (N bytes) does to the guest: 1 a kill. */
static int gdb_packet(struct vdebug *d, const char *p, size_t n)
{
	if ((n == 1 && p[0] == 'k') || (n >= 5 && !memcmp(p, "vKill", 5)))
		return 1;
	if (p[0] == 'D')
		d->gdb->detached = 1;
	if (n == 1 && p[0] == '?')
		d->gdb->rearm = 1;
	if (p[0] == 'D' || p[0] == 'c' || p[0] == 'C' || p[0] == 's' ||
	    p[0] == 'S' || (n >= 6 && !memcmp(p, "vCont;", 6)))
		d->running = 1; /* QEMU resumes the guest on a detach too */
	return 0;
}

static enum vdebug_next from_gdb(struct vdebug *d)
{
	struct vgdb *g = d->gdb;
	struct rsp_unit u;
	ssize_t got = rsp_fill(&g->in);

	if (got == 0 || got == -1)
		return gdb_gone(d);
	for (rsp_unit(&g->in, &u); u.kind != RSP_INCOMPLETE;
	     rsp_unit(&g->in, &u)) {
		if (u.kind == RSP_PACKET &&
		    gdb_packet(d, u.payload, u.payload_len)) {
			/* The acknowledgement QEMU would have sent (gdb
			 * ignores it without acknowledgements), and vKill's
			 * reply; 'k' has none. */
			if (u.payload[0] == 'v')
				to_gdb(d, "+$OK#9a", 7);
			else
				to_gdb(d, "+", 1);
			return kill_run(d, "killed from gdb");
		}
		if (!d->gone && rsp_write(d->link.fd, g->in.buf, u.len) < 0)
			d->gone = 1;
		rsp_drop(&g->in, u.len);
	}
	return VDEBUG_GO_ON;
}

static int gdb_signal(int linux_signo)
{
	if (linux_signo == LINUX_SIGBUS)
		return GDB_SIGBUS;
	return linux_signo == LINUX_SIGSYS ? GDB_SIGSYS : linux_signo;
}

/* The guest stopped at its park after a crash: the crash's registers
 * into the vCPU, its signal into the stop reply STOP. */
static void crashed(struct vdebug *d, char *stop)
{
	struct pith_virtio_record rec;
	int sig;

	if (rsp_read(&d->link, d->note.record, &rec, sizeof rec) < 0 ||
	    rec.crash_magic != PITH_VIRTIO_CRASH_MAGIC)
		return;
	if (rec.have_regs == 1 && rsp_set_regs(&d->link, rec.regs) < 0)
		vdebug_say(d, "gdb: cannot restore the crash's registers");
	sig = gdb_signal(pith_core_signal_of_code((int)rec.code));
	stop[1] = hexdigits[(sig >> 4) & 15];
	stop[2] = hexdigits[sig & 15];
}

/* A stop reply from QEMU, taken out of the link: passed on to gdb, a
 * crash's with its signal and registers. */
static void stopped(struct vdebug *d, char *stop)
{
	struct rsp_regs regs;

	d->running = 0;
	/* QEMU answers gdb's first question ('?') by dropping every
	 * breakpoint, the park's too: it goes back before gdb hears. */
	if (d->gdb->rearm && rsp_break(&d->link, d->note.park, 1) < 0)
		vdebug_say(d, "gdb: cannot set the crash breakpoint");
	d->gdb->rearm = 0;
	if (!strncmp(stop, "T05", 3) && rsp_get_regs(&d->link, &regs) == 0 &&
	    regs.r[16] == d->note.park)
		crashed(d, stop);
	if (d->gdb->fd >= 0 && rsp_send(d->gdb->fd, stop) < 0) {
		/* seen when gdb's connection is read */
	}
}

static void from_qemu(struct vdebug *d)
{
	struct rsp_unit u;
	char stop[RSP_STOP_MAX];
	ssize_t got = rsp_fill(&d->link);

	if (got == 0 || got == -1)
		d->gone = 1; /* QEMU is exiting; what it said is still read */
	for (rsp_unit(&d->link, &u); u.kind != RSP_INCOMPLETE;
	     rsp_unit(&d->link, &u)) {
		const char *p = u.payload;
		int stop_reply = u.kind == RSP_PACKET && u.sum_ok &&
				 u.payload_len < sizeof stop &&
				 (p[0] == 'T' || p[0] == 'S');

		if (u.kind == RSP_PACKET && (p[0] == 'W' || p[0] == 'X')) {
			d->gone = 1; /* gdb hears the appliance's status */
		} else if (stop_reply) {
			memcpy(stop, p, u.payload_len);
			stop[u.payload_len] = '\0';
			rsp_drop(&d->link, u.len);
			stopped(d, stop);
			continue;
		} else {
			to_gdb(d, d->link.buf, u.len);
		}
		rsp_drop(&d->link, u.len);
	}
}

enum vdebug_next vgdb_ready(struct vdebug *d, const struct pollfd *p,
			    unsigned n)
{
	struct vgdb *g = d->gdb;

	for (unsigned i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (p[i].fd == g->listen_fd)
			accept_gdb(g);
		else if (p[i].fd == g->fd && from_gdb(d) == VDEBUG_QUIT)
			return VDEBUG_QUIT;
		else if (p[i].fd == d->link.fd && !d->gone)
			from_qemu(d);
	}
	return VDEBUG_GO_ON;
}

void vgdb_finish(struct vdebug *d, int status)
{
	struct vgdb *g = d->gdb;
	char text[8];

	if (g->listen_fd >= 0)
		close(g->listen_fd);
	if (g->fd < 0)
		return;
	if (!g->detached && !d->killed) {
		snprintf(text, sizeof text, "W%02x", status & 0xff);
		rsp_send(g->fd, text);
	}
	close(g->fd);
	g->fd = -1;
}
