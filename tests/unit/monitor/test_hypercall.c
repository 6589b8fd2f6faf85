/* The monitor's hypercalls against a fake guest: a memory with code,
 * read-only, data and heap regions, a net device on a datagram socket
 * pair, a block device on a memory file, console and messages captured. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../../monitor/mon.h"
#include "pith/exit.h"
#include "unit.h"

#define SIZE   0x100000ULL
#define CODE   0x10000ULL /* R X */
#define RODATA 0x12000ULL /* R */
#define DATA   0x20000ULL /* R W, up to SIZE */
#define MTU    1500

static unsigned char guest[SIZE] __attribute__((aligned(4096)));
static struct mon_mem mem = { .base = guest, .size = SIZE };
static int ready;
static struct hostdev dev[2];
static struct mon_stats stats;
static struct mon_hc hc;
static struct mon_image img;
static int peer; /* the host side of the net device */
static int console, diag;

static void setup(void)
{
	int sv[2];

	if (ready) {
		memset(mem.base, 0, SIZE);
		memset(&stats, 0, sizeof stats);
		ftruncate(console, 0);
		ftruncate(diag, 0);
		lseek(console, 0, SEEK_SET);
		lseek(diag, 0, SEEK_SET);
		return;
	}
	ready = 1;
	mon_region_add(&mem, CODE, CODE + 0x2000, MON_R | MON_X);
	mon_region_add(&mem, RODATA, RODATA + 0x1000, MON_R);
	mon_region_add(&mem, DATA, SIZE, MON_R | MON_W);
	socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv);
	peer = sv[1];
	dev[0] = (struct hostdev){ .type = PITH_DEV_NET,
				   .fd = sv[0],
				   .net = { .mac = { 2 }, .mtu = MTU } };
	dev[1] = (struct hostdev){ .type = PITH_DEV_BLOCK,
				   .fd = memfd_create("disk", 0),
				   .capacity = 64 * 1024 };
	ftruncate(dev[1].fd, 64 * 1024);
	console = memfd_create("console", 0);
	diag = memfd_create("diag", 0);
	hc = (struct mon_hc){ &mem, dev,	2,    &stats, console,
			      diag, "test.kvm", &img, 0,      0 };
}

/* What was written to FD, as a string. */
static const char *text(int fd)
{
	static char buf[4096];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static enum mon_next call(enum pith_hc n, uint64_t gpa, int *status)
{
	return mon_hypercall(&hc, PITH_HC_PORT_BASE + n, (uint32_t)gpa, status);
}

#define AT(gpa) ((void *)(mem.base + (gpa)))

static void test_console(void)
{
	struct pith_hc_console *c = AT(DATA);
	int st = -1;

	setup();
	memcpy(AT(RODATA), "hello\n", 6);
	*c = (struct pith_hc_console){ RODATA, 6 };
	CHECK_EQ(call(PITH_HC_CONSOLE, DATA, &st), MON_CONTINUE);
	CHECK_STR(text(console), "hello\n");
	CHECK_EQ(stats.console_bytes, 6);
	c->len = PITH_HC_CONSOLE_MAX + 1;
	CHECK_EQ(call(PITH_HC_CONSOLE, DATA, &st), MON_STOPPED);
	CHECK_EQ(st, PITH_EXIT_ABORT);
	CHECK_CONTAINS(text(diag), "hypercall console: longer than 4096");
	*c = (struct pith_hc_console){ 0x1000, 4 }; /* the page tables */
	CHECK_EQ(call(PITH_HC_CONSOLE, DATA, &st), MON_STOPPED);
	CHECK_CONTAINS(text(diag), "hypercall console: buffer out of range");
	*c = (struct pith_hc_console){ SIZE - 2, 4 };
	CHECK_EQ(call(PITH_HC_CONSOLE, DATA, &st), MON_STOPPED);
	/* The argument struct itself outside guest memory. */
	CHECK_EQ(call(PITH_HC_CONSOLE, SIZE - 8, &st), MON_STOPPED);
	CHECK_CONTAINS(text(diag), "argument out of range");
	CHECK_EQ(call(PITH_HC_CONSOLE, 0xffffffff, &st), MON_STOPPED);
}

static void test_walltime_and_exit(void)
{
	struct pith_hc_walltime *w = AT(DATA);
	struct pith_hc_exit *e = AT(DATA + 64);
	int st = -1;

	setup();
	CHECK_EQ(call(PITH_HC_WALLTIME, DATA, &st), MON_CONTINUE);
	CHECK(w->nsec > 1700000000ULL * 1000000000ULL);
	/* OUT fields need writable guest memory. */
	CHECK_EQ(call(PITH_HC_WALLTIME, RODATA, &st), MON_STOPPED);
	CHECK_EQ(call(PITH_HC_WALLTIME, CODE, &st), MON_STOPPED);
	e->status = 7;
	CHECK_EQ(call(PITH_HC_EXIT, DATA + 64, &st), MON_EXITED);
	CHECK_EQ(st, 7);
	e->status = 0x1234;
	CHECK_EQ(call(PITH_HC_EXIT, DATA + 64, &st), MON_EXITED);
	CHECK_EQ(st, 0x34);
}

static void test_unknown_port(void)
{
	int st = -1;

	setup();
	CHECK_EQ(mon_hypercall(&hc, PITH_HC_PORT_BASE + PITH_HC_COUNT, DATA,
			       &st),
		 MON_STOPPED);
	CHECK_CONTAINS(text(diag), "no such hypercall port");
	CHECK_EQ(mon_hypercall(&hc, 0x80, DATA, &st), MON_STOPPED);
}

static void test_yield(void)
{
	struct pith_hc_yield *y = AT(DATA);
	int st;

	setup();
	*y = (struct pith_hc_yield){ 0, 99 };
	CHECK_EQ(call(PITH_HC_YIELD, DATA, &st), MON_CONTINUE);
	CHECK_EQ(y->ready, 0);
	CHECK_EQ(write(peer, "frame", 5), 5);
	y->timeout = 1000000000;
	CHECK_EQ(call(PITH_HC_YIELD, DATA, &st), MON_CONTINUE);
	CHECK_EQ(y->ready, 1); /* handle 0 */
	char drain[16];
	CHECK_EQ(read(dev[0].fd, drain, sizeof drain), 5);
	/* A timeout so large it is negative as a time_t still returns. */
	y->timeout = UINT64_MAX;
	CHECK_EQ(write(peer, "again", 5), 5);
	CHECK_EQ(call(PITH_HC_YIELD, DATA, &st), MON_CONTINUE);
	CHECK_EQ(read(dev[0].fd, drain, sizeof drain), 5);
}

static void test_net(void)
{
	struct pith_hc_net *c = AT(DATA);
	struct pith_hc_frame *f = AT(DATA + 64);
	char got[2000];
	int st;

	setup();
	/* Write: one good frame from read-only memory, then a runt. */
	memset(AT(RODATA), 0xab, 60);
	f[0] = (struct pith_hc_frame){ RODATA, 0, 60 };
	f[1] = (struct pith_hc_frame){ RODATA, 0, 13 };
	*c = (struct pith_hc_net){ 0, 2, DATA + 64, 99, 99 };
	CHECK_EQ(call(PITH_HC_NET_WRITE, DATA, &st), MON_CONTINUE);
	CHECK_EQ(c->done, 1);
	CHECK_EQ(c->result, PITH_HC_EINVAL);
	CHECK_EQ(read(peer, got, sizeof got), 60);
	f[0].len = MTU + 15; /* over the MTU */
	c->count = 1;
	CHECK_EQ(call(PITH_HC_NET_WRITE, DATA, &st), MON_CONTINUE);
	CHECK_EQ(c->result, PITH_HC_EINVAL);
	/* Read: empty, then two frames into the heap. */
	f[0] = (struct pith_hc_frame){ DATA + 0x1000, MTU + 14, 0 };
	f[1] = (struct pith_hc_frame){ DATA + 0x2000, MTU + 14, 0 };
	*c = (struct pith_hc_net){ 0, 2, DATA + 64, 0, 0 };
	CHECK_EQ(call(PITH_HC_NET_READ, DATA, &st), MON_CONTINUE);
	CHECK_EQ(c->result, PITH_HC_AGAIN);
	CHECK_EQ(c->done, 0);
	CHECK_EQ(write(peer, "first frame....", 15), 15);
	CHECK_EQ(write(peer, "second", 6), 6);
	CHECK_EQ(call(PITH_HC_NET_READ, DATA, &st), MON_CONTINUE);
	CHECK_EQ(c->result, PITH_HC_OK);
	CHECK_EQ(c->done, 2);
	CHECK_EQ(f[0].len, 15);
	CHECK_EQ(f[1].len, 6);
	CHECK(!memcmp(AT(DATA + 0x2000), "second", 6));
	CHECK_EQ(stats.frames_in[0], 2);
	/* A buffer too small for a frame is refused. */
	f[0].cap = MTU;
	c->count = 1;
	CHECK_EQ(call(PITH_HC_NET_READ, DATA, &st), MON_CONTINUE);
	CHECK_EQ(c->result, PITH_HC_EINVAL);
	/* Reading into read-only memory or code stops the guest. */
	f[0] = (struct pith_hc_frame){ RODATA, MTU + 14, 0 };
	CHECK_EQ(call(PITH_HC_NET_READ, DATA, &st), MON_STOPPED);
	CHECK_CONTAINS(text(diag), "net_read: frame buffer out of range");
	/* More frames than a batch, or an array out of range. */
	*c = (struct pith_hc_net){ 0, PITH_HC_NET_BATCH + 1, DATA + 64, 0, 0 };
	CHECK_EQ(call(PITH_HC_NET_WRITE, DATA, &st), MON_STOPPED);
	*c = (struct pith_hc_net){ 0, 4, SIZE - 16, 0, 0 };
	CHECK_EQ(call(PITH_HC_NET_WRITE, DATA, &st), MON_STOPPED);
	/* Another device's handle, or none: refused, guest goes on. */
	*c = (struct pith_hc_net){ 1, 1, DATA + 64, 0, 0 };
	CHECK_EQ(call(PITH_HC_NET_WRITE, DATA, &st), MON_CONTINUE);
	CHECK_EQ(c->result, PITH_HC_EINVAL);
	c->handle = 7;
	CHECK_EQ(call(PITH_HC_NET_READ, DATA, &st), MON_CONTINUE);
	CHECK_EQ(c->result, PITH_HC_EINVAL);
}

/* A write the host's queue refuses (AGAIN) makes the next yield wait
 * for the queue to drain too: the device is ready once it has room. */
static void test_net_full(void)
{
	struct pith_hc_net *c = AT(DATA + 0x3000);
	struct pith_hc_frame *f = AT(DATA + 0x3040);
	struct pith_hc_yield *y = AT(DATA);
	char got[2000];
	unsigned sent = 0;
	int st;

	setup();
	memset(AT(RODATA), 0xab, 60);
	f[0] = (struct pith_hc_frame){ RODATA, 0, 60 };
	do {
		*c = (struct pith_hc_net){ 0, 1, DATA + 0x3040, 0, 0 };
		CHECK_EQ(call(PITH_HC_NET_WRITE, DATA + 0x3000, &st),
			 MON_CONTINUE);
		sent += c->done;
	} while (c->result == PITH_HC_OK && sent < 100000);
	CHECK_EQ(c->result, PITH_HC_AGAIN);
	CHECK(sent > 0);
	*y = (struct pith_hc_yield){ 0, 99 };
	CHECK_EQ(call(PITH_HC_YIELD, DATA, &st), MON_CONTINUE);
	CHECK_EQ(y->ready, 0); /* still full */
	while (read(peer, got, sizeof got) > 0)
		;
	y->timeout = 1000000000;
	CHECK_EQ(call(PITH_HC_YIELD, DATA, &st), MON_CONTINUE);
	CHECK_EQ(y->ready, 1); /* room again */
	*c = (struct pith_hc_net){ 0, 1, DATA + 0x3040, 0, 0 };
	CHECK_EQ(call(PITH_HC_NET_WRITE, DATA + 0x3000, &st), MON_CONTINUE);
	CHECK_EQ(c->result, PITH_HC_OK);
	CHECK_EQ(read(peer, got, sizeof got), 60);
	y->timeout = 0;
	CHECK_EQ(call(PITH_HC_YIELD, DATA, &st), MON_CONTINUE);
	CHECK_EQ(y->ready, 0); /* a write that went through: no wish */
}

static void test_block(void)
{
	struct pith_hc_block *b = AT(DATA);
	int st;

	setup();
	memset(AT(DATA + 0x1000), 0x5a, 1024);
	*b = (struct pith_hc_block){ 1, 99, 512, DATA + 0x1000, 1024 };
	CHECK_EQ(call(PITH_HC_BLOCK_WRITE, DATA, &st), MON_CONTINUE);
	CHECK_EQ(b->result, PITH_HC_OK);
	*b = (struct pith_hc_block){ 1, 99, 0, DATA + 0x3000, 2048 };
	CHECK_EQ(call(PITH_HC_BLOCK_READ, DATA, &st), MON_CONTINUE);
	CHECK_EQ(b->result, PITH_HC_OK);
	CHECK_EQ(*(unsigned char *)AT(DATA + 0x3000), 0);
	CHECK_EQ(*(unsigned char *)AT(DATA + 0x3000 + 512), 0x5a);
	CHECK_EQ(*(unsigned char *)AT(DATA + 0x3000 + 1535), 0x5a);
	CHECK_EQ(*(unsigned char *)AT(DATA + 0x3000 + 1536), 0);
	static const struct {
		uint32_t handle;
		uint64_t off, len;
	} bad[] = {
		{ 1, 100, 512 },    { 1, 0, 100 },
		{ 1, 0, 0 },	    { 1, 65536, 512 },
		{ 1, 65024, 1024 }, { 0, 0, 512 },
		{ 9, 0, 512 },	    { 1, UINT64_MAX - 511, 1024 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		*b = (struct pith_hc_block){ bad[i].handle, 99, bad[i].off,
					     DATA + 0x1000, bad[i].len };
		CHECK_EQ(call(PITH_HC_BLOCK_READ, DATA, &st), MON_CONTINUE);
		CHECK_EQ(b->result, PITH_HC_EINVAL);
	}
	/* Reading into code stops the guest; a buffer past memory too. */
	*b = (struct pith_hc_block){ 1, 0, 0, CODE, 512 };
	CHECK_EQ(call(PITH_HC_BLOCK_READ, DATA, &st), MON_STOPPED);
	*b = (struct pith_hc_block){ 1, 0, 0, SIZE - 512, 1024 };
	CHECK_EQ(call(PITH_HC_BLOCK_WRITE, DATA, &st), MON_STOPPED);
}

static void test_abort_and_crash(void)
{
	struct pith_hc_abort *a = AT(DATA);
	struct pith_hc_crash *c = AT(DATA + 0x400);
	int st;

	setup();
	memcpy(AT(RODATA), "gave up\x01", 8);
	memset(a, 0, sizeof *a);
	*a = (struct pith_hc_abort){ RODATA, 8, PITH_EXIT_ABORT, { 0 } };
	CHECK_EQ(call(PITH_HC_ABORT, DATA, &st), MON_STOPPED);
	CHECK_EQ(st, PITH_EXIT_ABORT);
	CHECK_CONTAINS(text(diag), "pith: crash: abort: gave up?");
	setup();
	a->len = 4000; /* cut at 256 */
	a->code = 12;  /* not a crash status: becomes abort */
	CHECK_EQ(call(PITH_HC_ABORT, DATA, &st), MON_STOPPED);
	CHECK_EQ(st, PITH_EXIT_ABORT);
	setup();
	memset(c, 0, sizeof *c);
	c->vector = 14;
	c->error_code = 0;
	c->cr2 = 8;
	c->regs[16] = CODE + 0x10;
	CHECK_EQ(call(PITH_HC_CRASH, DATA + 0x400, &st), MON_STOPPED);
	CHECK_EQ(st, PITH_EXIT_SEGV);
	CHECK_CONTAINS(text(diag), "memory fault (#PF): null pointer "
				   "dereference (read of 0x8)");
	setup();
	c->vector = 1000;
	CHECK_EQ(call(PITH_HC_CRASH, DATA + 0x400, &st), MON_STOPPED);
	CHECK_CONTAINS(text(diag), "(#?): CPU exception 1000");
}

static const struct unit_test tests[] = {
	{ "console", test_console },
	{ "walltime_and_exit", test_walltime_and_exit },
	{ "unknown_port", test_unknown_port },
	{ "yield", test_yield },
	{ "net-full", test_net_full },
	{ "net", test_net },
	{ "block", test_block },
	{ "abort_and_crash", test_abort_and_crash },
};
const struct unit_suite suite_mon_hypercall =
	UNIT_SUITE("mon_hypercall", tests);
