/* Exit statuses: main's return value and pith_exit reach the host. */
#include "smoke.h"

int main(int argc, char **argv)
{
	int n = argc > 2 ? (int)smoke_atou(argv[2]) : 0;

	smoke_put("leaving with ");
	smoke_put_u64((uint64_t)n);
	smoke_put("\n");
	if (argc > 1 && smoke_streq(argv[1], "pith_exit"))
		pith_exit(n);
	return n;
}
