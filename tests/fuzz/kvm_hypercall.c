/* libFuzzer harness: the kvm monitor's hypercall dispatcher against a
 * fake guest whose memory and calls come from the input.
 *
 * Input: a 16-bit length L, L bytes (at most 16 KiB) copied into guest
 * data memory, then records of 5 bytes: a hypercall number and a 32-bit
 * argument address. The guest
 * has code, read-only and data regions, a net device (a datagram socket
 * pair, fed a frame before every call so that yield never sleeps) and a
 * block device (a memory file). ASan and UBSan watch the monitor. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../monitor/mon.h"

#define SIZE	 (256 << 10)
#define DATA	 0x20000
#define SEED_MAX (16 << 10)

static unsigned char guest[SIZE] __attribute__((aligned(4096)));
static struct mon_mem mem = { .base = guest, .size = SIZE };
static struct hostdev dev[2];
static struct mon_stats stats;
static struct mon_hc hc;
static struct mon_image img;
static int peer;
static const unsigned char frame[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sv[2], null = open("/dev/null", O_WRONLY);

	(void)argc;
	(void)argv;
	mon_region_add(&mem, 0x10000, 0x12000, MON_R | MON_X);
	mon_region_add(&mem, 0x12000, 0x13000, MON_R);
	mon_region_add(&mem, DATA, SIZE, MON_R | MON_W);
	socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv);
	peer = sv[1];
	dev[0] = (struct hostdev){ .type = PITH_DEV_NET,
				   .fd = sv[0],
				   .net = { .mac = { 2 }, .mtu = 1500 } };
	dev[1] = (struct hostdev){ .type = PITH_DEV_BLOCK,
				   .fd = memfd_create("disk", 0),
				   .capacity = 64 << 10 };
	ftruncate(dev[1].fd, 64 << 10);
	hc = (struct mon_hc){ &mem, dev,	2,    &stats, null,
			      null, "fuzz.kvm", &img, 0,      0 };
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	size_t seed;
	char drain[2048];
	int status;

	if (n < 2)
		return 0;
	seed = (size_t)(in[0] | in[1] << 8) % SEED_MAX;
	in += 2;
	n -= 2;
	if (seed > n)
		seed = n;
	memset(guest + DATA, 0, SIZE - DATA);
	memcpy(guest + DATA, in, seed);
	while (read(dev[0].fd, drain, sizeof drain) > 0)
		;
	for (size_t i = seed; i + 5 <= n; i += 5) {
		uint32_t gpa;

		memcpy(&gpa, in + i + 1, sizeof gpa);
		if (write(peer, frame, sizeof frame) < 0) {
			/* A full queue is fine: yield still returns. */
		}
		if (mon_hypercall(&hc, PITH_HC_PORT_BASE + in[i] % 12, gpa,
				  &status) != MON_CONTINUE)
			break;
	}
	return 0;
}
