/* The request head parser. It runs each time bytes arrive and resumes
 * where it stopped, so a head sent one byte at a time costs linear
 * work. A line is taken when its LF arrives; LF must follow CR (bare LF
 * and bare CR are refused), and limits are checked on partial lines too,
 * so an over-long line is refused as soon as it passes its limit rather
 * than when it ends.
 *
 *   request-line = method SP request-target SP HTTP-version CRLF
 *   field-line   = field-name ":" OWS field-value OWS CRLF
 *
 * with exactly one SP between the request line's parts (RFC 9112 3),
 * no whitespace before a field's colon (RFC 9112 5.1), no obsolete line
 * folding (RFC 9112 5.2), and field values of visible characters,
 * obs-text, SP and HTAB only (RFC 9110 5.5). */
#include "impl.h"

#define TV   (CT_TOKEN | CT_VALUE)
#define TVT  (CT_TOKEN | CT_VALUE | CT_TARGET)
#define TVTP (CT_TOKEN | CT_VALUE | CT_TARGET | CT_PCHAR)
#define VT   (CT_VALUE | CT_TARGET)
#define VTP  (CT_VALUE | CT_TARGET | CT_PCHAR)

const uint8_t http_ctype[256] = {
	['\t'] = CT_VALUE,    [' '] = CT_VALUE,
	['!'] = TVTP,	      ['"'] = CT_VALUE,
	['#'] = TV,	      ['$'] = TVTP,
	['%'] = TVT,	      ['&'] = TVTP,
	['\''] = TVTP,	      ['('] = VTP,
	[')'] = VTP,	      ['*'] = TVTP,
	['+'] = TVTP,	      [','] = VTP,
	['-'] = TVTP,	      ['.'] = TVTP,
	['/'] = VTP,	      ['0' ... '9'] = TVTP | CT_HEX,
	[':'] = VTP,	      [';'] = VTP,
	['<'] = CT_VALUE,     ['='] = VTP,
	['>'] = CT_VALUE,     ['?'] = VT,
	['@'] = VTP,	      ['A' ... 'F'] = TVTP | CT_HEX,
	['G' ... 'Z'] = TVTP, ['['] = CT_VALUE,
	['\\'] = CT_VALUE,    [']'] = CT_VALUE,
	['^'] = TV,	      ['_'] = TVTP,
	['`'] = TV,	      ['a' ... 'f'] = TVTP | CT_HEX,
	['g' ... 'z'] = TVTP, ['{'] = CT_VALUE,
	['|'] = TV,	      ['}'] = CT_VALUE,
	['~'] = TVTP,	      [0x80 ... 0xff] = CT_VALUE,
};

int http_ieq(const char *a, size_t len, const char *b)
{
	for (size_t i = 0; i < len; i++)
		if (lower((unsigned char)a[i]) != b[i] || !b[i])
			return 0;
	return b[len] == '\0';
}

static int refuse(struct http_error *e, unsigned status, enum http_counter c)
{
	e->status = status;
	e->counter = c;
	return -1;
}

static const struct {
	const char *name;
	unsigned method;
} methods[] = {
	{ "GET", HTTP_GET },	   { "HEAD", HTTP_HEAD },
	{ "POST", HTTP_POST },	   { "PUT", HTTP_PUT },
	{ "DELETE", HTTP_DELETE }, { "OPTIONS", HTTP_OPTIONS },
	{ "PATCH", HTTP_PATCH },   { "CONNECT", HTTP_M_CONNECT },
	{ "TRACE", HTTP_M_TRACE },
};

/* Methods are case-sensitive (RFC 9110 9.1). */
static unsigned method_of(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strlen(methods[i].name) == len &&
		    !memcmp(p, methods[i].name, len))
			return methods[i].method;
	return HTTP_M_OTHER;
}

/* "HTTP/" DIGIT "." DIGIT: 1 and *V (10, 11; 1.x above 1 counts as 11),
 * 0 for another major version (505), -1 if malformed (400). */
static int version_of(const uint8_t *p, size_t len, uint8_t *v)
{
	if (len != 8 || memcmp(p, "HTTP/", 5) || p[6] != '.' || p[5] < '0' ||
	    p[5] > '9' || p[7] < '0' || p[7] > '9')
		return -1;
	if (p[5] != '1')
		return 0;
	*v = p[7] == '0' ? 10 : 11;
	return 1;
}

static int request_line(struct http_head *h, const uint8_t *b, size_t start,
			size_t end, struct http_error *e)
{
	const uint8_t *sp1, *sp2;
	size_t len = end - start;
	int v;

	sp1 = memchr(b + start, ' ', len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(b + end - sp1 - 1)) : NULL;
	if (!sp1 || !sp2 || memchr(sp2 + 1, ' ', (size_t)(b + end - sp2 - 1)))
		return refuse(e, 400, HTTP_BAD_REQUEST_LINE);
	h->method_off = (uint16_t)start;
	h->method_len = (uint16_t)(sp1 - b - start);
	h->target_off = (uint16_t)(sp1 + 1 - b);
	h->target_len = (uint16_t)(sp2 - sp1 - 1);
	if (!h->method_len || !h->target_len)
		return refuse(e, 400, HTTP_BAD_REQUEST_LINE);
	for (size_t i = 0; i < h->method_len; i++)
		if (!is_token(b[start + i]))
			return refuse(e, 400, HTTP_BAD_METHOD);
	for (size_t i = 0; i < h->target_len; i++)
		if (!(http_ctype[b[h->target_off + i]] & CT_TARGET) &&
		    b[h->target_off + i] != '[' && b[h->target_off + i] != ']')
			return refuse(e, 400, HTTP_BAD_TARGET);
	v = version_of(sp2 + 1, (size_t)(b + end - sp2 - 1), &h->version);
	if (v < 0)
		return refuse(e, 400, HTTP_BAD_VERSION);
	if (v == 0)
		return refuse(e, 505, HTTP_BAD_VERSION);
	h->method = method_of(b + start, h->method_len);
	if (h->method & (HTTP_M_CONNECT | HTTP_M_TRACE | HTTP_M_OTHER))
		return refuse(e, 501, HTTP_BAD_METHOD);
	return 0;
}

static const struct {
	const char *name;
	uint8_t id;
} known[] = {
	{ "host", HF_HOST },
	{ "content-length", HF_CONTENT_LENGTH },
	{ "transfer-encoding", HF_TRANSFER_ENCODING },
	{ "connection", HF_CONNECTION },
	{ "expect", HF_EXPECT },
	{ "range", HF_RANGE },
	{ "if-range", HF_IF_RANGE },
	{ "if-none-match", HF_IF_NONE_MATCH },
	{ "if-modified-since", HF_IF_MODIFIED_SINCE },
	{ "accept-encoding", HF_ACCEPT_ENCODING },
};

static uint8_t field_id(const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (http_ieq((const char *)name, len, known[i].name))
			return known[i].id;
	return HF_OTHER;
}

static int field_line(struct http_head *h, const uint8_t *b, size_t start,
		      size_t end, struct http_error *e)
{
	struct http_field *f;
	size_t i = start, v, vend = end;

	if (b[start] == ' ' || b[start] == '\t') /* obs-fold, or whitespace
						    after the request line */
		return refuse(e, 400, HTTP_BAD_FIELD);
	while (i < end && is_token(b[i]))
		i++;
	if (i == start || i == end || b[i] != ':')
		return refuse(e, 400, HTTP_BAD_FIELD);
	for (v = i + 1; v < end; v++)
		if (!(http_ctype[b[v]] & CT_VALUE))
			return refuse(e, 400, HTTP_BAD_FIELD);
	if (h->nfields == HTTP_FIELDS_MAX)
		return refuse(e, 431, HTTP_TOO_MANY_FIELDS);
	for (v = i + 1; v < end && (b[v] == ' ' || b[v] == '\t'); v++)
		;
	while (vend > v && (b[vend - 1] == ' ' || b[vend - 1] == '\t'))
		vend--;
	f = &h->fields[h->nfields++];
	f->name = (uint16_t)start;
	f->nlen = (uint16_t)(i - start);
	f->value = (uint16_t)v;
	f->vlen = (uint16_t)(vend - v);
	f->id = field_id(b + start, f->nlen);
	return 0;
}

/* One complete line [START, END) (CRLF excluded). 1 at the head's end. */
static int take_line(struct http_head *h, const uint8_t *b, size_t start,
		     size_t end, struct http_error *e)
{
	if (memchr(b + start, '\r', end - start))
		return refuse(e, 400, HTTP_BAD_LINE_END); /* bare CR */
	if (h->state == HEAD_REQUEST_LINE) {
		if (end == start) { /* an empty line before the request */
			if (++h->crlfs > HTTP_LEADING_CRLF_MAX)
				return refuse(e, 400, HTTP_BAD_REQUEST_LINE);
			return 0;
		}
		if (end - start > HTTP_REQUEST_LINE_MAX)
			return refuse(e, 414, HTTP_LINE_TOO_LONG);
		if (request_line(h, b, start, end, e) < 0)
			return -1;
		h->state = HEAD_FIELDS;
		return 0;
	}
	if (end == start) {
		h->state = HEAD_DONE;
		return 1;
	}
	if (end - start > HTTP_FIELD_LINE_MAX)
		return refuse(e, 431, HTTP_FIELD_TOO_LONG);
	return field_line(h, b, start, end, e);
}

/* Limits on the line still coming and on the whole head. */
static int partial_limits(const struct http_head *h, size_t len,
			  struct http_error *e)
{
	size_t line = len - h->line;

	if (h->state == HEAD_REQUEST_LINE && line > HTTP_REQUEST_LINE_MAX + 1)
		return refuse(e, 414, HTTP_LINE_TOO_LONG);
	if (h->state == HEAD_FIELDS && line > HTTP_FIELD_LINE_MAX + 1)
		return refuse(e, 431, HTTP_FIELD_TOO_LONG);
	if (len > HTTP_HEADER_BLOCK_MAX)
		return refuse(e, 431, HTTP_HEAD_TOO_LARGE);
	return 0;
}

int http_parse_head(struct http_head *h, const uint8_t *b, size_t len,
		    struct http_error *e)
{
	while (h->pos < len) {
		const uint8_t *lf = memchr(b + h->pos, '\n', len - h->pos);
		size_t end;
		int r;
		if (!lf) {
			h->pos = (uint32_t)len;
			break;
		}
		end = (size_t)(lf - b);
		if (end + 1 > HTTP_HEADER_BLOCK_MAX)
			return refuse(e, 431, HTTP_HEAD_TOO_LARGE);
		if (end == h->line || b[end - 1] != '\r')
			return refuse(e, 400, HTTP_BAD_LINE_END); /* bare LF */
		r = take_line(h, b, h->line, end - 1, e);
		h->pos = h->line = (uint32_t)(end + 1);
		if (r)
			return r < 0 ? -1 : (h->len = h->pos, 1);
	}
	return partial_limits(h, len, e);
}
