/* The virtio-blk driver (see vblk.h). A request is a chain of three
 * descriptors: 0 the header (device-readable), 1 the data (readable for
 * a write, writable for a read), 2 the status byte (writable). */
#include "vblk.h"

#include "pith/param.h"

#define F_SIZE_MAX (1ULL << 1)
#define F_RO	   (1ULL << 5)
#define F_BLK_SIZE (1ULL << 6)

#define CFG_CAPACITY 0
#define CFG_SIZE_MAX 8
#define CFG_BLK_SIZE 20

#define T_IN  0
#define T_OUT 1

#define S_OK 0

#define SECTOR 512ULL

/* The largest capacity taken: 2^50 bytes (a petabyte); more is a
 * device answer not worth believing, and keeps offsets far from
 * overflow. */
#define CAPACITY_MAX (1ULL << 50)

/* Descriptors per request. */
#define CHAIN 3

static int read_config(struct vblk *b)
{
	struct vdev *d = b->dev;
	uint64_t sectors;
	uint32_t size_max = 0, blk_size = SECTOR;

	if (vdev_config(d, CFG_CAPACITY, &sectors, 8) < 0)
		return -1;
	if (sectors > CAPACITY_MAX / SECTOR) {
		vdev_fail(d, "its capacity is implausibly large");
		return -1;
	}
	if ((d->features & F_BLK_SIZE) &&
	    vdev_config(d, CFG_BLK_SIZE, &blk_size, 4) < 0)
		return -1;
	if (blk_size != SECTOR) {
		vdev_fail(d, "its block size is not 512 bytes");
		return -1;
	}
	if ((d->features & F_SIZE_MAX) &&
	    vdev_config(d, CFG_SIZE_MAX, &size_max, 4) < 0)
		return -1;
	b->capacity = sectors * SECTOR;
	b->chunk = VBLK_CHUNK_MAX;
	if (size_max && size_max < b->chunk)
		b->chunk = (uint32_t)(size_max & ~(SECTOR - 1));
	if (b->chunk == 0) {
		vdev_fail(d, "its largest segment is below one sector");
		return -1;
	}
	b->read_only = !!(d->features & F_RO);
	return 0;
}

int vblk_init(struct vblk *b, struct vdev *d)
{
	*b = (struct vblk){ 0 };
	b->dev = d;
	if (vdev_negotiate(d, F_SIZE_MAX | F_RO | F_BLK_SIZE, 0) < 0 ||
	    read_config(b) < 0 || vdev_queue(d, 0, &b->q, 16, CHAIN) < 0)
		return -1;
	b->req = vdev_alloc(sizeof *b->req, 16);
	if (!b->req) {
		vdev_fail(d, "no memory left for its requests");
		return -1;
	}
	vdev_ready(d);
	return 0;
}

static enum pith_result broken(struct vblk *b, const char *why)
{
	if (!b->broken) {
		b->broken = why;
		vdev_fail(b->dev, why);
	}
	return PITH_EUNSPEC;
}

/* Waits for the request's chain to come back; checks what came. */
static enum pith_result complete(struct vblk *b, uint32_t len, int write)
{
	uint64_t start = vdev_clock();
	uint16_t head;
	uint32_t got;
	int r;

	while ((r = virtq_pop(&b->q, &head, &got)) == 0)
		if (vdev_clock() - start > VDEV_REQUEST_TIMEOUT_NS)
			return broken(b, "a request took longer than 30 s");
	if (r < 0)
		return broken(b, b->q.broken);
	/* The device wrote the status byte, and for a read the data; some
	 * devices report 0 for "not counted", which virtio allows. */
	if (got != 0 && got != (write ? 1 : len + 1))
		return broken(b, "it reported a transfer length other than "
				 "the request's");
	return b->req->status == S_OK ? PITH_OK : PITH_EUNSPEC;
}

static enum pith_result request(struct vblk *b, int write, uint64_t offset,
				uint8_t *buf, uint32_t len)
{
	struct virtq *q = &b->q;
	uint64_t req = (uint64_t)(uintptr_t)b->req;

	b->req->type = write ? T_OUT : T_IN;
	b->req->reserved = 0;
	b->req->sector = offset / SECTOR;
	b->req->status = 0xff;
	virtq_set_desc(q, 0, req, 16, VIRTQ_DESC_F_NEXT, 1);
	virtq_set_desc(q, 1, (uint64_t)(uintptr_t)buf, len,
		       (uint16_t)(VIRTQ_DESC_F_NEXT |
				  (write ? 0 : VIRTQ_DESC_F_WRITE)),
		       2);
	virtq_set_desc(q, 2, req + 16, 1, VIRTQ_DESC_F_WRITE, 0);
	virtq_push(q, 0, write ? 1 : len + 1);
	vdev_kick(b->dev, 0, q);
	return complete(b, len, write);
}

enum pith_result vblk_io(struct vblk *b, int write, uint64_t offset, void *buf,
			 size_t len)
{
	uint8_t *p = buf;
	enum pith_result r = PITH_OK;

	if (!buf || len == 0 || offset % SECTOR || len % SECTOR ||
	    offset > b->capacity || len > b->capacity - offset)
		return PITH_EINVAL;
	if (b->broken)
		return PITH_EUNSPEC;
	if (write && b->read_only)
		return PITH_EUNSPEC;
	while (len && r == PITH_OK) {
		uint32_t n = len < b->chunk ? (uint32_t)len : b->chunk;

		r = request(b, write, offset, p, n);
		offset += n;
		p += n;
		len -= n;
		if (write) {
			b->writes++;
			b->bytes_out += n;
		} else {
			b->reads++;
			b->bytes_in += n;
		}
	}
	return r;
}
