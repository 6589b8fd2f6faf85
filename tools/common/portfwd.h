/* Port forwarding rules of `pith run -p`: Docker's syntax,
 *
 *     [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]
 *
 * HOSTADDR defaults to 127.0.0.1 (forwarding to every interface must be
 * asked for: -p 0.0.0.0:8080:80). Parsed by `pith run` to refuse a bad
 * rule before anything starts, and by pith-net, which applies it. */
#ifndef PITH_PORTFWD_H
#define PITH_PORTFWD_H

#include <netinet/in.h>
#include <stdint.h>

#include "../../platform/common/fmt.h"

/* Rules one run may have: a web appliance needs one or two. */
#define PORTFWD_MAX 16

struct portfwd {
	int udp;
	struct in_addr host_addr;
	uint16_t host_port, guest_port;
};

/* Parses SPEC into *F. 0, or -1 with ERR saying what is wrong. */
int portfwd_parse(const char *spec, struct portfwd *f, struct pith_buf *err);

/* Says in ERR that F's host port is taken (or not allowed), with the hint
 * of another port. */
void portfwd_busy(const struct portfwd *f, struct pith_buf *err);

/* Whether F's host port can be bound now: 0, or -1 with portfwd_busy's
 * words in ERR. For a VMM that binds the port itself later (QEMU's
 * hostfwd) and then says only that it could not. */
int portfwd_probe(const struct portfwd *f, struct pith_buf *err);

#endif
