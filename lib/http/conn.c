/* The connection's state machine.
 *
 *   IDLE --first byte--> HEAD --head complete--> BODY --body read-->
 *     response queued --> IDLE (next pipelined request, or wait)
 *                    \--> STREAM (a handler's stream) --end--> IDLE
 *   any refusal: an error response with "Connection: close"
 *   CLOSE flag, output sent --> SHUTDOWN --> LINGER --EOF/deadline--> CLOSED
 *
 * Output has priority: while any is pending the decision is SEND and
 * nothing is read, so a client that pipelines without reading stops
 * being read (the transport's window closes) instead of growing a
 * queue. Every state has a deadline (http.h, timeouts); next() acts on
 * a deadline that has passed. The work area (buffers) is taken at a
 * request's first byte and given back to the server's cache once the
 * connection is idle with nothing buffered. */
#include <errno.h>
#include <stdlib.h>

#include "impl.h"

/* Scratch for input drained while lingering: it is thrown away, so all
 * connections share it. */
static uint8_t linger_scratch[4096];

static struct http_work *work_get(struct http_server *s)
{
	struct http_work *w = s->cache;

	if (w) {
		s->cache = w->next;
		s->ncache--;
	} else if (!(w = malloc(sizeof *w))) {
		return NULL;
	}
	w->in = w->in_small;
	w->in_cap = HTTP_IN_INITIAL;
	w->in_len = 0;
	memset(&w->head, 0, offsetof(struct http_head, fields));
	memset(&w->body, 0, sizeof w->body);
	memset(&w->out, 0, offsetof(struct http_outq, hdr));
	w->stream = NULL;
	w->route = NULL;
	return w;
}

static void work_put(struct http_server *s, struct http_work *w)
{
	for (unsigned i = 0; i < w->out.n; i++)
		free(w->out.owned[(w->out.head + i) % HTTP_OUT_PIECES]);
	if (w->in != w->in_small)
		free(w->in);
	free(w->body.buf);
	if (s->ncache < HTTP_WORK_CACHE) {
		w->next = s->cache;
		s->cache = w;
		s->ncache++;
	} else {
		free(w);
	}
}

struct http_conn *http_conn_new(struct http_server *s, uint64_t now,
				uint32_t peer)
{
	struct http_conn *c = calloc(1, sizeof *c);

	if (!c) {
		COUNT(s, NOMEM);
		return NULL;
	}
	c->srv = s;
	c->t_state = c->now = now;
	c->peer = peer;
	c->flags = CF_FRESH;
	s->nconns++;
	COUNT(s, CONN_OPENED);
	return c;
}

void http_conn_free(struct http_conn *c)
{
	if (!c)
		return;
	http_stream_end(c);
	if (c->w)
		work_put(c->srv, c->w);
	c->srv->nconns--;
	COUNT(c->srv, CONN_CLOSED);
	free(c);
}

unsigned http_conn_requests(const struct http_conn *c)
{
	return c->requests;
}

/* Gives the work area back if nothing is buffered or pending. */
static void release_if_idle(struct http_conn *c)
{
	if (c->w && c->state == CS_IDLE && c->w->in_len == 0 &&
	    !http_out_pending(c) && !c->w->stream) {
		work_put(c->srv, c->w);
		c->w = NULL;
	}
}

/* Answers a refused request and stops reading: nothing after a
 * refusal can be trusted to be framed as its sender meant. */
static void refuse(struct http_conn *c, const struct http_error *e)
{
	c->srv->counters[e->counter]++;
	COUNT(c->srv, CLOSE_AFTER_ERROR);
	http_respond_error(c, e->status, 1);
	c->state = CS_IDLE;
}

/* Drops the finished request's CONSUMED bytes; the next one (if any)
 * moves to the buffer's start. */
static void request_done(struct http_conn *c, size_t consumed)
{
	struct http_work *w = c->w;

	memmove(w->in, w->in + consumed, w->in_len - consumed);
	w->in_len -= (uint32_t)consumed;
	memset(&w->head, 0, offsetof(struct http_head, fields));
	free(w->body.buf);
	memset(&w->body, 0, sizeof w->body);
	w->route = NULL;
	c->requests++;
	c->state = w->stream ? CS_STREAM : CS_IDLE;
	if (w->in_len) /* the next request came before this answer */
		COUNT(c->srv, PIPELINED);
}

/* The head is complete: interpret it, then either refuse it, start
 * reading its body, or (no body) answer it. 0, or -1 when refused. */
static int start_request(struct http_conn *c)
{
	struct http_work *w = c->w;
	struct http_server *s = c->srv;
	struct http_head *h = &w->head;
	struct http_error e;

	COUNT(s, REQUESTS);
	c->flags &= (uint8_t)~CF_FRESH;
	if (http_fields(h, w->in, &w->info, &e) < 0) {
		refuse(c, &e);
		return -1;
	}
	if (h->target_len == 1 && w->in[h->target_off] == '*') {
		if (h->method != HTTP_OPTIONS) {
			e = (struct http_error){ 400, HTTP_BAD_TARGET };
			refuse(c, &e);
			return -1;
		}
		strcpy(w->path, "*");
		w->path_len = 1;
	} else if (http_target_path(w->in + h->target_off, h->target_len,
				    w->path, HTTP_PATH_CAP, &w->path_len,
				    &w->query_off, &w->query_len, &e) < 0) {
		refuse(c, &e);
		return -1;
	}
	if (w->query_len)
		w->query_off += h->target_off;
	http_wants_close(c);
	w->body.mode = w->info.chunked		? BODY_CHUNKED
		       : w->info.content_length ? BODY_LENGTH
						: BODY_NONE;
	w->body.left = w->info.content_length;
	if (w->info.has_length && w->info.content_length > s->cfg.body_max) {
		e = (struct http_error){ 413, HTTP_BODY_TOO_LARGE };
		refuse(c, &e);
		return -1;
	}
	http_route_select(c);
	if (w->body.mode != BODY_NONE && w->info.expect_continue &&
	    h->version == 11) {
		http_out_push(c,
			      (const uint8_t *)"HTTP/1.1 100 Continue\r\n\r\n",
			      25, 1, NULL);
		COUNT(s, S100);
	}
	c->state = CS_BODY;
	c->t_state = c->now;
	return 0;
}

/* Feeds buffered body bytes; answers the request once it is complete.
 * 1 when the request is done, 0 when more input is needed, -1 refused. */
static int read_body(struct http_conn *c)
{
	struct http_work *w = c->w;
	size_t at = w->head.len;
	struct http_error e;
	int done;
	long r = http_body_feed(&w->body, w->in + at, w->in_len - at,
				c->srv->cfg.body_max, &done, &e);

	if (r < 0) {
		refuse(c, &e);
		return -1;
	}
	memmove(w->in + at, w->in + at + r, w->in_len - at - (size_t)r);
	w->in_len -= (uint32_t)r;
	if (!done)
		return 0;
	http_dispatch(c);
	request_done(c, at);
	return 1;
}

/* Parses and answers what the buffer holds, as far as output room and
 * the connection's state allow. */
static void process(struct http_conn *c)
{
	struct http_work *w = c->w;
	struct http_error e;

	while (w && !(c->flags & CF_ABORT)) {
		int r;
		if (c->state == CS_BODY) {
			if (read_body(c) <= 0)
				return;
			continue;
		}
		/* After the last request (CF_CLOSE) nothing more is read. */
		if ((c->state != CS_IDLE && c->state != CS_HEAD) ||
		    (c->flags & CF_CLOSE))
			return;
		if (w->in_len == 0 || !http_out_room(c)) {
			release_if_idle(c);
			return;
		}
		if (c->state == CS_IDLE) {
			c->state = CS_HEAD;
			c->t_state = c->now;
		}
		r = http_parse_head(&w->head, w->in, w->in_len, &e);
		if (r == 0)
			return;
		if (r < 0) {
			refuse(c, &e);
			return;
		}
		if (start_request(c) < 0)
			return;
	}
}

int http_conn_rbuf(struct http_conn *c, uint8_t **buf, size_t *cap)
{
	struct http_work *w;

	if (c->state == CS_LINGER) {
		*buf = linger_scratch;
		*cap = sizeof linger_scratch;
		return 0;
	}
	if (c->state == CS_STREAM || c->state == CS_CLOSED ||
	    (c->flags & CF_ABORT) || http_out_pending(c) ||
	    ((c->flags & CF_CLOSE) && c->state != CS_BODY))
		return -EAGAIN;
	if (!c->w && !(c->w = work_get(c->srv))) {
		COUNT(c->srv, NOMEM);
		return -ENOMEM;
	}
	w = c->w;
	if (w->in_len == w->in_cap) {
		uint32_t cap2 = w->in_cap * 2 > HTTP_IN_MAX ? HTTP_IN_MAX
							    : w->in_cap * 2;
		uint8_t *p;
		if (cap2 == w->in_cap)
			return -EAGAIN; /* the parser refuses before this */
		p = w->in == w->in_small ? malloc(cap2) : realloc(w->in, cap2);
		if (!p) {
			COUNT(c->srv, NOMEM);
			return -ENOMEM;
		}
		if (w->in == w->in_small)
			memcpy(p, w->in_small, w->in_len);
		w->in = p;
		w->in_cap = cap2;
	}
	*buf = w->in + w->in_len;
	*cap = w->in_cap - w->in_len;
	return 0;
}

void http_conn_received(struct http_conn *c, size_t n, uint64_t now)
{
	c->now = now;
	if (c->state == CS_LINGER) {
		c->lingered += n;
		if (c->lingered > HTTP_LINGER_BYTES) {
			COUNT(c->srv, CLOSE_LINGER_CAP);
			c->flags |= CF_ABORT;
		}
		return;
	}
	if (!c->w || n > c->w->in_cap - c->w->in_len)
		return; /* not from http_conn_rbuf: ignored */
	c->w->in_len += (uint32_t)n;
	process(c);
}

size_t http_conn_input(struct http_conn *c, const void *data, size_t len,
		       uint64_t now)
{
	size_t done = 0;

	while (done < len) {
		uint8_t *buf;
		size_t cap;
		if (http_conn_rbuf(c, &buf, &cap) < 0)
			break;
		if (cap > len - done)
			cap = len - done;
		memcpy(buf, (const uint8_t *)data + done, cap);
		http_conn_received(c, cap, now);
		done += cap;
	}
	return done;
}

void http_conn_eof(struct http_conn *c, uint64_t now)
{
	c->now = now;
	c->flags |= CF_EOF;
}

size_t http_conn_output(struct http_conn *c, struct http_piece *v, size_t n)
{
	struct http_outq *q;
	size_t i;

	if (!c->w)
		return 0;
	if (c->state == CS_STREAM && !http_out_pending(c))
		http_stream_pull(c);
	q = &c->w->out;
	for (i = 0; i < n && i < q->n; i++)
		v[i] = q->v[(q->head + i) % HTTP_OUT_PIECES];
	return i;
}

void http_conn_sent(struct http_conn *c, size_t n, uint64_t now)
{
	struct http_outq *q = c->w ? &c->w->out : NULL;

	c->now = now;
	if (!q || !n)
		return;
	c->t_send = now;
	while (n && q->n) {
		struct http_piece *p = &q->v[q->head];
		size_t take = n < p->len ? n : p->len;
		p->p += take;
		p->len -= take;
		n -= take;
		if (p->len)
			break;
		free(q->owned[q->head]);
		q->owned[q->head] = NULL;
		q->head = (q->head + 1) % HTTP_OUT_PIECES;
		q->n--;
	}
	if (q->n)
		return;
	q->head = 0;
	q->hdr_len = 0;
	q->responses = 0;
	if (c->state == CS_IDLE)
		c->t_state = now;
	process(c);
	release_if_idle(c);
}

/* Ends the connection now (no lingering): a reset after a failure
 * (CF_ABORT), a close otherwise. */
static enum http_action closed(struct http_conn *c)
{
	http_stream_end(c);
	c->state = CS_CLOSED;
	return c->flags & CF_ABORT ? HTTP_ACT_ABORT : HTTP_ACT_CLOSE;
}

/* The deadline of a reading state, or 0 if the state does not read. */
static uint64_t read_deadline(const struct http_conn *c)
{
	const struct http_config *k = &c->srv->cfg;
	uint64_t t = c->t_state, rate, cap;

	switch (c->state) {
	case CS_IDLE:
		return t + (c->flags & CF_FRESH ? k->header_timeout_ns
						: k->idle_timeout_ns);
	case CS_HEAD:
		/* A grace period, then the minimum rate; never past the
		 * header timeout. */
		rate = t + HTTP_HEADER_GRACE_MS * NS_PER_MS +
		       (uint64_t)c->w->in_len * 1000000000ULL /
			       HTTP_HEADER_MIN_RATE;
		cap = t + k->header_timeout_ns;
		return rate < cap ? rate : cap;
	case CS_BODY:
		return t + k->body_timeout_ns +
		       c->w->body.total * (1000000000ULL / HTTP_BODY_MIN_RATE);
	case CS_LINGER:
		return t + k->linger_ns;
	}
	return 0;
}

/* A reading state's deadline passed at NOW. */
static enum http_action timed_out(struct http_conn *c, uint64_t now,
				  uint64_t *deadline)
{
	switch (c->state) {
	case CS_HEAD:
	case CS_BODY:
		if (c->state == CS_HEAD)
			COUNT(c->srv, CLOSE_HEADER_TIMEOUT);
		else
			COUNT(c->srv, CLOSE_BODY_TIMEOUT);
		http_respond_error(c, 408, 1);
		c->state = CS_IDLE;
		return http_conn_next(c, now, deadline);
	case CS_IDLE:
		COUNT(c->srv, CLOSE_IDLE);
		break;
	}
	return closed(c);
}

enum http_action http_conn_next(struct http_conn *c, uint64_t now,
				uint64_t *deadline)
{
	uint64_t dl;

	c->now = now;
	*deadline = UINT64_MAX;
	if (c->state == CS_CLOSED || (c->flags & CF_ABORT))
		return closed(c);
	if (c->state == CS_STREAM && !http_out_pending(c))
		http_stream_pull(c);
	if (http_out_pending(c)) {
		dl = c->t_send + c->srv->cfg.send_timeout_ns;
		if (now >= dl) {
			COUNT(c->srv, CLOSE_SEND_TIMEOUT);
			c->flags |= CF_ABORT;
			return closed(c);
		}
		*deadline = dl;
		return HTTP_ACT_SEND;
	}
	if (c->flags & CF_ABORT)
		return closed(c);
	if ((c->flags & CF_CLOSE) && !(c->flags & CF_SHUT) &&
	    c->state != CS_BODY && c->state != CS_STREAM) {
		c->flags |= CF_SHUT;
		http_stream_end(c);
		if (c->w) {
			work_put(c->srv, c->w);
			c->w = NULL;
		}
		c->state = CS_LINGER;
		c->t_state = now;
		return HTTP_ACT_SHUTDOWN;
	}
	if (c->flags & CF_EOF) {
		if (c->state != CS_LINGER &&
		    (c->state != CS_IDLE || (c->w && c->w->in_len)))
			COUNT(c->srv, CLOSE_EOF_PARTIAL);
		return closed(c);
	}
	dl = read_deadline(c);
	if (now >= dl)
		return c->state == CS_LINGER ? closed(c)
					     : timed_out(c, now, deadline);
	*deadline = dl;
	return HTTP_ACT_RECV;
}
