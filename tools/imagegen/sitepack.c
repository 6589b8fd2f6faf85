/* The site packer's core: sorts the entries, adds the directories their
 * paths imply, gives each file its MIME type, ETag (SHA-256 of the
 * content) and gzip variant (zlib, best compression; kept where it is
 * smaller), and lays out the blob that lib/fs mounts:
 *
 *   header | pad | index (sorted) | strings | pad | content, each aligned
 *
 * Everything is decided from the content, so the same site gives the
 * same blob byte for byte (the gzip header carries no time). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "pith/fs.h"
#include "sitepack.h"

/* Types whose content is compressed already: gzip would not shrink it
 * and the build would spend time proving that. */
static const char *const precompressed[] = {
	"image/png",	   "image/jpeg",       "image/gif", "image/webp",
	"image/avif",	   "video/",	       "audio/",    "font/woff",
	"application/zip", "application/gzip",
};

static const struct {
	const char *ext, *mime;
} mimes[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "xml", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "ico", "image/x-icon" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },
	{ "otf", "font/otf" },
	{ "wasm", "application/wasm" },
	{ "pdf", "application/pdf" },
	{ "zip", "application/zip" },
	{ "gz", "application/gzip" },
	{ "mp4", "video/mp4" },
	{ "webm", "video/webm" },
	{ "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" },
	{ "wav", "audio/wav" },
	{ "map", "application/json" },
	{ "webmanifest", "application/manifest+json" },
};

struct entry {
	struct sp_input in;
	char *path; /* owned copy */
	const char *mime;
	char etag[FS_ETAG_MAX + 1];
	unsigned char *gz;
	size_t gz_size;
	uint64_t data_off, gz_off;
	uint32_t path_off, mime_off, etag_off;
};

static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

const char *sp_mime(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	if (dot && dot[1])
		for (size_t i = 0; i < sizeof mimes / sizeof mimes[0]; i++)
			if (!strcasecmp(dot + 1, mimes[i].ext))
				return mimes[i].mime;
	return "application/octet-stream";
}

static int compressible(const char *mime)
{
	for (size_t i = 0; i < sizeof precompressed / sizeof precompressed[0];
	     i++)
		if (!strncmp(mime, precompressed[i], strlen(precompressed[i])))
			return 0;
	return 1;
}

/* The gzip variant of E's content, kept only if smaller. */
static int gzip(struct entry *e)
{
	z_stream z = { 0 };
	size_t cap = deflateBound(&z, e->in.size) + 32;
	int r;

	e->gz = malloc(cap);
	if (!e->gz || deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9,
				   Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)e->in.data;
	z.avail_in = (uInt)e->in.size;
	z.next_out = e->gz;
	z.avail_out = (uInt)cap;
	r = deflate(&z, Z_FINISH);
	e->gz_size = z.total_out;
	deflateEnd(&z);
	if (r != Z_STREAM_END)
		return -1;
	if (e->gz_size >= e->in.size) {
		free(e->gz);
		e->gz = NULL;
		e->gz_size = 0;
	}
	return 0;
}

/* A path the format takes: segments neither empty nor "." or "..", and
 * no byte a request could not name (controls, '\\'). */
static int path_valid(const char *p)
{
	size_t len = strlen(p), seg = 0;

	if (len > FS_PATH_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (i < len && (c < 0x20 || c == 0x7f || c == '\\'))
			return 0;
		if (i < len && c != '/')
			continue;
		if ((i == seg && len) || (i - seg == 1 && p[seg] == '.') ||
		    (i - seg == 2 && !strncmp(p + seg, "..", 2)))
			return 0;
		seg = i + 1;
	}
	return 1;
}

/* strndup that ends a host tool out of memory rather than returning. */
static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		abort();
	return p;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path,
		      ((const struct entry *)b)->path);
}

/* Copies IN into entries, adding the root and every parent directory;
 * sorts them and refuses duplicates. */
static struct entry *collect(const struct sp_input *in, size_t n, size_t *count,
			     char *err, size_t errlen)
{
	size_t cap = 1, m = 0;
	struct entry *e;

	for (size_t i = 0; i < n; i++)
		cap += 1 + (size_t)(in[i].path ? strlen(in[i].path) : 0);
	e = calloc(cap, sizeof *e);
	if (!e) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	e[m].path = xstrndup("", 0);
	e[m++].in.dir = 1;
	for (size_t i = 0; i < n; i++) {
		if (!in[i].path || !*in[i].path || !path_valid(in[i].path)) {
			fail(err, errlen, "'%s': not a path the site can hold",
			     in[i].path ? in[i].path : "(null)");
			goto out_free;
		}
		e[m].in = in[i];
		e[m++].path = xstrndup(in[i].path, strlen(in[i].path));
		for (const char *s = strchr(in[i].path, '/'); s;
		     s = strchr(s + 1, '/')) {
			e[m].in.dir = 1;
			e[m++].path =
				xstrndup(in[i].path, (size_t)(s - in[i].path));
		}
	}
	qsort(e, m, sizeof *e, by_path);
	size_t w = 0;
	for (size_t i = 0; i < m; i++) {
		if (w && !strcmp(e[w - 1].path, e[i].path)) {
			if (!e[w - 1].in.dir || !e[i].in.dir) {
				fail(err, errlen,
				     "'%s': both a file and a "
				     "directory, or given twice",
				     e[i].path);
				/* e[w..i) were moved or freed already. */
				for (size_t j = w; j < i; j++)
					e[j].path = NULL;
				goto out_free;
			}
			free(e[i].path);
			continue;
		}
		e[w++] = e[i];
		if (w - 1 != i)
			e[i].path = NULL;
	}
	*count = w;
	return e;
out_free:
	for (size_t i = 0; i < m; i++)
		free(e[i].path);
	free(e);
	return NULL;
}

static void describe(struct entry *e)
{
	uint8_t h[32];

	e->mime = e->in.dir ? "" : sp_mime(e->path);
	if (e->in.dir) {
		e->etag[0] = '\0';
		return;
	}
	/* 128 bits of the hash: a collision between two versions of one
	 * file is not a practical concern at that length. */
	sp_sha256(e->in.data, e->in.size, h);
	e->etag[0] = '"';
	for (int i = 0; i < 16; i++)
		snprintf(e->etag + 1 + 2 * i, 3, "%02x", h[i]);
	strcpy(e->etag + 33, "\"");
}

static uint64_t align(uint64_t v)
{
	return (v + FS_ALIGN - 1) / FS_ALIGN * FS_ALIGN;
}

static void put_string(FILE *out, const char *s, uint32_t *off, uint64_t *len)
{
	*off = (uint32_t)*len;
	fwrite(s, 1, strlen(s) + 1, out);
	*len += strlen(s) + 1;
}

static void pad_to(FILE *out, uint64_t *pos, uint64_t to)
{
	for (; *pos < to; (*pos)++)
		fputc(0, out);
}

/* Decides where everything goes: fills *H and every entry's offsets. */
static void layout(struct entry *e, size_t n, struct fs_image_header *h)
{
	uint64_t strings = 0, pos;

	memset(h, 0, sizeof *h);
	memcpy(h->magic, FS_MAGIC, sizeof h->magic);
	h->version = FS_VERSION;
	h->count = (uint32_t)n;
	h->index_off = align(sizeof *h);
	h->strings_off = h->index_off + n * sizeof(struct fs_image_entry);
	for (size_t i = 0; i < n; i++) {
		e[i].path_off = (uint32_t)strings;
		strings += strlen(e[i].path) + 1;
		e[i].mime_off = (uint32_t)strings;
		strings += strlen(e[i].mime) + 1;
		e[i].etag_off = (uint32_t)strings;
		strings += strlen(e[i].etag) + 1;
	}
	h->strings_len = strings;
	pos = align(h->strings_off + strings);
	for (size_t i = 0; i < n; i++) {
		if (e[i].in.dir)
			continue;
		e[i].data_off = pos;
		pos = align(pos + e[i].in.size);
		if (e[i].gz) {
			e[i].gz_off = pos;
			pos = align(pos + e[i].gz_size);
		}
	}
	h->total_len = pos;
}

/* Writes the blob: header, index, strings, content (in index order). */
static int write_blob(struct entry *e, size_t n, FILE *out)
{
	struct fs_image_header h;
	uint64_t strings, pos;

	layout(e, n, &h);
	if (h.strings_len > UINT32_MAX)
		return -1;
	fwrite(&h, sizeof h, 1, out);
	pos = sizeof h;
	pad_to(out, &pos, h.index_off);
	for (size_t i = 0; i < n; i++) {
		struct fs_image_entry x = {
			.path_off = e[i].path_off,
			.path_len = (uint32_t)strlen(e[i].path),
			.mime_off = e[i].mime_off,
			.mime_len = (uint32_t)strlen(e[i].mime),
			.etag_off = e[i].etag_off,
			.etag_len = (uint32_t)strlen(e[i].etag),
			.flags = e[i].in.dir ? FS_ENTRY_DIR : 0,
			.size = e[i].in.dir ? 0 : e[i].in.size,
			.data_off = e[i].data_off,
			.gz_size = e[i].gz_size,
			.gz_off = e[i].gz_off,
			.mtime = e[i].in.mtime,
		};
		fwrite(&x, sizeof x, 1, out);
	}
	strings = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t off;
		put_string(out, e[i].path, &off, &strings);
		put_string(out, e[i].mime, &off, &strings);
		put_string(out, e[i].etag, &off, &strings);
	}
	pos = h.strings_off + strings;
	for (size_t i = 0; i < n; i++) {
		if (e[i].in.dir)
			continue;
		pad_to(out, &pos, e[i].data_off);
		fwrite(e[i].in.data, 1, e[i].in.size, out);
		pos += e[i].in.size;
		if (e[i].gz) {
			pad_to(out, &pos, e[i].gz_off);
			fwrite(e[i].gz, 1, e[i].gz_size, out);
			pos += e[i].gz_size;
		}
	}
	pad_to(out, &pos, h.total_len);
	return ferror(out) ? -1 : 0;
}

int sp_pack(struct sp_input *in, size_t n, FILE *out, char *err, size_t errlen)
{
	size_t count = 0;
	struct entry *e = collect(in, n, &count, err, errlen);
	int r = 0;

	if (!e)
		return -1;
	if (count > FS_ENTRIES_MAX)
		r = fail(err, errlen, "%zu entries (at most %u)", count,
			 FS_ENTRIES_MAX);
	for (size_t i = 0; !r && i < count; i++) {
		describe(&e[i]);
		if (!e[i].in.dir && e[i].in.size > FS_FILE_MAX)
			r = fail(err, errlen, "'%s': larger than 4 GiB",
				 e[i].path);
		else if (!e[i].in.dir && compressible(e[i].mime) &&
			 e[i].in.size && gzip(&e[i]) < 0)
			r = fail(err, errlen, "'%s': gzip failed", e[i].path);
	}
	if (!r && write_blob(e, count, out) < 0)
		r = fail(err, errlen, "write failed");
	for (size_t i = 0; i < count; i++) {
		free(e[i].path);
		free(e[i].gz);
	}
	free(e);
	return r;
}
