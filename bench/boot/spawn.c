/* Times exec-to-exit of several commands, interleaved so that they share
 * the machine's state: round r runs command 0, 1, ... each once. Prints,
 * per command, the median and 90th percentile in microseconds.
 *
 * usage: spawn RUNS -- [=STATUS] CMD1 ARGS... [--- [=STATUS] CMD2 ARGS...]...
 * Standard output of the commands goes to /dev/null. Each must exit with
 * STATUS (default 0). */
#include <err.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CMDS_MAX 8

extern char **environ;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double run_once(char **argv, int want, posix_spawn_file_actions_t *fa)
{
	pid_t pid;
	int st;
	double t0 = now_us();

	if (posix_spawn(&pid, argv[0], fa, 0, argv, environ))
		err(1, "spawn %s", argv[0]);
	if (waitpid(pid, &st, 0) < 0)
		err(1, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != want)
		errx(1, "%s failed (status %#x)", argv[0], st);
	return now_us() - t0;
}

int main(int argc, char **argv)
{
	char **cmd[CMDS_MAX];
	int ncmd = 0, runs, want[CMDS_MAX];
	double *t[CMDS_MAX];
	posix_spawn_file_actions_t fa;

	if (argc < 4 || strcmp(argv[2], "--"))
		errx(2, "usage: spawn RUNS -- CMD... [--- CMD...]");
	runs = atoi(argv[1]);
	for (int i = 3; i < argc && ncmd < CMDS_MAX; i++) {
		want[ncmd] = argv[i][0] == '=' ? atoi(argv[i++] + 1) : 0;
		if (i >= argc)
			errx(2, "=STATUS without a command");
		cmd[ncmd++] = &argv[i];
		while (i < argc && strcmp(argv[i], "---"))
			i++;
		if (i < argc)
			argv[i] = 0;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (int c = 0; c < ncmd; c++) {
		t[c] = calloc((size_t)runs, sizeof(double));
		run_once(cmd[c], want[c], &fa); /* warm the page cache */
	}
	for (int r = 0; r < runs; r++)
		for (int c = 0; c < ncmd; c++)
			t[c][r] = run_once(cmd[c], want[c], &fa);
	for (int c = 0; c < ncmd; c++) {
		qsort(t[c], (size_t)runs, sizeof(double), cmp);
		printf("%s %.1f %.1f\n", cmd[c][0], t[c][runs / 2],
		       t[c][runs * 9 / 10]);
	}
	return 0;
}
