/* lib/posix clocks and sleeping, over the fake platform's clocks. */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "../../../lib/posix/impl.h"
#include "fake_platform.h"
#include "unit.h"

static void test_clocks(void)
{
	struct timespec ts;
	struct timeval tv;
	long t;

	fake_reset();
	CHECK_EQ(posix_clock_gettime(CLOCK_REALTIME, &ts), 0);
	CHECK_EQ(ts.tv_sec, 1700000000);
	CHECK_EQ(ts.tv_nsec, 123456789);
	CHECK_EQ(posix_clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	CHECK_EQ(ts.tv_sec, 1);
	CHECK_EQ(ts.tv_nsec, 0);
	CHECK_EQ(posix_clock_gettime(CLOCK_BOOTTIME, &ts), 0);
	CHECK_EQ(posix_clock_gettime(CLOCK_REALTIME_COARSE, &ts), 0);
	CHECK_EQ(posix_clock_gettime(42, &ts), -EINVAL);
	CHECK_EQ(posix_clock_gettime(-1, &ts), -EINVAL);
	CHECK_EQ(posix_gettimeofday(&tv), 0);
	CHECK_EQ(tv.tv_sec, 1700000000);
	CHECK_EQ(tv.tv_usec, 123456);
	CHECK_EQ(posix_gettimeofday(0), 0);
	CHECK_EQ(posix_time(&t), 1700000000);
	CHECK_EQ(t, 1700000000);
}

static void test_nanosleep(void)
{
	struct timespec ts = { 0, 20000000 };

	fake_reset();
	CHECK_EQ(posix_nanosleep(&ts), 0);
	CHECK_EQ(fake_mono, 1020000000ULL);
	CHECK(fake_yields >= 1);
	ts.tv_nsec = 1000000000;
	CHECK_EQ(posix_nanosleep(&ts), -EINVAL);
	ts.tv_nsec = -1;
	CHECK_EQ(posix_nanosleep(&ts), -EINVAL);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	CHECK_EQ(posix_nanosleep(&ts), -EINVAL);
	CHECK_EQ(fake_mono, 1020000000ULL);
}

static void test_clock_nanosleep(void)
{
	struct timespec ts = { 2, 0 };

	fake_reset();
	/* Absolute monotonic deadline. */
	CHECK_EQ(posix_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts), 0);
	CHECK_EQ(fake_mono, 2000000000ULL);
	/* An absolute deadline in the past returns at once. */
	ts.tv_sec = 1;
	CHECK_EQ(posix_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts), 0);
	CHECK_EQ(fake_mono, 2000000000ULL);
	/* Absolute wall deadline one second ahead of the wall clock. */
	ts.tv_sec = (time_t)(fake_wall / 1000000000ULL) + 1;
	ts.tv_nsec = (long)(fake_wall % 1000000000ULL);
	CHECK_EQ(posix_clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts), 0);
	CHECK_EQ(fake_mono, 3000000000ULL);
	/* Relative. */
	ts.tv_sec = 0;
	ts.tv_nsec = 5;
	CHECK_EQ(posix_clock_nanosleep(CLOCK_MONOTONIC, 0, &ts), 0);
	CHECK_EQ(fake_mono, 3000000005ULL);
	CHECK_EQ(posix_clock_nanosleep(99, 0, &ts), -EINVAL);
	/* A huge relative sleep saturates instead of wrapping to the past. */
	ts.tv_sec = 0x7fffffffffffffffLL;
	CHECK_EQ(posix_clock_nanosleep(CLOCK_MONOTONIC, 0, &ts), 0);
	CHECK_EQ(fake_mono, UINT64_MAX);
}

static const struct unit_test tests[] = {
	{ "clocks", test_clocks },
	{ "nanosleep", test_nanosleep },
	{ "clock_nanosleep", test_clock_nanosleep },
};
const struct unit_suite suite_time = UNIT_SUITE("posix_time", tests);
