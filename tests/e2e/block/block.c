/* Block device: writes a pattern over the whole device, reads it back in
 * other chunk sizes, and checks that every malformed request is refused
 * without effect. The check verifies the pattern in the file afterwards. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pith/platform.h"

#define SECTOR 512
#define CHUNK  64 /* sectors per request */

static unsigned char buf[CHUNK * SECTOR];
static int failures;

static unsigned char pattern(uint64_t sector, unsigned j)
{
	return (unsigned char)((sector * 31 + j) ^ 0x5a);
}

static void expect(const char *what, enum pith_result got,
		   enum pith_result want)
{
	if (got != want) {
		printf("block: %s: result %d, want %d\n", what, got, want);
		failures++;
	}
}

static void fill(uint64_t first, unsigned n)
{
	for (unsigned s = 0; s < n; s++)
		for (unsigned j = 0; j < SECTOR; j++)
			buf[s * SECTOR + j] = pattern(first + s, j);
}

static int check(uint64_t first, unsigned n)
{
	for (unsigned s = 0; s < n; s++)
		for (unsigned j = 0; j < SECTOR; j++)
			if (buf[s * SECTOR + j] != pattern(first + s, j))
				return 0;
	return 1;
}

static void write_all(pith_handle h, uint64_t sectors)
{
	for (uint64_t s = 0; s < sectors; s += CHUNK) {
		unsigned n =
			sectors - s < CHUNK ? (unsigned)(sectors - s) : CHUNK;
		fill(s, n);
		expect("write",
		       pith_block_write(h, s * SECTOR, buf, n * SECTOR),
		       PITH_OK);
	}
}

static void read_all(pith_handle h, uint64_t sectors, unsigned chunk)
{
	for (uint64_t s = 0; s < sectors; s += chunk) {
		unsigned n =
			sectors - s < chunk ? (unsigned)(sectors - s) : chunk;
		memset(buf, 0, sizeof buf);
		expect("read", pith_block_read(h, s * SECTOR, buf, n * SECTOR),
		       PITH_OK);
		if (!check(s, n)) {
			printf("block: sectors %llu..%llu read back wrong\n",
			       (unsigned long long)s,
			       (unsigned long long)(s + n - 1));
			failures++;
		}
	}
}

static void refusals(pith_handle h, uint64_t cap)
{
	expect("misaligned offset", pith_block_read(h, 100, buf, SECTOR),
	       PITH_EINVAL);
	expect("misaligned length", pith_block_read(h, 0, buf, 100),
	       PITH_EINVAL);
	expect("empty", pith_block_read(h, 0, buf, 0), PITH_EINVAL);
	expect("at the end", pith_block_read(h, cap, buf, SECTOR), PITH_EINVAL);
	expect("across the end",
	       pith_block_read(h, cap - SECTOR, buf, 2 * SECTOR), PITH_EINVAL);
	expect("past the end", pith_block_read(h, cap + SECTOR, buf, SECTOR),
	       PITH_EINVAL);
	expect("wrapping",
	       pith_block_read(h, UINT64_MAX - SECTOR + 1, buf, 2 * SECTOR),
	       PITH_EINVAL);
	expect("null buffer", pith_block_read(h, 0, 0, SECTOR), PITH_EINVAL);
	expect("bad handle", pith_block_read(7, 0, buf, SECTOR), PITH_EINVAL);
	expect("write across the end",
	       pith_block_write(h, cap - SECTOR, buf, 2 * SECTOR), PITH_EINVAL);
	expect("write misaligned", pith_block_write(h, 1, buf, SECTOR),
	       PITH_EINVAL);
	expect("net read of a block handle",
	       pith_net_read(h, buf, sizeof buf, 0), PITH_EINVAL);
}

int main(void)
{
	pith_handle h;
	struct pith_block_info info;
	uint64_t sectors;

	expect("acquire unknown", pith_block_acquire("nodisk", &h),
	       PITH_EINVAL);
	expect("acquire as net", pith_net_acquire("disk", &h), PITH_EINVAL);
	expect("acquire", pith_block_acquire("disk", &h), PITH_OK);
	expect("info", pith_block_info(h, &info), PITH_OK);
	expect("info of a bad handle", pith_block_info(5, &info), PITH_EINVAL);
	printf("block: capacity %llu bytes, block size %u\n",
	       (unsigned long long)info.capacity, info.block_size);
	sectors = info.capacity / SECTOR;
	write_all(h, sectors);
	read_all(h, sectors, CHUNK);
	read_all(h, sectors, 7);
	refusals(h, info.capacity);
	/* The refused writes changed nothing. */
	read_all(h, sectors, CHUNK);
	printf("block: %s (%d failures)\n", failures ? "FAILED" : "ok",
	       failures);
	return failures != 0;
}
