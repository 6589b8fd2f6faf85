/* The engine's test transport (harness.h). */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../fs/fs_site.h"
#include "fake_platform.h"
#include "harness.h"

#define NS_PER_MS 1000000ULL

const char hx_css[8192] = { [0 ... 8190] = 'c' };

const struct fs *hx_site(void)
{
	static struct fs fs;
	static void *img;
	struct sp_input in[] = {
		{ "index.html", 0, "<h1>home</h1>\n", 14, 1700000000 },
		{ "a.txt", 0, "hello, world\n", 13, 1700000000 },
		{ "big.css", 0, hx_css, sizeof hx_css - 1, 1700000000 },
		{ "empty", 0, "", 0, 1700000000 },
		{ "dir/index.html", 0, "<h1>dir</h1>\n", 13, 1700000000 },
		{ "dir/b.txt", 0, "bee\n", 4, 1700000000 },
		{ "nodir/c.txt", 0, "sea\n", 4, 1700000000 },
		{ "sp ace.txt", 0, "space\n", 6, 1700000000 },
	};
	size_t len;

	if (!img) {
		img = fs_test_pack(in, sizeof in / sizeof in[0], &len);
		if (!img || fs_mount(&fs, img, len) < 0)
			abort();
	}
	return &fs;
}

static void on_log(void *arg, const char *line, size_t len)
{
	struct hx *h = arg;

	if (h->log_len + len + 1 < sizeof h->log) {
		memcpy(h->log + h->log_len, line, len);
		h->log_len += len;
		h->log[h->log_len++] = '\n';
		h->log[h->log_len] = '\0';
	}
}

/* --- Routes ------------------------------------------------------------ */

static int echo(const struct http_request *r, struct http_response *res,
		void *arg)
{
	(void)arg;
	return http_respond(res, 200, "application/octet-stream", r->body,
			    r->body_len);
}

static int json(const struct http_request *r, struct http_response *res,
		void *arg)
{
	static const char body[] = "{\"hello\":\"world\"}";
	const char *v;
	ssize_t n = http_request_header(r, "x-test", &v);

	(void)arg;
	if (n >= 0)
		http_response_header(res, "X-Seen", n == 3 ? "yes" : "len");
	return http_respond_static(res, 200, "application/json", body,
				   sizeof body - 1);
}

static int left, dones;

static ssize_t fill(void *arg, uint8_t *buf, size_t cap)
{
	(void)arg;
	if (left == 0)
		return 0;
	if (left < 0)
		return -5;
	left--;
	memset(buf, 'x', cap < 10 ? cap : 10);
	return 10;
}

static void done(void *arg)
{
	(void)arg;
	dones++;
}

static int stream(const struct http_request *r, struct http_response *res,
		  void *arg)
{
	(void)arg;
	left = r->query ? atoi(r->query) : 3;
	return http_respond_stream(res, 200, "text/plain", fill, done, 0);
}

static int silent(const struct http_request *r, struct http_response *res,
		  void *arg)
{
	(void)r, (void)res, (void)arg;
	return 0;
}

static int inject(const struct http_request *r, struct http_response *res,
		  void *arg)
{
	char body[64];
	int a = http_response_header(res, "X-A", "1\r\nSet-Cookie: x=1");
	int b = http_response_header(res, "X B", "1");
	int c = http_response_header(res, "X-C", "ok");
	int n = snprintf(body, sizeof body, "%d %d %d", a, b, c);

	(void)r, (void)arg;
	return http_respond(res, 201, "text/plain", body, (size_t)n);
}

int hx_stream_dones(void);
int hx_stream_dones(void)
{
	return dones;
}

void hx_open(struct hx *h, const struct http_config *c)
{
	struct http_config k = { 0 };

	if (c)
		k = *c;
	if (!k.site)
		k.site = hx_site();
	k.log = on_log;
	k.log_arg = h;
	memset(h, 0, offsetof(struct hx, out));
	h->out[0] = h->log[0] = '\0';
	h->s = http_server_new(&k);
	http_route(h->s, "/api/echo", HTTP_POST | HTTP_PUT, echo, 0);
	http_route(h->s, "/api/json", HTTP_GET, json, 0);
	http_route(h->s, "/api/stream", HTTP_GET, stream, 0);
	http_route(h->s, "/api/silent", HTTP_GET, silent, 0);
	http_route(h->s, "/api/inject", HTTP_GET, inject, 0);
	h->now = 1000 * NS_PER_MS;
	fake_wall = 1700000000ULL * 1000000000ULL;
	h->c = http_conn_new(h->s, h->now, 0x0a000001);
}

void hx_close(struct hx *h)
{
	if (h->c)
		http_conn_free(h->c);
	http_server_free(h->s);
	h->c = NULL;
	h->s = NULL;
}

enum http_action hx_run(struct hx *h)
{
	for (int guard = 0; guard < 100000 && !h->closed; guard++) {
		struct http_piece v[8];
		size_t n;
		h->last = http_conn_next(h->c, h->now, &h->deadline);
		switch (h->last) {
		case HTTP_ACT_SEND:
			n = http_conn_output(h->c, v, 8);
			for (size_t i = 0; i < n; i++) {
				size_t k = v[i].len;
				if (h->out_len + k > HX_OUT_MAX)
					k = HX_OUT_MAX - h->out_len;
				memcpy(h->out + h->out_len, v[i].p, k);
				h->out_len += k;
				h->out[h->out_len] = '\0';
				http_conn_sent(h->c, v[i].len, h->now);
			}
			break;
		case HTTP_ACT_SHUTDOWN:
			h->shut = 1;
			break;
		case HTTP_ACT_CLOSE:
		case HTTP_ACT_ABORT:
			h->closed = 1;
			return h->last;
		case HTTP_ACT_RECV:
			return h->last;
		}
	}
	return h->last;
}

enum http_action hx_feed(struct hx *h, const void *data, size_t len)
{
	size_t done = 0;

	while (done < len && !h->closed) {
		size_t n = http_conn_input(h->c, (const char *)data + done,
					   len - done, h->now);
		done += n;
		hx_run(h);
		if (!n)
			break;
	}
	return hx_run(h);
}

enum http_action hx_str(struct hx *h, const char *s)
{
	return hx_feed(h, s, strlen(s));
}

enum http_action hx_wait(struct hx *h, uint64_t ms)
{
	h->now += ms * NS_PER_MS;
	return hx_run(h);
}

static const char *nth(const struct hx *h, unsigned n)
{
	const char *p = h->out;

	while (p && (p = strstr(p, "HTTP/1.1 "))) {
		if (p == h->out || p[-1] == '\n') {
			if (n-- == 0)
				return p;
		}
		p += 9;
	}
	return NULL;
}

int hx_status(const struct hx *h, unsigned n)
{
	const char *p = nth(h, n);

	return p ? atoi(p + 9) : -1;
}

unsigned hx_responses(const struct hx *h)
{
	unsigned n = 0;

	while (nth(h, n))
		n++;
	return n;
}

const char *hx_body(const struct hx *h, size_t *len)
{
	const char *p = strstr(h->out, "\r\n\r\n");

	if (!p) {
		*len = 0;
		return "";
	}
	p += 4;
	*len = h->out_len - (size_t)(p - h->out);
	return p;
}

void hx_clear(struct hx *h)
{
	h->out_len = 0;
	h->out[0] = '\0';
	h->log_len = 0;
	h->log[0] = '\0';
}
