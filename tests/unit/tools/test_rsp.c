/* The gdb remote protocol as pith run speaks it with QEMU's stub
 * (tools/pith/rsp.c): units cut from a stream, and replies that lie,
 * break off or never come. The "QEMU" here is the other end of a socket
 * pair, with its replies written before the request is made. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../../tools/pith/rsp.h"
#include "unit.h"

/* How long a test waits for a reply that must not come. */
#define SHORT_MS 50

static int pair(struct rsp_stream *s, int *peer)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	rsp_init(s, sv[0]);
	*peer = sv[1];
	return 0;
}

/* Writes PAYLOAD framed, with its checksum plus BIAS (0: right). */
static void put(int fd, const char *payload, unsigned bias)
{
	char pkt[8192];
	unsigned sum = bias;

	for (const char *p = payload; *p; p++)
		sum += (unsigned char)*p;
	snprintf(pkt, sizeof pkt, "$%s#%02x", payload, sum & 0xff);
	if (write(fd, pkt, strlen(pkt)) < 0)
		unit_fail(__FILE__, __LINE__, "write");
}

static void load(struct rsp_stream *s, const char *bytes)
{
	s->len = strlen(bytes);
	memcpy(s->buf, bytes, s->len);
}

static void test_units(void)
{
	struct rsp_stream s;
	struct rsp_unit u;

	rsp_init(&s, -1);
	load(&s, "+\003x$OK#9a$O");
	rsp_unit(&s, &u);
	CHECK_EQ(u.kind, RSP_ACK);
	rsp_drop(&s, u.len);
	rsp_unit(&s, &u);
	CHECK_EQ(u.kind, RSP_INTERRUPT);
	rsp_drop(&s, u.len);
	rsp_unit(&s, &u);
	CHECK_EQ(u.kind, RSP_OTHER);
	rsp_drop(&s, u.len);
	rsp_unit(&s, &u);
	CHECK_EQ(u.kind, RSP_PACKET);
	CHECK_EQ(u.payload_len, 2);
	CHECK(u.sum_ok);
	rsp_drop(&s, u.len);
	rsp_unit(&s, &u);
	CHECK_EQ(u.kind, RSP_INCOMPLETE);
	load(&s, "$OK#9b");
	rsp_unit(&s, &u);
	CHECK(u.kind == RSP_PACKET && !u.sum_ok);
	load(&s, "$OK#zz");
	rsp_unit(&s, &u);
	CHECK(u.kind == RSP_PACKET && !u.sum_ok);
}

/* A packet that never ends fills the buffer: it is given up whole. */
static void test_overlong(void)
{
	struct rsp_stream s;
	struct rsp_unit u;

	rsp_init(&s, -1);
	s.buf[0] = '$';
	memset(s.buf + 1, 'a', sizeof s.buf - 1);
	s.len = sizeof s.buf;
	rsp_unit(&s, &u);
	CHECK_EQ(u.kind, RSP_OTHER);
	CHECK_EQ(u.len, sizeof s.buf);
	CHECK_EQ(rsp_fill(&s), -1);
}

static void test_packets(void)
{
	struct rsp_stream s;
	char out[16];
	int peer;

	if (pair(&s, &peer) < 0)
		return unit_fail(__FILE__, __LINE__, "socketpair");
	if (write(peer, "++", 2) != 2)
		unit_fail(__FILE__, __LINE__, "write");
	put(peer, "T05thread:01;", 0);
	CHECK_EQ(rsp_packet(&s, out, sizeof out, SHORT_MS), 0);
	CHECK_STR(out, "T05thread:01;");
	put(peer, "OK", 1); /* a wrong checksum */
	CHECK_EQ(rsp_packet(&s, out, sizeof out, SHORT_MS), -1);
	put(peer, "0123456789abcdef", 0); /* longer than OUT */
	CHECK_EQ(rsp_packet(&s, out, sizeof out, SHORT_MS), -1);
	CHECK_EQ(rsp_packet(&s, out, sizeof out, SHORT_MS), -1); /* none */
	put(peer, "W00", 0);
	CHECK_EQ(rsp_wait_stop(&s, out, sizeof out, SHORT_MS), 0);
	put(peer, "OK", 0);
	CHECK_EQ(rsp_wait_stop(&s, out, sizeof out, SHORT_MS), -1);
	put(peer, "S02", 0);
	CHECK_EQ(rsp_wait_stop(&s, out, sizeof out, SHORT_MS), 1);
	close(peer);
	CHECK_EQ(rsp_wait_stop(&s, out, sizeof out, SHORT_MS), 0); /* gone */
	close(s.fd);
}

/* A 'g' reply: rax = 1, rbx = 2, ..., rip = 17, eflags 0x246, then the
 * segment selectors and fs_base 0x1234, then NPAD more bytes of zeros. */
static void g_reply(char *out, size_t npad)
{
	char *p = out;

	for (unsigned i = 1; i <= 17; i++)
		p += sprintf(p, "%02x00000000000000", i);
	p += sprintf(p, "46020000");
	for (unsigned i = 0; i < 6; i++)
		p += sprintf(p, "10000000");
	p += sprintf(p, "3412000000000000");
	for (size_t i = 0; i < npad; i++)
		p += sprintf(p, "00");
}

static void test_regs(void)
{
	struct rsp_stream s;
	struct rsp_regs r;
	char reply[4096];
	int peer;

	if (pair(&s, &peer) < 0)
		return unit_fail(__FILE__, __LINE__, "socketpair");
	g_reply(reply, 436);
	put(peer, reply, 0);
	CHECK_EQ(rsp_get_regs(&s, &r), 0);
	CHECK_EQ(r.r[0], 1);
	CHECK_EQ(r.r[16], 17);
	CHECK_EQ(r.r[17], 0x246);
	CHECK_EQ(r.fs_base, 0x1234);
	g_reply(reply, 0);
	reply[strlen(reply) - 2] = '\0'; /* one byte short of fs_base */
	put(peer, reply, 0);
	CHECK_EQ(rsp_get_regs(&s, &r), -1);
	g_reply(reply, 0);
	reply[0] = 'x'; /* "unavailable": not taken as a value */
	put(peer, reply, 0);
	CHECK_EQ(rsp_get_regs(&s, &r), -1);
	g_reply(reply, 0);
	reply[5] = '*'; /* run-length encoding: not QEMU's, refused */
	put(peer, reply, 0);
	CHECK_EQ(rsp_get_regs(&s, &r), -1);
	close(peer);
	close(s.fd);
}

static void test_memory(void)
{
	struct rsp_stream s;
	unsigned char b[4];
	char sent[64];
	int peer;
	ssize_t n;

	if (pair(&s, &peer) < 0)
		return unit_fail(__FILE__, __LINE__, "socketpair");
	put(peer, "0a0b0c0d", 0);
	CHECK_EQ(rsp_read(&s, 0x1000, b, sizeof b), 0);
	CHECK(b[0] == 0x0a && b[3] == 0x0d);
	n = read(peer, sent, sizeof sent - 1);
	sent[n > 0 ? n : 0] = '\0';
	CHECK_STR(sent, "$m1000,4#8e");
	put(peer, "0a0b0c", 0); /* short */
	CHECK_EQ(rsp_read(&s, 0x1000, b, sizeof b), -1);
	put(peer, "E14", 0);
	CHECK_EQ(rsp_read(&s, 0x1000, b, sizeof b), -1);
	CHECK_EQ(rsp_read(&s, 0x1000, b, RSP_PAYLOAD_MAX), -1); /* too long */
	put(peer, "OK", 0);
	CHECK_EQ(rsp_break(&s, 0x100190, 1), 0);
	put(peer, "E22", 0);
	CHECK_EQ(rsp_break(&s, 0x100190, 0), -1);
	close(peer);
	close(s.fd);
}

static const struct unit_test tests[] = {
	{ "units", test_units },     { "overlong", test_overlong },
	{ "packets", test_packets }, { "regs", test_regs },
	{ "memory", test_memory },
};
const struct unit_suite suite_rsp = UNIT_SUITE("rsp", tests);
