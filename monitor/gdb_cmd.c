/* The gdb stub's commands on the vCPU (see gdb.h): registers in gdb's
 * amd64 order, guest memory through mon_guest(), and breakpoints and
 * watchpoints on the four debug registers. */
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdb_impl.h"

static int unhex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* --- Registers and memory -------------------------------------------- */

static void put_le(char **p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++, v >>= 8) {
		*(*p)++ = mon_gdb_hex[(v >> 4) & 15];
		*(*p)++ = mon_gdb_hex[v & 15];
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
int mon_gdb_regs_get(struct mon_gdb *g, uint64_t r[NGPR + 1],
		     struct kvm_regs *k)
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

int mon_gdb_regs_set(struct mon_gdb *g, const uint64_t r[NGPR + 1])
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

void mon_gdb_cmd_g(struct mon_gdb *g)
{
	static const uint64_t seg[NSEG - 1] = { 0x08, 0x10, 0x10,
						0x10, 0x10, 0x10 };
	uint64_t r[NGPR + 1];
	struct kvm_regs k;
	char out[2 * (NGPR * 8 + NSEG * 4) + 1], *p = out;

	if (mon_gdb_regs_get(g, r, &k) < 0) {
		mon_gdb_reply(g, "E01");
		return;
	}
	for (unsigned i = 0; i < NGPR; i++)
		put_le(&p, r[i], 8);
	put_le(&p, r[NGPR], 4);
	for (unsigned i = 0; i < NSEG - 1; i++)
		put_le(&p, seg[i], 4);
	*p = '\0';
	mon_gdb_reply(g, out);
}

void mon_gdb_cmd_G(struct mon_gdb *g, const char *p)
{
	uint64_t r[NGPR + 1];
	struct kvm_regs k;

	if (mon_gdb_regs_get(g, r, &k) < 0) {
		mon_gdb_reply(g, "E01");
		return;
	}
	for (unsigned i = 0; i <= NGPR; i++)
		if (get_le(&p, i < NGPR ? 8 : 4, &r[i]) < 0)
			break;
	mon_gdb_reply(g, mon_gdb_regs_set(g, r) < 0 ? "E01" : "OK");
}

/* P n=v: one register, n < 18. */
void mon_gdb_cmd_P(struct mon_gdb *g, const char *p)
{
	uint64_t r[NGPR + 1], v;
	struct kvm_regs k;
	char *eq;
	unsigned long n = strtoul(p, &eq, 16);

	if (*eq != '=' || n > NGPR || mon_gdb_regs_get(g, r, &k) < 0) {
		mon_gdb_reply(g, "E01");
		return;
	}
	p = eq + 1;
	if (get_le(&p, n < NGPR ? 8 : 4, &v) < 0) {
		mon_gdb_reply(g, "E01");
		return;
	}
	r[n] = v;
	mon_gdb_reply(g, mon_gdb_regs_set(g, r) < 0 ? "E01" : "OK");
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

void mon_gdb_cmd_m(struct mon_gdb *g, const char *p)
{
	char out[PACKET_MAX + 1], *o = out;
	uint64_t len;
	const unsigned char *m = range(g, &p, &len, MON_R);

	if (!m) {
		mon_gdb_reply(g, "E0e"); /* EFAULT */
		return;
	}
	for (uint64_t i = 0; i < len; i++)
		put_le(&o, m[i], 1);
	*o = '\0';
	mon_gdb_reply(g, out);
}

void mon_gdb_cmd_M(struct mon_gdb *g, const char *p)
{
	uint64_t len, v;
	unsigned char *m = range(g, &p, &len, MON_R | MON_W);

	if (!m || *p++ != ':') {
		mon_gdb_reply(g, "E0e");
		return;
	}
	for (uint64_t i = 0; i < len; i++) {
		if (get_le(&p, 1, &v) < 0)
			break;
		m[i] = (unsigned char)v;
	}
	mon_gdb_reply(g, "OK");
}

/* --- Breakpoints on the debug registers ------------------------------ */

/* Programs the debug registers (and single-stepping) into the vCPU. */
int mon_gdb_arm(struct mon_gdb *g, int step)
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
void mon_gdb_cmd_Z(struct mon_gdb *g, const char *p, int insert)
{
	static const enum slot_kind kinds[] = { SLOT_EXEC, SLOT_EXEC,
						SLOT_WRITE, SLOT_FREE,
						SLOT_ACCESS };
	char *end;
	unsigned type = (unsigned)(*p - '0');
	uint64_t addr, len;
	unsigned i;

	if (type > 4 || kinds[type] == SLOT_FREE || p[1] != ',') {
		mon_gdb_reply(g, ""); /* read watchpoints: x86 cannot */
		return;
	}
	addr = strtoull(p + 2, &end, 16);
	len = *end == ',' ? strtoull(end + 1, 0, 16) : 1;
	if (kinds[type] != SLOT_EXEC &&
	    (len == 0 || len > 8 || (len & (len - 1)) || addr % len)) {
		mon_gdb_reply(g,
			      "E16"); /* EINVAL: 1, 2, 4 or 8 aligned bytes */
		return;
	}
	for (i = 0; i < SLOTS; i++)
		if (insert ? g->slot[i].kind == SLOT_FREE
			   : g->slot[i].kind == kinds[type] &&
				     g->slot[i].addr == addr)
			break;
	if (i == SLOTS && insert) {
		mon_gdb_say(
			g,
			"more than 4 breakpoints and watchpoints: the four x86 "
			"debug registers serve them all; delete one");
		mon_gdb_reply(g, "E1c"); /* ENOSPC */
		return;
	}
	if (i < SLOTS) {
		g->slot[i].kind = insert ? kinds[type] : SLOT_FREE;
		g->slot[i].addr = addr;
		g->slot[i].len = kinds[type] == SLOT_EXEC ? 1 : (unsigned)len;
	}
	mon_gdb_reply(g, "OK");
}
