/* Packing a site in a unit test (fs_site.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_site.h"
#include "pith/fs.h"

void *fs_test_pack(struct sp_input *in, size_t n, size_t *len)
{
	char *buf = NULL, err[256];
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	void *img;

	if (!f || sp_pack(in, n, f, err, sizeof err) < 0) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	img = aligned_alloc(FS_ALIGN,
			    (blen + FS_ALIGN - 1) / FS_ALIGN * FS_ALIGN);
	if (img)
		memcpy(img, buf, blen);
	free(buf);
	*len = blen;
	return img;
}
