/* The suites of build/tests/unit-monitor: the kvm monitor's guest memory
 * accessor, hypercalls and image checks, against a fake guest. */
#include "unit.h"

extern const struct unit_suite suite_mon_mem, suite_mon_layout,
	suite_mon_hypercall, suite_mon_image;

const struct unit_suite *const unit_suites[] = {
	&suite_mon_mem,
	&suite_mon_layout,
	&suite_mon_hypercall,
	&suite_mon_image,
};
const size_t unit_nsuites = sizeof unit_suites / sizeof unit_suites[0];
