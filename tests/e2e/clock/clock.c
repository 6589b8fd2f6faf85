/* Clocks and sleeping: the monotonic clock advances, a 20 ms sleep lasts
 * 20 ms (through libc's usleep, which lib/posix serves with pith_yield,
 * and through pith_yield directly), and the wall clock is the host's. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "pith/platform.h"

int main(void)
{
	uint64_t t0 = pith_clock_monotonic(), t1, t2, t3;
	volatile unsigned spin = 0;
	pith_handle_set ready = 1;
	struct timespec ts;

	while (pith_clock_monotonic() == t0)
		spin++;
	t1 = pith_clock_monotonic();
	printf("monotonic advanced: %s\n", t1 > t0 ? "yes" : "no");
	usleep(20000);
	t2 = pith_clock_monotonic();
	printf("usleep(20000) took %.3f ms\n", (t2 - t1) / 1e6);
	pith_yield(t2 + 20000000, &ready);
	t3 = pith_clock_monotonic();
	printf("pith_yield(+20 ms) took %.3f ms, ready set %llu\n",
	       (t3 - t2) / 1e6, (unsigned long long)ready);
	clock_gettime(CLOCK_REALTIME, &ts);
	printf("wall clock: %lld\n", (long long)ts.tv_sec);
	printf("pith wall clock: %llu\n",
	       (unsigned long long)(pith_clock_wall() / 1000000000u));
	return 0;
}
