/* printf of integers, floats and strings. The check compiles this same
 * file for the host (glibc) and compares the two outputs line by line. */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

int main(void)
{
	static const double floats[] = { 0.0,		-0.0,	 1.0,
					 0.1,		1.0 / 3, 2.5e-310,
					 6.02214076e23, -1e300,	 123456.789,
					 1e-5,		0.5,	 1.5 };
	static const long long ints[] = {
		0, 1, -1, 42, INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN
	};

	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		printf("int %lld|%+lld|%20lld|%-6lld|%llx|%llo|%#llx\n",
		       ints[i], ints[i], ints[i], ints[i],
		       (unsigned long long)ints[i], (unsigned long long)ints[i],
		       (unsigned long long)ints[i]);
	printf("u64 %" PRIu64 " %" PRIx64 "\n", UINT64_MAX, UINT64_MAX);
	printf("size %zu %zd\n", (size_t)-1, (ssize_t)-1);
	for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
		printf("float %f|%.3e|%g|%.17g|%10.2f|%-10.1f|\n", floats[i],
		       floats[i], floats[i], floats[i], floats[i], floats[i]);
	/* %a of normal numbers only: how a subnormal is normalised is up to
	 * the C library. */
	printf("hex %a %a %a %a\n", 1.0, 0.1, -1e300, 6.02214076e23);
	printf("long double %Lf %Lg\n", 3.14159265358979323846264L, 1.0L / 7);
	printf("string [%s] [%10s] [%-10s] [%.3s] [%c] [%%]\n", "pith", "right",
	       "left", "truncated", 'x');
	printf("pointer-free %5.1f%%\n", 99.5);
	return 0;
}
