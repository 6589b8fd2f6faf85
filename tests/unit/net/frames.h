/* Frame builders and a started stack on the fake device, for the unit
 * tests of lib/net. The stack is 10.9.0.2/24 with gateway 10.9.0.1 (the
 * peer, whose MAC it already knows). */
#ifndef NET_TEST_FRAMES_H
#define NET_TEST_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "../../../lib/net/impl.h"
#include "fake_platform.h"

#define US_IP	0x0a090002U
#define PEER_IP 0x0a090001U

extern const uint8_t peer_mac[6];

/* Resets everything and starts the stack; the output queue is empty. */
void net_test_start(void);

/* Ethernet + IPv4 header + PAYLOAD into F; returns the frame's length.
 * FRAG is the flags/offset field as on the wire. */
size_t build_ip(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
		const void *payload, size_t len, uint16_t id, uint16_t frag);

/* A UDP datagram (checksummed) from PEER_IP to us. */
size_t build_udp(uint8_t *f, uint16_t sport, uint16_t dport, const void *data,
		 size_t len);

/* A TCP segment from PEER_IP:SPORT to US_IP:DPORT into T: header with
 * OPTLEN bytes of options (a multiple of 4), then LEN bytes of DATA,
 * checksummed; returns its length. */
size_t build_tcp(uint8_t *t, uint16_t sport, uint16_t dport, uint32_t seq,
		 uint32_t ack, uint8_t flags, uint16_t wnd, const uint8_t *opt,
		 size_t optlen, const uint8_t *data, size_t len);

/* An ICMP echo request with LEN bytes of pattern data, checksummed. */
size_t build_echo(uint8_t *icmp, uint16_t seq, size_t len);

/* Feeds one frame through the stack (read batch, then flush). */
void inject(const uint8_t *f, size_t len);

/* The I-th frame sent since the last net_test_start, or NULL. */
const uint8_t *sent(unsigned i, size_t *len);

/* Counter by id. */
#define CTR(id) net_counter(NET_##id)

#endif
