/* libFuzzer harness: the kvm monitor's image checks and loader. Any
 * input is an image; one that passes the checks is laid out and loaded
 * into a fake guest memory of 1 MiB, as the monitor would. */
#include <stdlib.h>
#include <string.h>

#include "../../monitor/mon.h"

#define MEM (1 << 20)

static unsigned char guest[MEM] __attribute__((aligned(4096)));

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	unsigned char *copy = malloc(n ? n : 1);
	char why[256];
	struct pith_buf err;
	struct mon_image img;
	struct mon_mem m = { .base = guest, .size = MEM };

	memcpy(copy, in, n);
	pith_buf_init(&err, why, sizeof why);
	if (mon_image_use(copy, n, MEM, &img, &err) < 0)
		return 0;
	if (mon_layout(&m, img.end, &err) == 0)
		mon_image_load(&img, &m, &err);
	elf_close(&img.elf);
	return 0;
}
