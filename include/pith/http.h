/* lib/http: a strict HTTP/1.1 server (RFC 9110, RFC 9112) for static
 * sites packed into the image (lib/fs) and for dynamic routes in C.
 *
 * The protocol engine does no I/O. A connection (struct http_conn) is
 * fed the bytes its transport received and the time; it answers with
 * output pieces, each either bytes the engine owns (response heads,
 * small bodies) or a reference to immutable data (file content in the
 * image) that a zero-copy transport sends without copying, and with one
 * decision at a time: send, receive (until a deadline), shut down the
 * write side, or close. Every timeout is such a deadline: the transport
 * waits until it and calls http_conn_next again. The same engine runs
 * under the unit tests, the fuzz harness and the TCP adapter (http_serve).
 *
 * Per connection the engine keeps a small fixed state; the buffers a
 * request needs are taken when its first byte arrives and given back
 * when the connection goes idle, so idle keep-alive connections cost
 * about a hundred bytes each.
 *
 * Functions return -errno or NULL and never print; the counters (and
 * the access log, when a log function is set) account for every
 * request, refusal and close. docs/http.md lists each case with its
 * status.
 */
#ifndef PITH_HTTP_H
#define PITH_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pith/fs.h"

/* --- Limits (each with its reason) ----------------------------------- */

/* Longest request line, CRLF excluded; longer: 414. Browsers and
 * proxies keep URLs under 8 KiB (nginx's large_client_header_buffers). */
#define HTTP_REQUEST_LINE_MAX 8192

/* Longest header field line, CRLF excluded; longer: 431. A large
 * cookie fits; Apache's LimitRequestFieldSize is 8190. */
#define HTTP_FIELD_LINE_MAX 8192

/* Longest header block: the request line, the field lines and the empty
 * line; larger: 431. Two maximal lines; this is also the most input a
 * connection buffers for one request's head. */
#define HTTP_HEADER_BLOCK_MAX 16384

/* Header fields in a request; more: 431. Browsers send 10 to 20; 64
 * leaves room for proxies and is Go's and Node's order of magnitude. */
#define HTTP_FIELDS_MAX 64

/* Empty lines ignored before a request line (RFC 9112 2.2 asks to
 * ignore at least one); more is garbage: 400. */
#define HTTP_LEADING_CRLF_MAX 4

/* Largest request body a route takes, by default and at most
 * (http_config.body_max). Bodies are buffered whole for the handler;
 * larger ones get 413 before any of their bytes is read. */
#define HTTP_BODY_MAX_DEFAULT (64UL << 10)
#define HTTP_BODY_MAX_LIMIT   (16UL << 20)

/* Longest chunk-size line, extensions included (RFC 9112 7.1.1 lets a
 * server bound them); longer: 400. Chunk sizes take at most 15 hex
 * digits (a 60-bit size; more cannot be honest). */
#define HTTP_CHUNK_LINE_MAX   256
#define HTTP_CHUNK_DIGITS_MAX 15

/* Ranges parsed in one Range field. One satisfiable range is served
 * (206); more ranges, or more than this many, get the whole file (200):
 * many small overlapping ranges are an amplification attack, and
 * multipart/byteranges is not implemented. */
#define HTTP_RANGES_MAX 8

/* Requests served on one connection; the last response says
 * "Connection: close" (nginx's keepalive_requests default). Bounds what
 * one client can pipeline through one connection. */
#define HTTP_REQUESTS_PER_CONN_DEFAULT 1000

/* Responses queued on one connection before the engine stops parsing
 * pipelined requests until the client reads: pipelining is bounded by
 * output, not by how much a client sends. */
#define HTTP_PIPELINE_MAX 16

/* Dynamic routes a server holds. */
#define HTTP_ROUTES_MAX 32

/* Bytes of extra header lines a handler may add to one response. */
#define HTTP_EXTRA_HEADERS_MAX 1024

/* Largest body http_respond copies; larger dynamic bodies are streamed
 * (http_respond_stream) or referenced (http_respond_static). */
#define HTTP_COPY_BODY_MAX (256UL << 10)

/* A streaming handler fills chunks of at most this many bytes. */
#define HTTP_STREAM_CHUNK 4096

/* Timeouts, by default (http_config overrides them; 0 means default):
 *   header   a request's head must be complete this long after its
 *            first byte (and a fresh connection must send its first
 *            byte within it); also the slowloris bound;
 *   body     grace before a request body must keep up the minimum rate;
 *   idle     a keep-alive connection may wait this long for its next
 *            request (nginx: 75 s);
 *   send     the client must accept some output within this long, or
 *            the connection is closed (nginx's send_timeout: 60 s);
 *   linger   after a final response with "Connection: close", input is
 *            drained this long so the client reads the response rather
 *            than a reset (RFC 9112 9.6). */
#define HTTP_HEADER_TIMEOUT_MS 10000
#define HTTP_BODY_TIMEOUT_MS   10000
#define HTTP_IDLE_TIMEOUT_MS   60000
#define HTTP_SEND_TIMEOUT_MS   30000
#define HTTP_LINGER_MS	       2000

/* Minimum average rates, after a grace period: a request head must
 * arrive at HTTP_HEADER_MIN_RATE bytes a second once it has been coming
 * for HTTP_HEADER_GRACE_MS (an honest client sends its head in one
 * segment; one byte a second is a slowloris), a body at
 * HTTP_BODY_MIN_RATE once the body timeout has passed. */
#define HTTP_HEADER_GRACE_MS 2000
#define HTTP_HEADER_MIN_RATE 128
#define HTTP_BODY_MIN_RATE   1024

/* Bytes drained while lingering before the connection is closed
 * anyway: one body at the default limit. */
#define HTTP_LINGER_BYTES HTTP_BODY_MAX_DEFAULT

/* Idle work areas (buffers of finished requests) a server keeps for the
 * next request instead of freeing them: enough for every connection of
 * a busy benchmark; bounded so a burst of clients does not pin memory. */
#define HTTP_WORK_CACHE 256

/* --- Counters ---------------------------------------------------------- */

#define HTTP_COUNTERS(X)                                                       \
	X(CONN_OPENED, "http.conn_opened")                                     \
	X(CONN_CLOSED, "http.conn_closed")                                     \
	X(REQUESTS, "http.requests")                                           \
	X(PIPELINED, "http.requests_pipelined")                                \
	X(S100, "http.status_100")                                             \
	X(S200, "http.status_200")                                             \
	X(S204, "http.status_204")                                             \
	X(S206, "http.status_206")                                             \
	X(S301, "http.status_301")                                             \
	X(S304, "http.status_304")                                             \
	X(S400, "http.status_400")                                             \
	X(S404, "http.status_404")                                             \
	X(S405, "http.status_405")                                             \
	X(S408, "http.status_408")                                             \
	X(S413, "http.status_413")                                             \
	X(S414, "http.status_414")                                             \
	X(S431, "http.status_431")                                             \
	X(S500, "http.status_500")                                             \
	X(S501, "http.status_501")                                             \
	X(S505, "http.status_505")                                             \
	X(SOTHER, "http.status_other")                                         \
	X(GZIP, "http.gzip_served")                                            \
	X(RANGE_IGNORED, "http.range_ignored")                                 \
	X(BAD_REQUEST_LINE, "http.bad_request_line")                           \
	X(BAD_METHOD, "http.bad_method")                                       \
	X(BAD_TARGET, "http.bad_target")                                       \
	X(BAD_VERSION, "http.bad_version")                                     \
	X(BAD_LINE_END, "http.bad_line_ending")                                \
	X(BAD_FIELD, "http.bad_field_syntax")                                  \
	X(LINE_TOO_LONG, "http.request_line_too_long")                         \
	X(FIELD_TOO_LONG, "http.field_too_long")                               \
	X(HEAD_TOO_LARGE, "http.header_too_large")                             \
	X(TOO_MANY_FIELDS, "http.too_many_fields")                             \
	X(BAD_HOST, "http.bad_host")                                           \
	X(CL_AND_TE, "http.framing_cl_and_te")                                 \
	X(BAD_CL, "http.framing_bad_content_length")                           \
	X(BAD_TE, "http.framing_bad_transfer_encoding")                        \
	X(BAD_CHUNK, "http.bad_chunk")                                         \
	X(BODY_TOO_LARGE, "http.body_too_large")                               \
	X(BAD_PATH, "http.bad_path")                                           \
	X(PATH_ABOVE_ROOT, "http.path_above_root")                             \
	X(HANDLER_ERROR, "http.handler_error")                                 \
	X(CLOSE_IDLE, "http.close_idle_timeout")                               \
	X(CLOSE_HEADER_TIMEOUT, "http.close_header_timeout")                   \
	X(CLOSE_BODY_TIMEOUT, "http.close_body_timeout")                       \
	X(CLOSE_SEND_TIMEOUT, "http.close_send_timeout")                       \
	X(CLOSE_EOF_PARTIAL, "http.close_eof_mid_request")                     \
	X(CLOSE_REQUEST_CAP, "http.close_request_cap")                         \
	X(CLOSE_AFTER_ERROR, "http.close_after_error")                         \
	X(CLOSE_LINGER_CAP, "http.close_linger_cap")                           \
	X(CLOSE_RESET, "http.close_transport_error")                           \
	X(NOMEM, "http.drop_nomem")

#define HTTP_COUNTER_ENUM(id, name) HTTP_##id,
enum http_counter { HTTP_COUNTERS(HTTP_COUNTER_ENUM) HTTP_COUNTER_COUNT };
#undef HTTP_COUNTER_ENUM

/* --- The server -------------------------------------------------------- */

/* Settings of a server. Zero-initialised means every default. */
struct http_config {
	const struct fs *site;	    /* static files; NULL: none */
	uint64_t header_timeout_ns; /* 0: HTTP_HEADER_TIMEOUT_MS */
	uint64_t body_timeout_ns;   /* 0: HTTP_BODY_TIMEOUT_MS */
	uint64_t idle_timeout_ns;   /* 0: HTTP_IDLE_TIMEOUT_MS */
	uint64_t send_timeout_ns;   /* 0: HTTP_SEND_TIMEOUT_MS */
	uint64_t linger_ns;	    /* 0: HTTP_LINGER_MS */
	size_t body_max;	    /* 0: HTTP_BODY_MAX_DEFAULT */
	unsigned requests_per_conn; /* 0: HTTP_REQUESTS_PER_CONN_DEFAULT */
	/* Access log: one line per response in the common log format,
	 * without the newline. NULL: no log. */
	void (*log)(void *arg, const char *line, size_t len);
	void *log_arg;
};

struct http_server;

/* Makes a server with the settings in C (copied).
 *   the server  ready for http_route and connections;
 *   NULL        a setting is out of range (errno EINVAL: body_max over
 *               HTTP_BODY_MAX_LIMIT) or no memory (ENOMEM). */
struct http_server *http_server_new(const struct http_config *c);

/* Frees S; every connection of S must be freed first. */
void http_server_free(struct http_server *s);

/* A counter's value and its "http.name". */
uint64_t http_counter(const struct http_server *s, enum http_counter c);
const char *http_counter_name(enum http_counter c);

/* Writes "name value" lines for every non-zero counter into BUF (N
 * bytes, always terminated); returns the length needed (as snprintf). */
size_t http_report(const struct http_server *s, char *buf, size_t n);

/* --- Dynamic routes ----------------------------------------------------- */

/* Methods, as bits of a route's method set. */
enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_OPTIONS = 1 << 5,
	HTTP_PATCH = 1 << 6,
};

/* A request as a handler sees it; valid during the handler's call. */
struct http_request {
	enum http_method method;
	const char *method_name; /* as sent, METHOD_LEN bytes */
	size_t method_len;
	const char *path; /* percent-decoded, normalised, NUL-terminated */
	size_t path_len;
	const char *query; /* raw, after '?' (QUERY_LEN bytes), or NULL */
	size_t query_len;
	unsigned version;    /* 10 or 11 */
	const uint8_t *body; /* the whole body, BODY_LEN bytes */
	size_t body_len;
	const struct http_conn *conn;
};

/* The value of the first header field named NAME (any case), with
 * surrounding whitespace removed: its length, or -ENOENT. *VALUE points
 * into the request (not NUL-terminated). */
ssize_t http_request_header(const struct http_request *r, const char *name,
			    const char **value);

struct http_response;

/* A handler answers a request by calling exactly one http_respond*
 * function on RES (after any http_response_header), then returns 0. A
 * negative return, or returning without responding, sends 500. HEAD
 * requests reach GET handlers; the engine leaves the body out. */
typedef int (*http_handler)(const struct http_request *req,
			    struct http_response *res, void *arg);

/* Routes requests whose path is PATH (or, when PATH ends in '/' and is
 * not "/" itself, starts with it) to FN, for the methods in the set METHODS (HEAD comes with
 * GET). Routes are tried in the order added, before static files. A
 * route with POST, PUT or PATCH takes request bodies up to body_max.
 *   0        added;
 *   -EINVAL  PATH does not start with '/', or METHODS is empty;
 *   -ENOSPC  HTTP_ROUTES_MAX routes exist. */
int http_route(struct http_server *s, const char *path, unsigned methods,
	       http_handler fn, void *arg);

/* Adds "NAME: VALUE" to the response.
 *   0        added;
 *   -EINVAL  NAME is not a token or VALUE holds CR, LF or NUL (header
 *            injection), or the response was already given;
 *   -ENOSPC  over HTTP_EXTRA_HEADERS_MAX bytes in all. */
int http_response_header(struct http_response *res, const char *name,
			 const char *value);

/* Responds with STATUS (200..599), Content-Type TYPE (NULL: none) and
 * LEN bytes of BODY, copied. 0, -EINVAL (bad status, second response),
 * -EMSGSIZE (LEN > HTTP_COPY_BODY_MAX) or -ENOMEM. 204 and 304 carry no
 * body. */
int http_respond(struct http_response *res, unsigned status, const char *type,
		 const void *body, size_t len);

/* As http_respond, but BODY is sent without a copy: it must stay valid
 * and unchanged for as long as the server exists (static data). */
int http_respond_static(struct http_response *res, unsigned status,
			const char *type, const void *body, size_t len);

/* Responds with STATUS and a body of unknown length that the engine
 * pulls as the client reads: FILL(ARG, BUF, CAP) writes up to CAP
 * (<= HTTP_STREAM_CHUNK) bytes and returns how many, 0 at the end, or
 * -errno to abort the connection. FILL must not block. DONE(ARG), if
 * not NULL, runs once when the stream ends or the connection goes,
 * whichever is first. The body is sent chunked to HTTP/1.1 clients and
 * closed-delimited to HTTP/1.0 ones. 0, or -EINVAL. */
int http_respond_stream(struct http_response *res, unsigned status,
			const char *type,
			ssize_t (*fill)(void *arg, uint8_t *buf, size_t cap),
			void (*done)(void *arg), void *arg);

/* --- The protocol engine, one connection ------------------------------ */

struct http_conn;

/* What the transport does next (http_conn_next). */
enum http_action {
	HTTP_ACT_RECV,	   /* receive into http_conn_rbuf until the deadline */
	HTTP_ACT_SEND,	   /* send http_conn_output; report http_conn_sent */
	HTTP_ACT_SHUTDOWN, /* end the write side (FIN), then ask again */
	HTTP_ACT_CLOSE,	   /* close the connection, then http_conn_free */
	HTTP_ACT_ABORT,	   /* reset it (the client stopped reading, or the
			      engine failed), then http_conn_free */
};

/* A piece of output. IMMUTABLE: the bytes stay valid and unchanged for
 * the server's life (send them by reference); otherwise they are valid
 * until http_conn_sent consumes them (copy them, or hold the piece). */
struct http_piece {
	const uint8_t *p;
	size_t len;
	int immutable;
};

/* A new connection of S opened at NOW (monotonic ns); PEER is the
 * client's IPv4 address (host order) for the access log, 0 if unknown.
 * NULL: no memory. */
struct http_conn *http_conn_new(struct http_server *s, uint64_t now,
				uint32_t peer);

/* Frees C and everything it holds (a stream's DONE runs). */
void http_conn_free(struct http_conn *c);

/* The next decision at NOW; *DEADLINE gets the time (monotonic ns) by
 * which the transport must call again even if nothing happened, for
 * RECV and SEND (UINT64_MAX: none). A deadline that has passed is acted
 * on here: a timeout becomes a 408 to send, or a close. */
enum http_action http_conn_next(struct http_conn *c, uint64_t now,
				uint64_t *deadline);

/* Where the transport may write received bytes: *BUF, up to *CAP.
 *   0        *CAP > 0 (the request buffers are taken now if idle);
 *   -ENOMEM  no memory: the transport closes the connection;
 *   -EAGAIN  the engine takes no input now (it is not in RECV). */
int http_conn_rbuf(struct http_conn *c, uint8_t **buf, size_t *cap);

/* N bytes were written at http_conn_rbuf's buffer at NOW. */
void http_conn_received(struct http_conn *c, size_t n, uint64_t now);

/* Copies up to LEN bytes of DATA in (http_conn_rbuf + received);
 * returns how many it took (0 when it takes no input now). */
size_t http_conn_input(struct http_conn *c, const void *data, size_t len,
		       uint64_t now);

/* The client ended its side (FIN) at NOW. */
void http_conn_eof(struct http_conn *c, uint64_t now);

/* Fills V with up to N pieces of pending output, in order; returns how
 * many. The first piece may be partly sent already (its P and LEN say
 * what is left). */
size_t http_conn_output(struct http_conn *c, struct http_piece *v, size_t n);

/* The transport took the first N bytes of the pending output at NOW. */
void http_conn_sent(struct http_conn *c, size_t n, uint64_t now);

/* Requests this connection has answered. */
unsigned http_conn_requests(const struct http_conn *c);

/* --- Serving over TCP (serve.c; the appliance links lib/net) ---------- */

struct http_listener;

/* Serves S on TCP port PORT with a listen backlog of BACKLOG (0: TCP's
 * default): spawns one fiber that accepts and one that drives every
 * connection, each without ever parking in the middle of one (idle
 * connections cost no fiber). Needs net_start first; call core_run
 * after. *L (may be NULL) gets the listener.
 *   0           serving;
 *   -ENOMEM     no memory for the listener or the fibers;
 *   other       as net_tcp_listen (-EADDRINUSE, -ENETDOWN, ...). */
int http_serve(struct http_server *s, uint16_t port, unsigned backlog,
	       struct http_listener **l);

#endif
