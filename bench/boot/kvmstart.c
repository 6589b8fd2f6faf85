/* Times kvm monitors: for each run, the time from just before the spawn
 * to the command's first KVM_RUN (it prints "first KVM_RUN at monotonic
 * N ns" on stderr), and exec to exit. Commands are interleaved, RUNS
 * times each; prints per command the medians and 90th percentiles (us)
 * and the VM exits it reported.
 *
 * usage: kvmstart RUNS -- CMD1 ARGS... [--- CMD2 ARGS...]... */
#include <err.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CMDS_MAX 4

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

/* Runs ARGV once: *SETUP and *TOTAL in us, *EXITS as reported. */
static void run_once(char **argv, double *setup, double *total, long *exits)
{
	int p[2], st;
	pid_t pid;
	char out[8192], *at;
	size_t n = 0;
	ssize_t r;
	posix_spawn_file_actions_t fa;
	double t0;

	if (pipe(p) < 0)
		err(1, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	t0 = now_us();
	if (posix_spawn(&pid, argv[0], &fa, 0, argv, environ))
		err(1, "spawn %s", argv[0]);
	close(p[1]);
	while (n < sizeof out - 1 &&
	       (r = read(p[0], out + n, sizeof out - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	*total = now_us() - t0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		errx(1, "%s failed: %s", argv[0], out);
	at = strstr(out, "first KVM_RUN at monotonic ");
	if (!at)
		errx(1, "%s did not report its first KVM_RUN", argv[0]);
	*setup = strtoull(at + 27, 0, 10) / 1e3 - t0;
	at = strstr(out, " VM exits");
	while (at > out && at[-1] >= '0' && at[-1] <= '9')
		at--;
	*exits = at ? strtol(at, 0, 10) : -1;
	posix_spawn_file_actions_destroy(&fa);
}

int main(int argc, char **argv)
{
	char **cmd[CMDS_MAX];
	int ncmd = 0, runs;
	double *setup[CMDS_MAX], *total[CMDS_MAX];
	long exits[CMDS_MAX];

	if (argc < 4 || strcmp(argv[2], "--"))
		errx(2, "usage: kvmstart RUNS -- CMD... [--- CMD...]");
	runs = atoi(argv[1]);
	for (int i = 3; i < argc && ncmd < CMDS_MAX; i++) {
		cmd[ncmd++] = &argv[i];
		while (i < argc && strcmp(argv[i], "---"))
			i++;
		if (i < argc)
			argv[i] = 0;
	}
	for (int c = 0; c < ncmd; c++) {
		double a, b;
		setup[c] = calloc((size_t)runs, sizeof(double));
		total[c] = calloc((size_t)runs, sizeof(double));
		run_once(cmd[c], &a, &b, &exits[c]); /* warm up */
	}
	for (int r = 0; r < runs; r++)
		for (int c = 0; c < ncmd; c++)
			run_once(cmd[c], &setup[c][r], &total[c][r], &exits[c]);
	for (int c = 0; c < ncmd; c++) {
		qsort(setup[c], (size_t)runs, sizeof(double), cmp);
		qsort(total[c], (size_t)runs, sizeof(double), cmp);
		printf("%s %.1f %.1f %.1f %.1f %ld\n", cmd[c][0],
		       setup[c][runs / 2], setup[c][runs * 9 / 10],
		       total[c][runs / 2], total[c][runs * 9 / 10], exits[c]);
	}
	return 0;
}
