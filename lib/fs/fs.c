/* The image file system: mounting checks a packed site once, lookups are
 * a binary search over the sorted index (include/pith/fs.h has the
 * format). Nothing is copied: a lookup hands out pointers into the
 * image. */
#include <errno.h>
#include <string.h>

#include "pith/fs.h"

/* The site blob that `pith build --site` links in (mk/app.mk, imagegen
 * site). Weak: an image without a site has neither symbol. */
extern const uint8_t pith_site_start[] __attribute__((weak));
extern const uint8_t pith_site_end[] __attribute__((weak));

/* Whether OFF + LEN lies inside a blob of TOTAL bytes, without wrapping. */
static int inside(uint64_t off, uint64_t len, uint64_t total)
{
	return off <= total && len <= total - off;
}

/* Checks string OFF/LEN of the table: inside it, NUL after it, no NUL
 * within it, at most MAX bytes. */
static int string_ok(const struct fs *fs, uint64_t strings_len, uint32_t off,
		     uint32_t len, uint32_t max)
{
	if (len > max || !inside(off, (uint64_t)len + 1, strings_len))
		return 0;
	return fs->strings[off + len] == '\0' &&
	       memchr(fs->strings + off, '\0', len) == NULL;
}

/* Checks one path: no leading, trailing or doubled '/', no "." or ".."
 * segment. The packer never writes one; a blob that has one is not
 * ours. */
static int path_ok(const char *p, uint32_t len)
{
	uint32_t seg = 0;

	for (uint32_t i = 0; i <= len; i++) {
		if (i < len && p[i] != '/')
			continue;
		if (i == seg && len)
			return 0; /* empty segment */
		if ((i - seg == 1 && p[seg] == '.') ||
		    (i - seg == 2 && p[seg] == '.' && p[seg + 1] == '.'))
			return 0;
		seg = i + 1;
	}
	return 1;
}

static int content_ok(uint64_t off, uint64_t size, uint64_t total)
{
	return size <= FS_FILE_MAX && off % FS_ALIGN == 0 &&
	       inside(off, size, total);
}

static int entry_ok(const struct fs *fs, const struct fs_image_header *h,
		    const struct fs_image_entry *e)
{
	if (!string_ok(fs, h->strings_len, e->path_off, e->path_len,
		       FS_PATH_MAX) ||
	    !path_ok(fs->strings + e->path_off, e->path_len) ||
	    !string_ok(fs, h->strings_len, e->mime_off, e->mime_len,
		       FS_MIME_MAX) ||
	    !string_ok(fs, h->strings_len, e->etag_off, e->etag_len,
		       FS_ETAG_MAX))
		return 0;
	if (e->reserved || (e->flags & ~FS_ENTRY_DIR))
		return 0;
	if (e->flags & FS_ENTRY_DIR)
		return e->size == 0 && e->data_off == 0 && e->gz_size == 0 &&
		       e->gz_off == 0;
	return content_ok(e->data_off, e->size, h->total_len) &&
	       (e->gz_size ? content_ok(e->gz_off, e->gz_size, h->total_len)
			   : e->gz_off == 0);
}

/* Bytewise order of two counted strings. */
static int pathcmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

int fs_mount(struct fs *fs, const void *image, size_t len)
{
	struct fs_image_header h;
	const uint8_t *b = image;

	if (!image || len < sizeof h || (uintptr_t)b % FS_ALIGN)
		return -EINVAL;
	memcpy(&h, b, sizeof h);
	if (memcmp(h.magic, FS_MAGIC, sizeof h.magic) ||
	    h.version != FS_VERSION || h.total_len != len ||
	    h.count > FS_ENTRIES_MAX || h.index_off % FS_ALIGN ||
	    !inside(h.index_off,
		    (uint64_t)h.count * sizeof(struct fs_image_entry), len) ||
	    !inside(h.strings_off, h.strings_len, len) || h.strings_len == 0 ||
	    h.strings_len > UINT32_MAX)
		return -EINVAL;
	fs->base = b;
	fs->len = len;
	fs->count = h.count;
	fs->index =
		(const struct fs_image_entry *)(const void *)(b + h.index_off);
	fs->strings = (const char *)b + h.strings_off;
	for (uint32_t i = 0; i < h.count; i++) {
		const struct fs_image_entry *e = &fs->index[i], *p = e - 1;
		if (!entry_ok(fs, &h, e))
			return -EINVAL;
		if (i && pathcmp(fs->strings + p->path_off, p->path_len,
				 fs->strings + e->path_off, e->path_len) >= 0)
			return -EINVAL;
	}
	return 0;
}

const struct fs *fs_site(void)
{
	static struct fs site;
	static int state; /* 0: not tried, 1: mounted, -1: none */

	if (!state) {
		size_t len = (size_t)(pith_site_end - pith_site_start);
		state = pith_site_start && fs_mount(&site, pith_site_start,
						    len) == 0
				? 1
				: -1;
	}
	return state > 0 ? &site : NULL;
}

static void fill(const struct fs *fs, const struct fs_image_entry *e,
		 struct fs_file *f)
{
	f->path = fs->strings + e->path_off;
	f->path_len = e->path_len;
	f->mime = fs->strings + e->mime_off;
	f->etag = fs->strings + e->etag_off;
	f->etag_len = e->etag_len;
	f->dir = (e->flags & FS_ENTRY_DIR) != 0;
	f->data = f->dir ? NULL : fs->base + e->data_off;
	f->size = e->size;
	f->gz = e->gz_size ? fs->base + e->gz_off : NULL;
	f->gz_size = e->gz_size;
	f->mtime = e->mtime;
}

int fs_lookup(const struct fs *fs, const char *path, size_t len,
	      struct fs_file *f)
{
	uint32_t lo = 0, hi = fs ? fs->count : 0;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct fs_image_entry *e = &fs->index[mid];
		int c = pathcmp(fs->strings + e->path_off, e->path_len, path,
				len);
		if (c == 0) {
			fill(fs, e, f);
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -ENOENT;
}

int fs_entry(const struct fs *fs, uint32_t i, struct fs_file *f)
{
	if (!fs || i >= fs->count)
		return -ENOENT;
	fill(fs, &fs->index[i], f);
	return 0;
}
