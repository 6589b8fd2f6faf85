/* lib/http internals. Four layers, each in its own file:
 *
 *   parse.c    the request head, line by line as bytes arrive: request
 *              line and field syntax, every size limit;
 *   fields.c   what the fields mean: Host, framing (Content-Length,
 *              Transfer-Encoding), Connection, Expect, and the values
 *              static files use (Range, conditionals, Accept-Encoding);
 *   body.c     request bodies: Content-Length and chunked;
 *   conn.c     the connection's state machine: buffers, deadlines,
 *              the decisions http_conn_next returns;
 *   respond.c, static.c  response heads, static files, handlers;
 *   path.c, date.c       targets and paths; HTTP dates.
 *
 * Offsets into a request are relative to the first byte of its request
 * line, which always sits at the start of the input buffer; the head is
 * at most HTTP_HEADER_BLOCK_MAX bytes, so they fit in 16 bits. */
#ifndef HTTP_IMPL_H
#define HTTP_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pith/http.h"

_Static_assert(HTTP_HEADER_BLOCK_MAX <= 65535, "head offsets are 16-bit");

#define NS_PER_MS 1000000ULL

/* Input buffered per connection: a head, and the largest line that can
 * follow it in a body (a chunk trailer field). Starts small: most
 * requests are a few hundred bytes. */
#define HTTP_IN_INITIAL 2048
#define HTTP_IN_MAX	(HTTP_HEADER_BLOCK_MAX + HTTP_FIELD_LINE_MAX + 4)

/* Output: response heads are formatted into one buffer per connection;
 * a head never exceeds HTTP_RESP_HEAD_MAX, and a pipelined request is
 * parsed only while that much room is left. Pieces: a head, a body, and
 * a stream's chunk framing around its data. */
#define HTTP_OUT_HDR	   4096
#define HTTP_RESP_HEAD_MAX 2048
#define HTTP_OUT_PIECES	   (2 * HTTP_PIPELINE_MAX + 8)

/* The decoded path with its NUL: a longer one cannot name a file. */
#define HTTP_PATH_CAP (FS_PATH_MAX + 2)

/* A log line: the request line is cut to this many bytes. */
#define HTTP_LOG_TARGET_MAX 512

/* --- Character classes ---------------------------------------------------- */

#define CT_TOKEN  1 /* tchar (RFC 9110 5.6.2) */
#define CT_VALUE  2 /* field-vchar, SP, HTAB (RFC 9110 5.5) */
#define CT_TARGET 4 /* allowed in a request-target (RFC 3986) */
#define CT_HEX	  8
#define CT_PCHAR  16 /* sent unencoded in a Location path */
extern const uint8_t http_ctype[256];

static inline int is_token(uint8_t c)
{
	return http_ctype[c] & CT_TOKEN;
}

static inline int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Case-insensitive comparison of LEN bytes of A with the lower-case B. */
int http_ieq(const char *a, size_t len, const char *b);

/* --- The request head (parse.c) -------------------------------------------- */

enum http_field_id {
	HF_OTHER,
	HF_HOST,
	HF_CONTENT_LENGTH,
	HF_TRANSFER_ENCODING,
	HF_CONNECTION,
	HF_EXPECT,
	HF_RANGE,
	HF_IF_RANGE,
	HF_IF_NONE_MATCH,
	HF_IF_MODIFIED_SINCE,
	HF_ACCEPT_ENCODING,
};

struct http_field {
	uint16_t name, nlen, value, vlen; /* value without surrounding OWS */
	uint8_t id;
};

enum { HEAD_REQUEST_LINE, HEAD_FIELDS, HEAD_DONE };

/* Known methods (the public bits), plus the ones refused with 501. */
#define HTTP_M_CONNECT 0x100
#define HTTP_M_TRACE   0x200
#define HTTP_M_OTHER   0x400

struct http_head {
	uint32_t pos;  /* next byte to look at */
	uint32_t line; /* start of the line being read */
	uint8_t state, crlfs;
	uint8_t version; /* 10, 11 */
	uint16_t nfields;
	uint16_t method_off, method_len, target_off, target_len;
	unsigned method; /* enum http_method or HTTP_M_* */
	uint32_t len;	 /* bytes of the head, final CRLF included */
	struct http_field fields[HTTP_FIELDS_MAX];
};

/* A refusal: the status to send and the counter that accounts for it. */
struct http_error {
	unsigned status;
	enum http_counter counter;
};

/* Looks at BUF[0..LEN) (the request so far) from where the last call
 * stopped. 1: the head is complete (H->len); 0: more is needed; -1: the
 * request is refused (*E). */
int http_parse_head(struct http_head *h, const uint8_t *buf, size_t len,
		    struct http_error *e);

/* --- Field semantics (fields.c) -------------------------------------------- */

struct http_info {
	uint64_t content_length;
	uint8_t has_length, chunked, close, keep_alive, expect_continue;
	uint8_t has_body; /* length > 0 or chunked */
};

/* Interprets H's fields (BUF is the head). 0, or -1 with *E. */
int http_fields(const struct http_head *h, const uint8_t *buf,
		struct http_info *info, struct http_error *e);

/* Whether P (LEN) is uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986
 * 3.2.2): a bracketed IP literal or a reg-name, a port of <= 5 digits. */
int http_host_ok(const uint8_t *p, size_t len);

/* Parses a decimal Content-Length: 1*DIGIT, no sign, no leading zero
 * but "0" itself, at most 18 digits. 0 and *V, or -1. */
int http_parse_length(const uint8_t *p, size_t len, uint64_t *v);

/* Whether the list field value P (LEN) accepts gzip (Accept-Encoding
 * with q-values; "*" counts, q=0 refuses). */
int http_accepts_gzip(const uint8_t *p, size_t len);

/* The same over one of several field lines: updates *GZIP and *STAR
 * (thousandths; -1 while not mentioned) with what P says. */
void http_gzip_q(const uint8_t *p, size_t len, int *gzip, int *star);

/* Whether the If-None-Match value P (LEN) matches ETAG (weak
 * comparison; "*" matches). */
int http_etag_match(const uint8_t *p, size_t len, const char *etag,
		    size_t etag_len, int weak_ok);

/* Parses a Range value against a representation of SIZE bytes: 1 and
 * [*FIRST, *LAST] for one satisfiable byte range, 0 to ignore it (not
 * bytes, malformed, several ranges, unsatisfiable). */
int http_parse_range(const uint8_t *p, size_t len, uint64_t size,
		     uint64_t *first, uint64_t *last);

/* --- Bodies (body.c) ---------------------------------------------------------- */

enum { BODY_NONE, BODY_LENGTH, BODY_CHUNKED };
enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };

struct http_body {
	uint8_t mode, chunk_state, keep;
	uint64_t left;	/* LENGTH: bytes to come; CHUNKED: of this chunk */
	uint64_t total; /* body bytes so far */
	uint32_t trailer_bytes;
	uint8_t *buf; /* kept bodies (for handlers) */
	size_t len, cap;
};

/* Consumes body bytes from D[0..N); returns how many. *DONE is set once
 * the body (and any trailer) is complete. Partial chunk lines are left
 * unconsumed. -1 with *E: malformed chunking, or more than MAX bytes. */
long http_body_feed(struct http_body *b, const uint8_t *d, size_t n, size_t max,
		    int *done, struct http_error *e);

/* --- Paths (path.c) ---------------------------------------------------------- */

/* Splits the request-target (origin or absolute form) into the decoded,
 * normalised path (PATH, NUL-terminated, starting with '/', at most CAP
 * bytes with the NUL) and the raw query. 0, or -1 with *E (400 for a
 * bad escape, encoded '/', NUL or '\\', dot segments above the root;
 * 414 when the decoded path does not fit). */
int http_target_path(const uint8_t *t, size_t len, char *path, size_t cap,
		     size_t *path_len, size_t *query_off, size_t *query_len,
		     struct http_error *e);

/* Percent-encodes PATH (LEN) into OUT (CAP) for a Location field;
 * returns the length, or -1 if it does not fit. */
long http_encode_path(const char *path, size_t len, char *out, size_t cap);

/* --- Dates (date.c) ----------------------------------------------------------- */

#define HTTP_DATE_LEN 29 /* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* Formats SECONDS since the epoch as an IMF-fixdate (29 bytes + NUL). */
void http_date_format(int64_t seconds, char out[HTTP_DATE_LEN + 1]);

/* Parses an HTTP-date in any of its three formats (RFC 9110 5.6.7).
 * 0 and *SECONDS, or -1. */
int http_date_parse(const uint8_t *p, size_t len, int64_t *seconds);

/* The common log format's time: "10/Oct/2000:13:55:36 +0000". */
void http_date_clf(int64_t seconds, char out[27]);

/* --- The server and connection (server.c, conn.c) -------------------------- */

struct http_route_entry {
	const char *path;
	size_t len;
	int prefix;
	unsigned methods;
	http_handler fn;
	void *arg;
};

struct http_work;

struct http_server {
	struct http_config cfg;
	uint64_t counters[HTTP_COUNTER_COUNT];
	struct http_route_entry routes[HTTP_ROUTES_MAX];
	unsigned nroutes, nconns;
	struct http_work *cache; /* idle work areas */
	unsigned ncache;
	int64_t date_sec; /* the second the Date text is for */
	char date[HTTP_DATE_LEN + 1];
};

#define COUNT(s, id) ((s)->counters[HTTP_##id]++)

/* The Date field's text for now (formatted once a second). */
const char *http_server_date(struct http_server *s);

/* Counts a response of STATUS. */
void http_count_status(struct http_server *s, unsigned status);

struct http_outq {
	struct http_piece v[HTTP_OUT_PIECES];
	void *owned[HTTP_OUT_PIECES]; /* freed when the piece is sent */
	unsigned head, n, responses;
	uint32_t hdr_len;
	uint8_t hdr[HTTP_OUT_HDR];
};

/* A handler's stream in progress. */
struct http_stream {
	ssize_t (*fill)(void *arg, uint8_t *buf, size_t cap);
	void (*done)(void *arg);
	void *arg;
	uint8_t chunked, active;
	uint8_t buf[HTTP_STREAM_CHUNK + 16]; /* "XXX\r\n" data "\r\n" */
};

struct http_work {
	struct http_work *next; /* in the server's cache */
	uint8_t *in;		/* in_small or a heap buffer */
	uint32_t in_cap, in_len;
	struct http_head head;
	struct http_info info;
	struct http_body body;
	struct http_outq out;
	struct http_stream *stream; /* taken when a handler streams */
	const struct http_route_entry *route;
	size_t path_len, query_off, query_len;
	char path[HTTP_PATH_CAP + 16]; /* room to append "index.html" */
	uint8_t in_small[HTTP_IN_INITIAL];
};

enum { CS_IDLE, CS_HEAD, CS_BODY, CS_STREAM, CS_LINGER, CS_CLOSED };

#define CF_CLOSE 1  /* close once the queued output is sent */
#define CF_SHUT	 2  /* SHUTDOWN was returned */
#define CF_EOF	 4  /* the client ended its side */
#define CF_FRESH 8  /* no request yet */
#define CF_ABORT 16 /* close now, without lingering */

struct http_conn {
	struct http_server *srv;
	struct http_work *w; /* NULL while idle */
	uint64_t t_state;    /* when the state's clock started */
	uint64_t t_send;     /* last output progress */
	uint64_t lingered;   /* bytes drained while lingering */
	uint64_t now;	     /* the time of the current call */
	uint32_t peer, requests;
	uint8_t state, flags;
};

/* Output (respond.c). Each returns 0, or -1 when the queue is full
 * (the caller made sure it is not, see http_out_room). */
int http_out_room(const struct http_conn *c);
uint8_t *http_out_hdr(struct http_conn *c, size_t need);
void http_out_push(struct http_conn *c, const uint8_t *p, size_t len,
		   int immutable, void *owned);
int http_out_pending(const struct http_conn *c);

/* The response to the request whose head (and body) the connection has
 * read (respond.c): routes, then static files. */
void http_dispatch(struct http_conn *c);

/* Queues an error response with STATUS (its counter already counted by
 * the caller); CLOSE adds "Connection: close" and ends the connection
 * after it. */
void http_respond_error(struct http_conn *c, unsigned status, int close);

/* As http_respond_error, with EXTRA header lines (CRLF-terminated) or
 * NULL. */
void http_error_with(struct http_conn *c, unsigned status, int close,
		     const char *extra);

/* Answers with STATUS (204 or 405) and the Allow field for METHODS
 * (handler.c). */
void http_allow(struct http_conn *c, unsigned status, unsigned methods);

/* Serves the request from the site (static.c). */
void http_serve_static(struct http_conn *c);

/* A response head being built (respond.c). */
struct http_head_out {
	char *p;
	size_t len, cap;
	int overflow;
};
void hb_add(struct http_head_out *b, const char *s, size_t len);
void hb_str(struct http_head_out *b, const char *s);
void hb_u64(struct http_head_out *b, uint64_t v);

/* Starts a response head for STATUS on C: status line, Date, Server. */
void http_head_begin(struct http_conn *c, struct http_head_out *b,
		     unsigned status);

/* Ends it: Connection (from C's flags and the request), the empty line;
 * queues it. 0, or -1 if it overflowed (the caller sends a 500). */
int http_head_end(struct http_conn *c, struct http_head_out *b);

/* Writes the access log line for the response with STATUS and BYTES of
 * body, if the server logs. */
void http_log(struct http_conn *c, unsigned status, uint64_t bytes);

/* The value of the first field with ID in the current request, or
 * NULL. */
const uint8_t *http_field_value(const struct http_conn *c, uint8_t id,
				size_t *len);

/* Whether the response must end the connection: the request asked for
 * it, HTTP/1.0 without keep-alive, or the per-connection cap. */
int http_wants_close(struct http_conn *c);

/* Frees a stream, running its DONE. */
void http_stream_end(struct http_conn *c);

/* Queues the stream's next chunk (or its end) (respond.c). */
void http_stream_pull(struct http_conn *c);

/* Picks the route for the current request and whether its body is kept
 * (respond.c). */
void http_route_select(struct http_conn *c);

#endif
