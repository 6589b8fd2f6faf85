/* Request bodies: a Content-Length count, or the chunked coding (RFC
 * 9112 7.1):
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *
 * Chunk sizes are 1..HTTP_CHUNK_DIGITS_MAX hex digits with nothing in
 * front (no sign, no "0x", no space); extensions must start with ';' and
 * hold only field-value characters, and a whole chunk line is at most
 * HTTP_CHUNK_LINE_MAX bytes. Chunk data must be followed by exactly
 * CRLF. Trailer fields are checked for syntax and dropped. Kept bodies
 * (for handlers) go to a buffer that grows to the route's limit; the
 * limit counts decoded bytes either way. */
#include <stdlib.h>

#include "impl.h"

static long refuse(struct http_error *e, unsigned status, enum http_counter c)
{
	e->status = status;
	e->counter = c;
	return -1;
}

static int keep(struct http_body *b, const uint8_t *d, size_t n, size_t max)
{
	if (!b->keep || n == 0)
		return 0;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		uint8_t *p;
		while (cap < b->len + n)
			cap *= 2;
		if (cap > max)
			cap = max;
		if (!(p = realloc(b->buf, cap)))
			return -1;
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, d, n);
	b->len += n;
	return 0;
}

/* Parses "chunk-size [ chunk-ext ]" of [P, P+N). 0 and *SIZE, or -1. */
static int chunk_line(const uint8_t *p, size_t n, uint64_t *size)
{
	size_t i = 0;
	uint64_t v = 0;

	while (i < n && (http_ctype[p[i]] & CT_HEX)) {
		uint8_t c = (uint8_t)lower(p[i]);
		v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
		i++;
	}
	if (i == 0 || i > HTTP_CHUNK_DIGITS_MAX)
		return -1;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < n && p[i] != ';')
		return -1;
	for (; i < n; i++)
		if (!(http_ctype[p[i]] & CT_VALUE))
			return -1;
	*size = v;
	return 0;
}

/* A line of the chunk framing at D (N bytes): its length without CRLF
 * in *LEN and 1, 0 if it has not ended yet, -1 if malformed (bare LF,
 * or longer than LIMIT). */
static int framing_line(const uint8_t *d, size_t n, size_t limit, size_t *len)
{
	const uint8_t *lf = memchr(d, '\n', n < limit + 2 ? n : limit + 2);

	if (!lf)
		return n >= limit + 2 ? -1 : 0;
	*len = (size_t)(lf - d);
	if (*len == 0 || d[*len - 1] != '\r' || memchr(d, '\r', *len - 1))
		return -1;
	(*len)--;
	return 1;
}

/* One trailer line (a field line, or the empty line that ends them). */
static long trailer(struct http_body *b, const uint8_t *d, size_t n, int *done,
		    struct http_error *e)
{
	size_t len, i = 0;
	int r = framing_line(d, n, HTTP_FIELD_LINE_MAX, &len);

	if (r <= 0)
		return r < 0 ? refuse(e, 400, HTTP_BAD_CHUNK) : 0;
	b->trailer_bytes += (uint32_t)len + 2;
	if (b->trailer_bytes > HTTP_HEADER_BLOCK_MAX)
		return refuse(e, 431, HTTP_HEAD_TOO_LARGE);
	if (len == 0) {
		b->chunk_state = CH_DONE;
		*done = 1;
		return 2;
	}
	while (i < len && is_token(d[i]))
		i++;
	if (i == 0 || i == len || d[i] != ':')
		return refuse(e, 400, HTTP_BAD_CHUNK);
	for (i++; i < len; i++)
		if (!(http_ctype[d[i]] & CT_VALUE))
			return refuse(e, 400, HTTP_BAD_CHUNK);
	return (long)len + 2;
}

/* One step of the chunked decoder on D[0..N): bytes consumed (0: more
 * input is needed), or -1. */
static long chunk_step(struct http_body *b, const uint8_t *d, size_t n,
		       size_t max, int *done, struct http_error *e)
{
	size_t len, take;
	uint64_t size;
	int r;

	switch (b->chunk_state) {
	case CH_SIZE:
		r = framing_line(d, n, HTTP_CHUNK_LINE_MAX, &len);
		if (r <= 0)
			return r < 0 ? refuse(e, 400, HTTP_BAD_CHUNK) : 0;
		if (chunk_line(d, len, &size) < 0)
			return refuse(e, 400, HTTP_BAD_CHUNK);
		if (size > max - b->total)
			return refuse(e, 413, HTTP_BODY_TOO_LARGE);
		b->left = size;
		b->chunk_state = size ? CH_DATA : CH_TRAILER;
		return (long)len + 2;
	case CH_DATA:
		take = n < b->left ? n : (size_t)b->left;
		if (keep(b, d, take, max) < 0)
			return refuse(e, 500, HTTP_NOMEM);
		b->left -= take;
		b->total += take;
		if (!b->left)
			b->chunk_state = CH_DATA_END;
		return (long)take;
	case CH_DATA_END:
		if (n < 2)
			return 0;
		if (d[0] != '\r' || d[1] != '\n')
			return refuse(e, 400, HTTP_BAD_CHUNK);
		b->chunk_state = CH_SIZE;
		return 2;
	case CH_TRAILER:
		return trailer(b, d, n, done, e);
	}
	*done = 1;
	return 0;
}

long http_body_feed(struct http_body *b, const uint8_t *d, size_t n, size_t max,
		    int *done, struct http_error *e)
{
	size_t used = 0;

	*done = 0;
	if (b->mode == BODY_LENGTH) {
		size_t take = n < b->left ? n : (size_t)b->left;
		if (keep(b, d, take, max) < 0)
			return refuse(e, 500, HTTP_NOMEM);
		b->left -= take;
		b->total += take;
		*done = b->left == 0;
		return (long)take;
	}
	if (b->mode != BODY_CHUNKED) {
		*done = 1;
		return 0;
	}
	while (!*done && used < n) {
		long r = chunk_step(b, d + used, n - used, max, done, e);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		used += (size_t)r;
	}
	return (long)used;
}
