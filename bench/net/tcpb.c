/* tcpb: the TCP clients and the Linux peer of bench/net/tcp, one program
 * with a subcommand per role; each prints one line "NAME VALUE UNIT".
 *
 *   rr ADDR PORT SECONDS           1-byte ping-pong on one connection
 *                                  (TCP_NODELAY): round trips a second
 *   send ADDR PORT SECONDS         writes 64 KiB blocks for SECONDS,
 *                                  then shuts down and waits for the
 *                                  peer's close: Mbit/s
 *   sink PORT COUNT                accepts COUNT connections one after
 *                                  another, reads each to its end:
 *                                  Mbit/s of each, from first byte to end
 *   source ADDR PORT BYTES         connects and writes BYTES (the Linux
 *                                  peer's counterpart of tcp-source)
 *   connect ADDR PORT SECONDS      connect, shutdown, read to the end,
 *                                  close, again: connections a second
 *   idle ADDR PORT N SECONDS       opens N connections, holds them
 *   server echo|sink PORT          the Linux peer: an epoll server that
 *                                  echoes or discards, any number of
 *                                  connections, until killed
 *
 * Built by bench/net/tcp with the host's gcc; runs on the host. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BLOCK	   65536
#define EVENTS_MAX 256

static char buf[BLOCK];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static struct sockaddr_in addr_of(const char *a, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)atoi(port)) };

	if (inet_pton(AF_INET, a, &sa.sin_addr) != 1) {
		fprintf(stderr, "tcpb: bad address %s\n", a);
		exit(2);
	}
	return sa;
}

static int dial(const struct sockaddr_in *sa)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (s < 0)
		die("socket");
	if (connect(s, (const struct sockaddr *)sa, sizeof *sa) < 0)
		die("connect");
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return s;
}

static int listener(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)atoi(port)) };
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(s, 4096) < 0)
		die("listen");
	return s;
}

static int rr(char **a)
{
	struct sockaddr_in sa = addr_of(a[0], a[1]);
	int s = dial(&sa);
	double end = now() + atof(a[2]), t0 = now();
	long n = 0;
	char c = 'x';

	while (now() < end) {
		if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1)
			die("ping-pong");
		n++;
	}
	printf("rr %.0f /s\n", (double)n / (now() - t0));
	return 0;
}

static int send_for(char **a)
{
	struct sockaddr_in sa = addr_of(a[0], a[1]);
	int s = dial(&sa);
	double t0 = now(), end = t0 + atof(a[2]);
	long long bytes = 0;

	while (now() < end) {
		ssize_t n = write(s, buf, sizeof buf);
		if (n < 0)
			die("write");
		bytes += n;
	}
	shutdown(s, SHUT_WR);
	while (read(s, buf, sizeof buf) > 0)
		;
	printf("send %.0f Mbit/s\n", (double)bytes * 8 / (now() - t0) / 1e6);
	close(s);
	return 0;
}

static int sink(char **a)
{
	int l = listener(a[0]), count = atoi(a[1]);

	printf("listening\n");
	fflush(stdout);
	for (int i = 0; i < count; i++) {
		int c = accept(l, 0, 0);
		long long bytes = 0;
		double t0 = 0;
		ssize_t n;
		if (c < 0)
			die("accept");
		while ((n = read(c, buf, sizeof buf)) > 0) {
			if (!bytes)
				t0 = now();
			bytes += n;
		}
		printf("sink %.0f Mbit/s (%lld bytes)\n",
		       (double)bytes * 8 / (now() - t0) / 1e6, bytes);
		fflush(stdout);
		close(c);
	}
	return 0;
}

static int source(char **a)
{
	struct sockaddr_in sa = addr_of(a[0], a[1]);
	int s = dial(&sa);
	long long left = atoll(a[2]);

	while (left > 0) {
		ssize_t n = write(s, buf,
				  left < (long long)sizeof buf ? (size_t)left
							       : sizeof buf);
		if (n < 0)
			die("write");
		left -= n;
	}
	shutdown(s, SHUT_WR);
	while (read(s, buf, sizeof buf) > 0)
		;
	close(s);
	return 0;
}

static int connect_rate(char **a)
{
	struct sockaddr_in sa = addr_of(a[0], a[1]);
	double t0 = now(), end = t0 + atof(a[2]);
	long n = 0;

	while (now() < end) {
		int s = dial(&sa);
		shutdown(s, SHUT_WR);
		while (read(s, buf, sizeof buf) > 0)
			;
		close(s);
		n++;
	}
	printf("connect %.0f /s\n", (double)n / (now() - t0));
	return 0;
}

static int idle(char **a)
{
	struct sockaddr_in sa = addr_of(a[0], a[1]);
	int n = atoi(a[2]);
	int *s = calloc((size_t)n, sizeof *s);

	for (int i = 0; i < n; i++)
		s[i] = dial(&sa);
	printf("idle %d connections\n", n);
	fflush(stdout);
	sleep((unsigned)atoi(a[3]));
	for (int i = 0; i < n; i++)
		close(s[i]);
	return 0;
}

static void serve_one(int ep, int fd, int echo)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n > 0) {
			/* Echo: blocking writes keep it simple; the client
			 * reads concurrently. */
			for (ssize_t off = 0; echo && off < n;) {
				ssize_t w =
					write(fd, buf + off, (size_t)(n - off));
				if (w < 0 && errno != EAGAIN)
					break;
				off += w > 0 ? w : 0;
			}
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			return;
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, 0);
		close(fd);
		return;
	}
}

static _Noreturn int server(char **a)
{
	int echo = !strcmp(a[0], "echo"), l = listener(a[1]);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = l };
	struct epoll_event evs[EVENTS_MAX];

	signal(SIGPIPE, SIG_IGN);
	fcntl(l, F_SETFL, O_NONBLOCK);
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, EVENTS_MAX, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd, c, one = 1;
			if (fd != l) {
				serve_one(ep, fd, echo);
				continue;
			}
			while ((c = accept4(l, 0, 0, SOCK_NONBLOCK)) >= 0) {
				struct epoll_event e = { .events = EPOLLIN,
							 .data.fd = c };
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
					   sizeof one);
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
			}
		}
	}
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int args;
		int (*fn)(char **);
	} cmds[] = {
		{ "rr", 3, rr },
		{ "send", 3, send_for },
		{ "sink", 2, sink },
		{ "source", 3, source },
		{ "connect", 3, connect_rate },
		{ "idle", 4, idle },
		{ "server", 2, server },
	};

	for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name) && argc - 2 == cmds[i].args)
			return cmds[i].fn(argv + 2);
	fprintf(stderr, "usage: see bench/net/tcpb.c\n");
	return 2;
}
