/* crash: crashes in the way its first argument names, so the test can
 * check each crash report. Every crashing function is noinline so it
 * appears in the backtrace by name. */
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static const char message[] = "read-only";
static volatile int zero;
static volatile size_t overrun = 64;

NOINLINE static int crash_null(void)
{
	return *(volatile int *)(uintptr_t)(zero + 8);
}

NOINLINE static void crash_rodata(void)
{
	*(volatile char *)&message[zero] = 'X';
}

NOINLINE static void crash_text(void)
{
	*(volatile unsigned char *)(void *)crash_null = 0xc3;
}

NOINLINE static void crash_nx(void)
{
	static unsigned char code[16] = { 0xc3 }; /* ret, in .data */
	void (*fn)(void) = (void (*)(void))(void *)code;

	fn();
}

NOINLINE static int crash_recurse(int depth)
{
	volatile char frame[512];

	frame[zero] = (char)depth;
	/* The test on a volatile keeps the compiler from calling this
	 * infinite (which it is). */
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

NOINLINE static int crash_misaligned(void)
{
	static long words[2];
	unsigned long flags;

	/* Alignment checking: EFLAGS.AC, honoured in user mode. */
	__asm__ volatile("pushf; orl $0x40000, (%%rsp); popf" ::
				 : "memory", "cc");
	flags = *(volatile unsigned long *)((char *)words + 1 + zero);
	return (int)flags;
}

NOINLINE static void crash_smash(void)
{
	char buf[16];

	memset(buf, 'A', overrun);
	printf("%s\n", buf);
}

NOINLINE static void crash_syscall(void)
{
	int fd = open("/etc/passwd", O_RDONLY);

	printf("open returned %d\n", fd);
}

NOINLINE static void crash_double_free(void)
{
	char *volatile p = malloc(64);

	free(p);
	free(p);
}

/* A pointer malloc never returned: musl's allocator checks it and stops
 * the CPU with a hlt (a fault in user mode, a halt in ring 0). */
NOINLINE static void crash_bad_free(void)
{
	char *p = malloc(64);
	char *volatile q = p + 8 + zero;

	free(q);
	zero = 0; /* not a tail call: this frame stays in the backtrace */
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";
	int r = 0;

	printf("crash: %s\n", how);
	fflush(stdout);
	if (!strcmp(how, "null"))
		r = crash_null();
	else if (!strcmp(how, "rodata"))
		crash_rodata();
	else if (!strcmp(how, "text"))
		crash_text();
	else if (!strcmp(how, "nx"))
		crash_nx();
	else if (!strcmp(how, "stack-overflow"))
		r = crash_recurse(0);
	else if (!strcmp(how, "divide"))
		r = crash_divide();
	else if (!strcmp(how, "illegal"))
		crash_illegal();
	else if (!strcmp(how, "misaligned"))
		r = crash_misaligned();
	else if (!strcmp(how, "smash"))
		crash_smash();
	else if (!strcmp(how, "abort"))
		abort();
	else if (!strcmp(how, "assert"))
		assert(zero == 1);
	else if (!strcmp(how, "syscall"))
		crash_syscall();
	else if (!strcmp(how, "double-free"))
		crash_double_free();
	else if (!strcmp(how, "bad-free"))
		crash_bad_free();
	/* Not reached after a crash; keeps the calls above from being
	 * tail calls, so main stays in every backtrace. */
	printf("crash: nothing happened (%d)\n", r);
	return 0;
}
