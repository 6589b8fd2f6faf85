/* The floor for hello's boot time: the same greeting from a plain static
 * musl program, with no platform layer and no confinement. */
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec ts;

	printf("Hello from a static musl program!\n");
	for (int i = 1; i < argc; i++)
		printf("argument %d: %s\n", i, argv[i]);
	clock_gettime(CLOCK_REALTIME, &ts);
	printf("The time is %lld.\n", (long long)ts.tv_sec);
	return 0;
}
