/* httpd: the static-site appliance. Serves the directory packed into
 * the image at build time (`pith build apps/httpd --site DIR`) over
 * HTTP/1.1 on its `service` interface, with lib/http (docs/http.md).
 *
 *     pith run site.linux --net service=tap:IF -- [--ipv4 A/P]
 *         [--gateway G] [--port 80] [--backlog N] [--access-log 1]
 *         [--header-timeout MS] [--body-timeout MS] [--idle-timeout MS]
 *         [--send-timeout MS] [--linger MS] [--requests-per-conn N]
 *         [--stats-port N]
 *
 * Besides the site it answers GET /api/stats with a few live figures
 * (the demo page shows them). --stats-port N answers a UDP datagram to
 * port N with the stack's and the server's counters ("exit" also ends
 * the appliance after printing them); --access-log 1 prints one line per
 * response in the common log format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/service.h"
#include "pith/core.h"
#include "pith/fs.h"
#include "pith/http.h"
#include "pith/net.h"
#include "pith/platform.h"

#define MS	       1000000ULL
#define HTTPD_PORT     80
#define STATS_JSON_MAX 256
#define REPORT_MAX     16384

/* The loaded image: code and read-only data, the site included (the
 * linker scripts' symbols). */
extern const char __pith_text_start[], __pith_syms_end[];

static unsigned long long port = HTTPD_PORT, backlog, access_log;
static struct http_config cfg;
static struct http_server *server;
static uint64_t started;

static int ms(const char *v, uint64_t *out)
{
	unsigned long long x;

	if (service_number(v, 3600000, &x) < 0 || x == 0)
		return -1;
	*out = x * MS;
	return 0;
}

static int set_port(const char *v)
{
	return service_number(v, 65535, &port) < 0 || !port ? -1 : 0;
}
static int set_backlog(const char *v)
{
	return service_number(v, NET_TCP_BACKLOG_MAX, &backlog);
}
static int set_log(const char *v)
{
	return service_number(v, 1, &access_log);
}
static int set_header(const char *v)
{
	return ms(v, &cfg.header_timeout_ns);
}
static int set_body(const char *v)
{
	return ms(v, &cfg.body_timeout_ns);
}
static int set_idle(const char *v)
{
	return ms(v, &cfg.idle_timeout_ns);
}
static int set_send(const char *v)
{
	return ms(v, &cfg.send_timeout_ns);
}
static int set_linger(const char *v)
{
	return ms(v, &cfg.linger_ns);
}
static int set_requests(const char *v)
{
	unsigned long long n;

	if (service_number(v, 1000000, &n) < 0 || n == 0)
		return -1;
	cfg.requests_per_conn = (unsigned)n;
	return 0;
}

static const struct service_opt opts[] = {
	{ "port", set_port },
	{ "backlog", set_backlog },
	{ "access-log", set_log },
	{ "header-timeout", set_header },
	{ "body-timeout", set_body },
	{ "idle-timeout", set_idle },
	{ "send-timeout", set_send },
	{ "linger", set_linger },
	{ "requests-per-conn", set_requests },
};

static void log_line(void *arg, const char *line, size_t len)
{
	(void)arg;
	fwrite(line, 1, len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

static int stats(const struct http_request *r, struct http_response *res,
		 void *arg)
{
	char body[STATS_JSON_MAX];
	int n = snprintf(
		body, sizeof body,
		"{\"uptime_s\":%llu,\"requests\":%llu,"
		"\"image_bytes\":%lu,\"target\":\"%s\"}",
		(unsigned long long)((pith_clock_monotonic() - started) /
				     1000000000ULL),
		(unsigned long long)http_counter(server, HTTP_REQUESTS),
		(unsigned long)(__pith_syms_end - __pith_text_start),
		pith_boot_info()->target);

	(void)r;
	(void)arg;
	http_response_header(res, "Cache-Control", "no-store");
	return http_respond(res, 200, "application/json", body, (size_t)n);
}

static size_t report(char *buf, size_t n)
{
	return http_report(server, buf, n);
}

static unsigned site_files(const struct fs *fs)
{
	struct fs_file f;
	unsigned files = 0;

	for (uint32_t i = 0; fs && fs_entry(fs, i, &f) == 0; i++)
		files += !f.dir;
	return files;
}

int main(int argc, char **argv)
{
	int r;

	started = pith_clock_monotonic();
	if (service_start("httpd", argc, argv, opts,
			  sizeof opts / sizeof opts[0]) < 0)
		return 2;
	cfg.site = fs_site();
	if (access_log)
		cfg.log = log_line;
	if (!(server = http_server_new(&cfg)) ||
	    http_route(server, "/api/stats", HTTP_GET, stats, 0) < 0) {
		fprintf(stderr, "httpd: no memory for the server\n");
		return 1;
	}
	if ((r = http_serve(server, (uint16_t)port, (unsigned)backlog, 0)) <
	    0) {
		fprintf(stderr, "httpd: port %llu: %s\n", port, strerror(-r));
		return 1;
	}
	service_report_hook(report);
	printf("httpd: serving %u files on port %llu\n", site_files(cfg.site),
	       port);
	fflush(stdout);
	r = core_run();
	if (service_exiting()) {
		static char text[REPORT_MAX];
		service_report(text, sizeof text);
		printf("httpd: exit requested\n%s", text);
	}
	return r < 0;
}
