/* Exit statuses: exit(N), return N from main and _Exit(N) all reach the
 * host, and exit() flushes what stdio buffered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc < 2)
		return 1;
	/* No newline: stays buffered until exit() flushes it. */
	printf("leaving with %d", n);
	if (!strcmp(argv[1], "exit"))
		exit(n);
	if (!strcmp(argv[1], "_Exit")) {
		fflush(stdout);
		_Exit(n);
	}
	return n;
}
