/* The virtio-blk driver (virtio 1.x section 5.2): one queue, one request
 * in flight, synchronous (platform.h's block calls complete before they
 * return). The data moves between the device and the caller's buffer
 * directly (guest memory is identity-mapped); the request header and
 * status byte live in the driver's own memory. Host-testable. */
#ifndef PITH_VBLK_H
#define PITH_VBLK_H

#include "pith/platform.h"
#include "vdev.h"

/* Bytes per request: large transfers are split into requests of at most
 * this size (and of the device's size_max); 128 KiB keeps each request
 * well inside every VMM's limits. */
#define VBLK_CHUNK_MAX (128UL << 10)

/* The request header and status the device reads and writes. */
struct vblk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
	uint8_t status;
};

struct vblk {
	struct vdev *dev;
	struct virtq q;
	struct vblk_req *req;
	uint64_t capacity; /* bytes */
	uint32_t chunk;	   /* bytes per request */
	int read_only;
	const char *broken;
	uint64_t reads, writes, bytes_in, bytes_out;
};

/* Sets B up on device D. Returns 0, or -1 (warned). */
int vblk_init(struct vblk *b, struct vdev *d);

/* platform.h's pith_block_read (WRITE 0) or pith_block_write (WRITE 1). */
enum pith_result vblk_io(struct vblk *b, int write, uint64_t offset, void *buf,
			 size_t len);

#endif
