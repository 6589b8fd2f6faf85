/* The gdb stub (see gdb.h): gdb's remote serial protocol over one TCP
 * connection, all-stop, one thread. The monitor is single-threaded: while
 * the guest runs, the connection raises SIGIO (O_ASYNC), which ends
 * KVM_RUN with EINTR so the run loop can look for gdb's interrupt byte;
 * while the guest is stopped, the stub blocks in ppoll on the connection.
 *
 * Breakpoints, software (Z0) as well as hardware (Z1), and watchpoints
 * (Z2 write, Z4 access) share the four debug registers through
 * KVM_SET_GUEST_DEBUG: this host's KVM cannot execute int3 in ring 0, and
 * the debug registers need no writes into the guest's code. A fifth is
 * refused with a message in gdb's console. Memory goes through
 * mon_guest(): gdb reads what the guest can read and writes what the
 * guest can write, nothing else (page tables, code). */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdb_impl.h"

const char mon_gdb_hex[] = "0123456789abcdef";
#define hex mon_gdb_hex

void mon_gdb_say(struct mon_gdb *g, const char *text)
{
	char line[256];
	struct pith_buf b;

	pith_buf_init(&b, line, sizeof line);
	pith_buf_str(&b, "gdb: ");
	pith_buf_str(&b, text);
	mon_diag(g->hc, line);
}

/* --- The connection --------------------------------------------------- */

static int send_all(struct mon_gdb *g, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(g->fd, p, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
			struct pollfd pf = { g->fd, POLLOUT, 0 };
			ppoll(&pf, 1, 0, 0);
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void mon_gdb_reply(struct mon_gdb *g, const char *data)
{
	char pkt[2 * PACKET_MAX + 8];
	size_t n = 0;
	unsigned sum = 0;

	pkt[n++] = '$';
	for (; *data && n < sizeof pkt - 4; data++) {
		sum += (unsigned char)*data;
		pkt[n++] = *data;
	}
	pkt[n++] = '#';
	pkt[n++] = hex[(sum >> 4) & 15];
	pkt[n++] = hex[sum & 15];
	if (send_all(g, pkt, n) < 0)
		g->done = 1;
}

/* Reads what the connection has; BLOCK waits for something. 0, or -1
 * when gdb is gone. */
static int fill(struct mon_gdb *g, int block)
{
	ssize_t r;

	for (;;) {
		if (g->in_len == sizeof g->in)
			g->in_len = 0; /* an over-long packet: drop it */
		r = read(g->fd, g->in + g->in_len, sizeof g->in - g->in_len);
		if (r > 0) {
			g->in_len += (size_t)r;
			return 0;
		}
		if (r == 0 || (errno != EAGAIN && errno != EINTR))
			return -1;
		if (!block)
			return 0;
		struct pollfd pf = { g->fd, POLLIN, 0 };
		ppoll(&pf, 1, 0, 0);
	}
}

/* Takes the next packet out of the input into PKT (NUL-terminated);
 * interrupt bytes set g->interrupt. 1 a packet, 0 none complete yet. */
static int take(struct mon_gdb *g, char *pkt)
{
	size_t i = 0, start, end;

	while (i < g->in_len && g->in[i] != '$') {
		if (g->in[i] == 3)
			g->interrupt = 1;
		i++;
	}
	start = i;
	for (end = start; end < g->in_len && g->in[end] != '#'; end++)
		;
	if (start == g->in_len || end + 2 >= g->in_len) {
		memmove(g->in, g->in + start, g->in_len - start);
		g->in_len -= start;
		return 0;
	}
	memcpy(pkt, g->in + start + 1, end - start - 1);
	pkt[end - start - 1] = '\0';
	memmove(g->in, g->in + end + 3, g->in_len - end - 3);
	g->in_len -= end + 3;
	if (!g->noack && send_all(g, "+", 1) < 0)
		g->done = 1;
	return 1;
}

int mon_gdb_interrupted(struct mon_gdb *g)
{
	char pkt[PACKET_MAX + 8];

	if (fill(g, 0) < 0)
		return 1; /* gone: stop, and mon_gdb_stop ends the run */
	/* All-stop: gdb sends nothing else while the guest runs. */
	while (take(g, pkt))
		;
	if (!g->interrupt)
		return 0;
	g->interrupt = 0;
	return 1;
}

/* --- Serving gdb ----------------------------------------------------- */

static void stop_reply(struct mon_gdb *g, int signo)
{
	char text[64] = "T05";
	const struct kvm_run *run = g->vm->run;

	text[1] = hex[(signo >> 4) & 15];
	text[2] = hex[signo & 15];
	/* Which watchpoint stopped the guest, if one did. */
	for (unsigned i = 0; signo == SIGNAL_TRAP && !g->crash && i < SLOTS;
	     i++) {
		char *p = text + 3;
		if (!(run->debug.arch.dr6 & (1u << i)) ||
		    g->slot[i].kind < SLOT_WRITE)
			continue;
		memcpy(p,
		       g->slot[i].kind == SLOT_WRITE ? "watch:" : "awatch:", 7);
		p += strlen(p);
		for (int s = 60; s >= 0; s -= 4)
			*p++ = hex[(g->slot[i].addr >> s) & 15];
		*p++ = ';';
		*p = '\0';
		break;
	}
	mon_gdb_reply(g, text);
}

/* Serves one packet; returns what to do with the guest, or -1 to go on
 * serving. */
static int serve(struct mon_gdb *g, char *pkt, int signo)
{
	switch (pkt[0]) {
	case '?':
		stop_reply(g, signo);
		return -1;
	case 'g':
		mon_gdb_cmd_g(g);
		return -1;
	case 'G':
		mon_gdb_cmd_G(g, pkt + 1);
		return -1;
	case 'P':
		mon_gdb_cmd_P(g, pkt + 1);
		return -1;
	case 'm':
		mon_gdb_cmd_m(g, pkt + 1);
		return -1;
	case 'M':
		mon_gdb_cmd_M(g, pkt + 1);
		return -1;
	case 'Z':
	case 'z':
		mon_gdb_cmd_Z(g, pkt + 1, pkt[0] == 'Z');
		return -1;
	case 'c':
	case 's':
		if (pkt[1] && !g->crash) {
			uint64_t r[NGPR + 1];
			struct kvm_regs k;
			if (mon_gdb_regs_get(g, r, &k) == 0) {
				r[16] = strtoull(pkt + 1, 0, 16);
				mon_gdb_regs_set(g, r);
			}
		}
		return pkt[0] == 'c' ? MON_GDB_CONTINUE : MON_GDB_STEP;
	case 'D':
		mon_gdb_reply(g, "OK");
		return MON_GDB_DETACH;
	case 'k':
		return MON_GDB_KILL;
	case 'H':
	case 'T':
		mon_gdb_reply(g, "OK");
		return -1;
	case 'v':
		if (!strncmp(pkt, "vKill", 5)) {
			mon_gdb_reply(g, "OK");
			return MON_GDB_KILL;
		}
		mon_gdb_reply(g, "");
		return -1;
	case 'q':
	case 'Q':
		if (!strncmp(pkt, "qSupported", 10))
			mon_gdb_reply(g, "PacketSize=1000;QStartNoAckMode+");
		else if (!strcmp(pkt, "QStartNoAckMode")) {
			mon_gdb_reply(g, "OK");
			g->noack = 1;
		} else if (!strcmp(pkt, "qAttached"))
			mon_gdb_reply(g, "1");
		else if (!strcmp(pkt, "qC"))
			mon_gdb_reply(g, "QC1");
		else if (!strcmp(pkt, "qfThreadInfo"))
			mon_gdb_reply(g, "m1");
		else if (!strcmp(pkt, "qsThreadInfo"))
			mon_gdb_reply(g, "l");
		else if (!strncmp(pkt, "qSymbol", 7))
			mon_gdb_reply(g, "OK");
		else
			mon_gdb_reply(g, "");
		return -1;
	default:
		mon_gdb_reply(g, "");
		return -1;
	}
}

enum mon_gdb_next mon_gdb_stop(struct mon_gdb *g, int signo,
			       const uint64_t *crash)
{
	char pkt[PACKET_MAX + 8];
	int next = -1;

	g->crash = crash;
	if (!g->done)
		stop_reply(g, signo);
	while (next < 0 && !g->done) {
		if (!take(g, pkt)) {
			if (fill(g, 1) < 0)
				g->done = 1;
			continue;
		}
		next = serve(g, pkt, signo);
	}
	g->interrupt = 0;
	if (g->done) {
		mon_gdb_say(g, "the connection closed; ending the run");
		return MON_GDB_KILL;
	}
	if (next == MON_GDB_DETACH) {
		struct kvm_guest_debug off = { 0 };
		ioctl(g->vm->vcpu, KVM_SET_GUEST_DEBUG, &off);
		return MON_GDB_DETACH;
	}
	if (!crash && mon_gdb_arm(g, next == MON_GDB_STEP) < 0)
		mon_gdb_say(
			g,
			"KVM_SET_GUEST_DEBUG failed: breakpoints and steps are "
			"not available");
	return (enum mon_gdb_next)next;
}

void mon_gdb_exited(struct mon_gdb *g, int status)
{
	char text[8] = "W00";

	if (g->done)
		return;
	text[1] = hex[(status >> 4) & 15];
	text[2] = hex[status & 15];
	mon_gdb_reply(g, text);
	g->done = 1;
}

int mon_gdb_attached(const struct mon_gdb *g)
{
	return !g->done;
}

int mon_gdb_fd(const struct mon_gdb *g)
{
	return g->fd;
}

static int listen_on(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

int mon_gdb_open(struct mon_gdb **gp, unsigned port, struct mon_hc *hc,
		 const struct mon_vm *vm, struct pith_buf *err)
{
	struct mon_gdb *g = calloc(1, sizeof *g);
	char text[128];
	struct pith_buf b;
	int s = listen_on(port), one = 1;

	if (!g || s < 0) {
		pith_buf_str(err, "--gdb: cannot listen on 127.0.0.1:");
		pith_buf_udec(err, port);
		pith_buf_str(err, ": ");
		pith_buf_str(err, strerror(errno));
		return -1;
	}
	g->hc = hc;
	g->vm = vm;
	pith_buf_init(&b, text, sizeof text);
	pith_buf_str(&b, "waiting for gdb on 127.0.0.1:");
	pith_buf_udec(&b, port);
	pith_buf_str(&b, " (gdb IMAGE -ex 'target remote :");
	pith_buf_udec(&b, port);
	pith_buf_str(&b, "')");
	mon_diag(hc, text);
	g->fd = accept4(s, 0, 0, SOCK_CLOEXEC);
	close(s);
	/* Until mon_debug_start installs its handler, SIGIO (whose default
	 * ends the process) is ignored; gdb's bytes wait in the socket. */
	signal(SIGIO, SIG_IGN);
	if (g->fd < 0 ||
	    setsockopt(g->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
	    fcntl(g->fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(g->fd, F_SETFL, O_ASYNC | O_NONBLOCK) < 0) {
		pith_buf_str(err, "--gdb: cannot accept gdb's connection");
		return -1;
	}
	/* A gdb that goes away must not kill the monitor with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	*gp = g;
	return 0;
}
