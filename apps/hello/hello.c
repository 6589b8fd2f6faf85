/* hello: the smallest pith appliance. Prints a greeting, its arguments and
 * the time, then exits 0.
 *
 * It writes with stdio's puts and fputs and formats its few numbers
 * itself: printf brings musl's float, wide-character and locale code
 * (13 KiB, a fifth of the image), and gmtime/strftime its time-zone
 * machinery; hello shows what an appliance costs without them. The
 * printf e2e test shows printf working. */
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

/* Writes V in decimal, zero-padded to WIDTH digits, then SEP. */
static void put_num(long v, int width, const char *sep)
{
	char b[24];
	int i = sizeof b - 1;

	b[i] = '\0';
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (--width > 0 || v);
	fputs(b + i, stdout);
	fputs(sep, stdout);
}

int main(int argc, char **argv)
{
	struct timespec ts;
	int y, m, d;
	long secs;

	puts("Hello from pith!");
	for (int i = 1; i < argc; i++) {
		fputs("argument ", stdout);
		put_num(i, 1, ": ");
		puts(argv[i]);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	secs = (long)ts.tv_sec;
	civil_date(secs / 86400, &y, &m, &d);
	fputs("The time is ", stdout);
	put_num(y, 4, "-");
	put_num(m, 2, "-");
	put_num(d, 2, " ");
	put_num(secs % 86400 / 3600, 2, ":");
	put_num(secs % 3600 / 60, 2, ":");
	put_num(secs % 60, 2, " UTC.\n");
	return 0;
}
