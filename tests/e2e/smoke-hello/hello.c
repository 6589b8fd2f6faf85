/* The smoke hello: greets, prints its arguments and the time through the
 * platform contract only, then exits 0. Bare: it runs where musl cannot,
 * on a KVM that cannot execute SSE arithmetic. */
#include "smoke.h"

int main(int argc, char **argv)
{
	smoke_put("Hello from pith!\n");
	for (int i = 1; i < argc; i++) {
		smoke_put("argument ");
		smoke_put_u64((uint64_t)i);
		smoke_put(": ");
		smoke_put(argv[i]);
		smoke_put("\n");
	}
	smoke_put("The time is ");
	smoke_put_u64(pith_clock_wall() / 1000000000u);
	smoke_put(" seconds since the epoch.\n");
	return 0;
}
