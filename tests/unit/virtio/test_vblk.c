/* The virtio-blk driver against the fake device: the configuration
 * checked, requests round-trip through the device's disk, refusals of
 * malformed calls, and a device that fails a request, reports the wrong
 * length, or never answers. */
#include "../unit.h"
#include "fake.h"

#include "../../../platform/virtio/vblk.h"

#define F_SIZE_MAX (1ULL << 1)
#define F_RO	   (1ULL << 5)
#define F_BLK_SIZE (1ULL << 6)

static struct fake_dev f;
static struct vblk b;
static uint8_t buf[16 * 1024];

static void put32(unsigned off, uint32_t v)
{
	memcpy(f.config + off, &v, 4);
}

static int start(uint64_t offered, uint64_t sectors)
{
	fake_free_all();
	fake_init(&f, VDEV_BLOCK, VDEV_F_VERSION_1 | offered, 24);
	memcpy(f.config, &sectors, 8);
	f.serve_block = 1;
	return vblk_init(&b, &f.vdev);
}

static void test_init(void)
{
	CHECK_EQ(start(0, 128), 0);
	CHECK_EQ(b.capacity, 128 * 512);
	CHECK_EQ(b.chunk, VBLK_CHUNK_MAX);
	CHECK(!b.read_only);
	put32(8, 4096 + 100);
	fake_init(&f, VDEV_BLOCK, VDEV_F_VERSION_1 | F_SIZE_MAX, 24);
	memcpy(f.config, &(uint64_t){ 8 }, 8);
	put32(8, 4096 + 100);
	CHECK_EQ(vblk_init(&b, &f.vdev), 0);
	CHECK_EQ(b.chunk, 4096); /* size_max, down to whole sectors */
	CHECK(start(0, 1ULL << 55) < 0);
	CHECK_CONTAINS(fake_warning(), "implausibly large");
	fake_init(&f, VDEV_BLOCK, VDEV_F_VERSION_1 | F_BLK_SIZE, 24);
	put32(20, 4096);
	CHECK(vblk_init(&b, &f.vdev) < 0);
	CHECK_CONTAINS(fake_warning(), "not 512 bytes");
	fake_init(&f, VDEV_BLOCK, VDEV_F_VERSION_1 | F_SIZE_MAX, 24);
	put32(8, 100);
	CHECK(vblk_init(&b, &f.vdev) < 0);
	CHECK_CONTAINS(fake_warning(), "below one sector");
	fake_init(&f, VDEV_BLOCK, VDEV_F_VERSION_1, 24);
	f.qmax[0] = 2; /* a request takes three descriptors */
	CHECK(vblk_init(&b, &f.vdev) < 0);
	CHECK_CONTAINS(fake_warning(), "queue is too small");
}

static void test_round_trip(void)
{
	CHECK_EQ(start(F_SIZE_MAX, 64), 0);
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7);
	CHECK_EQ(vblk_io(&b, 1, 1024, buf, 8192), PITH_OK);
	CHECK_EQ(f.disk[1024 + 7], 49);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(vblk_io(&b, 0, 1024, buf, 8192), PITH_OK);
	CHECK_EQ(buf[7], 49);
	CHECK_EQ(b.bytes_out, 8192);
	CHECK_EQ(b.bytes_in, 8192);
	/* The contract's refusals: nothing reaches the device. */
	CHECK_EQ(vblk_io(&b, 0, 100, buf, 512), PITH_EINVAL);
	CHECK_EQ(vblk_io(&b, 0, 0, buf, 100), PITH_EINVAL);
	CHECK_EQ(vblk_io(&b, 0, 0, buf, 0), PITH_EINVAL);
	CHECK_EQ(vblk_io(&b, 0, 63 * 512, buf, 1024), PITH_EINVAL);
	CHECK_EQ(vblk_io(&b, 0, UINT64_MAX - 511, buf, 512), PITH_EINVAL);
	CHECK_EQ(vblk_io(&b, 0, 0, 0, 512), PITH_EINVAL);
	CHECK_EQ(b.reads, 1);
	/* A read-only device refuses writes. */
	CHECK_EQ(start(F_RO, 64), 0);
	CHECK_EQ(vblk_io(&b, 1, 0, buf, 512), PITH_EUNSPEC);
	CHECK_EQ(vblk_io(&b, 0, 0, buf, 512), PITH_OK);
}

static void test_device_failures(void)
{
	/* An I/O error: this request fails, the device stays. */
	CHECK_EQ(start(0, 64), 0);
	f.block_status = 1;
	CHECK_EQ(vblk_io(&b, 0, 0, buf, 512), PITH_EUNSPEC);
	f.block_status = 0;
	CHECK_EQ(vblk_io(&b, 0, 0, buf, 512), PITH_OK);
	/* A used length past the chain: the device is refused. */
	CHECK_EQ(start(0, 64), 0);
	f.block_len_delta = 1;
	CHECK_EQ(vblk_io(&b, 0, 0, buf, 512), PITH_EUNSPEC);
	CHECK_CONTAINS(fake_warning(), "used length too large");
	f.block_len_delta = 0;
	CHECK_EQ(vblk_io(&b, 0, 0, buf, 512), PITH_EUNSPEC);
	/* A length short of the transfer. */
	CHECK_EQ(start(0, 64), 0);
	f.block_len_delta = -5;
	CHECK_EQ(vblk_io(&b, 0, 0, buf, 512), PITH_EUNSPEC);
	CHECK_CONTAINS(fake_warning(), "transfer length");
	/* A device that never answers: 30 s, then refused. */
	CHECK_EQ(start(0, 64), 0);
	f.serve_block = 0;
	CHECK_EQ(vblk_io(&b, 0, 0, buf, 512), PITH_EUNSPEC);
	CHECK_CONTAINS(fake_warning(), "longer than 30 s");
	fake_free_all();
}

static const struct unit_test tests[] = {
	{ "init", test_init },
	{ "round-trip", test_round_trip },
	{ "device-failures", test_device_failures },
};

const struct unit_suite suite_vblk = UNIT_SUITE("vblk", tests);
