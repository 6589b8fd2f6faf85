/* Runs every unit test suite, or those named on the command line; prints
 * one line per test, the failed checks under a failed test, and the
 * closing "N passed, N failed". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

extern const struct unit_suite suite_fmt, suite_manifest, suite_size,
	suite_options, suite_match, suite_symbols, suite_crash, suite_names,
	suite_mem, suite_io, suite_time, suite_syscall;
extern const struct unit_suite suite_timer, suite_fiber, suite_netparse,
	suite_netstack, suite_arp, suite_reass;

static const struct unit_suite *const suites[] = {
	&suite_fmt,   &suite_manifest, &suite_size,	&suite_options,
	&suite_match, &suite_symbols,  &suite_crash,	&suite_names,
	&suite_mem,   &suite_io,       &suite_time,	&suite_syscall,
	&suite_timer, &suite_fiber,    &suite_netparse, &suite_netstack,
	&suite_arp,   &suite_reass,
};

/* The failed checks of the running test, printed after its FAIL line. */
static char report[8192];
static size_t report_len;
static int failed_checks;

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof report - report_len;
	int n;

	failed_checks++;
	n = snprintf(report + report_len, room, "    %s:%d: ", file, line);
	if (n > 0 && (size_t)n < room)
		report_len += (size_t)n;
	room = sizeof report - report_len;
	va_start(ap, fmt);
	n = vsnprintf(report + report_len, room, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n + 1 < room) {
		report_len += (size_t)n;
		report[report_len++] = '\n';
		report[report_len] = '\0';
	}
}

static int selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	setvbuf(stdout, 0, _IOLBF, 0);
	for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
		const struct unit_suite *su = suites[s];
		if (!selected(su->name, argc, argv))
			continue;
		for (size_t t = 0; t < su->count; t++) {
			failed_checks = 0;
			report_len = 0;
			report[0] = '\0';
			su->tests[t].fn();
			printf("%s unit/%s/%s\n",
			       failed_checks ? "FAIL" : "PASS", su->name,
			       su->tests[t].name);
			fputs(report, stdout);
			if (failed_checks)
				failed++;
			else
				passed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
