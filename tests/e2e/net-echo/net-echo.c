/* Raw-frame echo: every frame of the test EtherType that arrives on
 * `service` goes back to its sender, in batches (one read and one write
 * call per wake-up). A frame whose payload starts with "STOP" ends the
 * run with statistics. Other frames are counted and ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pith/param.h"
#include "pith/platform.h"

#define ETHERTYPE_TEST 0x88b5 /* IEEE local experimental */
#define BATCH	       32
#define IDLE_NS	       10000000000ULL /* give up after 10 s without frames */

static void refusals(pith_handle h, size_t frame_max)
{
	static unsigned char big[PITH_FRAME_MAX + 16];
	size_t len = 99;
	int over = pith_net_write(h, big, frame_max + 1);
	int runt = pith_net_write(h, big, 13);
	int shrt = pith_net_read(h, big, frame_max - 1, &len);

	printf("net-echo: oversize write %d, runt write %d, short read %d, "
	       "len %zu\n",
	       over, runt, shrt, len);
}

int main(void)
{
	struct pith_frame in[BATCH], out[BATCH];
	struct pith_net_info info;
	unsigned long echoed = 0, ignored = 0, batches = 0, max_batch = 0;
	pith_handle h;
	int stop = 0;

	if (pith_net_acquire("service", &h) != PITH_OK ||
	    pith_net_info(h, &info) != PITH_OK)
		return 2;
	size_t cap = info.mtu + 14;
	for (int i = 0; i < BATCH; i++) {
		in[i].buf = malloc(cap);
		in[i].cap = cap;
		in[i].gso_size = 0; /* echoed as ordinary frames */
	}
	refusals(h, cap);
	printf("net-echo: ready, mtu %zu, mac %02x:%02x:%02x:%02x:%02x:%02x\n",
	       info.mtu, info.mac[0], info.mac[1], info.mac[2], info.mac[3],
	       info.mac[4], info.mac[5]);
	fflush(stdout);
	while (!stop) {
		pith_handle_set ready;
		size_t n, k = 0, sent;

		pith_yield(pith_clock_monotonic() + IDLE_NS, &ready);
		if (!(ready & (1ULL << h))) {
			printf("net-echo: no frame for 10 s\n");
			return 1;
		}
		if (pith_net_read_batch(h, in, BATCH, &n) == PITH_EUNSPEC)
			return 3;
		batches += n > 0;
		max_batch = n > max_batch ? n : max_batch;
		for (size_t i = 0; i < n; i++) {
			unsigned char *f = in[i].buf;
			if (in[i].len < 14 || f[12] != ETHERTYPE_TEST >> 8 ||
			    f[13] != (ETHERTYPE_TEST & 0xff)) {
				ignored++;
				continue;
			}
			if (in[i].len >= 18 && !memcmp(f + 14, "STOP", 4))
				stop = 1;
			memcpy(f, f + 6, 6);
			memcpy(f + 6, info.mac, 6);
			out[k++] = in[i];
		}
		if (pith_net_write_batch(h, out, k, &sent) != PITH_OK ||
		    sent != k)
			return 4;
		echoed += k;
	}
	printf("net-echo: echoed %lu frames in %lu batches (largest %lu), "
	       "ignored %lu\n",
	       echoed, batches, max_batch, ignored);
	return 0;
}
