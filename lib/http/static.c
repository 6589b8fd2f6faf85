/* Static files from the site (lib/fs), in the order RFC 9110 13.2.2
 * evaluates a request:
 *
 *   1. the path: "/d" for a directory is 301 "/d/"; "/d/" serves
 *      "d/index.html"; a file named with a trailing '/' is not found;
 *   2. the representation: the gzip variant when the file has one and
 *      Accept-Encoding takes gzip, unless a Range applies (ranges are
 *      served from the identity content);
 *   3. If-None-Match (weak comparison) or, without it, If-Modified-Since
 *      -> 304; If-Match and If-Unmodified-Since are not evaluated;
 *   4. Range (GET only, and If-Range if present): one range, or several
 *      that coalesce into one -> 206; anything else -> the whole file.
 *
 * The body is a reference to the content in the image: nothing is
 * copied. The ETag of the gzip variant is the file's with "-gz" before
 * the closing quote (a strong validator per representation). */
#include "impl.h"

#define INDEX	  "index.html"
#define INDEX_LEN 10

static int lookup(const struct fs *fs, const char *p, size_t n,
		  struct fs_file *f)
{
	return fs ? fs_lookup(fs, p, n, f) : -1;
}

static void redirect(struct http_conn *c)
{
	struct http_work *w = c->w;
	char loc[HTTP_RESP_HEAD_MAX / 2];
	long n = http_encode_path(w->path, w->path_len, loc + 10,
				  sizeof loc - 16);

	if (n < 0 || (size_t)n + 16 + w->query_len >= sizeof loc) {
		COUNT(c->srv, LINE_TOO_LONG);
		http_respond_error(c, 414, 1);
		return;
	}
	memcpy(loc, "Location: ", 10);
	n += 10;
	loc[n++] = '/';
	if (w->query_len) {
		loc[n++] = '?';
		memcpy(loc + n, w->in + w->query_off, w->query_len);
		n += (long)w->query_len;
	}
	memcpy(loc + n, "\r\n", 3);
	http_error_with(c, 301, 0, loc);
}

/* Finds the file PATH names; 0 and *F, or -1 after responding. */
static int resolve(struct http_conn *c, struct fs_file *f)
{
	struct http_work *w = c->w;
	const struct fs *fs = c->srv->cfg.site;
	int dir = w->path[w->path_len - 1] == '/';
	/* Without the leading and the trailing '/' ("/" is "", the root). */
	size_t n = w->path_len - 1 - (size_t)(dir && w->path_len > 1);

	if (lookup(fs, w->path + 1, n, f) < 0 || (dir && !f->dir)) {
		http_respond_error(c, 404, 0);
		return -1;
	}
	if (!f->dir)
		return 0;
	if (!dir) {
		redirect(c);
		return -1;
	}
	/* "d/" + "index.html"; the path buffer has room for it. */
	memcpy(w->path + w->path_len, INDEX, INDEX_LEN + 1);
	if (lookup(fs, w->path + 1, w->path_len - 1 + INDEX_LEN, f) < 0 ||
	    f->dir) {
		w->path[w->path_len] = '\0';
		http_respond_error(c, 404, 0);
		return -1;
	}
	w->path[w->path_len] = '\0';
	return 0;
}

struct choice {
	int gzip, range, not_modified;
	uint64_t first, last;
	char etag[FS_ETAG_MAX + 4];
	size_t etag_len;
};

/* If-Range (RFC 9110 13.1.5): an entity tag compared strongly with the
 * identity representation's, or a date equal to Last-Modified. */
static int if_range_holds(const struct http_conn *c, const struct fs_file *f)
{
	size_t n;
	const uint8_t *v = http_field_value(c, HF_IF_RANGE, &n);
	int64_t t;

	if (!v)
		return 1;
	if (n && (v[0] == '"' || v[0] == 'W'))
		return http_etag_match(v, n, f->etag, f->etag_len, 0) &&
		       !(n == 1 && v[0] == '*');
	return http_date_parse(v, n, &t) == 0 && t == f->mtime;
}

/* A list field over all its lines (RFC 9110 5.3: several lines are one
 * comma-separated list): whether Accept-Encoding takes gzip. */
static int takes_gzip(const struct http_conn *c)
{
	const struct http_head *h = &c->w->head;
	int gzip = -1, star = -1;

	for (unsigned i = 0; i < h->nfields; i++)
		if (h->fields[i].id == HF_ACCEPT_ENCODING)
			http_gzip_q(c->w->in + h->fields[i].value,
				    h->fields[i].vlen, &gzip, &star);
	return gzip >= 0 ? gzip > 0 : star > 0;
}

/* Whether any If-None-Match line matches ETAG: 1, 0, or -1 if there is
 * no If-None-Match at all. */
static int none_match(const struct http_conn *c, const char *etag, size_t len)
{
	const struct http_head *h = &c->w->head;
	int seen = -1;

	for (unsigned i = 0; i < h->nfields; i++)
		if (h->fields[i].id == HF_IF_NONE_MATCH) {
			if (http_etag_match(c->w->in + h->fields[i].value,
					    h->fields[i].vlen, etag, len, 1))
				return 1;
			seen = 0;
		}
	return seen;
}

static void choose(struct http_conn *c, const struct fs_file *f,
		   struct choice *ch)
{
	size_t n;
	const uint8_t *v;
	int64_t t;

	memset(ch, 0, sizeof *ch);
	v = http_field_value(c, HF_RANGE, &n);
	if (v && c->w->head.method == HTTP_GET) {
		ch->range = http_parse_range(v, n, f->size, &ch->first,
					     &ch->last) &&
			    if_range_holds(c, f);
		if (!ch->range)
			COUNT(c->srv, RANGE_IGNORED);
	}
	ch->gzip = !ch->range && f->gz && takes_gzip(c);
	memcpy(ch->etag, f->etag, f->etag_len);
	ch->etag_len = f->etag_len;
	if (ch->gzip && f->etag_len >= 2) {
		memcpy(ch->etag + f->etag_len - 1, "-gz\"", 4);
		ch->etag_len += 3;
	}
	ch->not_modified = none_match(c, ch->etag, ch->etag_len);
	if (ch->not_modified < 0) /* If-Modified-Since only without it */
		ch->not_modified =
			(v = http_field_value(c, HF_IF_MODIFIED_SINCE, &n)) &&
			http_date_parse(v, n, &t) == 0 && f->mtime <= t;
}

static void file_head(struct http_head_out *b, const struct fs_file *f,
		      const struct choice *ch)
{
	char date[HTTP_DATE_LEN + 1];

	hb_str(b, "ETag: ");
	hb_add(b, ch->etag, ch->etag_len);
	http_date_format(f->mtime, date);
	hb_str(b, "\r\nLast-Modified: ");
	hb_add(b, date, HTTP_DATE_LEN);
	hb_str(b, "\r\n");
	if (f->gz)
		hb_str(b, "Vary: Accept-Encoding\r\n");
}

void http_serve_static(struct http_conn *c)
{
	unsigned m = c->w->head.method, status;
	struct http_head_out b;
	struct fs_file f;
	struct choice ch;
	const uint8_t *body;
	uint64_t len;

	if (!(m & (HTTP_GET | HTTP_HEAD))) {
		http_allow(c, m == HTTP_OPTIONS ? 204 : 405,
			   HTTP_GET | HTTP_HEAD);
		return;
	}
	if (resolve(c, &f) < 0)
		return;
	choose(c, &f, &ch);
	status = ch.not_modified ? 304 : ch.range ? 206 : 200;
	body = ch.gzip ? f.gz : f.data;
	len = ch.gzip ? f.gz_size : f.size;
	if (ch.range) {
		body += ch.first;
		len = ch.last - ch.first + 1;
	}
	http_head_begin(c, &b, status);
	if (status != 304) {
		hb_str(&b, "Content-Type: ");
		hb_str(&b, f.mime);
		hb_str(&b, "\r\nContent-Length: ");
		hb_u64(&b, len);
		hb_str(&b, "\r\nAccept-Ranges: bytes\r\n");
		if (ch.gzip)
			hb_str(&b, "Content-Encoding: gzip\r\n");
	}
	if (ch.range) {
		hb_str(&b, "Content-Range: bytes ");
		hb_u64(&b, ch.first);
		hb_str(&b, "-");
		hb_u64(&b, ch.last);
		hb_str(&b, "/");
		hb_u64(&b, f.size);
		hb_str(&b, "\r\n");
	}
	file_head(&b, &f, &ch);
	if (http_head_end(c, &b) < 0) {
		c->flags |= CF_ABORT;
		return;
	}
	if (status == 304 || m == HTTP_HEAD)
		len = 0;
	if (len)
		http_out_push(c, body, len, 1, NULL);
	if (ch.gzip && status != 304)
		COUNT(c->srv, GZIP);
	http_count_status(c->srv, status);
	http_log(c, status, len);
}
