/* Responses: the output queue, response heads, error responses, the
 * access log, and the dynamic routes' side (route selection, the
 * handler API, streams). Static files are in static.c.
 *
 * Every head goes into the connection's head buffer and is queued as a
 * piece; bodies are pieces of their own: immutable references (files,
 * static strings, http_respond_static), copies the queue frees once
 * sent (http_respond), or a stream's chunks pulled as the client
 * reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "impl.h"
#include "pith/platform.h"

/* --- The output queue ---------------------------------------------------- */

int http_out_pending(const struct http_conn *c)
{
	return c->w && c->w->out.n > 0;
}

int http_out_room(const struct http_conn *c)
{
	const struct http_outq *q = &c->w->out;

	return HTTP_OUT_HDR - q->hdr_len >= HTTP_RESP_HEAD_MAX &&
	       q->n + 4 <= HTTP_OUT_PIECES && q->responses < HTTP_PIPELINE_MAX;
}

void http_out_push(struct http_conn *c, const uint8_t *p, size_t len,
		   int immutable, void *owned)
{
	struct http_outq *q = &c->w->out;
	unsigned i = (q->head + q->n) % HTTP_OUT_PIECES;

	if (q->n == HTTP_OUT_PIECES) { /* callers check room: never */
		free(owned);
		c->flags |= CF_ABORT;
		return;
	}
	if (q->n == 0)
		c->t_send = c->now;
	q->v[i] = (struct http_piece){ p, len, immutable };
	q->owned[i] = owned;
	q->n++;
}

/* --- Heads ------------------------------------------------------------------ */

void hb_add(struct http_head_out *b, const char *s, size_t len)
{
	if (b->len + len > b->cap) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
}

void hb_str(struct http_head_out *b, const char *s)
{
	hb_add(b, s, strlen(s));
}

void hb_u64(struct http_head_out *b, uint64_t v)
{
	char d[20];
	size_t n = 0;

	do
		d[sizeof d - ++n] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof d);
	hb_add(b, d + sizeof d - n, n);
}

static const char *reason(unsigned status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 206:
		return "Partial Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 307:
		return "Temporary Redirect";
	case 308:
		return "Permanent Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "";
}

void http_head_begin(struct http_conn *c, struct http_head_out *b,
		     unsigned status)
{
	struct http_outq *q = &c->w->out;

	b->p = (char *)q->hdr + q->hdr_len;
	b->cap = HTTP_OUT_HDR - q->hdr_len;
	if (b->cap > HTTP_RESP_HEAD_MAX)
		b->cap = HTTP_RESP_HEAD_MAX;
	b->len = 0;
	b->overflow = 0;
	hb_str(b, "HTTP/1.1 ");
	hb_u64(b, status);
	hb_str(b, " ");
	hb_str(b, reason(status));
	hb_str(b, "\r\nServer: pith\r\nDate: ");
	hb_add(b, http_server_date(c->srv), HTTP_DATE_LEN);
	hb_str(b, "\r\n");
}

int http_head_end(struct http_conn *c, struct http_head_out *b)
{
	if (c->flags & CF_CLOSE)
		hb_str(b, "Connection: close\r\n");
	else if (c->w->head.version == 10)
		hb_str(b, "Connection: keep-alive\r\n");
	hb_str(b, "\r\n");
	if (b->overflow)
		return -1;
	c->w->out.hdr_len += (uint32_t)b->len;
	c->w->out.responses++;
	http_out_push(c, (const uint8_t *)b->p, b->len, 0, NULL);
	return 0;
}

const uint8_t *http_field_value(const struct http_conn *c, uint8_t id,
				size_t *len)
{
	const struct http_head *h = &c->w->head;

	for (unsigned i = 0; i < h->nfields; i++)
		if (h->fields[i].id == id) {
			*len = h->fields[i].vlen;
			return c->w->in + h->fields[i].value;
		}
	return NULL;
}

int http_wants_close(struct http_conn *c)
{
	const struct http_work *w = c->w;

	if (w->info.close || (w->head.version == 10 && !w->info.keep_alive))
		c->flags |= CF_CLOSE;
	else if (c->requests + 1 >= c->srv->cfg.requests_per_conn) {
		COUNT(c->srv, CLOSE_REQUEST_CAP);
		c->flags |= CF_CLOSE;
	}
	return (c->flags & CF_CLOSE) != 0;
}

static int is_head(const struct http_conn *c)
{
	return c->w->head.state == HEAD_DONE && c->w->head.method == HTTP_HEAD;
}

static const char *error_body(unsigned status)
{
	static const struct {
		unsigned status;
		const char *body;
	} bodies[] = {
		{ 301, "Moved Permanently\n" },
		{ 400, "Bad Request\n" },
		{ 404, "Not Found\n" },
		{ 405, "Method Not Allowed\n" },
		{ 408, "Request Timeout\n" },
		{ 413, "Content Too Large\n" },
		{ 414, "URI Too Long\n" },
		{ 431, "Request Header Fields Too Large\n" },
		{ 500, "Internal Server Error\n" },
		{ 501, "Not Implemented\n" },
		{ 505, "HTTP Version Not Supported\n" },
	};

	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		if (bodies[i].status == status)
			return bodies[i].body;
	return "";
}

void http_error_with(struct http_conn *c, unsigned status, int close,
		     const char *extra)
{
	const char *body = error_body(status);
	struct http_head_out b;

	if (close)
		c->flags |= CF_CLOSE;
	http_head_begin(c, &b, status);
	hb_str(&b, "Content-Type: text/plain; charset=utf-8\r\n"
		   "Content-Length: ");
	hb_u64(&b, strlen(body));
	hb_str(&b, "\r\n");
	if (extra)
		hb_str(&b, extra);
	if (http_head_end(c, &b) < 0) {
		c->flags |= CF_ABORT;
		return;
	}
	if (!is_head(c) && *body)
		http_out_push(c, (const uint8_t *)body, strlen(body), 1, NULL);
	http_count_status(c->srv, status);
	http_log(c, status, is_head(c) ? 0 : strlen(body));
}

void http_respond_error(struct http_conn *c, unsigned status, int close)
{
	http_error_with(c, status, close, NULL);
}

/* --- The access log ----------------------------------------------------------- */

void http_log(struct http_conn *c, unsigned status, uint64_t bytes)
{
	const struct http_config *k = &c->srv->cfg;
	char line[HTTP_LOG_TARGET_MAX * 4 + 128], when[27];
	const uint8_t *in = c->w->in;
	size_t n, len = 0, end = 0;
	uint32_t a = c->peer;

	if (!k->log)
		return;
	while (end < c->w->in_len && end < HTTP_LOG_TARGET_MAX &&
	       in[end] != '\r' && in[end] != '\n')
		end++;
	http_date_clf((int64_t)(pith_clock_wall() / 1000000000ULL), when);
	len = (size_t)snprintf(line, sizeof line, "%u.%u.%u.%u - - [%s] \"",
			       a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255,
			       when);
	for (size_t i = 0; i < end; i++) {
		uint8_t ch = in[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
			line[len++] = (char)ch;
		else
			len += (size_t)snprintf(line + len, 5, "\\x%02x", ch);
	}
	n = (size_t)snprintf(line + len, sizeof line - len, "\" %u ", status);
	len += n;
	if (bytes)
		len += (size_t)snprintf(line + len, sizeof line - len, "%llu",
					(unsigned long long)bytes);
	else
		line[len++] = '-';
	k->log(k->log_arg, line, len);
}
