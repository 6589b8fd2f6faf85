/* A virtio device as a driver sees it, whatever its transport (virtio-mmio
 * in mmio.c, virtio-pci in pci.c, a fake device in tests/unit/virtio).
 *
 * vdev.c holds what every driver does the same way: reset, feature
 * negotiation, queue set-up, and reading the configuration space under
 * its generation counter. Every value a device reports (its features,
 * queue sizes, configuration fields, status read back) is checked before
 * use; a refusal says which device and why through vdev_warn().
 *
 * Host-testable: the environment provides vdev_alloc, vdev_clock and
 * vdev_warn (the guest in memory.c and devices.c, the tests themselves). */
#ifndef PITH_VDEV_H
#define PITH_VDEV_H

#include <stddef.h>
#include <stdint.h>

#include "virtq.h"

/* Device types (virtio 1.x, section 5). */
#define VDEV_NET   1
#define VDEV_BLOCK 2

/* Status bits (section 2.1). */
#define VDEV_S_ACK	   1
#define VDEV_S_DRIVER	   2
#define VDEV_S_DRIVER_OK   4
#define VDEV_S_FEATURES_OK 8
#define VDEV_S_FAILED	   128

#define VDEV_F_EVENT_IDX (1ULL << 29)
#define VDEV_F_VERSION_1 (1ULL << 32)

struct vdev;

struct vdev_ops {
	uint8_t (*get_status)(struct vdev *d);
	void (*set_status)(struct vdev *d, uint8_t status);
	uint64_t (*get_features)(struct vdev *d);
	void (*set_features)(struct vdev *d, uint64_t features);
	uint32_t (*generation)(struct vdev *d);
	uint8_t (*config8)(struct vdev *d, unsigned off);
	/* The device's largest size for queue Q; 0: no such queue. */
	uint32_t (*queue_max)(struct vdev *d, unsigned q);
	/* Gives the device queue Q's size and rings, and enables it. */
	int (*queue_setup)(struct vdev *d, unsigned q, const struct virtq *vq);
	void (*notify)(struct vdev *d, unsigned q);
};

/* Queues per device: virtio-net's receive and transmit, virtio-blk's one. */
#define VDEV_QUEUES_MAX 2

struct vdev {
	const struct vdev_ops *ops;
	uint32_t type;	     /* VDEV_NET, VDEV_BLOCK, or another id */
	const char *name;    /* the manifest's name, for messages */
	char where[40];	     /* "virtio-mmio at 0xfeb00e00", "pci 00:03.0" */
	uint32_t config_len; /* readable bytes of configuration space */
	uint64_t features;   /* negotiated */
	/* Transport state. */
	uintptr_t base;			  /* mmio: the register window */
	uintptr_t common, notify, device; /* pci: capability windows */
	uint32_t notify_mult;
	uint32_t notify_len;
	uint16_t notify_off[VDEV_QUEUES_MAX];
	void *priv; /* tests: the fake device */
};

/* --- Provided by the environment ------------------------------------- */

/* BYTES of zeroed memory the device can reach, aligned to ALIGN; NULL if
 * there is none left. */
void *vdev_alloc(size_t bytes, size_t align);
/* A monotonic clock in nanoseconds (bounds waits on the device). */
uint64_t vdev_clock(void);
/* Reports that device D was refused or failed: WHY is a sentence. */
void vdev_warn(const struct vdev *d, const char *why);

/* --- Common driver steps (vdev.c) ------------------------------------- */

/* How long a device may take to reset or to answer a request. */
#define VDEV_RESET_TIMEOUT_NS	(1000ULL * 1000 * 1000)
#define VDEV_REQUEST_TIMEOUT_NS (30ULL * 1000 * 1000 * 1000)

/* Resets D and negotiates features: WANTED & offered, which must include
 * REQUIRED (VERSION_1 always). Returns 0, or -1 (warned). */
int vdev_negotiate(struct vdev *d, uint64_t wanted, uint64_t required);

/* Sets queue QI up with at most WANT entries (at least MIN). Returns 0,
 * or -1 (warned). */
int vdev_queue(struct vdev *d, unsigned qi, struct virtq *q, uint16_t want,
	       uint16_t min);

/* Sets DRIVER_OK: the device may start. */
void vdev_ready(struct vdev *d);

/* Marks D failed (the driver gives up on it) and warns with WHY. */
void vdev_fail(struct vdev *d, const char *why);

/* Copies LEN bytes of configuration space at OFF into BUF, consistent
 * under the generation counter. Returns 0, or -1 (warned) if the range is
 * outside the configuration space or the device never holds still. */
int vdev_config(struct vdev *d, unsigned off, void *buf, unsigned len);

/* Publishes Q's pushed chains and notifies the device if it asked. */
void vdev_kick(struct vdev *d, unsigned qi, struct virtq *q);

#endif
