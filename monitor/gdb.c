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

#include "gdb.h"

/* Largest packet either side sends: a 'g' reply is 328 hex digits, an 'm'
 * reply twice the bytes asked for; gdb learns this from qSupported. */
#define PACKET_MAX  4096
#define SLOTS	    4  /* x86 debug registers DR0..DR3 */
#define NGPR	    17 /* rax .. r15, rip: 8 bytes each in a 'g' reply */
#define NSEG	    7  /* eflags, cs, ss, ds, es, fs, gs: 4 bytes each */
#define DR6_BS	    (1u << 14) /* single step */
#define SIGNAL_TRAP 5
#define SIGNAL_SEGV 11

enum slot_kind { SLOT_FREE, SLOT_EXEC, SLOT_WRITE, SLOT_ACCESS };

struct mon_gdb {
	int fd;
	struct mon_hc *hc;
	const struct mon_vm *vm;
	int noack, done;
	const uint64_t *crash; /* registers shown instead of the vCPU's */
	struct {
		enum slot_kind kind;
		uint64_t addr;
		unsigned len;
	} slot[SLOTS];
	char in[PACKET_MAX + 8];
	size_t in_len;
	int interrupt; /* a Ctrl-C byte arrived */
};

static const char hex[] = "0123456789abcdef";

static void say(struct mon_gdb *g, const char *text)
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

static void reply(struct mon_gdb *g, const char *data)
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

static int unhex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
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

/* --- Registers and memory -------------------------------------------- */

static void put_le(char **p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++, v >>= 8) {
		*(*p)++ = hex[(v >> 4) & 15];
		*(*p)++ = hex[v & 15];
	}
}

static int get_le(const char **p, unsigned bytes, uint64_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < bytes; i++) {
		int h = unhex((*p)[0]), l = h < 0 ? -1 : unhex((*p)[1]);
		if (l < 0)
			return -1;
		*v |= (uint64_t)(h << 4 | l) << (8 * i);
		*p += 2;
	}
	return 0;
}

/* The 17 general registers and rflags, in gdb's amd64 order (which is
 * struct pith_regs' order). */
static int regs_get(struct mon_gdb *g, uint64_t r[NGPR + 1], struct kvm_regs *k)
{
	if (ioctl(g->vm->vcpu, KVM_GET_REGS, k) < 0)
		return -1;
	if (g->crash) {
		memcpy(r, g->crash, (NGPR + 1) * sizeof r[0]);
		return 0;
	}
	const uint64_t v[NGPR + 1] = { k->rax, k->rbx, k->rcx,	 k->rdx, k->rsi,
				       k->rdi, k->rbp, k->rsp,	 k->r8,	 k->r9,
				       k->r10, k->r11, k->r12,	 k->r13, k->r14,
				       k->r15, k->rip, k->rflags };
	memcpy(r, v, sizeof v);
	return 0;
}

static int regs_set(struct mon_gdb *g, const uint64_t r[NGPR + 1])
{
	struct kvm_regs k = { .rax = r[0],
			      .rbx = r[1],
			      .rcx = r[2],
			      .rdx = r[3],
			      .rsi = r[4],
			      .rdi = r[5],
			      .rbp = r[6],
			      .rsp = r[7],
			      .r8 = r[8],
			      .r9 = r[9],
			      .r10 = r[10],
			      .r11 = r[11],
			      .r12 = r[12],
			      .r13 = r[13],
			      .r14 = r[14],
			      .r15 = r[15],
			      .rip = r[16],
			      .rflags = r[17] };

	if (g->crash)
		return -1; /* a crashed guest does not run again */
	return ioctl(g->vm->vcpu, KVM_SET_REGS, &k);
}

static void cmd_g(struct mon_gdb *g)
{
	static const uint64_t seg[NSEG - 1] = { 0x08, 0x10, 0x10,
						0x10, 0x10, 0x10 };
	uint64_t r[NGPR + 1];
	struct kvm_regs k;
	char out[2 * (NGPR * 8 + NSEG * 4) + 1], *p = out;

	if (regs_get(g, r, &k) < 0) {
		reply(g, "E01");
		return;
	}
	for (unsigned i = 0; i < NGPR; i++)
		put_le(&p, r[i], 8);
	put_le(&p, r[NGPR], 4);
	for (unsigned i = 0; i < NSEG - 1; i++)
		put_le(&p, seg[i], 4);
	*p = '\0';
	reply(g, out);
}

static void cmd_G(struct mon_gdb *g, const char *p)
{
	uint64_t r[NGPR + 1];
	struct kvm_regs k;

	if (regs_get(g, r, &k) < 0) {
		reply(g, "E01");
		return;
	}
	for (unsigned i = 0; i <= NGPR; i++)
		if (get_le(&p, i < NGPR ? 8 : 4, &r[i]) < 0)
			break;
	reply(g, regs_set(g, r) < 0 ? "E01" : "OK");
}

/* P n=v: one register, n < 18. */
static void cmd_P(struct mon_gdb *g, const char *p)
{
	uint64_t r[NGPR + 1], v;
	struct kvm_regs k;
	char *eq;
	unsigned long n = strtoul(p, &eq, 16);

	if (*eq != '=' || n > NGPR || regs_get(g, r, &k) < 0) {
		reply(g, "E01");
		return;
	}
	p = eq + 1;
	if (get_le(&p, n < NGPR ? 8 : 4, &v) < 0) {
		reply(g, "E01");
		return;
	}
	r[n] = v;
	reply(g, regs_set(g, r) < 0 ? "E01" : "OK");
}

/* Parses "ADDR,LEN" and returns the host pointer of that guest range if
 * the guest may access it with PERM. */
static unsigned char *range(struct mon_gdb *g, const char **p, uint64_t *len,
			    unsigned perm)
{
	char *end;
	uint64_t addr = strtoull(*p, &end, 16);

	if (*end != ',')
		return 0;
	*len = strtoull(end + 1, &end, 16);
	*p = end;
	if (*len > PACKET_MAX / 2)
		*len = PACKET_MAX / 2;
	return mon_guest(g->hc->mem, addr, *len, perm);
}

static void cmd_m(struct mon_gdb *g, const char *p)
{
	char out[PACKET_MAX + 1], *o = out;
	uint64_t len;
	const unsigned char *m = range(g, &p, &len, MON_R);

	if (!m) {
		reply(g, "E0e"); /* EFAULT */
		return;
	}
	for (uint64_t i = 0; i < len; i++)
		put_le(&o, m[i], 1);
	*o = '\0';
	reply(g, out);
}

static void cmd_M(struct mon_gdb *g, const char *p)
{
	uint64_t len, v;
	unsigned char *m = range(g, &p, &len, MON_R | MON_W);

	if (!m || *p++ != ':') {
		reply(g, "E0e");
		return;
	}
	for (uint64_t i = 0; i < len; i++) {
		if (get_le(&p, 1, &v) < 0)
			break;
		m[i] = (unsigned char)v;
	}
	reply(g, "OK");
}

/* --- Breakpoints on the debug registers ------------------------------ */

/* Programs the debug registers (and single-stepping) into the vCPU. */
static int arm(struct mon_gdb *g, int step)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof dbg);
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP |
		      (step ? KVM_GUESTDBG_SINGLESTEP : 0);
	for (unsigned i = 0; i < SLOTS; i++) {
		static const unsigned rw[] = { 0, 0, 1, 3 }; /* DR7 R/W */
		unsigned len = g->slot[i].len == 8   ? 2
			       : g->slot[i].len == 4 ? 3
						     : g->slot[i].len - 1;
		if (g->slot[i].kind == SLOT_FREE)
			continue;
		dbg.arch.debugreg[i] = g->slot[i].addr;
		dbg.arch.debugreg[7] |=
			(1ULL << (2 * i)) |
			(uint64_t)(rw[g->slot[i].kind] |
				   (g->slot[i].kind == SLOT_EXEC ? 0
								 : len << 2))
				<< (16 + 4 * i);
	}
	return ioctl(g->vm->vcpu, KVM_SET_GUEST_DEBUG, &dbg);
}

/* Z/z TYPE,ADDR,KIND */
static void cmd_Z(struct mon_gdb *g, const char *p, int insert)
{
	static const enum slot_kind kinds[] = { SLOT_EXEC, SLOT_EXEC,
						SLOT_WRITE, SLOT_FREE,
						SLOT_ACCESS };
	char *end;
	unsigned type = (unsigned)(*p - '0');
	uint64_t addr, len;
	unsigned i;

	if (type > 4 || kinds[type] == SLOT_FREE || p[1] != ',') {
		reply(g, ""); /* read watchpoints: x86 cannot */
		return;
	}
	addr = strtoull(p + 2, &end, 16);
	len = *end == ',' ? strtoull(end + 1, 0, 16) : 1;
	if (kinds[type] != SLOT_EXEC &&
	    (len == 0 || len > 8 || (len & (len - 1)) || addr % len)) {
		reply(g, "E16"); /* EINVAL: 1, 2, 4 or 8 aligned bytes */
		return;
	}
	for (i = 0; i < SLOTS; i++)
		if (insert ? g->slot[i].kind == SLOT_FREE
			   : g->slot[i].kind == kinds[type] &&
				     g->slot[i].addr == addr)
			break;
	if (i == SLOTS && insert) {
		say(g, "more than 4 breakpoints and watchpoints: the four x86 "
		       "debug registers serve them all; delete one");
		reply(g, "E1c"); /* ENOSPC */
		return;
	}
	if (i < SLOTS) {
		g->slot[i].kind = insert ? kinds[type] : SLOT_FREE;
		g->slot[i].addr = addr;
		g->slot[i].len = kinds[type] == SLOT_EXEC ? 1 : (unsigned)len;
	}
	reply(g, "OK");
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
	reply(g, text);
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
		cmd_g(g);
		return -1;
	case 'G':
		cmd_G(g, pkt + 1);
		return -1;
	case 'P':
		cmd_P(g, pkt + 1);
		return -1;
	case 'm':
		cmd_m(g, pkt + 1);
		return -1;
	case 'M':
		cmd_M(g, pkt + 1);
		return -1;
	case 'Z':
	case 'z':
		cmd_Z(g, pkt + 1, pkt[0] == 'Z');
		return -1;
	case 'c':
	case 's':
		if (pkt[1] && !g->crash) {
			uint64_t r[NGPR + 1];
			struct kvm_regs k;
			if (regs_get(g, r, &k) == 0) {
				r[16] = strtoull(pkt + 1, 0, 16);
				regs_set(g, r);
			}
		}
		return pkt[0] == 'c' ? MON_GDB_CONTINUE : MON_GDB_STEP;
	case 'D':
		reply(g, "OK");
		return MON_GDB_DETACH;
	case 'k':
		return MON_GDB_KILL;
	case 'H':
	case 'T':
		reply(g, "OK");
		return -1;
	case 'v':
		if (!strncmp(pkt, "vKill", 5)) {
			reply(g, "OK");
			return MON_GDB_KILL;
		}
		reply(g, "");
		return -1;
	case 'q':
	case 'Q':
		if (!strncmp(pkt, "qSupported", 10))
			reply(g, "PacketSize=1000;QStartNoAckMode+");
		else if (!strcmp(pkt, "QStartNoAckMode")) {
			reply(g, "OK");
			g->noack = 1;
		} else if (!strcmp(pkt, "qAttached"))
			reply(g, "1");
		else if (!strcmp(pkt, "qC"))
			reply(g, "QC1");
		else if (!strcmp(pkt, "qfThreadInfo"))
			reply(g, "m1");
		else if (!strcmp(pkt, "qsThreadInfo"))
			reply(g, "l");
		else if (!strncmp(pkt, "qSymbol", 7))
			reply(g, "OK");
		else
			reply(g, "");
		return -1;
	default:
		reply(g, "");
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
		say(g, "the connection closed; ending the run");
		return MON_GDB_KILL;
	}
	if (next == MON_GDB_DETACH) {
		struct kvm_guest_debug off = { 0 };
		ioctl(g->vm->vcpu, KVM_SET_GUEST_DEBUG, &off);
		return MON_GDB_DETACH;
	}
	if (!crash && arm(g, next == MON_GDB_STEP) < 0)
		say(g, "KVM_SET_GUEST_DEBUG failed: breakpoints and steps are "
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
	reply(g, text);
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
