/* The virtio-net driver against the fake device: negotiation and the
 * configuration checked (refusals say why), frames in and out, batches
 * with one notification, and malformed answers (a used length past the
 * buffer or below the header) stopping the device instead of being
 * believed. */
#include "../unit.h"
#include "fake.h"

#include "../../../platform/virtio/vnet.h"

#define F_MTU (1ULL << 3)
#define F_MAC (1ULL << 5)

static struct fake_dev f;
static struct vnet n;
static const uint8_t fallback[6] = { 0x02, 1, 2, 3, 4, 5 };
static uint8_t frame[2048];

static int start(uint64_t offered, uint16_t mtu)
{
	fake_free_all();
	fake_init(&f, VDEV_NET, offered, 12);
	for (int i = 0; i < 6; i++)
		f.config[i] = (uint8_t)(0x52 + i);
	f.config[10] = (uint8_t)mtu;
	f.config[11] = (uint8_t)(mtu >> 8);
	return vnet_init(&n, &f.vdev, fallback);
}

/* Device side: a frame of LEN bytes (with the header) into the next
 * receive buffer. */
static void receive(uint32_t len, uint8_t fill)
{
	uint16_t head;

	CHECK(fake_take(&f, VNET_RXQ, &head));
	memset(n.rx_buf + head * n.buf_size + VNET_HDR_LEN, fill,
	       len - VNET_HDR_LEN);
	fake_used(&f, VNET_RXQ, head, len);
}

static void test_init(void)
{
	CHECK_EQ(start(VDEV_F_VERSION_1 | F_MAC | F_MTU, 9000), 0);
	CHECK_EQ(n.mac[0], 0x52);
	CHECK_EQ(n.mtu, 9000);
	CHECK(f.status & VDEV_S_DRIVER_OK);
	CHECK(!(f.accepted & ~(VDEV_F_VERSION_1 | F_MAC | F_MTU)));
	/* Every receive buffer is offered, with one notification. */
	CHECK_EQ(f.q[VNET_RXQ]->avail[1], n.nrx);
	CHECK_EQ(f.notified[VNET_RXQ], 1);
	/* Without MAC and MTU: the fallback MAC and 1500. */
	CHECK_EQ(start(VDEV_F_VERSION_1, 0), 0);
	CHECK_EQ(n.mac[5], 5);
	CHECK_EQ(n.mtu, 1500);
}

static void test_refusals(void)
{
	CHECK(start(F_MAC, 1500) < 0);
	CHECK_CONTAINS(fake_warning(), "not a modern");
	CHECK(start(VDEV_F_VERSION_1 | F_MTU, 20) < 0);
	CHECK_CONTAINS(fake_warning(), "MTU is outside 68..9000");
	CHECK(start(VDEV_F_VERSION_1 | F_MTU, 65000) < 0);
	fake_init(&f, VDEV_NET, VDEV_F_VERSION_1 | F_MAC, 12);
	f.config[0] = 1;
	CHECK(vnet_init(&n, &f.vdev, fallback) < 0);
	CHECK_CONTAINS(fake_warning(), "multicast");
	fake_init(&f, VDEV_NET, VDEV_F_VERSION_1, 12);
	f.drop_features_ok = 1;
	CHECK(vnet_init(&n, &f.vdev, fallback) < 0);
	CHECK_CONTAINS(fake_warning(), "refused the features");
	fake_init(&f, VDEV_NET, VDEV_F_VERSION_1, 12);
	f.qmax[VNET_TXQ] = 0;
	CHECK(vnet_init(&n, &f.vdev, fallback) < 0);
	CHECK_CONTAINS(fake_warning(), "no queue");
	fake_init(&f, VDEV_NET, VDEV_F_VERSION_1 | F_MAC, 4);
	CHECK(vnet_init(&n, &f.vdev, fallback) < 0);
	CHECK_CONTAINS(fake_warning(), "configuration space is shorter");
	fake_init(&f, VDEV_NET, VDEV_F_VERSION_1 | F_MAC, 12);
	f.restless = 1;
	CHECK(vnet_init(&n, &f.vdev, fallback) < 0);
	CHECK_CONTAINS(fake_warning(), "kept changing");
	fake_init(&f, VDEV_NET, VDEV_F_VERSION_1, 12);
	f.keep_status = 1;
	f.status = VDEV_S_DRIVER_OK;
	CHECK(vnet_init(&n, &f.vdev, fallback) < 0);
	CHECK_CONTAINS(fake_warning(), "did not complete its reset");
}

static void test_receive(void)
{
	struct pith_frame fr[4];
	size_t done;

	CHECK_EQ(start(VDEV_F_VERSION_1, 1500), 0);
	for (int i = 0; i < 4; i++)
		fr[i] = (struct pith_frame){ frame + i * 0, 1514, 0, 0, 0 };
	CHECK_EQ(vnet_read(&n, fr, 1, &done), PITH_AGAIN);
	CHECK_EQ(done, 0);
	fr[0].cap = 1000; /* smaller than a frame can be */
	CHECK_EQ(vnet_read(&n, fr, 1, &done), PITH_EINVAL);
	fr[0].cap = 1514;
	receive(VNET_HDR_LEN + 60, 0xab);
	receive(VNET_HDR_LEN + 1514, 0xcd);
	CHECK(vnet_ready(&n));
	CHECK_EQ(vnet_read(&n, fr, 1, &done), PITH_OK);
	CHECK_EQ(fr[0].len, 60);
	CHECK_EQ(frame[59], 0xab);
	CHECK_EQ(vnet_read(&n, fr, 1, &done), PITH_OK);
	CHECK_EQ(fr[0].len, 1514);
	CHECK(!vnet_ready(&n));
	/* Both buffers went back to the device, in one batch each. */
	CHECK_EQ(f.q[VNET_RXQ]->avail[1], n.nrx + 2);
	CHECK_EQ(n.rx_frames, 2);
}

static void test_receive_malformed(void)
{
	struct pith_frame fr = { frame, 1514, 0, 0, 0 };
	size_t done;
	uint16_t head;

	/* Past the buffer: the example. Nothing is copied. */
	CHECK_EQ(start(VDEV_F_VERSION_1, 1500), 0);
	CHECK(fake_take(&f, VNET_RXQ, &head));
	fake_used(&f, VNET_RXQ, head, (uint32_t)n.buf_size + 1);
	frame[0] = 0x11;
	CHECK_EQ(vnet_read(&n, &fr, 1, &done), PITH_EUNSPEC);
	CHECK_EQ(done, 0);
	CHECK_EQ(frame[0], 0x11);
	CHECK_CONTAINS(fake_warning(), "used length too large");
	CHECK(f.status & VDEV_S_FAILED);
	CHECK_EQ(vnet_read(&n, &fr, 1, &done), PITH_EUNSPEC);
	CHECK(!vnet_ready(&n));
	/* Shorter than the virtio-net header. */
	CHECK_EQ(start(VDEV_F_VERSION_1, 1500), 0);
	CHECK(fake_take(&f, VNET_RXQ, &head));
	fake_used(&f, VNET_RXQ, head, 3);
	CHECK_EQ(vnet_read(&n, &fr, 1, &done), PITH_EUNSPEC);
	CHECK_CONTAINS(fake_warning(), "shorter than the virtio-net header");
	/* Longer than the MTU allows, within the buffer: dropped, not
	 * delivered, and the device keeps working. */
	CHECK_EQ(start(VDEV_F_VERSION_1, 1500), 0);
	receive(VNET_HDR_LEN + 1514 + 4, 1);
	CHECK_EQ(vnet_read(&n, &fr, 1, &done), PITH_AGAIN);
	CHECK_EQ(n.rx_dropped, 1);
	receive(VNET_HDR_LEN + 100, 2);
	CHECK_EQ(vnet_read(&n, &fr, 1, &done), PITH_OK);
	CHECK_EQ(fr.len, 100);
	/* The used index running ahead on transmit. */
	CHECK_EQ(start(VDEV_F_VERSION_1, 1500), 0);
	fake_used_idx(&f, VNET_TXQ, 7);
	fr.len = 60;
	CHECK_EQ(vnet_write(&n, &fr, 1, &done), PITH_EUNSPEC);
	CHECK_CONTAINS(fake_warning(), "ran ahead");
}

static void test_transmit(void)
{
	struct pith_frame fr[64];
	size_t done;
	uint16_t head;
	unsigned sent = 0;

	CHECK_EQ(start(VDEV_F_VERSION_1, 1500), 0);
	memset(frame, 0x5a, sizeof frame);
	for (int i = 0; i < 64; i++)
		fr[i] = (struct pith_frame){ frame, 1514, 60 + (size_t)i, 0,
					     0 };
	CHECK_EQ(vnet_write(&n, fr, 64, &done), PITH_OK);
	CHECK_EQ(done, 64);
	CHECK_EQ(f.notified[VNET_TXQ], 1); /* one notification per batch */
	while (fake_take(&f, VNET_TXQ, &head)) {
		volatile struct virtq_desc *d = &f.q[VNET_TXQ]->desc[head];
		const uint8_t *p = (const uint8_t *)(uintptr_t)d->addr;

		CHECK_EQ(d->len, VNET_HDR_LEN + 60 + sent);
		CHECK_EQ(p[0], 0); /* a zeroed header: no offloads */
		CHECK_EQ(p[VNET_HDR_LEN], 0x5a);
		fake_used(&f, VNET_TXQ, head, 0);
		sent++;
	}
	CHECK_EQ(sent, 64);
	/* Malformed frames are refused at their index. */
	fr[1].len = 10;
	CHECK_EQ(vnet_write(&n, fr, 3, &done), PITH_EINVAL);
	CHECK_EQ(done, 1);
	fr[1].len = 1515;
	CHECK_EQ(vnet_write(&n, fr + 1, 1, &done), PITH_EINVAL);
	/* No segmentation offload here (tso_max 0): a gso_size is refused. */
	fr[1].len = 60;
	fr[1].gso_size = 1448;
	CHECK_EQ(vnet_write(&n, fr + 1, 1, &done), PITH_EINVAL);
	CHECK_EQ(done, 0);
	fr[1].gso_size = 0;
	/* A full queue: AGAIN once every buffer is in flight. */
	fr[1].len = 60;
	for (unsigned i = 0; i < n.ntx + 64u; i += 64)
		vnet_write(&n, fr, 64, &done);
	CHECK_EQ(vnet_write(&n, fr, 1, &done), PITH_AGAIN);
	CHECK_EQ(done, 0);
	/* Ready once the device gives a buffer back, so that what waits is
	 * sent then (not at the next timer); not before, and not after a
	 * write that found room. */
	CHECK(!vnet_ready(&n));
	CHECK(fake_take(&f, VNET_TXQ, &head));
	fake_used(&f, VNET_TXQ, head, 0);
	CHECK(vnet_ready(&n));
	CHECK_EQ(vnet_write(&n, fr, 1, &done), PITH_OK);
	CHECK(!vnet_ready(&n));
	CHECK(fake_take(&f, VNET_TXQ, &head));
	fake_used(&f, VNET_TXQ, head, 0);
	CHECK(!vnet_ready(&n)); /* nothing was refused: no wish to write */
	fake_free_all();
}

static const struct unit_test tests[] = {
	{ "init", test_init },
	{ "refusals", test_refusals },
	{ "receive", test_receive },
	{ "receive-malformed", test_receive_malformed },
	{ "transmit", test_transmit },
};

const struct unit_suite suite_vnet = UNIT_SUITE("vnet", tests);
