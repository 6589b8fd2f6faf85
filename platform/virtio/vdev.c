/* Driver steps every virtio device shares (see vdev.h): the
 * initialisation sequence of virtio 1.x section 3.1.1, queue set-up, and
 * configuration reads under the generation counter. */
#include "vdev.h"

/* Reads of a configuration field retried while the device changes its
 * generation counter under them; a device that never holds still is
 * refused. */
#define CONFIG_RETRIES 16

void vdev_fail(struct vdev *d, const char *why)
{
	d->ops->set_status(d, d->ops->get_status(d) | VDEV_S_FAILED);
	vdev_warn(d, why);
}

static int reset(struct vdev *d)
{
	uint64_t start = vdev_clock();

	d->ops->set_status(d, 0);
	/* The device says the reset is complete by reading back 0. */
	while (d->ops->get_status(d) != 0)
		if (vdev_clock() - start > VDEV_RESET_TIMEOUT_NS) {
			vdev_warn(d, "the device did not complete its reset");
			return -1;
		}
	return 0;
}

int vdev_negotiate(struct vdev *d, uint64_t wanted, uint64_t required)
{
	uint64_t offered, features;

	required |= VDEV_F_VERSION_1;
	if (reset(d) < 0)
		return -1;
	d->ops->set_status(d, VDEV_S_ACK);
	d->ops->set_status(d, VDEV_S_ACK | VDEV_S_DRIVER);
	offered = d->ops->get_features(d);
	if ((offered & required) != required) {
		vdev_fail(d, (offered & VDEV_F_VERSION_1)
				     ? "the device lacks a feature the driver "
				       "needs"
				     : "the device is not a modern (virtio "
				       "1.0+) device");
		return -1;
	}
	features = offered & (wanted | required);
	d->ops->set_features(d, features);
	d->ops->set_status(d, VDEV_S_ACK | VDEV_S_DRIVER | VDEV_S_FEATURES_OK);
	if (!(d->ops->get_status(d) & VDEV_S_FEATURES_OK)) {
		vdev_fail(d, "the device refused the features it offered");
		return -1;
	}
	d->features = features;
	return 0;
}

int vdev_queue(struct vdev *d, unsigned qi, struct virtq *q, uint16_t want,
	       uint16_t min)
{
	uint32_t max = d->ops->queue_max(d, qi);
	uint16_t size = virtq_pick_size(max, want);
	void *mem;

	if (size == 0 || size < min) {
		vdev_fail(d, max ? "the device's queue is too small"
				 : "the device has no queue where its type "
				   "has one");
		return -1;
	}
	mem = vdev_alloc(virtq_bytes(size), 4096);
	if (!mem) {
		vdev_fail(d, "no memory left for the device's queue");
		return -1;
	}
	virtq_init(q, mem, size, !!(d->features & VDEV_F_EVENT_IDX));
	if (d->ops->queue_setup(d, qi, q) < 0) {
		vdev_fail(d, "the device did not accept its queue");
		return -1;
	}
	return 0;
}

void vdev_ready(struct vdev *d)
{
	d->ops->set_status(d, d->ops->get_status(d) | VDEV_S_DRIVER_OK);
}

int vdev_config(struct vdev *d, unsigned off, void *buf, unsigned len)
{
	uint8_t *out = buf;

	if (off > d->config_len || len > d->config_len - off) {
		vdev_fail(d, "its configuration space is shorter than its "
			     "type's");
		return -1;
	}
	for (unsigned tries = 0; tries < CONFIG_RETRIES; tries++) {
		uint32_t gen = d->ops->generation(d);

		for (unsigned i = 0; i < len; i++)
			out[i] = d->ops->config8(d, off + i);
		if (d->ops->generation(d) == gen)
			return 0;
	}
	vdev_fail(d, "its configuration kept changing while read");
	return -1;
}

void vdev_kick(struct vdev *d, unsigned qi, struct virtq *q)
{
	if (virtq_publish(q))
		d->ops->notify(d, qi);
}
