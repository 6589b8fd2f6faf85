/* From a request-target to the path a site is searched with.
 *
 *   1. the form: origin-form ("/p?q"), or absolute-form
 *      ("http://host/p?q", RFC 9112 3.2.2) whose authority is checked
 *      and then ignored (one site per appliance);
 *   2. the query is split off, raw;
 *   3. the path is percent-decoded exactly once; an escape that is not
 *      two hex digits, or that decodes to '/', NUL or '\\', is refused
 *      (an encoded separator or terminator only ever serves to confuse
 *      a path check);
 *   4. dot segments are removed (RFC 3986 5.2.4) and repeated slashes
 *      merged, on the decoded path, so "%2e%2e" is "..": a ".." that
 *      would climb above the root is refused rather than clamped.
 *
 * The result starts with '/', never holds "." or ".." segments, and ends
 * with '/' exactly when the target named a directory ("/d/", "/d/."). */
#include "impl.h"

static int refuse(struct http_error *e, unsigned status, enum http_counter c)
{
	e->status = status;
	e->counter = c;
	return -1;
}

static int hexval(uint8_t c)
{
	c = (uint8_t)lower(c);
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* Skips "http://authority" or "https://authority": the offset of the
 * path, or -1 if T is neither origin- nor absolute-form. */
static long skip_absolute(const uint8_t *t, size_t len)
{
	size_t i;

	if (len && t[0] == '/')
		return 0;
	if (len >= 7 && http_ieq((const char *)t, 7, "http://"))
		i = 7;
	else if (len >= 8 && http_ieq((const char *)t, 8, "https://"))
		i = 8;
	else
		return -1;
	size_t a = i;
	while (i < len && t[i] != '/' && t[i] != '?')
		i++;
	if (i == a || !http_host_ok(t + a, i - a)) /* no userinfo either */
		return -1;
	return (long)i;
}

/* Decodes [P, P+N) into OUT (CAP): the length, or -1 (*E set). */
static long decode(const uint8_t *p, size_t n, char *out, size_t cap,
		   struct http_error *e)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '[' || c == ']')
			return refuse(e, 400, HTTP_BAD_TARGET);
		if (c == '%') {
			if (i + 2 >= n || !(http_ctype[p[i + 1]] & CT_HEX) ||
			    !(http_ctype[p[i + 2]] & CT_HEX))
				return refuse(e, 400, HTTP_BAD_PATH);
			c = (uint8_t)(hexval(p[i + 1]) << 4 | hexval(p[i + 2]));
			i += 2;
			if (c == '/' || c == '\0' || c == '\\')
				return refuse(e, 400, HTTP_BAD_PATH);
		}
		if (o + 1 >= cap)
			return refuse(e, 414, HTTP_LINE_TOO_LONG);
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
}

/* Removes dot segments and empty segments of P (LEN, starting with
 * '/') in place; returns the new length or -1 (*E set). */
static long normalise(char *p, size_t len, struct http_error *e)
{
	size_t o = 0, i = 0;
	int trailing = 0;

	while (i < len) {
		size_t s = i + 1, end = s;
		while (end < len && p[end] != '/')
			end++;
		size_t n = end - s;
		trailing = end == len &&
			   (n == 0 || (n == 1 && p[s] == '.') ||
			    (n == 2 && p[s] == '.' && p[s + 1] == '.'));
		if (n == 2 && p[s] == '.' && p[s + 1] == '.') {
			if (o == 0)
				return refuse(e, 400, HTTP_PATH_ABOVE_ROOT);
			while (o > 0 && p[--o] != '/')
				;
		} else if (n && !(n == 1 && p[s] == '.')) {
			p[o++] = '/';
			memmove(p + o, p + s, n);
			o += n;
		}
		i = end;
	}
	if (trailing || o == 0)
		p[o++] = '/';
	p[o] = '\0';
	return (long)o;
}

int http_target_path(const uint8_t *t, size_t len, char *path, size_t cap,
		     size_t *path_len, size_t *query_off, size_t *query_len,
		     struct http_error *e)
{
	long start = skip_absolute(t, len), n;
	const uint8_t *q;
	size_t plen;

	if (start < 0)
		return refuse(e, 400, HTTP_BAD_TARGET);
	q = memchr(t + start, '?', len - (size_t)start);
	plen = (q ? (size_t)(q - t) : len) - (size_t)start;
	*query_off = q ? (size_t)(q - t) + 1 : 0;
	*query_len = q ? len - *query_off : 0;
	if (plen == 0) { /* "http://host" or "http://host?q" */
		if (cap < 2)
			return refuse(e, 414, HTTP_LINE_TOO_LONG);
		path[0] = '/';
		path[1] = '\0';
		*path_len = 1;
		return 0;
	}
	if (memchr(t + *query_off, '[', *query_len) ||
	    memchr(t + *query_off, ']', *query_len))
		return refuse(e, 400, HTTP_BAD_TARGET);
	n = decode(t + start, plen, path, cap, e);
	if (n < 0 || (n = normalise(path, (size_t)n, e)) < 0)
		return -1;
	*path_len = (size_t)n;
	return 0;
}

long http_encode_path(const char *path, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)path[i];
		if (http_ctype[c] & CT_PCHAR) {
			if (o + 1 > cap)
				return -1;
			out[o++] = (char)c;
			continue;
		}
		if (o + 3 > cap)
			return -1;
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	return (long)o;
}
