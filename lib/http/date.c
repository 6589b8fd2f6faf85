/* HTTP dates (RFC 9110 5.6.7): formatted as IMF-fixdate, parsed in all
 * three formats a recipient must accept:
 *
 *   IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
 *   RFC 850      Sunday, 06-Nov-94 08:49:37 GMT
 *   asctime      Sun Nov  6 08:49:37 1994
 *
 * Civil dates convert to days with Howard Hinnant's algorithms (exact
 * for the proleptic Gregorian calendar, no tables, no libc time zone
 * code). */
#include "impl.h"

static const char days[7][4] = {
	"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"
}; /* 1970-01-01: Thu */
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const long_days[7] = { "Monday",   "Tuesday", "Wednesday",
					  "Thursday", "Friday",	 "Saturday",
					  "Sunday" };

#define SECS_PER_DAY 86400

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

struct civil {
	int64_t y;
	unsigned m, d, hh, mm, ss, wday; /* wday: 0 = Thursday */
};

static void civil_from_secs(int64_t s, struct civil *c)
{
	int64_t z = (s >= 0 ? s : s - (SECS_PER_DAY - 1)) / SECS_PER_DAY;
	int64_t secs = s - z * SECS_PER_DAY;

	c->hh = (unsigned)(secs / 3600);
	c->mm = (unsigned)(secs / 60 % 60);
	c->ss = (unsigned)(secs % 60);
	c->wday = (unsigned)(((z % 7) + 7) % 7);
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	c->d = doy - (153 * mp + 2) / 5 + 1;
	c->m = mp < 10 ? mp + 3 : mp - 9;
	c->y = (int64_t)yoe + era * 400 + (c->m <= 2);
}

static void two(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void http_date_format(int64_t seconds, char out[HTTP_DATE_LEN + 1])
{
	struct civil c;

	if (seconds < 0)
		seconds = 0;
	if (seconds > 253402300799) /* 9999-12-31T23:59:59 */
		seconds = 253402300799;
	civil_from_secs(seconds, &c);
	memcpy(out, days[c.wday], 3);
	memcpy(out + 3, ", ", 2);
	two(out + 5, c.d);
	out[7] = ' ';
	memcpy(out + 8, months[c.m - 1], 3);
	out[11] = ' ';
	two(out + 12, (unsigned)(c.y / 100));
	two(out + 14, (unsigned)(c.y % 100));
	out[16] = ' ';
	two(out + 17, c.hh);
	out[19] = ':';
	two(out + 20, c.mm);
	out[22] = ':';
	two(out + 23, c.ss);
	memcpy(out + 25, " GMT", 5);
}

void http_date_clf(int64_t seconds, char out[27])
{
	char d[HTTP_DATE_LEN + 1];

	/* "Sun, 06 Nov 1994 08:49:37 GMT" -> "06/Nov/1994:08:49:37 +0000" */
	http_date_format(seconds, d);
	memcpy(out, d + 5, 2);
	out[2] = '/';
	memcpy(out + 3, d + 8, 3);
	out[6] = '/';
	memcpy(out + 7, d + 12, 4);
	out[11] = ':';
	memcpy(out + 12, d + 17, 8);
	memcpy(out + 20, " +0000", 7);
}

/* N decimal digits at P: the value, or -1. */
static int digits(const uint8_t *p, unsigned n)
{
	int v = 0;

	for (unsigned i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static int month_of(const uint8_t *p)
{
	for (int i = 0; i < 12; i++)
		if (!memcmp(p, months[i], 3))
			return i + 1;
	return -1;
}

/* "HH:MM:SS" at P into seconds of the day, or -1. */
static int64_t time_of(const uint8_t *p)
{
	int h = digits(p, 2), m = digits(p + 3, 2), s = digits(p + 6, 2);

	if (p[2] != ':' || p[5] != ':' || h < 0 || h > 23 || m < 0 || m > 59 ||
	    s < 0 || s > 60)
		return -1;
	return h * 3600 + m * 60 + (s > 59 ? 59 : s);
}

static int assemble(int64_t y, int m, int d, int64_t t, int64_t *out)
{
	static const uint8_t mdays[12] = { 31, 29, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31 };

	if (y < 0 || m < 1 || d < 1 || d > mdays[m - 1] || t < 0)
		return -1;
	*out = days_from_civil(y, (unsigned)m, (unsigned)d) * SECS_PER_DAY + t;
	return 0;
}

static int day_name(const uint8_t *p, size_t len)
{
	for (int i = 0; i < 7; i++)
		if (len == 3 && !memcmp(p, days[i], 3))
			return 1;
	return 0;
}

int http_date_parse(const uint8_t *p, size_t len, int64_t *out)
{
	const uint8_t *comma = memchr(p, ',', len < 10 ? len : 10);

	if (len == 29 && comma == p + 3 && day_name(p, 3) &&
	    !memcmp(p + 4, " ", 1) && p[7] == ' ' && p[11] == ' ' &&
	    p[16] == ' ' && !memcmp(p + 25, " GMT", 4))
		return assemble(digits(p + 12, 4), month_of(p + 8),
				digits(p + 5, 2), time_of(p + 17), out);
	if (comma && len > 23 && comma[1] == ' ' && (size_t)(comma - p) < len) {
		size_t w = (size_t)(comma - p), i;
		const uint8_t *q = comma + 2;
		for (i = 0; i < 7; i++)
			if (strlen(long_days[i]) == w &&
			    !memcmp(p, long_days[i], w))
				break;
		if (i == 7 || len != w + 2 + 22 || q[2] != '-' || q[6] != '-' ||
		    q[9] != ' ' || memcmp(q + 18, " GMT", 4))
			return -1;
		int yy = digits(q + 7, 2);
		if (yy < 0)
			return -1;
		/* RFC 9110: a two-digit year more than 50 years in the
		 * future is in the past century; for today's dates, that
		 * is 70..99 -> 19xx. */
		return assemble(yy < 70 ? 2000 + yy : 1900 + yy,
				month_of(q + 3), digits(q, 2), time_of(q + 10),
				out);
	}
	if (len == 24 && day_name(p, 3) && p[3] == ' ' && p[7] == ' ' &&
	    p[10] == ' ' && p[19] == ' ') {
		int d = p[8] == ' ' ? digits(p + 9, 1) : digits(p + 8, 2);
		return assemble(digits(p + 20, 4), month_of(p + 4), d,
				time_of(p + 11), out);
	}
	return -1;
}
