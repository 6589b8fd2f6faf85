/* The Linux peer of bench/net: a UDP echo server (RFC 862) on PORT, one
 * recvfrom and one sendto per datagram, as a plain echo process does.
 *
 * usage: echo_server PORT */
#include <arpa/inet.h>
#include <err.h>
#include <stdlib.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static char buf[65536];
	int s;

	if (argc != 2)
		errx(2, "usage: echo_server PORT");
	a.sin_port = htons((uint16_t)atoi(argv[1]));
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0)
		err(1, "bind");
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof from;
		ssize_t n = recvfrom(s, buf, sizeof buf, 0,
				     (struct sockaddr *)&from, &len);
		if (n >= 0)
			sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from,
			       len);
	}
}
