/* tcp-source: the appliance as a client. Connects to a peer and sends
 * it N bytes of a fixed pattern, then closes and reports.
 *
 *     pith run tcp-source.linux --net service=tap:IF -- --ipv4 A/P
 *         [--gateway G] --peer ADDR:PORT --bytes N [--copy 1]
 *         [--repeat K] [--stats-port N]
 *
 * Byte j of the stream is pattern[j % PATTERN_LEN], a table compiled into
 * the image; its period is prime so that a misplaced block shows.
 * By default the bytes go out through net_tcp_send_ref (zero copy: the
 * stack reads the table for every segment and calls back once the peer
 * has acknowledged each piece); --copy 1 uses net_tcp_send instead.
 * --repeat K sends K times, one connection after another. Prints
 * "tcp-source: sent N bytes in S s (M Mbit/s), R references acknowledged"
 * per connection and exits 0 when every byte was acknowledged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/service.h"
#include "pith/core.h"
#include "pith/net.h"

#define PATTERN_LEN 65521 /* a prime just below 64 KiB */

static unsigned char pattern[PATTERN_LEN];
static unsigned long long bytes, copy, repeat = 1;
static uint32_t peer;
static unsigned long long peer_port;
static unsigned long long acked_refs, failed_refs;
static struct core_waitq refs_done;
static int status = 1;

static void make_pattern(void)
{
	uint32_t x = 2463534242U;

	for (size_t i = 0; i < PATTERN_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pattern[i] = (unsigned char)x;
	}
}

static void ref_done(void *arg, int st)
{
	(void)arg;
	if (st == 0)
		acked_refs++;
	else
		failed_refs++;
	core_wake_all(&refs_done);
}

/* Queues LEN bytes of the stream at offset OFF. 0, or -errno. */
static int send_piece(struct net_tcp *c, unsigned long long off, size_t len)
{
	const unsigned char *p = pattern + off % PATTERN_LEN;
	ssize_t n;
	int r;

	if (!copy) {
		while ((r = net_tcp_send_ref(c, p, len, ref_done, 0)) ==
		       -ENOBUFS)
			core_wait(&refs_done, NET_FOREVER);
		return r;
	}
	n = net_tcp_send(c, p, len, NET_FOREVER);
	return n < 0 ? (int)n : 0;
}

static int one_connection(void)
{
	struct net_tcp *c;
	unsigned long long off = 0, refs0 = acked_refs;
	uint64_t t0 = pith_clock_monotonic(), t1;
	int r = net_tcp_connect(peer, (uint16_t)peer_port, &c, NET_FOREVER);
	char tmp[1];

	if (r < 0) {
		printf("tcp-source: connect: %s\n", strerror(-r));
		return r;
	}
	while (off < bytes) {
		size_t len = PATTERN_LEN - off % PATTERN_LEN;
		if (len > bytes - off)
			len = (size_t)(bytes - off);
		if ((r = send_piece(c, off, len)) < 0)
			break;
		off += len;
	}
	net_tcp_shutdown(c);
	/* Every byte is acknowledged when the peer's FIN follows ours. */
	while (r >= 0 && (r = (int)net_tcp_recv(c, tmp, 1, NET_FOREVER)) > 0)
		;
	t1 = pith_clock_monotonic();
	if (r == 0 && net_tcp_error(c))
		r = net_tcp_error(c);
	net_tcp_close(c);
	printf("tcp-source: sent %llu bytes in %.3f s (%.0f Mbit/s), %llu "
	       "references acknowledged%s%s\n",
	       off, (double)(t1 - t0) / 1e9,
	       (double)off * 8 / ((double)(t1 - t0) / 1e9) / 1e6,
	       acked_refs - refs0, r < 0 ? ", error: " : "",
	       r < 0 ? strerror(-r) : "");
	return r;
}

static void client(void *arg)
{
	(void)arg;
	net_wait_configured(NET_FOREVER);
	status = 0;
	for (unsigned long long i = 0; i < repeat; i++)
		if (one_connection() < 0)
			status = 1;
	fflush(stdout);
	core_stop();
}

static int set_peer(const char *v)
{
	char a[16];
	const char *colon = strchr(v, ':');

	if (!colon || (size_t)(colon - v) >= sizeof a)
		return -1;
	memcpy(a, v, (size_t)(colon - v));
	a[colon - v] = '\0';
	return net_parse_ipv4(a, &peer) < 0 ||
			       service_number(colon + 1, 65535, &peer_port) <
				       0 ||
			       !peer_port
		       ? -1
		       : 0;
}
static int set_bytes(const char *v)
{
	return service_number(v, 1ULL << 50, &bytes);
}
static int set_copy(const char *v)
{
	return service_number(v, 1, &copy);
}
static int set_repeat(const char *v)
{
	return service_number(v, 1000000, &repeat);
}

static const struct service_opt opts[] = {
	{ "peer", set_peer },
	{ "bytes", set_bytes },
	{ "copy", set_copy },
	{ "repeat", set_repeat },
};

int main(int argc, char **argv)
{
	if (service_start("tcp-source", argc, argv, opts,
			  sizeof opts / sizeof opts[0]) < 0)
		return 2;
	if (!peer) {
		fprintf(stderr, "tcp-source: --peer ADDR:PORT is needed\n");
		return 2;
	}
	make_pattern();
	core_fiber_spawn(client, 0, 0, "client");
	core_run();
	return status;
}
