/* Crash reports: fault classification, the report's text, the backtrace
 * over a fake stack and code, and system-call names. */
#include <stdlib.h>

#include "crash.h"
#include "fake_platform.h"
#include "syscall_names.h"
#include "unit.h"

#define GUARD_LO 0x7000000ULL
#define GUARD_HI 0x7010000ULL

static void test_explain(void)
{
	static const struct {
		uint64_t addr;
		unsigned err;
		const char *text;
	} cases[] = {
		{ 0x8, 0, "null pointer dereference (read of 0x8)" },
		{ 0xfff0, PITH_PF_WRITE,
		  "null pointer dereference (write of 0xfff0)" },
		{ GUARD_LO + 8, PITH_PF_WRITE,
		  "stack overflow into the guard page (write of 0x7000008)" },
		{ GUARD_HI - 1, 0, "stack overflow" },
		{ GUARD_HI, 0,
		  "access to unmapped memory (read of 0x7010000)" },
		{ 0x410000, PITH_PF_PRESENT | PITH_PF_FETCH,
		  "execution of non-executable memory (execute of 0x410000)" },
		{ 0x400100, PITH_PF_PRESENT | PITH_PF_WRITE,
		  "write to read-only memory (write of 0x400100)" },
		{ 0x400100, PITH_PF_PRESENT, "access to protected memory" },
		{ 0x12345678, PITH_PF_FETCH,
		  "access to unmapped memory (execute" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pith_crash c = { 0 };

		pith_crash_explain_fault(&c, cases[i].addr, cases[i].err,
					 GUARD_LO, GUARD_HI);
		CHECK_CONTAINS(c.reason, cases[i].text);
	}
}

/* A fake machine: code at 0x1000 (f framed, leaf frameless, g framed),
 * a stack at 0x9000. */
static unsigned char code[0x300];
static uint64_t stack[64];
#define CODE  0x1000ULL
#define STACK 0x9000ULL

static const struct fake_sym syms[] = {
	{ CODE + 0x000, 0x100, "main" },
	{ CODE + 0x100, 0x100, "leaf" },
	{ CODE + 0x200, 0x100, "framed" },
	{ 0, 0, 0 },
};

static int fake_peek(uint64_t addr, void *buf, size_t len)
{
	if (addr >= CODE && addr + len <= CODE + sizeof code)
		memcpy(buf, code + (addr - CODE), len);
	else if (addr >= STACK && addr + len <= STACK + sizeof stack)
		memcpy(buf, (char *)stack + (addr - STACK), len);
	else
		return -1;
	return 0;
}

/* Puts "call TARGET" at code offset AT; returns the return address. */
static uint64_t put_call(uint64_t at, uint64_t target)
{
	int32_t rel = (int32_t)(target - (CODE + at + 5));

	code[at] = 0xe8;
	memcpy(code + at + 1, &rel, 4);
	return CODE + at + 5;
}

static char out[4096];
static size_t out_len;

static void collect(const char *s, size_t n)
{
	if (out_len + n < sizeof out) {
		memcpy(out + out_len, s, n);
		out_len += n;
		out[out_len] = '\0';
	}
}

static void machine(struct pith_crash *c)
{
	static const unsigned char prologue[] = { 0x55, 0x48, 0x89, 0xe5 };

	memset(code, 0x90, sizeof code);
	memset(stack, 0, sizeof stack);
	memcpy(code, prologue, sizeof prologue);	 /* main */
	memcpy(code + 0x200, prologue, sizeof prologue); /* framed */
	fake_syms = syms;
	memset(c, 0, sizeof *c);
	c->peek = fake_peek;
	c->have_regs = 1;
	out_len = 0;
}

static void test_leaf_backtrace(void)
{
	struct pith_crash c;
	uint64_t ret_main, ret_outer;

	machine(&c);
	ret_main = put_call(0x40, CODE + 0x100);
	/* main's frame at stack[8]: saved rbp 0 and its return address. */
	ret_outer = CODE + 0x2ff;
	stack[8] = 0;
	stack[9] = ret_outer;
	/* leaf was called by main: the return address on top. */
	stack[0] = ret_main;
	c.regs.rip = CODE + 0x110;
	c.regs.rsp = STACK;
	c.regs.rbp = STACK + 8 * 8;
	c.code = PITH_EXIT_SEGV;
	c.cause = "SIGSEGV";
	strcpy(c.reason, "null pointer dereference (read of 0x8)");
	CHECK_EQ(pith_crash_leaf_return(&c), ret_main);
	CHECK_EQ(pith_crash_report(&c, collect), PITH_EXIT_SEGV);
	CHECK_CONTAINS(out, "pith: crash: memory fault (SIGSEGV): null pointer "
			    "dereference (read of 0x8)\n");
	CHECK_CONTAINS(out, "  at 0x0000000000001110 leaf+0x10\n");
	CHECK_CONTAINS(out, "    #0  0x0000000000001110 leaf+0x10\n");
	CHECK_CONTAINS(out, "    #1  0x0000000000001045 main+0x45\n");
	CHECK_CONTAINS(out, "    #2  0x00000000000012ff framed+0xff\n");
	CHECK_CONTAINS(out, "rip    0x0000000000001110");
	CHECK_CONTAINS(out, "rflags 0x");
	CHECK_CONTAINS(out, "pith: appliance stopped with exit status 243 "
			    "(memory fault)\n");
}

static void test_framed_backtrace(void)
{
	struct pith_crash c;

	machine(&c);
	/* Crash inside "framed" after its prologue: no leaf frame. */
	c.regs.rip = CODE + 0x210;
	c.regs.rsp = STACK;
	c.regs.rbp = STACK + 8 * 4;
	stack[0] = put_call(0x40, CODE + 0x200); /* a stale word */
	stack[4] = STACK + 8 * 10;
	stack[5] = CODE + 0x50;
	stack[10] = 0;
	stack[11] = CODE + 0x120;
	CHECK_EQ(pith_crash_leaf_return(&c), 0);
	pith_crash_report(&c, collect);
	CHECK_CONTAINS(out, "#1  0x0000000000001050 main+0x50\n");
	CHECK_CONTAINS(out, "#2  0x0000000000001120 leaf+0x20\n");
	CHECK(!strstr(out, "#3"));
}

static void test_bad_stack(void)
{
	struct pith_crash c;

	machine(&c);
	/* A frame pointer outside the stack, a loop, and a misaligned one
	 * all end the walk instead of faulting or spinning. */
	c.regs.rip = CODE + 0x210;
	c.regs.rbp = 0xdead0000;
	pith_crash_report(&c, collect);
	CHECK(!strstr(out, "#1"));
	machine(&c);
	c.regs.rip = CODE + 0x210;
	c.regs.rbp = STACK + 16;
	stack[2] = STACK + 16; /* points at itself */
	stack[3] = CODE + 0x10;
	pith_crash_report(&c, collect);
	CHECK_CONTAINS(out, "#1");
	CHECK(!strstr(out, "#2"));
	machine(&c);
	c.regs.rip = CODE + 0x210;
	c.regs.rbp = STACK + 3;
	pith_crash_report(&c, collect);
	CHECK(!strstr(out, "#1"));
}

static void test_no_location(void)
{
	struct pith_crash c;

	machine(&c);
	c.code = PITH_EXIT_ABORT;
	strcpy(c.reason, "abort() called");
	pith_crash_report(&c, collect);
	CHECK_STR(out,
		  "pith: crash: abort: abort() called\n"
		  "pith: appliance stopped with exit status 249 (abort)\n");
	CHECK_STR(pith_crash_kind(PITH_EXIT_SYSCALL), "blocked system call");
	CHECK(pith_crash_kind(0) == 0);
}

static const struct unit_test crash_tests[] = {
	{ "explain", test_explain },
	{ "leaf_backtrace", test_leaf_backtrace },
	{ "framed_backtrace", test_framed_backtrace },
	{ "bad_stack", test_bad_stack },
	{ "no_location", test_no_location },
};
const struct unit_suite suite_crash = UNIT_SUITE("crash", crash_tests);

static void test_names(void)
{
	CHECK_STR(pith_syscall_name(0), "read");
	CHECK_STR(pith_syscall_name(2), "open");
	CHECK_STR(pith_syscall_name(231), "exit_group");
	CHECK_STR(pith_syscall_name(450), "set_mempolicy_home_node");
	CHECK(pith_syscall_name(-1) == 0);
	CHECK(pith_syscall_name(400) == 0); /* unused number */
	CHECK(pith_syscall_name(100000) == 0);
}

static const struct unit_test name_tests[] = { { "lookup", test_names } };
const struct unit_suite suite_names = UNIT_SUITE("syscall_names", name_tests);
