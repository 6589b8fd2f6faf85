/* The server: settings with their defaults, dynamic routes, counters
 * and their report, and the Date text (formatted once a second, from
 * the platform's wall clock). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "impl.h"
#include "pith/platform.h"

#define NS_PER_S 1000000000ULL

static const char *const counter_names[] = {
#define HTTP_COUNTER_NAME(id, name) name,
	HTTP_COUNTERS(HTTP_COUNTER_NAME)
#undef HTTP_COUNTER_NAME
};

static uint64_t or_default(uint64_t v, uint64_t ms)
{
	return v ? v : ms * NS_PER_MS;
}

struct http_server *http_server_new(const struct http_config *c)
{
	struct http_server *s;

	if (!c || c->body_max > HTTP_BODY_MAX_LIMIT) {
		errno = EINVAL;
		return NULL;
	}
	if (!(s = calloc(1, sizeof *s)))
		return NULL;
	s->cfg = *c;
	s->cfg.header_timeout_ns =
		or_default(c->header_timeout_ns, HTTP_HEADER_TIMEOUT_MS);
	s->cfg.body_timeout_ns =
		or_default(c->body_timeout_ns, HTTP_BODY_TIMEOUT_MS);
	s->cfg.idle_timeout_ns =
		or_default(c->idle_timeout_ns, HTTP_IDLE_TIMEOUT_MS);
	s->cfg.send_timeout_ns =
		or_default(c->send_timeout_ns, HTTP_SEND_TIMEOUT_MS);
	s->cfg.linger_ns = or_default(c->linger_ns, HTTP_LINGER_MS);
	if (!s->cfg.body_max)
		s->cfg.body_max = HTTP_BODY_MAX_DEFAULT;
	if (!s->cfg.requests_per_conn)
		s->cfg.requests_per_conn = HTTP_REQUESTS_PER_CONN_DEFAULT;
	s->date_sec = -1;
	return s;
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	while (s->cache) {
		struct http_work *w = s->cache;
		s->cache = w->next;
		free(w);
	}
	free(s);
}

uint64_t http_counter(const struct http_server *s, enum http_counter c)
{
	return c < HTTP_COUNTER_COUNT ? s->counters[c] : 0;
}

const char *http_counter_name(enum http_counter c)
{
	return c < HTTP_COUNTER_COUNT ? counter_names[c] : "?";
}

size_t http_report(const struct http_server *s, char *buf, size_t n)
{
	size_t len = 0;

	if (n)
		buf[0] = '\0';
	for (unsigned i = 0; i < HTTP_COUNTER_COUNT; i++) {
		int k;
		if (!s->counters[i])
			continue;
		k = snprintf(len < n ? buf + len : NULL, len < n ? n - len : 0,
			     "%s %llu\n", counter_names[i],
			     (unsigned long long)s->counters[i]);
		if (k > 0)
			len += (size_t)k;
	}
	return len;
}

int http_route(struct http_server *s, const char *path, unsigned methods,
	       http_handler fn, void *arg)
{
	struct http_route_entry *r;

	if (!s || !path || path[0] != '/' || !fn ||
	    !(methods & (HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT |
			 HTTP_DELETE | HTTP_OPTIONS | HTTP_PATCH)))
		return -EINVAL;
	if (s->nroutes == HTTP_ROUTES_MAX)
		return -ENOSPC;
	r = &s->routes[s->nroutes++];
	r->path = path;
	r->len = strlen(path);
	r->prefix = r->len > 1 && path[r->len - 1] == '/';
	r->methods = methods & HTTP_GET ? methods | HTTP_HEAD : methods;
	r->fn = fn;
	r->arg = arg;
	return 0;
}

const char *http_server_date(struct http_server *s)
{
	int64_t now = (int64_t)(pith_clock_wall() / NS_PER_S);

	if (now != s->date_sec) {
		http_date_format(now, s->date);
		s->date_sec = now;
	}
	return s->date;
}

void http_count_status(struct http_server *s, unsigned status)
{
	static const struct {
		unsigned status;
		enum http_counter c;
	} map[] = {
		{ 100, HTTP_S100 }, { 200, HTTP_S200 }, { 204, HTTP_S204 },
		{ 206, HTTP_S206 }, { 301, HTTP_S301 }, { 304, HTTP_S304 },
		{ 400, HTTP_S400 }, { 404, HTTP_S404 }, { 405, HTTP_S405 },
		{ 408, HTTP_S408 }, { 413, HTTP_S413 }, { 414, HTTP_S414 },
		{ 431, HTTP_S431 }, { 500, HTTP_S500 }, { 501, HTTP_S501 },
		{ 505, HTTP_S505 },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].status == status) {
			s->counters[map[i].c]++;
			return;
		}
	s->counters[HTTP_SOTHER]++;
}
