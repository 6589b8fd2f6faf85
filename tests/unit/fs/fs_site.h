/* Packing a site in a unit test, with the build's packer (sitepack.c). */
#ifndef PITH_TEST_FS_SITE_H
#define PITH_TEST_FS_SITE_H

#include <stddef.h>

#include "../../../tools/imagegen/sitepack.h"

/* Packs the N entries of IN into a fresh FS_ALIGN-aligned blob of *LEN
 * bytes, or NULL if the packer refuses them. The caller frees it. */
void *fs_test_pack(struct sp_input *in, size_t n, size_t *len);

#endif
