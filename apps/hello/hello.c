/* hello: the smallest pith appliance. Prints a greeting, its arguments and
 * the time, then exits 0. The date is computed here rather than with
 * gmtime/strftime, which would add libc's time-zone machinery (~6 KB) to
 * an image whose point is to be small. */
#include <stdio.h>
#include <time.h>

/* Converts days since 1970-01-01 to a civil date (proleptic Gregorian),
 * counting in 400-year eras of 146097 days. */
static void civil_date(long days, int *y, int *m, int *d)
{
	long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int main(int argc, char **argv)
{
	struct timespec ts;
	int y, m, d;
	long secs;

	printf("Hello from pith!\n");
	for (int i = 1; i < argc; i++)
		printf("argument %d: %s\n", i, argv[i]);
	clock_gettime(CLOCK_REALTIME, &ts);
	secs = (long)ts.tv_sec;
	civil_date(secs / 86400, &y, &m, &d);
	printf("The time is %04d-%02d-%02d %02ld:%02ld:%02ld UTC.\n", y, m, d,
	       secs % 86400 / 3600, secs % 3600 / 60, secs % 60);
	return 0;
}
