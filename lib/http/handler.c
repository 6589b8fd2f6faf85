/* Dynamic routes: choosing a route, calling its handler with the
 * request, and the API handlers answer with (copied, static or streamed
 * bodies). A stream's chunks are pulled only when the connection's
 * output is empty, so a client that does not read stops the handler
 * from producing, and its memory stays one chunk. */
#include <errno.h>
#include <stdlib.h>

#include "impl.h"

struct http_response {
	struct http_conn *c;
	size_t extra_len;
	int done;
	char extra[HTTP_EXTRA_HEADERS_MAX];
};

#define BODY_METHODS (HTTP_POST | HTTP_PUT | HTTP_PATCH)

void http_route_select(struct http_conn *c)
{
	struct http_work *w = c->w;
	const struct http_server *s = c->srv;

	w->route = NULL;
	for (unsigned i = 0; i < s->nroutes; i++) {
		const struct http_route_entry *r = &s->routes[i];
		if (r->prefix ? w->path_len >= r->len &&
					!memcmp(w->path, r->path, r->len)
			      : w->path_len == r->len &&
					!memcmp(w->path, r->path, r->len)) {
			w->route = r;
			w->body.keep = (r->methods & w->head.method &
					BODY_METHODS) != 0;
			return;
		}
	}
}

/* "Allow: GET, HEAD\r\n" for the method set M, into OUT (>= 80 bytes). */
static void allow(unsigned m, char *out)
{
	static const char *const names[] = { "GET",    "HEAD",	  "POST", "PUT",
					     "DELETE", "OPTIONS", "PATCH" };
	size_t n = 0;

	memcpy(out, "Allow: ", 7);
	n = 7;
	for (unsigned i = 0; i < 7; i++)
		if (m & (1U << i)) {
			if (n > 7)
				out[n++] = ',', out[n++] = ' ';
			memcpy(out + n, names[i], strlen(names[i]));
			n += strlen(names[i]);
		}
	memcpy(out + n, "\r\n", 3);
}

void http_allow(struct http_conn *c, unsigned status, unsigned methods)
{
	char a[80];

	allow(methods | HTTP_OPTIONS, a);
	http_error_with(c, status, 0, a);
}

static void call_handler(struct http_conn *c)
{
	struct http_work *w = c->w;
	const struct http_route_entry *r = w->route;
	const struct http_head *h = &w->head;
	struct http_response res = { .c = c };
	struct http_request req = {
		.method = (enum http_method)h->method,
		.method_name = (const char *)w->in + h->method_off,
		.method_len = h->method_len,
		.path = w->path,
		.path_len = w->path_len,
		.query = w->query_len ? (const char *)w->in + w->query_off
				      : NULL,
		.query_len = w->query_len,
		.version = h->version,
		.body = w->body.buf,
		.body_len = w->body.len,
		.conn = c,
	};
	int rc;

	if (!(r->methods & h->method)) {
		http_allow(c, h->method == HTTP_OPTIONS ? 204 : 405,
			   r->methods);
		return;
	}
	rc = r->fn(&req, &res, r->arg);
	if (!res.done) {
		COUNT(c->srv, HANDLER_ERROR);
		http_respond_error(c, 500, 0);
	} else if (rc < 0) {
		COUNT(c->srv, HANDLER_ERROR);
	}
}

void http_dispatch(struct http_conn *c)
{
	struct http_work *w = c->w;

	if (w->route)
		call_handler(c);
	else if (w->path[0] == '*') /* OPTIONS * */
		http_allow(c, 204, HTTP_GET | HTTP_HEAD);
	else
		http_serve_static(c);
}

/* Case-insensitive equality of two counted strings. */
static int same_name(const uint8_t *a, size_t n, const char *b)
{
	for (size_t i = 0; i < n; i++)
		if (!b[i] || lower(a[i]) != lower((unsigned char)b[i]))
			return 0;
	return b[n] == '\0';
}

ssize_t http_request_header(const struct http_request *r, const char *name,
			    const char **value)
{
	const struct http_work *w = r->conn->w;

	for (unsigned i = 0; i < w->head.nfields; i++) {
		const struct http_field *f = &w->head.fields[i];
		if (same_name(w->in + f->name, f->nlen, name)) {
			*value = (const char *)w->in + f->value;
			return f->vlen;
		}
	}
	return -ENOENT;
}

int http_response_header(struct http_response *res, const char *name,
			 const char *value)
{
	size_t n = strlen(name), v = strlen(value);

	if (res->done || !n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!is_token((uint8_t)name[i]))
			return -EINVAL;
	for (size_t i = 0; i < v; i++)
		if (!(http_ctype[(uint8_t)value[i]] & CT_VALUE))
			return -EINVAL;
	if (res->extra_len + n + v + 4 > sizeof res->extra)
		return -ENOSPC;
	memcpy(res->extra + res->extra_len, name, n);
	memcpy(res->extra + res->extra_len + n, ": ", 2);
	memcpy(res->extra + res->extra_len + n + 2, value, v);
	memcpy(res->extra + res->extra_len + n + 2 + v, "\r\n", 2);
	res->extra_len += n + v + 4;
	return 0;
}

enum body_kind { BODY_COPY, BODY_STATIC, BODY_STREAM };

static int respond(struct http_response *res, unsigned status, const char *type,
		   const void *body, size_t len, enum body_kind kind)
{
	struct http_conn *c = res->c;
	int none = status == 204 || status == 304 ||
		   c->w->head.method == HTTP_HEAD;
	struct http_head_out b;
	void *copy = NULL;

	if (res->done || status < 200 || status > 599 ||
	    (type && strpbrk(type, "\r\n")))
		return -EINVAL;
	if (kind == BODY_COPY && len > HTTP_COPY_BODY_MAX)
		return -EMSGSIZE;
	if (kind == BODY_COPY && !none && len && !(copy = malloc(len)))
		return -ENOMEM;
	if (copy)
		memcpy(copy, body, len);
	if (kind == BODY_STREAM && c->w->head.version == 10)
		c->flags |= CF_CLOSE; /* the body ends with the connection */
	http_head_begin(c, &b, status);
	if (type) {
		hb_str(&b, "Content-Type: ");
		hb_str(&b, type);
		hb_str(&b, "\r\n");
	}
	if (kind == BODY_STREAM && c->w->head.version == 11 && status != 204 &&
	    status != 304)
		hb_str(&b, "Transfer-Encoding: chunked\r\n");
	else if (kind != BODY_STREAM && status != 204 && status != 304) {
		hb_str(&b, "Content-Length: ");
		hb_u64(&b, len);
		hb_str(&b, "\r\n");
	}
	hb_add(&b, res->extra, res->extra_len);
	if (http_head_end(c, &b) < 0) {
		free(copy);
		return -ENOSPC;
	}
	if (!none && len && kind != BODY_STREAM)
		http_out_push(c, copy ? copy : body, len, kind == BODY_STATIC,
			      copy);
	res->done = 1;
	http_count_status(c->srv, status);
	http_log(c, status, none || kind == BODY_STREAM ? 0 : len);
	return 0;
}

int http_respond(struct http_response *res, unsigned status, const char *type,
		 const void *body, size_t len)
{
	return respond(res, status, type, body, len, BODY_COPY);
}

int http_respond_static(struct http_response *res, unsigned status,
			const char *type, const void *body, size_t len)
{
	return respond(res, status, type, body, len, BODY_STATIC);
}

int http_respond_stream(struct http_response *res, unsigned status,
			const char *type,
			ssize_t (*fill)(void *arg, uint8_t *buf, size_t cap),
			void (*done)(void *arg), void *arg)
{
	struct http_conn *c = res->c;
	struct http_stream *s;
	int r, none = status == 204 || status == 304 ||
		      c->w->head.method == HTTP_HEAD;

	if (!fill || res->done)
		return -EINVAL;
	if (!none && !(s = calloc(1, sizeof *s)))
		return -ENOMEM;
	r = respond(res, status, type, NULL, 0, BODY_STREAM);
	if (r < 0 || none) {
		if (!none)
			free(s);
		if (r == 0 && done)
			done(arg);
		return r;
	}
	s->fill = fill;
	s->done = done;
	s->arg = arg;
	s->chunked = c->w->head.version == 11;
	c->w->stream = s;
	return 0;
}

void http_stream_end(struct http_conn *c)
{
	struct http_stream *s = c->w ? c->w->stream : NULL;

	if (!s)
		return;
	c->w->stream = NULL;
	if (s->done)
		s->done(s->arg);
	free(s);
	if (c->state == CS_STREAM)
		c->state = CS_IDLE;
}

void http_stream_pull(struct http_conn *c)
{
	struct http_stream *s = c->w ? c->w->stream : NULL;
	static const char hex[] = "0123456789abcdef";
	ssize_t n;
	size_t h = 0;
	char size[8];

	if (!s)
		return;
	n = s->fill(s->arg, s->buf + 8, HTTP_STREAM_CHUNK);
	if (n < 0 || n > HTTP_STREAM_CHUNK) {
		COUNT(c->srv, HANDLER_ERROR);
		c->flags |= CF_ABORT;
		http_stream_end(c);
		return;
	}
	if (n == 0) {
		if (s->chunked)
			http_out_push(c, (const uint8_t *)"0\r\n\r\n", 5, 1,
				      NULL);
		http_stream_end(c);
		return;
	}
	if (!s->chunked) {
		http_out_push(c, s->buf + 8, (size_t)n, 0, NULL);
		return;
	}
	for (size_t v = (size_t)n; v; v >>= 4)
		size[sizeof size - ++h] = hex[v & 15];
	memcpy(s->buf + 8 - h - 2, size + sizeof size - h, h);
	memcpy(s->buf + 6, "\r\n", 2);
	memcpy(s->buf + 8 + n, "\r\n", 2);
	http_out_push(c, s->buf + 6 - h, h + 2 + (size_t)n + 2, 0, NULL);
}
