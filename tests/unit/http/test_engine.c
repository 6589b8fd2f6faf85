/* lib/http's engine over time: conditional requests, ranges, gzip,
 * keep-alive and pipelining, the size limits, every timeout, lingering,
 * end of input, the access log, and the memory an idle connection
 * keeps. */
#include <stdio.h>
#include <stdlib.h>

#include "../../../lib/http/impl.h"
#include "harness.h"
#include "unit.h"

#define H "Host: x\r\n"

static struct hx *open_hx(const struct http_config *c)
{
	struct hx *h = malloc(sizeof *h);

	hx_open(h, c);
	return h;
}

static void done(struct hx *h)
{
	hx_close(h);
	free(h);
}

/* The ETag the site gives a.txt. */
static const char *etag_of(const char *path)
{
	static char tag[80];
	struct fs_file f;

	fs_lookup(hx_site(), path, strlen(path), &f);
	snprintf(tag, sizeof tag, "%s", f.etag);
	return tag;
}

static int status_of(const char *req)
{
	struct hx *h = open_hx(NULL);
	int s;

	hx_str(h, req);
	s = hx_status(h, 0);
	done(h);
	return s;
}

static void test_conditional(void)
{
	char req[512];
	const char *tag = etag_of("a.txt");
	struct hx *h;

	snprintf(req, sizeof req,
		 "GET /a.txt HTTP/1.1\r\n" H "If-None-Match: %s\r\n\r\n", tag);
	h = open_hx(NULL);
	hx_str(h, req);
	CHECK_EQ(hx_status(h, 0), 304);
	CHECK(strstr(h->out, tag) != NULL);
	CHECK(strstr(h->out, "Content-Length") == NULL);
	CHECK(strstr(h->out, "hello") == NULL);
	CHECK_EQ(http_counter(h->s, HTTP_S304), 1);
	done(h);
	snprintf(req, sizeof req,
		 "GET /a.txt HTTP/1.1\r\n" H
		 "If-None-Match: \"x\", W/%s\r\n\r\n",
		 tag);
	CHECK_EQ(status_of(req), 304); /* weak comparison, in a list */
	CHECK_EQ(status_of("GET /a.txt HTTP/1.1\r\n" H
			   "If-None-Match: *\r\n\r\n"),
		 304);
	/* A list over two lines is one list. */
	snprintf(req, sizeof req,
		 "GET /a.txt HTTP/1.1\r\n" H "If-None-Match: \"x\"\r\n"
		 "If-None-Match: %s\r\n\r\n",
		 tag);
	CHECK_EQ(status_of(req), 304);
	CHECK_EQ(status_of("GET /a.txt HTTP/1.1\r\n" H
			   "If-None-Match: \"nope\"\r\n\r\n"),
		 200);
	CHECK_EQ(status_of("GET /a.txt HTTP/1.1\r\n" H
			   "If-None-Match: garbage\r\n\r\n"),
		 200);
	/* Last-Modified is 1700000000 = Tue, 14 Nov 2023 22:13:20 GMT. */
	CHECK_EQ(status_of("GET /a.txt HTTP/1.1\r\n" H "If-Modified-Since: "
			   "Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n"),
		 304);
	CHECK_EQ(status_of("GET /a.txt HTTP/1.1\r\n" H "If-Modified-Since: "
			   "Tuesday, 14-Nov-23 22:13:21 GMT\r\n\r\n"),
		 304);
	CHECK_EQ(status_of("GET /a.txt HTTP/1.1\r\n" H "If-Modified-Since: "
			   "Tue Nov 14 22:13:20 2023\r\n\r\n"),
		 304);
	CHECK_EQ(status_of("GET /a.txt HTTP/1.1\r\n" H "If-Modified-Since: "
			   "Tue, 14 Nov 2023 22:13:19 GMT\r\n\r\n"),
		 200);
	CHECK_EQ(status_of("GET /a.txt HTTP/1.1\r\n" H
			   "If-Modified-Since: yesterday\r\n\r\n"),
		 200);
	/* If-None-Match wins over If-Modified-Since. */
	CHECK_EQ(status_of("GET /a.txt HTTP/1.1\r\n" H
			   "If-None-Match: \"nope\"\r\nIf-Modified-Since: "
			   "Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n"),
		 200);
}

/* One range request for a.txt ("hello, world\n"): status and body. */
static void range(const char *spec, int status, const char *body,
		  const char *content_range)
{
	char req[512];
	struct hx *h = open_hx(NULL);
	size_t len;
	const char *b;

	snprintf(req, sizeof req, "GET /a.txt HTTP/1.1\r\n" H "%s\r\n\r\n",
		 spec);
	hx_str(h, req);
	b = hx_body(h, &len);
	if (hx_status(h, 0) != status || len != strlen(body) ||
	    memcmp(b, body, len))
		unit_fail(__FILE__, __LINE__, "%s: %d, want %d %s\n%s", spec,
			  hx_status(h, 0), status, body, h->out);
	if (content_range && !strstr(h->out, content_range))
		unit_fail(__FILE__, __LINE__, "%s: no %s", spec, content_range);
	done(h);
}

static void test_ranges(void)
{
	char spec[256];
	const char *all = "hello, world\n";

	range("Range: bytes=0-4", 206, "hello", "Content-Range: bytes 0-4/13");
	range("Range: bytes=7-", 206, "world\n", "bytes 7-12/13");
	range("Range: bytes=-6", 206, "world\n", "bytes 7-12/13");
	range("Range: bytes=-100", 206, all, "bytes 0-12/13");
	range("Range: bytes=0-999", 206, all, "bytes 0-12/13");
	range("Range: bytes=0-1, 2-4", 206, "hello", "bytes 0-4/13");
	range("Range: bytes=0-4,0-4,1-3", 206, "hello", "bytes 0-4/13");
	range("Range: bytes=0-0,5-6", 200, all, NULL); /* disjoint */
	range("Range: bytes=13-", 200, all, NULL);     /* unsatisfiable */
	range("Range: bytes=-0", 200, all, NULL);      /* unsatisfiable */
	range("Range: bytes=5-4", 200, all, NULL);     /* invalid */
	range("Range: bytes=x-4", 200, all, NULL);
	range("Range: bytes=00-4", 200, all, NULL);
	range("Range: lines=0-4", 200, all, NULL);
	range("Range: bytes=", 200, all, NULL);
	/* Nine ranges: over HTTP_RANGES_MAX, so the whole file. */
	range("Range: bytes=0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1", 200, all,
	      NULL);
	/* A thousand tiny overlapping ranges. */
	strcpy(spec, "Range: bytes=0-0");
	for (int i = 0; i < 40; i++)
		strcat(spec, ",0-1");
	range(spec, 200, all, NULL);
	snprintf(spec, sizeof spec, "Range: bytes=0-4\r\nIf-Range: %s",
		 etag_of("a.txt"));
	range(spec, 206, "hello", NULL);
	range("Range: bytes=0-4\r\nIf-Range: \"other\"", 200, all, NULL);
	range("Range: bytes=0-4\r\nIf-Range: Tue, 14 Nov 2023 22:13:20 GMT",
	      206, "hello", NULL);
	range("Range: bytes=0-4\r\nIf-Range: Tue, 14 Nov 2023 22:13:21 GMT",
	      200, all, NULL);
	CHECK_EQ(status_of("HEAD /a.txt HTTP/1.1\r\n" H
			   "Range: bytes=0-4\r\n\r\n"),
		 200);
}

static void test_gzip(void)
{
	struct hx *h = open_hx(NULL);
	struct fs_file f;
	size_t len;
	const char *b;

	fs_lookup(hx_site(), "big.css", 7, &f);
	CHECK(f.gz != NULL);
	hx_str(h, "GET /big.css HTTP/1.1\r\n" H
		  "Accept-Encoding: deflate, gzip;q=0.5\r\n\r\n");
	b = hx_body(h, &len);
	CHECK_EQ(hx_status(h, 0), 200);
	CHECK(strstr(h->out, "Content-Encoding: gzip\r\n") != NULL);
	CHECK(strstr(h->out, "Vary: Accept-Encoding\r\n") != NULL);
	CHECK(strstr(h->out, "-gz\"\r\n") != NULL);
	CHECK(len == f.gz_size && !memcmp(b, f.gz, len));
	CHECK_EQ(http_counter(h->s, HTTP_GZIP), 1);
	done(h);
	h = open_hx(NULL);
	hx_str(h, "GET /big.css HTTP/1.1\r\n" H
		  "Accept-Encoding: gzip;q=0, identity\r\n\r\n");
	b = hx_body(h, &len);
	CHECK(strstr(h->out, "Content-Encoding") == NULL);
	CHECK(strstr(h->out, "Vary: Accept-Encoding\r\n") != NULL);
	CHECK(len == f.size && !memcmp(b, f.data, len));
	hx_clear(h);
	hx_str(h, "GET /big.css HTTP/1.1\r\n" H "Accept-Encoding: *\r\n\r\n");
	CHECK(strstr(h->out, "Content-Encoding: gzip\r\n") != NULL);
	hx_clear(h);
	hx_str(h, "GET /big.css HTTP/1.1\r\n" H "Accept-Encoding: br\r\n"
		  "Accept-Encoding: gzip\r\n\r\n");
	CHECK(strstr(h->out, "Content-Encoding: gzip\r\n") != NULL);
	hx_clear(h);
	/* A range is served from the identity content. */
	hx_str(h, "GET /big.css HTTP/1.1\r\n" H
		  "Accept-Encoding: gzip\r\nRange: bytes=0-9\r\n\r\n");
	CHECK_EQ(hx_status(h, 0), 206);
	CHECK(strstr(h->out, "Content-Encoding") == NULL);
	hx_clear(h);
	/* The gzip variant's ETag validates only the gzip variant. */
	char req[256];
	snprintf(req, sizeof req,
		 "GET /big.css HTTP/1.1\r\n" H
		 "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n\r\n",
		 etag_of("big.css"));
	hx_str(h, req);
	CHECK_EQ(hx_status(h, 0), 200);
	hx_clear(h);
	/* No variant: no Vary. */
	hx_str(h, "GET /a.txt HTTP/1.1\r\n" H "Accept-Encoding: gzip\r\n\r\n");
	CHECK(strstr(h->out, "Vary") == NULL);
	CHECK(strstr(h->out, "Content-Encoding") == NULL);
	done(h);
}

static void test_keepalive_and_pipelining(void)
{
	struct hx *h = open_hx(NULL);
	char *many = malloc(100 * 64);
	size_t n = 0;

	hx_str(h, "GET /a.txt HTTP/1.1\r\n" H "\r\n");
	hx_str(h, "GET /dir/b.txt HTTP/1.1\r\n" H "\r\n");
	CHECK_EQ(hx_responses(h), 2);
	CHECK(!h->shut && !h->closed && h->last == HTTP_ACT_RECV);
	CHECK_EQ(http_conn_requests(h->c), 2);
	hx_clear(h);
	for (int i = 0; i < 100; i++)
		n += (size_t)sprintf(many + n, "GET /%s HTTP/1.1\r\n" H "\r\n",
				     i % 2 ? "a.txt" : "dir/b.txt");
	hx_feed(h, many, n);
	CHECK_EQ(hx_responses(h), 100);
	CHECK_EQ(http_conn_requests(h->c), 102);
	CHECK(http_counter(h->s, HTTP_PIPELINED) >= 90);
	/* In order: response i carries body i. */
	const char *p = h->out;
	int order_ok = 1;
	for (int i = 0; i < 100 && p; i++) {
		const char *want = i % 2 ? "hello, world\n" : "bee\n";
		p = strstr(p, "\r\n\r\n");
		order_ok &= p && !strncmp(p + 4, want, strlen(want));
		p = p ? p + 4 : p;
	}
	CHECK(order_ok);
	free(many);
	done(h);
}

static void test_request_cap(void)
{
	struct http_config k = { .requests_per_conn = 3 };
	struct hx *h = open_hx(&k);

	hx_str(h, "GET /a.txt HTTP/1.1\r\n" H "\r\nGET /a.txt HTTP/1.1\r\n" H
		  "\r\nGET /a.txt HTTP/1.1\r\n" H
		  "\r\nGET /a.txt HTTP/1.1\r\n" H "\r\n");
	CHECK_EQ(hx_responses(h), 3);
	CHECK(h->shut);
	CHECK_EQ(http_counter(h->s, HTTP_CLOSE_REQUEST_CAP), 1);
	/* Only the last response says so. */
	const char *close = strstr(h->out, "Connection: close");
	CHECK(close != NULL && strstr(close + 1, "HTTP/1.1") == NULL);
	CHECK(close >
	      strstr(strstr(strstr(h->out, "HTTP/1.1") + 1, "HTTP/1.1") + 1,
		     "HTTP/1.1"));
	done(h);
}

static void test_limits(void)
{
	char *big = malloc(40000);
	struct hx *h;

	/* A request line one byte over the limit: 414 before it ends. */
	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', HTTP_REQUEST_LINE_MAX);
	h = open_hx(NULL);
	hx_feed(h, big, HTTP_REQUEST_LINE_MAX + 3);
	CHECK_EQ(hx_status(h, 0), 414);
	CHECK(h->shut);
	done(h);
	/* Exactly at the limit: fine (the query is ignored). */
	h = open_hx(NULL);
	big[5] = '?';
	sprintf(big + HTTP_REQUEST_LINE_MAX - 9, " HTTP/1.1\r\n" H "\r\n");
	hx_str(h, big);
	CHECK_EQ(hx_status(h, 0), 200);
	done(h);
	/* A field line over the limit: 431 before it ends. */
	h = open_hx(NULL);
	hx_str(h, "GET / HTTP/1.1\r\nX: ");
	memset(big, 'v', HTTP_FIELD_LINE_MAX);
	hx_feed(h, big, HTTP_FIELD_LINE_MAX);
	CHECK_EQ(hx_status(h, 0), 431);
	CHECK_EQ(http_counter(h->s, HTTP_FIELD_TOO_LONG), 1);
	done(h);
	/* Fields under their limit, the block over its own. */
	h = open_hx(NULL);
	hx_str(h, "GET / HTTP/1.1\r\n" H);
	for (int i = 0; i < 3 && !h->shut; i++) {
		memset(big, 'v', 6000);
		memcpy(big, "X: ", 3);
		memcpy(big + 5998, "\r\n", 2);
		hx_feed(h, big, 6000);
	}
	CHECK_EQ(hx_status(h, 0), 431);
	CHECK_EQ(http_counter(h->s, HTTP_HEAD_TOO_LARGE), 1);
	done(h);
	/* HTTP_FIELDS_MAX fields are fine, one more is not. */
	for (int extra = 0; extra < 2; extra++) {
		size_t n = (size_t)sprintf(big, "GET / HTTP/1.1\r\n");
		for (int i = 0; i < HTTP_FIELDS_MAX + extra; i++)
			n += (size_t)sprintf(big + n, "X%d: y\r\n", i);
		n += (size_t)sprintf(big + n, "\r\n");
		h = open_hx(NULL);
		/* The first field becomes Host. */
		memcpy(strstr(big, "X0: y"), "Host:", 5);
		hx_feed(h, big, n);
		CHECK_EQ(hx_status(h, 0), extra ? 431 : 200);
		done(h);
	}
	free(big);
}

static void test_header_timeout(void)
{
	struct hx *h = open_hx(NULL);

	hx_str(h, "GET / HTTP/1.1\r\n");
	CHECK(h->last == HTTP_ACT_RECV);
	hx_wait(h, HTTP_HEADER_TIMEOUT_MS);
	CHECK_EQ(hx_status(h, 0), 408);
	CHECK(h->shut);
	CHECK_EQ(http_counter(h->s, HTTP_CLOSE_HEADER_TIMEOUT), 1);
	done(h);
	/* Slowloris: one byte a second is cut by the minimum rate, long
	 * before the header timeout. */
	h = open_hx(NULL);
	const char *req = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n\r\n";
	int sent = 0;
	while (req[sent] && hx_status(h, 0) < 0) {
		hx_feed(h, req + sent++, 1);
		hx_wait(h, 1000);
	}
	CHECK_EQ(hx_status(h, 0), 408);
	CHECK(sent <= 4);
	done(h);
	/* A fresh connection that never sends: closed silently. */
	h = open_hx(NULL);
	hx_run(h);
	CHECK(h->deadline == h->now + HTTP_HEADER_TIMEOUT_MS * NS_PER_MS);
	hx_wait(h, HTTP_HEADER_TIMEOUT_MS);
	CHECK(h->closed && h->out_len == 0);
	done(h);
}

static void test_idle_and_body_timeouts(void)
{
	struct hx *h = open_hx(NULL);

	hx_str(h, "GET / HTTP/1.1\r\n" H "\r\n");
	CHECK_EQ(hx_status(h, 0), 200);
	hx_wait(h, HTTP_IDLE_TIMEOUT_MS - 1);
	CHECK(!h->closed);
	hx_wait(h, 1);
	CHECK(h->closed);
	CHECK_EQ(hx_responses(h), 1);
	CHECK_EQ(http_counter(h->s, HTTP_CLOSE_IDLE), 1);
	done(h);
	/* A body that stops: 408 after the body timeout. */
	h = open_hx(NULL);
	hx_str(h,
	       "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 10\r\n\r\nab");
	hx_wait(h, HTTP_BODY_TIMEOUT_MS + 10);
	CHECK_EQ(hx_status(h, 0), 408);
	CHECK_EQ(http_counter(h->s, HTTP_CLOSE_BODY_TIMEOUT), 1);
	done(h);
	/* Configured timeouts apply. */
	struct http_config k = { .idle_timeout_ns = 5 * NS_PER_MS };
	h = open_hx(&k);
	hx_str(h, "GET / HTTP/1.1\r\n" H "\r\n");
	hx_wait(h, 5);
	CHECK(h->closed);
	done(h);
}

static void test_send_timeout(void)
{
	struct hx *h = open_hx(NULL);
	struct http_piece v[4];
	uint64_t dl;

	http_conn_input(h->c, "GET /big.css HTTP/1.1\r\n" H "\r\n", 34, h->now);
	CHECK_EQ(http_conn_next(h->c, h->now, &dl), HTTP_ACT_SEND);
	CHECK(http_conn_output(h->c, v, 4) == 2 && v[1].immutable);
	http_conn_sent(h->c, 100, h->now); /* progress, then none */
	h->now += HTTP_SEND_TIMEOUT_MS * NS_PER_MS - 1;
	CHECK_EQ(http_conn_next(h->c, h->now, &dl), HTTP_ACT_SEND);
	h->now += 1;
	CHECK_EQ(http_conn_next(h->c, h->now, &dl), HTTP_ACT_ABORT);
	CHECK_EQ(http_counter(h->s, HTTP_CLOSE_SEND_TIMEOUT), 1);
	done(h);
}

static void test_linger_and_eof(void)
{
	struct hx *h = open_hx(NULL);
	uint8_t *buf;
	size_t cap;

	hx_str(h, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(h->shut && !h->closed && h->last == HTTP_ACT_RECV);
	/* Input while lingering is drained, then EOF closes. */
	CHECK_EQ(http_conn_rbuf(h->c, &buf, &cap), 0);
	http_conn_received(h->c, cap, h->now);
	http_conn_eof(h->c, h->now);
	hx_run(h);
	CHECK(h->closed);
	done(h);
	/* Lingering ends at its deadline. */
	h = open_hx(NULL);
	hx_str(h, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	hx_wait(h, HTTP_LINGER_MS);
	CHECK(h->closed);
	done(h);
	/* End of input halfway through a head: closed, counted. */
	h = open_hx(NULL);
	hx_str(h, "GET / HTTP/1.1\r\nHo");
	http_conn_eof(h->c, h->now);
	hx_run(h);
	CHECK(h->closed && h->out_len == 0);
	CHECK_EQ(http_counter(h->s, HTTP_CLOSE_EOF_PARTIAL), 1);
	done(h);
	/* Pipelined requests and EOF: all answered, then closed. */
	h = open_hx(NULL);
	const char *two = "GET /a.txt HTTP/1.1\r\n" H
			  "\r\nGET /a.txt HTTP/1.1\r\n" H "\r\n";
	http_conn_input(h->c, two, strlen(two), h->now);
	http_conn_eof(h->c, h->now);
	hx_run(h);
	CHECK_EQ(hx_responses(h), 2);
	CHECK(h->closed);
	CHECK_EQ(http_counter(h->s, HTTP_CLOSE_EOF_PARTIAL), 0);
	done(h);
}

static void test_log_and_memory(void)
{
	struct hx *h = open_hx(NULL);
	struct http_conn *c = h->c;

	hx_str(h, "GET /a.txt HTTP/1.1\r\n" H "\r\n");
	CHECK_STR(h->log, "10.0.0.1 - - [14/Nov/2023:22:13:20 +0000] "
			  "\"GET /a.txt HTTP/1.1\" 200 13\n");
	hx_clear(h);
	hx_str(h, "GET /\x7f\"x HTTP/1.1\r\n" H "\r\n");
	CHECK_CONTAINS(h->log, "\"GET /\\x7f\\x22x HTTP/1.1\" 400 12");
	done(h);
	/* An idle connection keeps only its small fixed state. */
	h = open_hx(NULL);
	c = h->c;
	hx_str(h, "GET /a.txt HTTP/1.1\r\n" H "\r\n");
	CHECK(c->w == NULL);
	CHECK(sizeof(struct http_conn) <= 96);
	hx_str(h, "GET /a.txt HTTP/1.1\r\n");
	CHECK(c->w != NULL); /* a request in progress has its buffers */
	done(h);
}

static const struct unit_test tests[] = {
	{ "conditional", test_conditional },
	{ "ranges", test_ranges },
	{ "gzip", test_gzip },
	{ "keepalive-pipelining", test_keepalive_and_pipelining },
	{ "request-cap", test_request_cap },
	{ "limits", test_limits },
	{ "header-timeout", test_header_timeout },
	{ "idle-body-timeouts", test_idle_and_body_timeouts },
	{ "send-timeout", test_send_timeout },
	{ "linger-eof", test_linger_and_eof },
	{ "log-memory", test_log_and_memory },
};
const struct unit_suite suite_http_engine = UNIT_SUITE("http-engine", tests);
