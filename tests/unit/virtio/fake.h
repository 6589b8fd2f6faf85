/* A fake virtio device for the virtio driver's unit tests: a transport
 * (struct vdev_ops) over plain memory, and a device side that the tests
 * drive by hand to answer well or badly. The environment calls the
 * drivers expect (vdev_alloc, vdev_clock, vdev_warn) are here too: the
 * clock advances VDEV_TICK_NS per call and lets the device act
 * (fake_service), which is how a synchronous driver sees its requests
 * completed. */
#ifndef PITH_TEST_VIRTIO_FAKE_H
#define PITH_TEST_VIRTIO_FAKE_H

#include "../../../platform/virtio/vdev.h"

#define FAKE_TICK_NS (1000ULL * 1000 * 1000)

struct fake_dev {
	struct vdev vdev;
	uint64_t offered, accepted;
	uint8_t status;
	int keep_status;      /* never completes a reset */
	int drop_features_ok; /* refuses FEATURES_OK */
	int restless;	      /* config generation changes on every read */
	uint32_t generation;
	uint32_t qmax[VDEV_QUEUES_MAX];
	const struct virtq *q[VDEV_QUEUES_MAX];
	uint16_t seen[VDEV_QUEUES_MAX]; /* avail entries consumed */
	unsigned notified[VDEV_QUEUES_MAX];
	uint8_t config[64];
	/* Block service: answers requests when the driver polls. */
	int serve_block;
	uint8_t disk[64 * 1024];
	uint8_t block_status;
	int32_t block_len_delta; /* added to the used length it reports */
};

/* A fresh device of TYPE with features OFFERED and CONFIG_LEN bytes of
 * configuration (the last device made is the one the clock serves). */
void fake_init(struct fake_dev *f, uint32_t type, uint64_t offered,
	       unsigned config_len);

/* Device side: takes the next chain the driver offered on queue QI.
 * 1 and *HEAD set, or 0 if none. */
int fake_take(struct fake_dev *f, unsigned qi, uint16_t *head);

/* Device side: returns chain ID with LEN bytes written. */
void fake_used(struct fake_dev *f, unsigned qi, uint32_t id, uint32_t len);

/* Device side: sets queue QI's used index as it likes. */
void fake_used_idx(struct fake_dev *f, unsigned qi, uint16_t idx);

/* The last message vdev_warn printed ("" if none since the last call). */
const char *fake_warning(void);

/* Memory vdev_alloc handed out, freed. */
void fake_free_all(void);

#endif
