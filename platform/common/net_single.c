/* The single-frame network calls of platform.h, for every target: one
 * frame is a batch of one (each target implements the batch calls). */
#include "pith/platform.h"

enum pith_result pith_net_read(pith_handle h, void *buf, size_t cap,
			       size_t *len)
{
	struct pith_frame f = { buf, cap, 0, 0, 0 };
	size_t done = 0;
	enum pith_result r = pith_net_read_batch(h, &f, 1, &done);

	if (len)
		*len = done ? f.len : 0;
	return r == PITH_OK && done == 0 ? PITH_AGAIN : r;
}

enum pith_result pith_net_write(pith_handle h, const void *buf, size_t len)
{
	struct pith_frame f = { (void *)buf, len, len, 0, 0 };
	size_t done;

	return pith_net_write_batch(h, &f, 1, &done);
}
