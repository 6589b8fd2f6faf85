/* Bare images: an application that links no libc (a smoke appliance for
 * hosts whose KVM cannot run SSE code, where musl cannot start). main is
 * called directly; the early TLS and its canary stay. */
#include "../x86.h"

int main(int, char **);

int x86_run_main(int argc, char **argv, const uint8_t *random)
{
	(void)random;
	return main(argc, argv);
}
