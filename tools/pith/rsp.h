/* The gdb remote serial protocol as pith run speaks it with QEMU's gdb
 * stub (virtio images; docs/debugging.md): a connection's bytes cut into
 * units (acknowledgements, interrupt bytes, packets), packets sent with
 * their checksum, and the few requests pith run makes itself: registers,
 * memory, breakpoints, continue, interrupt.
 *
 * QEMU is pith run's child, but what it sends is still input: every
 * packet's length and checksum are checked, every reply must be the one
 * asked for, and a wait for one is bounded (RSP_REPLY_MS). */
#ifndef PITH_TOOL_RSP_H
#define PITH_TOOL_RSP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The longest payload taken: QEMU 7.2 offers PacketSize=1000 (hex),
 * 4096 bytes, and gdb keeps to what the stub offers. */
#define RSP_PAYLOAD_MAX 4096
/* A packet's framing around its payload: '$', '#' and two digits. */
#define RSP_FRAME_BYTES 4
#define RSP_BUF_BYTES	(RSP_PAYLOAD_MAX + RSP_FRAME_BYTES)
/* How long pith run waits for QEMU's reply to a request or for a stop
 * after an interrupt: QEMU answers in well under a millisecond, and a
 * stop waits for the vCPU to leave the code it runs (microseconds under
 * TCG); a slow, busy host gets a wide margin. */
#define RSP_REPLY_MS 5000
/* A stop reply pith run reads or rewrites: "T05thread:p01.01;", with a
 * watchpoint's "awatch:ADDR;" at most. */
#define RSP_STOP_MAX 128
/* The interrupt byte (gdb's Ctrl-C). */
#define RSP_BREAK 0x03
/* Registers pith reads and writes, in struct pith_regs order (gdb's
 * numbers 0 to 17 on x86_64: rax .. r15, rip, eflags). */
#define RSP_NREGS 18

/* One direction of a connection: the bytes read and not yet used. */
struct rsp_stream {
	int fd;
	size_t len;
	char buf[RSP_BUF_BYTES];
};

enum rsp_kind {
	RSP_INCOMPLETE, /* more bytes are needed */
	RSP_ACK,	/* '+' or '-' */
	RSP_INTERRUPT,	/* RSP_BREAK */
	RSP_PACKET,	/* "$payload#xx" (or a '%' notification) */
	RSP_OTHER /* a byte outside the protocol, or an over-long packet */
};

/* The unit at the start of a stream's buffer. */
struct rsp_unit {
	enum rsp_kind kind;
	size_t len;	     /* its bytes at the start of the buffer */
	const char *payload; /* RSP_PACKET: in the buffer, not terminated */
	size_t payload_len;
	int sum_ok; /* RSP_PACKET: the checksum is right */
};

/* Registers of the link's stopped vCPU. */
struct rsp_regs {
	uint64_t r[RSP_NREGS]; /* pith_regs order */
	uint64_t fs_base;
};

void rsp_init(struct rsp_stream *s, int fd);

/* Describes the unit at the start of S's buffer. A buffer filled by one
 * unfinished packet is given up whole as RSP_OTHER. */
void rsp_unit(const struct rsp_stream *s, struct rsp_unit *u);

/* Drops the first N bytes of S's buffer. */
void rsp_drop(struct rsp_stream *s, size_t n);

/* Reads what S's descriptor has without waiting: the bytes read (> 0),
 * 0 at the end of the connection, -1 on an error; -2 when nothing is
 * there yet. */
ssize_t rsp_fill(struct rsp_stream *s);

/* Writes all N bytes of P to FD (waiting for room up to RSP_REPLY_MS).
 * 0, or -1. */
int rsp_write(int fd, const void *p, size_t n);

/* Sends PAYLOAD as one packet. 0, or -1. */
int rsp_send(int fd, const char *payload);

/* The next packet's payload into OUT (CAP bytes, NUL-terminated),
 * skipping acknowledgements, within MS milliseconds. 0, or -1: the
 * connection ended, the time ran out, or the packet was malformed or
 * longer than CAP - 1. */
int rsp_packet(struct rsp_stream *s, char *out, size_t cap, int ms);

/* Sends PAYLOAD and takes the reply as rsp_packet does. */
int rsp_request(struct rsp_stream *s, const char *payload, char *out,
		size_t cap);

/* --- Requests to QEMU's stub (its vCPU stopped) ------------------------ */

/* Reads the registers ('g'). 0, or -1. */
int rsp_get_regs(struct rsp_stream *s, struct rsp_regs *r);

/* Writes rax .. rflags from R ('P' for each). 0, or -1. */
int rsp_set_regs(struct rsp_stream *s, const uint64_t r[RSP_NREGS]);

/* Reads LEN (at most RSP_PAYLOAD_MAX / 2) bytes at guest address ADDR
 * ('m'). 0, or -1. */
int rsp_read(struct rsp_stream *s, uint64_t addr, void *buf, size_t len);

/* Inserts (INSERT 1) or removes a breakpoint at ADDR ('Z0', 'z0'). */
int rsp_break(struct rsp_stream *s, uint64_t addr, int insert);

/* Waits for a stop reply: 1 the vCPU stopped, 0 the guest is gone (the
 * connection ended, or QEMU said it exited), -1 anything else. The
 * reply, if any, goes to OUT. */
int rsp_wait_stop(struct rsp_stream *s, char *out, size_t cap, int ms);

/* Stops the running vCPU (the interrupt byte) and waits for it, as
 * rsp_wait_stop. */
int rsp_interrupt(struct rsp_stream *s);

#endif
