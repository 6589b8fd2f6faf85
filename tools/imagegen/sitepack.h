/* The site packer's core (imagegen site): turns a list of files and
 * directories, already read into memory, into one lib/fs image blob
 * (include/pith/fs.h). Kept apart from the directory walk so that the
 * unit tests and the fuzz harness pack their sites with the same code
 * the build uses. Host code only. */
#ifndef PITH_SITEPACK_H
#define PITH_SITEPACK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One file or directory of the site. PATH is relative to the root, '/'
 * separated, without leading or trailing '/' ("" is the root). */
struct sp_input {
	const char *path;
	int dir;
	const void *data; /* files: SIZE bytes */
	size_t size;
	int64_t mtime;
};

/* Packs the N entries of IN (any order; IN is sorted in place) into a
 * blob written to OUT. Missing parent directories are an error, so are
 * duplicate paths and paths the format refuses (fs.h).
 *   0   written;
 *   -1  refused or failed: ERR (ERRLEN bytes) names the path and why. */
int sp_pack(struct sp_input *in, size_t n, FILE *out, char *err, size_t errlen);

/* The Content-Type the packer gives PATH, by its extension. */
const char *sp_mime(const char *path);

/* SHA-256 of LEN bytes of DATA. */
void sp_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
