/* What a request's fields mean. Framing is decided here, strictly: a
 * request with both Content-Length and Transfer-Encoding, with two
 * Content-Length fields, with a length that is not a plain canonical
 * decimal, or with a coding list other than exactly "chunked" is
 * refused (RFC 9112 6.1-6.3), because two parsers that disagree about
 * where a body ends are how requests are smuggled. The value parsers
 * that static files use (Range, entity tags, Accept-Encoding) never
 * refuse: a value they do not understand is ignored, as RFC 9110 lets a
 * server do. */
#include "impl.h"

/* Decimal digits of a length: 18 cannot overflow 64 bits, and no
 * honest body is an exabyte. */
#define LENGTH_DIGITS_MAX 18

/* The next element of a comma-separated list (RFC 9110 5.6.1), empty
 * elements skipped: 1 and [*EL, *EL + *N), or 0 at the end. */
static int next_element(const uint8_t *p, size_t len, size_t *pos,
			const uint8_t **el, size_t *n)
{
	size_t i = *pos, end;

	for (;;) {
		while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
			i++;
		if (i >= len)
			return 0;
		end = i;
		/* Commas inside quoted strings do not end an element. */
		for (int q = 0; end < len && (q || p[end] != ','); end++)
			if (p[end] == '"' && (!q || p[end - 1] != '\\'))
				q = !q;
		*pos = end;
		while (end > i && (p[end - 1] == ' ' || p[end - 1] == '\t'))
			end--;
		*el = p + i;
		*n = end - i;
		return 1;
	}
}

int http_parse_length(const uint8_t *p, size_t len, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0 || len > LENGTH_DIGITS_MAX || (p[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	*v = x;
	return 0;
}

static int reg_name_char(uint8_t c)
{
	return (http_ctype[c] & CT_PCHAR) && c != ':' && c != '@' && c != '/';
}

int http_host_ok(const uint8_t *p, size_t len)
{
	size_t i = 0;

	if (len && p[0] == '[') {
		for (i = 1; i < len && p[i] != ']'; i++)
			if (!(http_ctype[p[i]] & CT_HEX) && p[i] != ':' &&
			    p[i] != '.')
				return 0;
		if (i == len || i == 1)
			return 0;
		i++;
	} else {
		for (; i < len && p[i] != ':'; i++) {
			if (p[i] == '%') {
				if (i + 2 >= len ||
				    !(http_ctype[p[i + 1]] & CT_HEX) ||
				    !(http_ctype[p[i + 2]] & CT_HEX))
					return 0;
				i += 2;
			} else if (!reg_name_char(p[i]))
				return 0;
		}
	}
	if (i == len)
		return 1;
	if (p[i] != ':' || len - i - 1 > 5)
		return 0;
	for (i++; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

static int refuse(struct http_error *e, unsigned status, enum http_counter c)
{
	e->status = status;
	e->counter = c;
	return -1;
}

/* Transfer-Encoding over every field line: exactly one "chunked", last.
 * Another coding is not implemented (501); malformed or doubled: 400. */
static int coding_list(const struct http_head *h, const uint8_t *b,
		       struct http_error *e)
{
	unsigned chunked = 0, other = 0, last_chunked = 0;

	for (unsigned f = 0; f < h->nfields; f++) {
		const struct http_field *x = &h->fields[f];
		const uint8_t *el;
		size_t n, pos = 0;
		if (x->id != HF_TRANSFER_ENCODING)
			continue;
		while (next_element(b + x->value, x->vlen, &pos, &el, &n)) {
			size_t t = 0, p = 0;
			while (t < n && is_token(el[t]))
				t++;
			for (p = t; p < n && (el[p] == ' ' || el[p] == '\t');)
				p++;
			if (t == 0 || (p < n && el[p] != ';'))
				return refuse(e, 400, HTTP_BAD_TE);
			last_chunked = t == n &&
				       http_ieq((const char *)el, t, "chunked");
			chunked += last_chunked;
			other += !last_chunked;
		}
	}
	if (other && chunked <= 1)
		return refuse(e, 501, HTTP_BAD_TE);
	if (chunked != 1 || !last_chunked)
		return refuse(e, 400, HTTP_BAD_TE);
	return 0;
}

static void connection_tokens(const uint8_t *p, size_t len,
			      struct http_info *info)
{
	const uint8_t *el;
	size_t n, pos = 0;

	while (next_element(p, len, &pos, &el, &n)) {
		if (http_ieq((const char *)el, n, "close"))
			info->close = 1;
		else if (http_ieq((const char *)el, n, "keep-alive"))
			info->keep_alive = 1;
	}
}

/* Framing: Content-Length, Transfer-Encoding (RFC 9112 6). */
static int framing(const struct http_head *h, const uint8_t *b,
		   struct http_info *info, unsigned lengths, unsigned codings,
		   struct http_error *e)
{
	if (lengths && codings)
		return refuse(e, 400, HTTP_CL_AND_TE);
	if (lengths > 1)
		return refuse(e, 400, HTTP_BAD_CL);
	if (codings && h->version == 10)
		return refuse(e, 400, HTTP_BAD_TE);
	if (codings) {
		if (coding_list(h, b, e) < 0)
			return -1;
		info->chunked = info->has_body = 1;
	}
	for (unsigned f = 0; lengths && f < h->nfields; f++)
		if (h->fields[f].id == HF_CONTENT_LENGTH) {
			const struct http_field *x = &h->fields[f];
			if (http_parse_length(b + x->value, x->vlen,
					      &info->content_length) < 0)
				return refuse(e, 400, HTTP_BAD_CL);
			info->has_length = 1;
			info->has_body = info->content_length > 0;
		}
	return 0;
}

int http_fields(const struct http_head *h, const uint8_t *b,
		struct http_info *info, struct http_error *e)
{
	unsigned hosts = 0, lengths = 0, codings = 0;

	memset(info, 0, sizeof *info);
	for (unsigned f = 0; f < h->nfields; f++) {
		const struct http_field *x = &h->fields[f];
		switch (x->id) {
		case HF_HOST:
			if (++hosts > 1 || !http_host_ok(b + x->value, x->vlen))
				return refuse(e, 400, HTTP_BAD_HOST);
			break;
		case HF_CONTENT_LENGTH:
			lengths++;
			break;
		case HF_TRANSFER_ENCODING:
			codings++;
			break;
		case HF_CONNECTION:
			connection_tokens(b + x->value, x->vlen, info);
			break;
		case HF_EXPECT:
			info->expect_continue |=
				http_ieq((const char *)b + x->value, x->vlen,
					 "100-continue");
			break;
		}
	}
	if (h->version == 11 && hosts == 0)
		return refuse(e, 400, HTTP_BAD_HOST);
	return framing(h, b, info, lengths, codings, e);
}

/* A qvalue in thousandths (RFC 9110 12.4.2), or -1 if malformed. */
static int qvalue(const uint8_t *p, size_t n)
{
	int v = 0, scale = 1000;

	if (n == 0 || (p[0] != '0' && p[0] != '1') || (n > 1 && p[1] != '.') ||
	    n > 5)
		return -1;
	for (size_t i = 2; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		scale /= 10;
		v += (p[i] - '0') * scale;
	}
	v += (p[0] - '0') * 1000;
	return v > 1000 ? -1 : v;
}

/* The q of one Accept-Encoding element (1000 without one). */
static int element_q(const uint8_t *el, size_t n, size_t name_end)
{
	for (size_t i = name_end; i < n; i++) {
		if (el[i] != ';')
			continue;
		i++;
		while (i < n && (el[i] == ' ' || el[i] == '\t'))
			i++;
		if (i + 1 < n && lower(el[i]) == 'q' && el[i + 1] == '=') {
			size_t s = i + 2, t = s;
			while (t < n && el[t] != ';' && el[t] != ' ' &&
			       el[t] != '\t')
				t++;
			return qvalue(el + s, t - s);
		}
	}
	return 1000;
}

void http_gzip_q(const uint8_t *p, size_t len, int *gzip, int *star)
{
	const uint8_t *el;
	size_t n, pos = 0;

	while (next_element(p, len, &pos, &el, &n)) {
		size_t t = 0;
		int q;
		while (t < n && is_token(el[t]))
			t++;
		q = element_q(el, n, t);
		if (http_ieq((const char *)el, t, "gzip") ||
		    http_ieq((const char *)el, t, "x-gzip"))
			*gzip = q;
		else if (t == 1 && el[0] == '*')
			*star = q;
	}
}

int http_accepts_gzip(const uint8_t *p, size_t len)
{
	int gzip = -1, star = -1;

	http_gzip_q(p, len, &gzip, &star);
	return gzip >= 0 ? gzip > 0 : star > 0;
}

int http_etag_match(const uint8_t *p, size_t len, const char *etag,
		    size_t etag_len, int weak_ok)
{
	const uint8_t *el;
	size_t n, pos = 0;

	if (len == 1 && p[0] == '*')
		return 1;
	while (next_element(p, len, &pos, &el, &n)) {
		int weak = n > 2 && el[0] == 'W' && el[1] == '/';
		if (weak) {
			el += 2;
			n -= 2;
		}
		if (n < 2 || el[0] != '"' || el[n - 1] != '"' ||
		    memchr(el + 1, '"', n - 2))
			return 0; /* malformed: no match */
		if ((weak_ok || !weak) && n == etag_len && !memcmp(el, etag, n))
			return 1;
	}
	return 0;
}

/* One range-spec against SIZE: 1 satisfiable [*F, *L], 0 unsatisfiable,
 * -1 malformed. */
static int range_spec(const uint8_t *el, size_t n, uint64_t size, uint64_t *f,
		      uint64_t *l)
{
	const uint8_t *dash = memchr(el, '-', n);
	uint64_t a, b;
	size_t alen, blen;

	if (!dash)
		return -1;
	alen = (size_t)(dash - el);
	blen = n - alen - 1;
	if (alen == 0) { /* suffix: the last B bytes */
		if (http_parse_length(dash + 1, blen, &b) < 0)
			return -1;
		if (b == 0 || size == 0)
			return 0;
		*f = b >= size ? 0 : size - b;
		*l = size - 1;
		return 1;
	}
	if (http_parse_length(el, alen, &a) < 0 ||
	    (blen && http_parse_length(dash + 1, blen, &b) < 0) ||
	    (blen && b < a))
		return -1;
	if (a >= size)
		return 0;
	*f = a;
	*l = blen && b < size ? b : size - 1;
	return 1;
}

int http_parse_range(const uint8_t *p, size_t len, uint64_t size,
		     uint64_t *first, uint64_t *last)
{
	uint64_t f[HTTP_RANGES_MAX], l[HTTP_RANGES_MAX];
	const uint8_t *el;
	size_t n, pos = 6, count = 0;

	if (len < 6 || !http_ieq((const char *)p, 6, "bytes="))
		return 0;
	while (next_element(p, len, &pos, &el, &n)) {
		uint64_t a, b;
		int r = range_spec(el, n, size, &a, &b);
		if (r < 0)
			return 0;
		if (r == 0)
			continue;
		if (count == HTTP_RANGES_MAX)
			return 0;
		f[count] = a;
		l[count++] = b;
	}
	if (count == 0)
		return 0;
	/* Coalesce (RFC 9110 14.2): one interval, or the whole file. */
	*first = f[0];
	*last = l[0];
	for (size_t pass = 0; pass < count; pass++)
		for (size_t i = 1; i < count; i++)
			if (f[i] <= *last + 1 && l[i] + 1 >= *first) {
				*first = f[i] < *first ? f[i] : *first;
				*last = l[i] > *last ? l[i] : *last;
			}
	for (size_t i = 0; i < count; i++)
		if (f[i] < *first || l[i] > *last)
			return 0;
	return 1;
}
