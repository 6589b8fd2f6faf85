/* Clocks without libc: the monotonic clock (the TSC, no exit) advances,
 * a 20 ms pith_yield lasts 20-40 ms, the wall clock is the host's. */
#include "smoke.h"

int main(void)
{
	uint64_t t0 = pith_clock_monotonic(), t1, t2;
	pith_handle_set ready = 1;

	while ((t1 = pith_clock_monotonic()) == t0)
		;
	smoke_put(t1 > t0 ? "monotonic advanced: yes\n" : "monotonic: no\n");
	pith_yield(t1 + 20000000, &ready);
	t2 = pith_clock_monotonic();
	smoke_put("pith_yield(+20 ms) took ");
	smoke_put_u64((t2 - t1) / 1000);
	smoke_put(" us, ready set ");
	smoke_put_u64(ready);
	smoke_put("\npith wall clock: ");
	smoke_put_u64(pith_clock_wall() / 1000000000u);
	smoke_put("\n");
	return 0;
}
