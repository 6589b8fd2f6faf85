/* The suites of build/tests/unit-virtio: the virtio target's queues and
 * drivers against a fake device (fake.c). */
#include "../unit.h"

extern const struct unit_suite suite_virtq, suite_vnet, suite_vblk;

const struct unit_suite *const unit_suites[] = {
	&suite_virtq,
	&suite_vnet,
	&suite_vblk,
};
const size_t unit_nsuites = sizeof unit_suites / sizeof unit_suites[0];
