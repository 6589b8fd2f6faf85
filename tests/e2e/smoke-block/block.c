/* Block device without libc: a pattern over the whole device, read back
 * in other chunk sizes; malformed requests refused without effect. */
#include "smoke.h"

#define SECTOR 512
#define CHUNK  16 /* sectors per request */

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
		smoke_put("block: ");
		smoke_put(what);
		smoke_put(": result ");
		smoke_put_u64(got);
		smoke_put("\n");
		failures++;
	}
}

static void transfer(pith_handle h, uint64_t sectors, unsigned chunk,
		     int writing)
{
	for (uint64_t s = 0; s < sectors; s += chunk) {
		unsigned n =
			sectors - s < chunk ? (unsigned)(sectors - s) : chunk;
		for (unsigned i = 0; i < n * SECTOR; i++)
			buf[i] = writing ? pattern(s + i / SECTOR, i % SECTOR)
					 : 0;
		if (writing) {
			expect("write",
			       pith_block_write(h, s * SECTOR, buf, n * SECTOR),
			       PITH_OK);
			continue;
		}
		expect("read", pith_block_read(h, s * SECTOR, buf, n * SECTOR),
		       PITH_OK);
		for (unsigned i = 0; i < n * SECTOR; i++)
			if (buf[i] != pattern(s + i / SECTOR, i % SECTOR)) {
				smoke_put("block: read back wrong\n");
				failures++;
				break;
			}
	}
}

int main(void)
{
	pith_handle h;
	struct pith_block_info info;
	uint64_t cap, sectors;

	expect("acquire", pith_block_acquire("disk", &h), PITH_OK);
	expect("acquire as net", pith_net_acquire("disk", &h), PITH_EINVAL);
	expect("info", pith_block_info(h, &info), PITH_OK);
	cap = info.capacity;
	sectors = cap / SECTOR;
	smoke_put("block: capacity ");
	smoke_put_u64(cap);
	smoke_put("\n");
	transfer(h, sectors, CHUNK, 1);
	transfer(h, sectors, 7, 0);
	expect("misaligned offset", pith_block_read(h, 100, buf, SECTOR),
	       PITH_EINVAL);
	expect("misaligned length", pith_block_read(h, 0, buf, 100),
	       PITH_EINVAL);
	expect("empty", pith_block_read(h, 0, buf, 0), PITH_EINVAL);
	expect("at the end", pith_block_read(h, cap, buf, SECTOR), PITH_EINVAL);
	expect("across the end",
	       pith_block_write(h, cap - SECTOR, buf, 2 * SECTOR), PITH_EINVAL);
	expect("wrapping",
	       pith_block_read(h, UINT64_MAX - SECTOR + 1, buf, 2 * SECTOR),
	       PITH_EINVAL);
	expect("bad handle", pith_block_read(5, 0, buf, SECTOR), PITH_EINVAL);
	transfer(h, sectors, CHUNK, 0);
	smoke_put(failures ? "block: FAILED\n" : "block: ok\n");
	return failures != 0;
}
