/* lib/http: one request at a time through the whole engine, each with
 * the exact status it must get, whether the connection must close, and
 * the counter that must account for it. The table covers the HTTP
 * classes of BAD_INPUTS.md (request-line garbage, header syntax, limits,
 * framing, bad numbers, chunking, traversal in every encoding, Host
 * rules) beside the requests that must succeed. */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "unit.h"

#define H	  "Host: x\r\n"
#define GET(path) "GET " path " HTTP/1.1\r\n" H "\r\n"

struct row {
	const char *name, *req;
	int status; /* of the first response */
	int close;  /* 1: the connection must be shut down after it */
	enum http_counter counter; /* must be 1 (HTTP_REQUESTS: unchecked) */
	const char *has;	   /* must appear in the output, or NULL */
};

static const struct row rows[] = {
	/* Good requests. */
	{ "get-root", GET("/"), 200, 0, HTTP_S200, "<h1>home</h1>" },
	{ "get-file", GET("/a.txt"), 200, 0, HTTP_S200, "hello, world" },
	{ "head", "HEAD /a.txt HTTP/1.1\r\n" H "\r\n", 200, 0, HTTP_S200,
	  "Content-Length: 13\r\n" },
	{ "http10", "GET /a.txt HTTP/1.0\r\n\r\n", 200, 1, HTTP_S200,
	  "Connection: close" },
	{ "http10-keepalive",
	  "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200, 0,
	  HTTP_S200, "Connection: keep-alive" },
	{ "http11-close", "GET / HTTP/1.1\r\n" H "Connection: close\r\n\r\n",
	  200, 1, HTTP_S200, "Connection: close" },
	{ "http12-as-11", "GET / HTTP/1.2\r\n" H "\r\n", 200, 0, HTTP_S200,
	  NULL },
	{ "leading-crlf", "\r\n\r\n" GET("/"), 200, 0, HTTP_S200, NULL },
	{ "absolute-form", "GET http://example.com/a.txt HTTP/1.1\r\n" H "\r\n",
	  200, 0, HTTP_S200, "hello" },
	{ "absolute-form-empty-path", "GET http://x HTTP/1.1\r\n" H "\r\n", 200,
	  0, HTTP_S200, "home" },
	{ "options-star", "OPTIONS * HTTP/1.1\r\n" H "\r\n", 204, 0, HTTP_S204,
	  "Allow: GET, HEAD, OPTIONS" },
	{ "options-file", "OPTIONS /a.txt HTTP/1.1\r\n" H "\r\n", 204, 0,
	  HTTP_S204, "Allow: GET, HEAD, OPTIONS" },
	{ "empty-file", GET("/empty"), 200, 0, HTTP_S200,
	  "Content-Length: 0\r\n" },
	{ "host-port", "GET / HTTP/1.1\r\nHost: a.b:8080\r\n\r\n", 200, 0,
	  HTTP_S200, NULL },
	{ "host-ipv6", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 200, 0,
	  HTTP_S200, NULL },
	{ "host-empty", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 200, 0, HTTP_S200,
	  NULL },
	{ "field-ows", "GET / HTTP/1.1\r\nHost: \t x \t\r\n\r\n", 200, 0,
	  HTTP_S200, NULL },
	{ "obs-text-value", "GET / HTTP/1.1\r\n" H "X: caf\xc3\xa9\r\n\r\n",
	  200, 0, HTTP_S200, NULL },
	{ "query-ignored", GET("/a.txt?x=1&y=%zz"), 200, 0, HTTP_S200,
	  "hello" },
	{ "encoded-space", GET("/sp%20ace.txt"), 200, 0, HTTP_S200, "space" },
	/* Paths. */
	{ "dir-redirect", GET("/dir"), 301, 0, HTTP_S301,
	  "Location: /dir/\r\n" },
	{ "dir-redirect-query", GET("/dir?a=b"), 301, 0, HTTP_S301,
	  "Location: /dir/?a=b\r\n" },
	{ "dir-index", GET("/dir/"), 200, 0, HTTP_S200, "<h1>dir</h1>" },
	{ "dir-dot", GET("/dir/."), 200, 0, HTTP_S200, "<h1>dir</h1>" },
	{ "dot-segments", GET("/dir/../a.txt"), 200, 0, HTTP_S200, "hello" },
	{ "encoded-dots-inside", GET("/dir/%2e%2e/a.txt"), 200, 0, HTTP_S200,
	  "hello" },
	{ "double-slash", GET("//dir//b.txt"), 200, 0, HTTP_S200, "bee" },
	{ "file-trailing-slash", GET("/a.txt/"), 404, 0, HTTP_S404, NULL },
	{ "dir-no-index", GET("/nodir/"), 404, 0, HTTP_S404, NULL },
	{ "missing", GET("/nope"), 404, 0, HTTP_S404, NULL },
	{ "dotdot-above-root", GET("/../a.txt"), 400, 1, HTTP_PATH_ABOVE_ROOT,
	  NULL },
	{ "encoded-dotdot-above-root", GET("/%2e%2e/a.txt"), 400, 1,
	  HTTP_PATH_ABOVE_ROOT, NULL },
	{ "mixed-dotdot-above-root", GET("/dir/.%2E/%2e./x"), 400, 1,
	  HTTP_PATH_ABOVE_ROOT, NULL },
	{ "double-encoded-dots", GET("/%252e%252e/a.txt"), 404, 0, HTTP_S404,
	  NULL },
	{ "overlong-utf8-dots", GET("/%c0%ae%c0%ae/a.txt"), 404, 0, HTTP_S404,
	  NULL },
	{ "encoded-slash", GET("/dir%2fb.txt"), 400, 1, HTTP_BAD_PATH, NULL },
	{ "encoded-nul", GET("/a.txt%00.html"), 400, 1, HTTP_BAD_PATH, NULL },
	{ "encoded-backslash", GET("/dir%5c..%5ca.txt"), 400, 1, HTTP_BAD_PATH,
	  NULL },
	{ "raw-backslash", GET("/dir\\..\\a.txt"), 400, 1, HTTP_BAD_TARGET,
	  NULL },
	{ "bad-escape", GET("/a%zz"), 400, 1, HTTP_BAD_PATH, NULL },
	{ "short-escape", GET("/a%2"), 400, 1, HTTP_BAD_PATH, NULL },
	{ "fragment", GET("/a.txt#x"), 400, 1, HTTP_BAD_TARGET, NULL },
	{ "raw-utf8", GET("/caf\xc3\xa9"), 400, 1, HTTP_BAD_TARGET, NULL },
	{ "brackets-in-path", GET("/[x]"), 400, 1, HTTP_BAD_TARGET, NULL },
	{ "relative-target", GET("a.txt"), 400, 1, HTTP_BAD_TARGET, NULL },
	{ "star-not-options", GET("*"), 400, 1, HTTP_BAD_TARGET, NULL },
	{ "absolute-ftp", GET("ftp://x/a.txt"), 400, 1, HTTP_BAD_TARGET, NULL },
	{ "absolute-userinfo", GET("http://u@x/a.txt"), 400, 1, HTTP_BAD_TARGET,
	  NULL },
	/* Request-line garbage. */
	{ "garbage", "\x16\x03\x01\x02\xff\r\n\r\n", 400, 1,
	  HTTP_BAD_REQUEST_LINE, NULL },
	{ "two-spaces", "GET  / HTTP/1.1\r\n" H "\r\n", 400, 1,
	  HTTP_BAD_REQUEST_LINE, NULL },
	{ "trailing-space", "GET / HTTP/1.1 \r\n" H "\r\n", 400, 1,
	  HTTP_BAD_REQUEST_LINE, NULL },
	{ "tab-separator", "GET\t/ HTTP/1.1\r\n" H "\r\n", 400, 1,
	  HTTP_BAD_REQUEST_LINE, NULL },
	{ "no-version", "GET /\r\n\r\n", 400, 1, HTTP_BAD_REQUEST_LINE, NULL },
	{ "version-lower", "GET / http/1.1\r\n" H "\r\n", 400, 1,
	  HTTP_BAD_VERSION, NULL },
	{ "version-two-digits", "GET / HTTP/1.10\r\n" H "\r\n", 400, 1,
	  HTTP_BAD_VERSION, NULL },
	{ "version-2", "GET / HTTP/2.0\r\n" H "\r\n", 505, 1, HTTP_S505, NULL },
	{ "version-0.9", "GET / HTTP/0.9\r\n\r\n", 505, 1, HTTP_S505, NULL },
	{ "method-unknown", "BREW / HTTP/1.1\r\n" H "\r\n", 501, 1, HTTP_S501,
	  NULL },
	{ "method-lowercase", "get / HTTP/1.1\r\n" H "\r\n", 501, 1, HTTP_S501,
	  NULL },
	{ "method-connect", "CONNECT x:443 HTTP/1.1\r\n" H "\r\n", 501, 1,
	  HTTP_S501, NULL },
	{ "method-trace", "TRACE / HTTP/1.1\r\n" H "\r\n", 501, 1, HTTP_S501,
	  NULL },
	{ "method-not-token", "G{T / HTTP/1.1\r\n" H "\r\n", 400, 1,
	  HTTP_BAD_METHOD, NULL },
	{ "method-not-allowed", "DELETE /a.txt HTTP/1.1\r\n" H "\r\n", 405, 0,
	  HTTP_S405, "Allow: GET, HEAD, OPTIONS" },
	{ "too-many-crlf", "\r\n\r\n\r\n\r\n\r\n" GET("/"), 400, 1,
	  HTTP_BAD_REQUEST_LINE, NULL },
	/* Header syntax. */
	{ "bare-lf", "GET / HTTP/1.1\nHost: x\n\n", 400, 1, HTTP_BAD_LINE_END,
	  NULL },
	{ "bare-lf-field", "GET / HTTP/1.1\r\nHost: x\n\r\n", 400, 1,
	  HTTP_BAD_LINE_END, NULL },
	{ "bare-cr", "GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400, 1,
	  HTTP_BAD_LINE_END, NULL },
	{ "space-before-colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, 1,
	  HTTP_BAD_FIELD, NULL },
	{ "obs-fold", "GET / HTTP/1.1\r\n" H "X: a\r\n b\r\n\r\n", 400, 1,
	  HTTP_BAD_FIELD, NULL },
	{ "space-after-request-line", "GET / HTTP/1.1\r\n " H "\r\n", 400, 1,
	  HTTP_BAD_FIELD, NULL },
	{ "ctl-in-value", "GET / HTTP/1.1\r\n" H "X: a\x01z\r\n\r\n", 400, 1,
	  HTTP_BAD_FIELD, NULL },
	{ "nul-in-value", "GET / HTTP/1.1\r\n" H "X: a\0z\r\n\r\n", 400, 1,
	  HTTP_BAD_FIELD, NULL },
	{ "del-in-value", "GET / HTTP/1.1\r\n" H "X: a\x7fz\r\n\r\n", 400, 1,
	  HTTP_BAD_FIELD, NULL },
	{ "bad-name", "GET / HTTP/1.1\r\n" H "X(y): z\r\n\r\n", 400, 1,
	  HTTP_BAD_FIELD, NULL },
	{ "empty-name", "GET / HTTP/1.1\r\n" H ": z\r\n\r\n", 400, 1,
	  HTTP_BAD_FIELD, NULL },
	{ "no-colon", "GET / HTTP/1.1\r\n" H "X\r\n\r\n", 400, 1,
	  HTTP_BAD_FIELD, NULL },
	/* Host. */
	{ "no-host", "GET / HTTP/1.1\r\n\r\n", 400, 1, HTTP_BAD_HOST, NULL },
	{ "two-hosts", "GET / HTTP/1.1\r\n" H H "\r\n", 400, 1, HTTP_BAD_HOST,
	  NULL },
	{ "host-with-space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, 1,
	  HTTP_BAD_HOST, NULL },
	{ "host-userinfo", "GET / HTTP/1.1\r\nHost: u@x\r\n\r\n", 400, 1,
	  HTTP_BAD_HOST, NULL },
	{ "host-bad-port", "GET / HTTP/1.1\r\nHost: x:8o\r\n\r\n", 400, 1,
	  HTTP_BAD_HOST, NULL },
	{ "host-long-port", "GET / HTTP/1.1\r\nHost: x:123456\r\n\r\n", 400, 1,
	  HTTP_BAD_HOST, NULL },
	{ "host-slash", "GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", 400, 1,
	  HTTP_BAD_HOST, NULL },
	/* Framing. */
	{ "cl-and-te",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 3\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_CL_AND_TE, NULL },
	{ "te-and-cl",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n"
	  "Content-Length: 3\r\n\r\n",
	  400, 1, HTTP_CL_AND_TE, NULL },
	{ "cl-duplicate-same",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 3\r\n"
	  "Content-Length: 3\r\n\r\nabc",
	  400, 1, HTTP_BAD_CL, NULL },
	{ "cl-list",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 3, 3\r\n\r\nabc",
	  400, 1, HTTP_BAD_CL, NULL },
	{ "cl-plus",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: +3\r\n\r\nabc", 400,
	  1, HTTP_BAD_CL, NULL },
	{ "cl-minus",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: -3\r\n\r\n", 400, 1,
	  HTTP_BAD_CL, NULL },
	{ "cl-leading-zero",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 03\r\n\r\nabc", 400,
	  1, HTTP_BAD_CL, NULL },
	{ "cl-hex",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 0x3\r\n\r\n", 400, 1,
	  HTTP_BAD_CL, NULL },
	{ "cl-inner-space",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 1 3\r\n\r\n", 400, 1,
	  HTTP_BAD_CL, NULL },
	{ "cl-overflow",
	  "POST /api/echo HTTP/1.1\r\n" H
	  "Content-Length: 18446744073709551617\r\n\r\n",
	  400, 1, HTTP_BAD_CL, NULL },
	{ "cl-empty", "POST /api/echo HTTP/1.1\r\n" H "Content-Length:\r\n\r\n",
	  400, 1, HTTP_BAD_CL, NULL },
	{ "cl-too-large",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 65537\r\n\r\n", 413,
	  1, HTTP_BODY_TOO_LARGE, NULL },
	{ "cl-too-large-expect",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 999999\r\n"
	  "Expect: 100-continue\r\n\r\n",
	  413, 1, HTTP_BODY_TOO_LARGE, NULL },
	{ "te-http10",
	  "POST /api/echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "0\r\n\r\n",
	  400, 1, HTTP_BAD_TE, NULL },
	{ "te-gzip-chunked",
	  "POST /api/echo HTTP/1.1\r\n" H
	  "Transfer-Encoding: gzip, chunked\r\n\r\n",
	  501, 1, HTTP_S501, NULL },
	{ "te-identity",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: identity\r\n\r\n",
	  501, 1, HTTP_S501, NULL },
	{ "te-chunked-twice",
	  "POST /api/echo HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked, chunked\r\n\r\n",
	  400, 1, HTTP_BAD_TE, NULL },
	{ "te-two-lines",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n",
	  400, 1, HTTP_BAD_TE, NULL },
	{ "te-chunked-not-last",
	  "POST /api/echo HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked, gzip\r\n\r\n",
	  501, 1, HTTP_BAD_TE, NULL },
	{ "te-empty",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding:\r\n\r\n", 400, 1,
	  HTTP_BAD_TE, NULL },
	{ "te-garbage",
	  "POST /api/echo HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked x\r\n\r\n",
	  400, 1, HTTP_BAD_TE, NULL },
	{ "te-xchunked",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: xchunked\r\n\r\n",
	  501, 1, HTTP_BAD_TE, NULL },
	/* Chunked bodies. */
	{ "chunked-ok",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "3\r\nabc\r\nA;ext=1;x=\"q\"\r\n0123456789\r\n0\r\nT: v\r\n\r\n",
	  200, 0, HTTP_S200, "abc0123456789" },
	{ "chunked-uppercase",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: CHUNKED\r\n\r\n"
	  "2\r\nhi\r\n0\r\n\r\n",
	  200, 0, HTTP_S200, "hi" },
	{ "chunk-plus",
	  "POST /api/echo HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked\r\n\r\n+3\r\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-0x",
	  "POST /api/echo HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-leading-space",
	  "POST /api/echo HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked\r\n\r\n 3\r\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-16-digits",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "0000000000000003\r\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-overflow",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "fffffffffffffffff1\r\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-too-large",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "10001\r\n",
	  413, 1, HTTP_BODY_TOO_LARGE, NULL },
	{ "chunk-no-crlf-after-data",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "3\r\nabcd\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-bare-lf",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "3\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-ext-no-semicolon",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "3 x\r\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-ext-ctl",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "3;\x01\r\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-empty-size",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "\r\nabc\r\n0\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	{ "chunk-bad-trailer",
	  "POST /api/echo HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
	  "0\r\nbad trailer\r\n\r\n",
	  400, 1, HTTP_BAD_CHUNK, NULL },
	/* Bodies. */
	{ "post-cl",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 5\r\n\r\nhello", 200,
	  0, HTTP_S200, "\r\n\r\nhello" },
	{ "post-static",
	  "POST /a.txt HTTP/1.1\r\n" H "Content-Length: 2\r\n\r\nhi", 405, 0,
	  HTTP_S405, "Allow: GET, HEAD, OPTIONS" },
	{ "get-with-body",
	  "GET /a.txt HTTP/1.1\r\n" H "Content-Length: 2\r\n\r\nhi", 200, 0,
	  HTTP_S200, "hello" },
	{ "route-wrong-method", "GET /api/echo HTTP/1.1\r\n" H "\r\n", 405, 0,
	  HTTP_S405, "Allow: POST, PUT, OPTIONS" },
	{ "expect-continue",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 2\r\n"
	  "Expect: 100-continue\r\n\r\nhi",
	  100, 0, HTTP_S100, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK" },
	{ "expect-other",
	  "POST /api/echo HTTP/1.1\r\n" H "Content-Length: 2\r\n"
	  "Expect: tea\r\n\r\nhi",
	  200, 0, HTTP_S200, NULL },
	/* Handlers. */
	{ "handler-json", "GET /api/json HTTP/1.1\r\n" H "X-Test: abc\r\n\r\n",
	  200, 0, HTTP_S200, "X-Seen: yes\r\n" },
	{ "handler-head", "HEAD /api/json HTTP/1.1\r\n" H "\r\n", 200, 0,
	  HTTP_S200, "Content-Length: 17\r\n" },
	{ "handler-silent", "GET /api/silent HTTP/1.1\r\n" H "\r\n", 500, 0,
	  HTTP_HANDLER_ERROR, NULL },
	{ "handler-injection", "GET /api/inject HTTP/1.1\r\n" H "\r\n", 201, 0,
	  HTTP_SOTHER, "-22 -22 0" },
	{ "stream", "GET /api/stream?2 HTTP/1.1\r\n" H "\r\n", 200, 0,
	  HTTP_S200,
	  "Transfer-Encoding: chunked\r\n\r\na\r\nxxxxxxxxxx\r\n"
	  "a\r\nxxxxxxxxxx\r\n0\r\n\r\n" },
	{ "stream-http10", "GET /api/stream?1 HTTP/1.0\r\n\r\n", 200, 1,
	  HTTP_S200, "Connection: close\r\n\r\nxxxxxxxxxx" },
	{ "stream-error", "GET /api/stream?-1 HTTP/1.1\r\n" H "\r\n", 200, 1,
	  HTTP_HANDLER_ERROR, NULL },
};

/* Runs row R, its request fed in pieces of STEP bytes (0: at once;
 * -1: random sizes). */
static void run_row(const struct row *r, int step)
{
	struct hx *h = malloc(sizeof *h);
	size_t len = strlen(r->req), at = 0;
	int status;

	if (!strcmp(r->name, "nul-in-value"))
		len = strlen("GET / HTTP/1.1\r\n" H "X: a") + 6;
	hx_open(h, NULL);
	while (at < len && !h->shut && !h->closed) {
		size_t n = step > 0   ? (size_t)step
			   : step < 0 ? 1 + (size_t)rand() % 7
				      : len;
		if (n > len - at)
			n = len - at;
		hx_feed(h, r->req + at, n);
		at += n;
	}
	status = hx_status(h, 0);
	if (status != r->status)
		unit_fail(__FILE__, __LINE__, "%s: status %d, want %d\n%s",
			  r->name, status, r->status, h->out);
	if (!!h->shut != r->close && r->counter != HTTP_HANDLER_ERROR)
		unit_fail(__FILE__, __LINE__, "%s: shut down %d, want %d",
			  r->name, h->shut, r->close);
	if (r->close && r->counter == HTTP_HANDLER_ERROR && !h->closed)
		unit_fail(__FILE__, __LINE__, "%s: not closed", r->name);
	if (http_counter(h->s, r->counter) != 1)
		unit_fail(__FILE__, __LINE__, "%s: counter %s is %llu", r->name,
			  http_counter_name(r->counter),
			  (unsigned long long)http_counter(h->s, r->counter));
	if (r->has && !strstr(h->out, r->has))
		unit_fail(__FILE__, __LINE__, "%s: no \"%s\" in\n%s", r->name,
			  r->has, h->out);
	if (!strstr(h->out, "\r\nDate: ") || !strstr(h->out, "Server: pith"))
		unit_fail(__FILE__, __LINE__, "%s: no Date or Server", r->name);
	hx_close(h);
	free(h);
}

static void test_table(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		run_row(&rows[i], 0);
}

/* The same outcome whatever the segmentation: the parser resumes. */
static void test_table_bytewise(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		run_row(&rows[i], 1);
}

static void test_table_random_splits(void)
{
	srand(3);
	for (int round = 0; round < 4; round++)
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
			run_row(&rows[i], -1);
}

static const struct unit_test tests[] = {
	{ "table", test_table },
	{ "table-bytewise", test_table_bytewise },
	{ "table-random-splits", test_table_random_splits },
};
const struct unit_suite suite_http_requests =
	UNIT_SUITE("http-requests", tests);
