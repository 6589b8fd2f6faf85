/* The gdb stub's internals, shared by gdb.c (the connection and the
 * protocol) and gdb_cmd.c (registers, memory, breakpoints). */
#ifndef PITH_MON_GDB_IMPL_H
#define PITH_MON_GDB_IMPL_H

#include "gdb.h"

struct kvm_regs;

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

extern const char mon_gdb_hex[];

/* Sends a packet with DATA; a connection that fails ends the session. */
void mon_gdb_reply(struct mon_gdb *g, const char *data);
/* Prints "gdb: TEXT" on the monitor's diagnostic descriptor. */
void mon_gdb_say(struct mon_gdb *g, const char *text);

/* The registers gdb sees (the crash's, if stopped on one), and writing
 * them back (refused after a crash). 0, or -1. */
int mon_gdb_regs_get(struct mon_gdb *g, uint64_t r[NGPR + 1],
		     struct kvm_regs *k);
int mon_gdb_regs_set(struct mon_gdb *g, const uint64_t r[NGPR + 1]);

/* The packets g, G, P, m, M and Z/z (INSERT): each replies itself. */
void mon_gdb_cmd_g(struct mon_gdb *g);
void mon_gdb_cmd_G(struct mon_gdb *g, const char *p);
void mon_gdb_cmd_P(struct mon_gdb *g, const char *p);
void mon_gdb_cmd_m(struct mon_gdb *g, const char *p);
void mon_gdb_cmd_M(struct mon_gdb *g, const char *p);
void mon_gdb_cmd_Z(struct mon_gdb *g, const char *p, int insert);

/* Programs the debug registers and single-stepping (STEP) into the
 * vCPU. 0, or -1. */
int mon_gdb_arm(struct mon_gdb *g, int step);

#endif
