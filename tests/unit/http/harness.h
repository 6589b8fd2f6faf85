/* Driving lib/http's engine in unit tests and the fuzz harness: a test
 * site packed with the build's packer, a server, one connection, and a
 * loop that plays the transport (sends everything, records shutdown and
 * close) until the engine wants input. */
#ifndef PITH_TEST_HTTP_HARNESS_H
#define PITH_TEST_HTTP_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "pith/http.h"

#define HX_OUT_MAX (1 << 20)

struct hx {
	struct http_server *s;
	struct http_conn *c;
	uint64_t now, deadline;
	enum http_action last;
	int shut, closed;
	size_t out_len;
	char out[HX_OUT_MAX + 1]; /* everything sent, NUL-terminated */
	char log[4096];		  /* access log lines, '\n'-separated */
	size_t log_len;
};

/* The test site: index.html, a.txt ("hello, world\n"), big.css (8 KiB,
 * has a gzip variant), empty, dir/index.html, dir/b.txt, nodir/c.txt. */
const struct fs *hx_site(void);
extern const char hx_css[8192];

/* A server with C (NULL: defaults) on the test site, and a connection
 * opened at time 1 s. The routes of hx_routes are added. */
void hx_open(struct hx *h, const struct http_config *c);
void hx_close(struct hx *h);

/* Feeds LEN bytes (all of them, as far as the engine takes input), then
 * runs until the engine wants input or closes. Returns the last
 * action. */
enum http_action hx_feed(struct hx *h, const void *data, size_t len);
enum http_action hx_str(struct hx *h, const char *s);

/* Runs the engine at the current time until it wants input or closes;
 * sends everything. */
enum http_action hx_run(struct hx *h);

/* Advances the clock by MS and runs. */
enum http_action hx_wait(struct hx *h, uint64_t ms);

/* The status of the Nth response in the output (0-based), or -1. */
int hx_status(const struct hx *h, unsigned n);

/* The body of the first response (after its head), and its length. */
const char *hx_body(const struct hx *h, size_t *len);

/* Forgets the output so far. */
void hx_clear(struct hx *h);

/* The number of responses (status lines) in the output. */
unsigned hx_responses(const struct hx *h);

#endif
