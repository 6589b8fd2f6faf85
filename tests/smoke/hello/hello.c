/* The smoke hello: a bare appliance (no libc, SSE-free) that greets,
 * prints its arguments and the time through the platform contract only,
 * then exits 0. It runs where musl cannot: on a KVM that cannot execute
 * SSE arithmetic. */
#include "pith/platform.h"

static void put(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	pith_console_write(s, n);
}

static void put_u64(uint64_t v)
{
	char b[21];
	int i = 20;

	b[i] = '\0';
	do
		b[--i] = (char)('0' + v % 10);
	while (v /= 10);
	put(b + i);
}

int main(int argc, char **argv)
{
	put("Hello from pith!\n");
	for (int i = 1; i < argc; i++) {
		put("argument ");
		put_u64((uint64_t)i);
		put(": ");
		put(argv[i]);
		put("\n");
	}
	put("The time is ");
	put_u64(pith_clock_wall() / 1000000000u);
	put(" seconds since the epoch.\n");
	return 0;
}
