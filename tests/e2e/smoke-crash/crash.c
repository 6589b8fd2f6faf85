/* CPU faults in ring 0, one per mode: the monitor reports each with the
 * reason in words and a backtrace symbolized from the image. */
#include "smoke.h"

#define NOINLINE __attribute__((noinline))

static volatile int zero;
static volatile unsigned long overrun = 64;
static unsigned char data_code[16] = { 0xc3 }; /* ret, in .data */

NOINLINE static int crash_null(void)
{
	return *(volatile int *)(uintptr_t)(zero + 8);
}

NOINLINE static void crash_text(void)
{
	*(volatile unsigned char *)(void *)crash_null = 0xc3;
}

NOINLINE static void crash_nx(void)
{
	((void (*)(void))(void *)data_code)();
}

NOINLINE static int crash_recurse(int depth)
{
	volatile char frame[512];

	frame[zero] = (char)depth;
	return zero == 0 ? crash_recurse(depth + 1) + frame[zero] : depth;
}

NOINLINE static int crash_divide(void)
{
	return 100 / zero;
}

NOINLINE static void crash_illegal(void)
{
	__builtin_trap();
}

NOINLINE static void fill(char *p, unsigned long n)
{
	while (n--)
		*p++ = 'A';
}

NOINLINE static void crash_smash(void)
{
	char buf[16];

	fill(buf, overrun);
}

/* A system call the libOS does not serve: open("/"). */
NOINLINE static long crash_syscall(void)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(2L), "D"("/"), "S"(0L)
			 : "rcx", "r11", "memory");
	return ret;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";
	long r = 0;

	smoke_put("crash: ");
	smoke_put(how);
	smoke_put("\n");
	if (smoke_streq(how, "null"))
		r = crash_null();
	else if (smoke_streq(how, "text"))
		crash_text();
	else if (smoke_streq(how, "nx"))
		crash_nx();
	else if (smoke_streq(how, "stack-overflow"))
		r = crash_recurse(0);
	else if (smoke_streq(how, "divide"))
		r = crash_divide();
	else if (smoke_streq(how, "illegal"))
		crash_illegal();
	else if (smoke_streq(how, "smash"))
		crash_smash();
	else if (smoke_streq(how, "abort"))
		pith_abort("the smoke test aborts");
	else if (smoke_streq(how, "syscall"))
		r = crash_syscall();
	/* Keeps the calls above from being tail calls: main stays in the
	 * backtraces. */
	smoke_put("crash: nothing happened ");
	smoke_put_u64((uint64_t)r);
	smoke_put("\n");
	return 0;
}
