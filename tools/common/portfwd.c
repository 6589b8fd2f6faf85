/* Parsing of -p rules (see portfwd.h). */
#include "portfwd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A decimal port 1..65535 of exactly LEN characters, or -1. */
static long port(const char *s, size_t len)
{
	long v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? v : -1;
}

int portfwd_parse(const char *spec, struct portfwd *f, struct pith_buf *err)
{
	char addr[INET_ADDRSTRLEN];
	const char *proto = strchr(spec, '/'), *end, *c1, *c2;
	long hp, gp;

	memset(f, 0, sizeof *f);
	end = proto ? proto : spec + strlen(spec);
	if (proto && strcmp(proto, "/tcp") && strcmp(proto, "/udp")) {
		pith_buf_str(err, "protocol must be /tcp or /udp");
		return -1;
	}
	f->udp = proto && !strcmp(proto, "/udp");
	c2 = memrchr(spec, ':', (size_t)(end - spec));
	c1 = c2 ? memrchr(spec, ':', (size_t)(c2 - spec)) : 0;
	if (!c2) {
		pith_buf_str(err, "expects HOSTPORT:GUESTPORT (e.g. 8080:80)");
		return -1;
	}
	hp = port(c1 ? c1 + 1 : spec, (size_t)(c2 - (c1 ? c1 + 1 : spec)));
	gp = port(c2 + 1, (size_t)(end - c2 - 1));
	if (hp < 0 || gp < 0) {
		pith_buf_str(err, "ports must be numbers from 1 to 65535");
		return -1;
	}
	f->host_port = (uint16_t)hp;
	f->guest_port = (uint16_t)gp;
	if (!c1) {
		inet_pton(AF_INET, "127.0.0.1", &f->host_addr);
		return 0;
	}
	if ((size_t)(c1 - spec) >= sizeof addr) {
		pith_buf_str(err, "host address is not an IPv4 address");
		return -1;
	}
	memcpy(addr, spec, (size_t)(c1 - spec));
	addr[c1 - spec] = '\0';
	if (inet_pton(AF_INET, addr, &f->host_addr) != 1) {
		pith_buf_str(err, "host address is not an IPv4 address");
		return -1;
	}
	return 0;
}

void portfwd_busy(const struct portfwd *f, struct pith_buf *err)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &f->host_addr, a, sizeof a);
	pith_buf_str(err, "port ");
	pith_buf_udec(err, f->host_port);
	pith_buf_str(err, f->udp ? "/udp" : "/tcp");
	pith_buf_str(err, " on ");
	pith_buf_str(err, a);
	pith_buf_str(err, " is already in use (or not allowed); choose "
			  "another: -p OTHERPORT:");
	pith_buf_udec(err, f->guest_port);
}

int portfwd_probe(const struct portfwd *f, struct pith_buf *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(f->host_port),
				  .sin_addr = f->host_addr };
	int one = 1, s, r;

	s = socket(AF_INET, (f->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC,
		   0);
	if (s < 0) {
		pith_buf_str(err, "no socket to check the host port with");
		return -1;
	}
	/* As the forwarders bind it: TIME-WAIT leftovers do not count. */
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	r = bind(s, (struct sockaddr *)&sa, sizeof sa);
	close(s);
	if (r < 0)
		portfwd_busy(f, err);
	return r < 0 ? -1 : 0;
}
