/* lib/fs: the image file system, a read-only directory packed into the
 * image at build time (`pith build --site DIR`, `imagegen site`).
 *
 * The packer walks DIR and writes one blob: a header, an index of every
 * file and directory sorted by path (bytewise), a string table (paths,
 * MIME types, ETags) and the files' content, each aligned to
 * FS_ALIGN. A file may carry a gzip variant, kept only where it is
 * smaller than the file. The blob is linked into the image's read-only
 * segment, so file content is served straight from the image's memory:
 * a lookup returns pointers into it, never a copy, valid for the life of
 * the appliance.
 *
 * fs_mount checks the whole blob once (every offset and length inside
 * it, the index strictly sorted, the strings well formed), so lookups
 * need no checks and no image, however malformed, can make them read
 * outside it. Functions return -errno or NULL and never print.
 */
#ifndef PITH_FS_H
#define PITH_FS_H

#include <stddef.h>
#include <stdint.h>

/* --- The image format (written by imagegen site, read by fs_mount) ---- */

/* "PITHFS" and a format version in the last two bytes. */
#define FS_MAGIC   "PITHFS01"
#define FS_VERSION 1

/* Alignment of the blob and of every file's content: a cache line, so a
 * file's first byte starts a line and copies out of it (the network
 * card's, or the kernel's on the linux target) run aligned. */
#define FS_ALIGN 64

/* Entries an image may hold. A static site of a million files is not an
 * appliance; the bound keeps the index's size far from overflow. */
#define FS_ENTRIES_MAX (1U << 20)

/* Longest path in the image (bytes, relative to the site root, no
 * leading '/'): Linux's PATH_MAX, so every file the packer can open fits,
 * and request paths longer than this cannot name a file. */
#define FS_PATH_MAX 4096

/* Longest MIME type and ETag strings (without NUL). A type with its
 * parameters ("text/html; charset=utf-8") fits well in 127; the ETag is
 * a quoted hash. */
#define FS_MIME_MAX 127
#define FS_ETAG_MAX 63

/* Largest file: 4 GiB less one, so sizes fit in 32-bit arithmetic on
 * every path that slices content (ranges, send pieces). */
#define FS_FILE_MAX 0xffffffffULL

/* The header at offset 0 (little-endian, as every integer below). */
struct fs_image_header {
	char magic[8];	      /* FS_MAGIC */
	uint32_t version;     /* FS_VERSION */
	uint32_t count;	      /* entries in the index */
	uint64_t index_off;   /* the index: COUNT entries */
	uint64_t strings_off; /* the string table */
	uint64_t strings_len;
	uint64_t total_len; /* the whole blob */
};

/* An entry is a directory or a regular file. */
#define FS_ENTRY_DIR 1U

/* One index entry (72 bytes). Strings are offsets into the string table,
 * each followed by a NUL that the length does not count. Content
 * offsets are from the start of the blob; a directory has none. */
struct fs_image_entry {
	uint32_t path_off, path_len; /* relative path, '/'-separated */
	uint32_t mime_off, mime_len; /* Content-Type */
	uint32_t etag_off, etag_len; /* strong ETag, quotes included */
	uint32_t flags;		     /* FS_ENTRY_* */
	uint32_t reserved;	     /* 0 */
	uint64_t size, data_off;     /* the content */
	uint64_t gz_size, gz_off;    /* its gzip variant; size 0: none */
	int64_t mtime;		     /* seconds since the epoch */
};

_Static_assert(sizeof(struct fs_image_header) == 48, "header layout");
_Static_assert(sizeof(struct fs_image_entry) == 72, "entry layout");

/* --- The API ------------------------------------------------------------ */

/* A mounted image. */
struct fs {
	const uint8_t *base;
	size_t len;
	uint32_t count;
	const struct fs_image_entry *index; /* validated, FS_ALIGN-aligned */
	const char *strings;
};

/* What a lookup finds. Pointers are into the image. */
struct fs_file {
	const char *path; /* NUL-terminated, relative to the root */
	size_t path_len;
	const char *mime; /* NUL-terminated */
	const char *etag; /* NUL-terminated, e.g. "\"1f0a...\"" */
	size_t etag_len;
	int dir;	     /* 1: a directory (no content) */
	const uint8_t *data; /* the content */
	uint64_t size;
	const uint8_t *gz; /* the gzip variant, or NULL */
	uint64_t gz_size;
	int64_t mtime;
};

/* Checks the blob of LEN bytes at IMAGE and fills *FS.
 *   0        mounted: IMAGE must stay valid and unchanged while FS is used;
 *   -EINVAL  not an image (bad magic, version, any offset or length
 *            outside the blob, unsorted or duplicate paths, strings
 *            without their NUL, content not aligned, an over-long path). */
int fs_mount(struct fs *fs, const void *image, size_t len);

/* The site linked into this image (`pith build --site`), mounted at the
 * first call. NULL when the image has no site (or, never in a built
 * image, when its blob fails fs_mount). */
const struct fs *fs_site(void);

/* Looks up PATH (LEN bytes, relative to the root: no leading '/', no
 * trailing '/'; "" is the root directory).
 *   0        found: *F describes it;
 *   -ENOENT  no such file or directory. */
int fs_lookup(const struct fs *fs, const char *path, size_t len,
	      struct fs_file *f);

/* Entry I (0..count-1) in path order, for listings and tests. 0, or
 * -ENOENT past the end. */
int fs_entry(const struct fs *fs, uint32_t i, struct fs_file *f);

#endif
