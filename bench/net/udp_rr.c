/* UDP request/response client for bench/net: keeps WINDOW datagrams of
 * SIZE bytes in flight to ADDR:PORT for SECONDS and prints the rate of
 * answered requests and the share lost. Each answer is checked against
 * what was sent (sequence number and length).
 *
 * usage: udp_rr ADDR PORT SIZE WINDOW SECONDS
 * prints: "rate N/s answered N lost N" */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SIZE_MAX_BYTES 1472
#define LOSS_WAIT_MS   200 /* silence that counts the window as lost */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	unsigned char out[SIZE_MAX_BYTES], in[SIZE_MAX_BYTES + 1];
	uint64_t seq = 0, answered = 0, lost = 0, bad = 0;
	int s, size, window;
	double secs, start, end;

	if (argc != 6)
		errx(2, "usage: udp_rr ADDR PORT SIZE WINDOW SECONDS");
	size = atoi(argv[3]);
	window = atoi(argv[4]);
	secs = atof(argv[5]);
	if (size < 8 || size > SIZE_MAX_BYTES || window < 1 || secs <= 0 ||
	    inet_pton(AF_INET, argv[1], &a.sin_addr) != 1)
		errx(2, "bad arguments");
	a.sin_port = htons((uint16_t)atoi(argv[2]));
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0)
		err(1, "socket");
	memset(out, 0x5a, sizeof out);
	start = now_s();
	end = start + secs;
	for (int i = 0; i < window; i++, seq++) {
		memcpy(out, &seq, sizeof seq);
		send(s, out, (size_t)size, 0);
	}
	while (now_s() < end) {
		struct pollfd p = { s, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, LOSS_WAIT_MS) == 0) {
			/* Everything in flight is gone: count it, refill. */
			lost += (uint64_t)window;
			for (int i = 0; i < window; i++, seq++) {
				memcpy(out, &seq, sizeof seq);
				send(s, out, (size_t)size, 0);
			}
			continue;
		}
		n = recv(s, in, sizeof in, MSG_DONTWAIT);
		if (n < 0)
			continue;
		if (n != size || memcmp(in + 8, out + 8, (size_t)size - 8))
			bad++;
		answered++;
		memcpy(out, &seq, sizeof seq);
		seq++;
		send(s, out, (size_t)size, 0);
	}
	printf("rate %.0f/s answered %llu lost %llu bad %llu\n",
	       (double)answered / (now_s() - start),
	       (unsigned long long)answered, (unsigned long long)lost,
	       (unsigned long long)bad);
	return bad != 0;
}
