/* firstresp: exec to first successful HTTP response. Starts COMMAND
 * (vfork + exec), then tries every 100 us to connect to ADDR:PORT and
 * get a 200 for GET PATH; prints the microseconds from just before the
 * fork to the end of the first 200's status line, then kills the
 * server (SIGTERM, and SIGKILL after 1 s) and reaps it. The server's
 * standard output is sent to standard error.
 *
 * usage: firstresp ADDR PORT PATH COMMAND [ARGS...]
 * exit status: 0 measured, 1 no 200 within 10 s or the server died. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RETRY_NS 100000ULL /* between attempts */
#define CONNECT_MS                                                             \
	5 /* a SYN unanswered this long: try again (while the
			server is not up, SYNs are dropped, not refused) */
#define GIVE_UP_NS 10000000000ULL /* no answer in 10 s: a failure */

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* One attempt: 1 if a 200 came back, 0 otherwise. */
static int attempt(const struct sockaddr_in *a, const char *req)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), ok = 0;
	struct pollfd p = { .fd = s, .events = POLLIN };
	char buf[64];
	ssize_t n;

	struct pollfd w = { .fd = s, .events = POLLOUT };
	int e = 0;
	socklen_t elen = sizeof e;

	if (s < 0)
		err(1, "socket");
	fcntl(s, F_SETFL, O_NONBLOCK);
	if (connect(s, (const struct sockaddr *)a, sizeof *a) < 0 &&
	    (errno != EINPROGRESS || poll(&w, 1, CONNECT_MS) != 1 ||
	     getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &elen) < 0 || e)) {
		close(s);
		return 0;
	}
	fcntl(s, F_SETFL, 0);
	if (write(s, req, strlen(req)) == (ssize_t)strlen(req) &&
	    poll(&p, 1, 1000) == 1 && (n = read(s, buf, sizeof buf - 1)) > 12) {
		buf[n] = '\0';
		ok = !strncmp(buf, "HTTP/1.1 200", 12);
	}
	close(s);
	return ok;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char req[256];
	uint64_t t0, t;
	pid_t pid;
	int status, ok = 0;

	if (argc < 5)
		errx(2, "usage: firstresp ADDR PORT PATH COMMAND [ARGS...]");
	if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1)
		errx(2, "bad address %s", argv[1]);
	a.sin_port = htons((uint16_t)atoi(argv[2]));
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: b\r\n\r\n",
		 argv[3]);
	t0 = now_ns();
	pid = vfork();
	if (pid == 0) {
		/* The server's output goes to stderr: stdout is the number. */
		dup2(2, 1);
		execvp(argv[4], argv + 4);
		_exit(127);
	}
	if (pid < 0)
		err(1, "vfork");
	for (t = t0; t - t0 < GIVE_UP_NS; t = now_ns()) {
		if ((ok = attempt(&a, req)))
			break;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		struct timespec d = { 0, RETRY_NS };
		nanosleep(&d, 0);
	}
	t = now_ns();
	kill(pid, SIGTERM);
	for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(10000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (!ok)
		errx(1, "no 200 from %s:%s within 10 s", argv[1], argv[2]);
	printf("%.1f\n", (double)(t - t0) / 1000.0);
	return 0;
}
