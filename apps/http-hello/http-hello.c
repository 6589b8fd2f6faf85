/* http-hello: a dynamic web appliance in a page of C, the example for
 * writing your own with lib/http's handler API (include/pith/http.h).
 *
 *     pith run http-hello.linux --net service=tap:IF -- [--ipv4 A/P]
 *         [--port 80] [--stats-port N]
 *
 *   GET  /               a line of text
 *   GET  /api/hello      {"hello":"world","path":"/api/hello","time":T}
 *   GET  /api/counter    {"count":N}
 *   POST /api/counter    adds 1 (or the decimal number in the body);
 *                        {"count":N}
 *   POST /api/echo       the request body back (Content-Length or
 *                        chunked; at most the server's body limit)
 *   GET  /api/stream?n=K K lines, streamed (chunked) as the client reads
 *
 * Everything else is 404; wrong methods get 405 with Allow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/service.h"
#include "pith/core.h"
#include "pith/http.h"
#include "pith/net.h"
#include "pith/platform.h"

#define HELLO_PORT 80
#define JSON_MAX   256
#define STREAM_MAX 100000 /* lines one stream may ask for */

static unsigned long long port = HELLO_PORT, counter;
static struct http_server *server;

static int set_port(const char *v)
{
	return service_number(v, 65535, &port) < 0 || !port ? -1 : 0;
}

static const struct service_opt opts[] = { { "port", set_port } };

static int root(const struct http_request *r, struct http_response *res,
		void *arg)
{
	static const char text[] = "Hello from pith's http-hello!\n";

	(void)r;
	(void)arg;
	return http_respond_static(res, 200, "text/plain; charset=utf-8", text,
				   sizeof text - 1);
}

static int hello(const struct http_request *r, struct http_response *res,
		 void *arg)
{
	char body[JSON_MAX];
	int n = snprintf(
		body, sizeof body,
		"{\"hello\":\"world\",\"path\":\"%s\",\"time\":%llu}", r->path,
		(unsigned long long)(pith_clock_wall() / 1000000000ULL));

	(void)arg;
	return http_respond(res, 200, "application/json", body, (size_t)n);
}

static int count(const struct http_request *r, struct http_response *res,
		 void *arg)
{
	char body[JSON_MAX], num[24];
	int n;

	(void)arg;
	if (r->method == HTTP_POST) {
		unsigned long long add = 1;
		if (r->body_len) {
			size_t k = r->body_len < sizeof num - 1
					   ? r->body_len
					   : sizeof num - 1;
			memcpy(num, r->body, k);
			num[k] = '\0';
			if (service_number(num, 1000000, &add) < 0)
				return http_respond(res, 400, "text/plain",
						    "not a number\n", 13);
		}
		counter += add;
	}
	n = snprintf(body, sizeof body, "{\"count\":%llu}", counter);
	http_response_header(res, "Cache-Control", "no-store");
	return http_respond(res, 200, "application/json", body, (size_t)n);
}

static int echo(const struct http_request *r, struct http_response *res,
		void *arg)
{
	(void)arg;
	return http_respond(res, 200, "application/octet-stream", r->body,
			    r->body_len);
}

/* A stream's state: lines left and the next line's number. */
struct lines {
	unsigned long long left, next;
};

static ssize_t fill(void *arg, uint8_t *buf, size_t cap)
{
	struct lines *l = arg;
	size_t n = 0;

	while (l->left && cap - n >= 32) {
		n += (size_t)snprintf((char *)buf + n, cap - n, "line %llu\n",
				      l->next++);
		l->left--;
	}
	return (ssize_t)n;
}

static void done(void *arg)
{
	free(arg);
}

static int stream(const struct http_request *r, struct http_response *res,
		  void *arg)
{
	struct lines *l = calloc(1, sizeof *l);
	unsigned long long k = 10;

	(void)arg;
	if (r->query && r->query_len > 2 && !strncmp(r->query, "n=", 2)) {
		char num[16];
		size_t len = r->query_len - 2 < sizeof num - 1
				     ? r->query_len - 2
				     : sizeof num - 1;
		memcpy(num, r->query + 2, len);
		num[len] = '\0';
		if (service_number(num, STREAM_MAX, &k) < 0) {
			free(l);
			return http_respond(res, 400, "text/plain",
					    "n: 0..100000\n", 13);
		}
	}
	if (!l)
		return -1;
	l->left = k;
	return http_respond_stream(res, 200, "text/plain; charset=utf-8", fill,
				   done, l);
}

static size_t report(char *buf, size_t n)
{
	return http_report(server, buf, n);
}

int main(int argc, char **argv)
{
	struct http_config cfg = { 0 };
	int r;

	if (service_start("http-hello", argc, argv, opts,
			  sizeof opts / sizeof opts[0]) < 0)
		return 2;
	if (!(server = http_server_new(&cfg)) ||
	    http_route(server, "/", HTTP_GET, root, 0) < 0 ||
	    http_route(server, "/api/hello", HTTP_GET, hello, 0) < 0 ||
	    http_route(server, "/api/counter", HTTP_GET | HTTP_POST, count, 0) <
		    0 ||
	    http_route(server, "/api/echo", HTTP_POST, echo, 0) < 0 ||
	    http_route(server, "/api/stream", HTTP_GET, stream, 0) < 0) {
		fprintf(stderr, "http-hello: cannot set up the routes\n");
		return 1;
	}
	if ((r = http_serve(server, (uint16_t)port, 0, 0)) < 0) {
		fprintf(stderr, "http-hello: port %llu: %s\n", port,
			strerror(-r));
		return 1;
	}
	service_report_hook(report);
	r = core_run();
	if (service_exiting()) {
		static char text[16384];
		service_report(text, sizeof text);
		printf("http-hello: exit requested\n%s", text);
	}
	return r < 0;
}
