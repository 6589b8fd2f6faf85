/* A tiny table-driven unit test runner. A test file defines its tests and
 * one suite:
 *
 *     static void test_x(void) { CHECK(f(1) == 2); }
 *     static const struct unit_test tests[] = {{"x", test_x}};
 *     const struct unit_suite suite_foo = UNIT_SUITE("foo", tests);
 *
 * and runner.c lists the suite. A check that fails records file:line and
 * the test goes on; the runner prints one line per test and ends with
 * "N passed, N failed". */
#ifndef PITH_UNIT_H
#define PITH_UNIT_H

#include <stddef.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

struct unit_suite {
	const char *name;
	const struct unit_test *tests;
	size_t count;
};

#define UNIT_SUITE(name, tests)                                                \
	{                                                                      \
		name, tests, sizeof tests / sizeof tests[0]                    \
	}

/* Records a failure of the running test (printf-style message). */
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			unit_fail(__FILE__, __LINE__, "%s", #cond);            \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_)                                                  \
			unit_fail(__FILE__, __LINE__, "%s == %lld, want %lld", \
				  #a, a_, b_);                                 \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		if (!a_ || !b_ || strcmp(a_, b_))                              \
			unit_fail(__FILE__, __LINE__,                          \
				  "%s is \"%s\", want \"%s\"", #a,             \
				  a_ ? a_ : "(null)", b_ ? b_ : "(null)");     \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                            \
	do {                                                                   \
		const char *h_ = (hay), *n_ = (needle);                        \
		if (!h_ || !strstr(h_, n_))                                    \
			unit_fail(__FILE__, __LINE__, "\"%s\" lacks \"%s\"",   \
				  h_ ? h_ : "(null)", n_);                     \
	} while (0)

#endif
