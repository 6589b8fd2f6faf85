/* Raw-frame echo without libc: frames of the test EtherType go back to
 * their sender, a batch per wake-up (one exit for the reads, one for the
 * writes); "STOP" ends the run with statistics. */
#include "smoke.h"

#define ETHERTYPE_TEST 0x88b5
#define BATCH	       32
#define FRAME	       1514
#define IDLE_NS	       20000000000ULL /* give up after 20 s without frames */

static unsigned char bufs[BATCH][FRAME];

int main(void)
{
	struct pith_frame in[BATCH], out[BATCH];
	struct pith_net_info info;
	uint64_t echoed = 0, batches = 0, largest = 0;
	pith_handle h;
	int stop = 0;

	if (pith_net_acquire("service", &h) != PITH_OK ||
	    pith_net_info(h, &info) != PITH_OK || info.mtu + 14 > FRAME)
		return 2;
	for (int i = 0; i < BATCH; i++)
		in[i] = (struct pith_frame){ bufs[i], FRAME, 0, 0, 0 };
	smoke_put("net-echo: ready, mtu ");
	smoke_put_u64(info.mtu);
	smoke_put("\n");
	while (!stop) {
		pith_handle_set ready;
		size_t n, k = 0, sent;

		pith_yield(pith_clock_monotonic() + IDLE_NS, &ready);
		if (!(ready & (1ULL << h))) {
			smoke_put("net-echo: no frame for 20 s\n");
			return 1;
		}
		if (pith_net_read_batch(h, in, BATCH, &n) == PITH_EUNSPEC)
			return 3;
		batches += n > 0;
		largest = n > largest ? n : largest;
		for (size_t i = 0; i < n; i++) {
			unsigned char *f = in[i].buf;
			if (in[i].len < 18 || f[12] != 0x88 || f[13] != 0xb5)
				continue;
			if (f[14] == 'S' && f[15] == 'T' && f[16] == 'O' &&
			    f[17] == 'P')
				stop = 1;
			for (int j = 0; j < 6; j++) {
				f[j] = f[6 + j];
				f[6 + j] = info.mac[j];
			}
			out[k++] = in[i];
		}
		if (pith_net_write_batch(h, out, k, &sent) != PITH_OK ||
		    sent != k)
			return 4;
		echoed += k;
	}
	smoke_put("net-echo: echoed ");
	smoke_put_u64(echoed);
	smoke_put(" frames in ");
	smoke_put_u64(batches);
	smoke_put(" batches (largest ");
	smoke_put_u64(largest);
	smoke_put(")\n");
	return 0;
}
