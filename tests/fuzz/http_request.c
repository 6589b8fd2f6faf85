/* libFuzzer harness: arbitrary input into lib/http's engine and lib/fs
 * on the host, under AddressSanitizer and UndefinedBehaviorSanitizer.
 * The first byte picks what the rest is:
 *
 *   0   a connection's life: a sequence of control bytes, each either
 *       "feed the next 1..64 bytes" (c < 0xf0; its top two bits also pick
 *       how many bytes the transport takes per send: all, 1, 7 or
 *       1,000), "advance the clock by 0..7 s" (0xf0..0xf7, so every
 *       timeout is reached), "the client ends its side" (0xf8), or
 *       "advance 100 s" (0xf9); the engine runs to its next wait after
 *       each, and the connection is freed at the end (leaks are
 *       findings);
 *   1   an image for fs_mount, then every lookup it allows;
 *   2   the value parsers one after another on the same bytes: target
 *       paths, ranges, dates, Accept-Encoding, entity tags, lengths.
 *
 * Any sanitizer report, abort, leak or engine loop (a decision that
 * neither waits nor progresses 10,000 times) is a finding. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/http/impl.h"
#include "../unit/fake_platform.h"
#include "../unit/http/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

#define NS_PER_S 1000000000ULL

static size_t send_size(uint8_t c)
{
	static const size_t sizes[] = { SIZE_MAX, 1, 7, 1000 };

	return sizes[c >> 6];
}

/* Runs C until it waits for input or closes; SEND takes at most STEP
 * bytes a time. 1 when closed. */
static int run(struct http_conn *c, uint64_t now, size_t step)
{
	for (int guard = 0; guard < 10000; guard++) {
		struct http_piece v[4];
		uint64_t dl;
		size_t k;
		switch (http_conn_next(c, now, &dl)) {
		case HTTP_ACT_SEND:
			k = http_conn_output(c, v, 4);
			if (!k)
				abort(); /* SEND with nothing to send */
			http_conn_sent(c, v[0].len < step ? v[0].len : step,
				       now);
			break;
		case HTTP_ACT_SHUTDOWN:
			break;
		case HTTP_ACT_CLOSE:
		case HTTP_ACT_ABORT:
			return 1;
		case HTTP_ACT_RECV:
			if (dl <= now)
				abort(); /* waiting for a past deadline */
			return 0;
		}
	}
	abort();
}

static void connection(const uint8_t *d, size_t n)
{
	struct http_config k = { .site = hx_site(), .body_max = 4096 };
	struct http_server *s = http_server_new(&k);
	uint64_t now = NS_PER_S;
	struct http_conn *c = http_conn_new(s, now, 1);
	size_t step = SIZE_MAX;

	while (n && !run(c, now, step)) {
		uint8_t op = *d++;
		n--;
		if (op < 0xf0) {
			size_t len = (size_t)(op & 63) + 1;
			if (len > n)
				len = n;
			step = send_size(op);
			http_conn_input(c, d, len, now);
			d += len;
			n -= len;
		} else if (op < 0xf8) {
			now += (op & 7) * NS_PER_S;
		} else if (op == 0xf8) {
			http_conn_eof(c, now);
		} else {
			now += 100 * NS_PER_S;
		}
	}
	http_conn_free(c);
	http_server_free(s);
}

static void image(const uint8_t *d, size_t n)
{
	uint8_t *img =
		aligned_alloc(FS_ALIGN, (n + FS_ALIGN) / FS_ALIGN * FS_ALIGN);
	struct fs fs;
	struct fs_file f, g;

	memcpy(img, d, n);
	if (fs_mount(&fs, img, n) == 0)
		for (uint32_t i = 0; fs_entry(&fs, i, &f) == 0; i++) {
			volatile uint8_t sum = 0;
			if (fs_lookup(&fs, f.path, f.path_len, &g) != 0)
				abort(); /* every entry can be found */
			for (uint64_t j = 0; j < g.size; j += 509)
				sum ^= g.data[j];
			for (uint64_t j = 0; j < g.gz_size; j += 509)
				sum ^= g.gz[j];
			sum ^= (uint8_t)g.mime[0] ^ (uint8_t)g.etag[0];
		}
	free(img);
}

static void values(const uint8_t *d, size_t n)
{
	char path[HTTP_PATH_CAP + 16];
	size_t plen, qoff, qlen;
	struct http_error e;
	uint64_t a, b;
	int64_t t;

	int target = 1; /* only what the request-line parser lets through */

	for (size_t i = 0; i < n; i++)
		target &= (http_ctype[d[i]] & CT_TARGET) || d[i] == '[' ||
			  d[i] == ']';
	if (target &&
	    http_target_path(d, n, path, HTTP_PATH_CAP, &plen, &qoff, &qlen,
			     &e) == 0 &&
	    (path[0] != '/' || strstr(path, "/../") || strstr(path, "/./") ||
	     strstr(path, "//") || strlen(path) != plen || qoff + qlen > n))
		abort(); /* a normalised path is normalised */
	if (http_parse_range(d, n, 1000, &a, &b) && (a > b || b >= 1000))
		abort();
	if (http_date_parse(d, n, &t) == 0) {
		char s[HTTP_DATE_LEN + 1];
		int64_t u;
		http_date_format(t, s);
		if (t >= 0 && t < 253402300799 &&
		    (http_date_parse((const uint8_t *)s, HTTP_DATE_LEN, &u) ||
		     u != t))
			abort(); /* formatting round-trips */
	}
	http_accepts_gzip(d, n);
	http_etag_match(d, n, "\"abc\"", 5, 1);
	http_parse_length(d, n, &a);
	http_host_ok(d, n);
	http_encode_path((const char *)d, n, path, sizeof path);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (n == 0)
		return 0;
	fake_wall = 1700000000ULL * NS_PER_S;
	switch (d[0] % 3) {
	case 0:
		connection(d + 1, n - 1);
		break;
	case 1:
		image(d + 1, n - 1);
		break;
	default:
		values(d + 1, n - 1);
	}
	return 0;
}
