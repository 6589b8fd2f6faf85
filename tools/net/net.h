/* pith-net: user-mode networking for pith appliances (`pith run -p`).
 *
 * A small host process that owns libslirp (a user-space TCP/IP stack
 * with NAT and a DHCP server) on behalf of one appliance. The appliance
 * exchanges Ethernet frames with it over a SOCK_SEQPACKET socket pair, as
 * it would with a tap; pith-net forwards host ports to the appliance and
 * connections from the appliance to the host's network. It runs outside
 * the appliance's confinement, unprivileged, with its own seccomp policy:
 * libslirp never shares an address space with the guest. See
 * docs/networking.md. */
#ifndef PITH_NET_TOOL_H
#define PITH_NET_TOOL_H

#include <slirp/libslirp.h>

#include "../common/portfwd.h"

/* The guest's address: the first one slirp's DHCP server hands out. */
#define NETH_GUEST "10.0.2.15"

/* Timers libslirp may hold at once (it uses a handful). */
#define NETH_TIMERS_MAX 32

/* Descriptors polled at once: the frame socket and slirp's sockets (one
 * per forwarded port and per open connection). */
#define NETH_POLL_MAX 1024

/* Largest frame: the MTU libslirp uses (1500) plus the Ethernet header,
 * with room to spare. */
#define NETH_FRAME_MAX 2048

/* Starts libslirp with forwarding rules FWD[0..N). Returns NULL with a
 * message in ERR when a rule cannot be applied (a port in use). */
Slirp *neth_start(int frames_fd, const struct portfwd *fwd, unsigned n,
		  struct pith_buf *err);

/* Forwards frames and connections until the appliance's end closes. */
int neth_loop(Slirp *s, int frames_fd);

/* Confines this process with seccomp. 0, or -errno. */
int neth_confine(int frames_fd);

#endif
