/* libFuzzer harness: arbitrary input into lib/net on the host, under
 * AddressSanitizer and UndefinedBehaviorSanitizer. The first byte picks
 * what the rest is:
 *
 *   0   a sequence of frames, each a 16-bit big-endian length and that
 *       many bytes, fed through the fake device into a started stack (a
 *       length of 0xffff instead advances the clock by 1..16 s and fires
 *       the timers); a UDP socket on port 7 takes datagrams and is
 *       drained between frames;
 *   1   a DHCP message for dhcp_parse;
 *   2   the stack's arguments, NUL-separated, for net_config_parse;
 *   3   TCP-aware sequences: the harness opens a valid connection to a
 *       listener (the first byte picks the SYN's options), then each
 *       record of the rest is a segment with fields relative to the
 *       connection's state (so most land in the window), a clock jump,
 *       or an application call (recv, send, send_ref, shutdown, close,
 *       abort, keepalive, nodelay, accept); see tcp_sequence().
 *
 * Any sanitizer report, abort or leak is a finding. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/net/impl.h"
#include "../../lib/net/tcp_impl.h"
#include "../unit/net/frames.h"
#include "../unit/fake_platform.h"

#define FUZZ_PBUFS 128 /* small, so exhaustion paths are reached */
#define ARGS_MAX   16

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void frames(const uint8_t *d, size_t n)
{
	struct net_config c = { 0x0a090002, 24, 0x0a090001, FUZZ_PBUFS, 0, 1 };
	static char buf[NET_UDP_MAX];
	struct net_udp *s = 0;

	fake_reset();
	fake_net_reset();
	net_reset();
	if (net_start("service", &c) < 0)
		abort();
	net_udp_bind(7, &s);
	while (n >= 2) {
		size_t len = (size_t)(d[0] << 8 | d[1]);
		d += 2;
		n -= 2;
		if (len == 0xffff) {
			fake_mono += (1 + (n ? d[0] % 16 : 0)) * NS_PER_S;
			core_timer_expire(fake_mono);
			iface_poll();
			continue;
		}
		if (len > n)
			len = n;
		fake_net_rx(d, len);
		iface_poll();
		while (s &&
		       net_udp_recvfrom(s, buf, sizeof buf, 0, 0, 0, 0) >= 0)
			;
		d += len;
		n -= len;
	}
	net_reset();
}

static void arguments(const uint8_t *d, size_t n)
{
	char *copy = malloc(n + 1), *argv[ARGS_MAX + 1] = { (char *)"fuzz" };
	struct net_config c;
	char err[160];
	int argc = 1;

	memcpy(copy, d, n);
	copy[n] = '\0';
	for (char *p = copy; argc < ARGS_MAX && p < copy + n;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = 0;
	net_config_parse(argc, argv, &c, err, sizeof err);
	free(copy);
}

/* --- Mode 3: TCP sequences ----------------------------------------------- */

#define PEER	  0x0a090001U
#define US	  0x0a090002U
#define PEER_PORT 40000
#define SEG_HDR	  10 /* bytes of a segment record before its options */

static struct {
	uint32_t peer_seq; /* the next sequence number the peer sends */
	uint32_t our_nxt;  /* the highest we sent, for ACK numbers */
	uint32_t tsval;
	struct net_tcp *c;
	struct net_tcp_listener *l;
} fz;

static void tcp_frame(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
		      const uint8_t *opt, size_t optlen, size_t dlen)
{
	static uint8_t f[PITH_FRAME_MAX], t[PITH_FRAME_MAX], o[TCP_OPT_MAX],
		d[PITH_FRAME_MAX];
	size_t ol = (optlen + 3) & ~(size_t)3;

	if (IP_HLEN + TCP_HLEN + ol + dlen > 1500)
		return;
	memset(o, 0, sizeof o);
	if (optlen)
		memcpy(o, opt, optlen);
	for (size_t i = 0; i < dlen; i++)
		d[i] = (uint8_t)(seq + i);
	fake_net_rx(f, build_ip(f, PEER, US, IP_PROTO_TCP, t,
				build_tcp(t, PEER_PORT, 7, seq, ack, flags, wnd,
					  o, ol, d, dlen),
				1, 0));
	iface_poll();
}

/* Follows what the stack sent: our highest sequence number and
 * timestamp, so the next records can acknowledge and echo them. */
static void follow_output(void)
{
	size_t len;
	const uint8_t *f;

	for (unsigned i = 0; (f = fake_net_tx(i, &len)) != 0; i++) {
		const uint8_t *t = f + ETH_HLEN + IP_HLEN;
		uint32_t end;
		if (len < ETH_HLEN + IP_HLEN + 20 || f[ETH_HLEN + 9] != 6)
			continue;
		end = get32(t + 4) +
		      (uint32_t)(len - ETH_HLEN - IP_HLEN -
				 (size_t)(t[12] >> 4) * 4) +
		      ((t[13] & 3) != 0);
		if ((int32_t)(end - fz.our_nxt) > 0 || !fz.our_nxt)
			fz.our_nxt = end;
	}
	fake_net_reset();
}

static void tcp_app(const uint8_t *a)
{
	static uint8_t buf[65536];
	static const uint8_t body[4096];

	if (!fz.c) {
		net_tcp_accept(fz.l, &fz.c, NET_NOWAIT);
		return;
	}
	switch (a[0] % 9) {
	case 0:
		net_tcp_recv(fz.c, buf, sizeof buf, NET_NOWAIT);
		break;
	case 1:
		net_tcp_send(fz.c, buf, (size_t)a[1] * 64, NET_NOWAIT);
		break;
	case 2:
		net_tcp_send_ref(fz.c, body, 1 + a[1] * 16U, 0, 0);
		break;
	case 3:
		net_tcp_shutdown(fz.c);
		break;
	case 4:
		net_tcp_close(fz.c);
		fz.c = 0;
		break;
	case 5:
		net_tcp_abort(fz.c);
		fz.c = 0;
		break;
	case 6:
		net_tcp_set_keepalive(fz.c, 1, 1, 2);
		break;
	case 7:
		net_tcp_set_nodelay(fz.c, a[1] & 1);
		break;
	default:
		net_tcp_set_user_timeout(fz.c, a[1] * 100U);
	}
}

/* One record; returns the bytes it used. */
static size_t tcp_record(const uint8_t *d, size_t n)
{
	size_t optlen, dlen;
	uint32_t seq, ack;

	if (n < 3)
		return n;
	switch (d[0] >> 5) {
	case 6: /* the clock jumps by d[1] * 20 ms; timers fire */
		fake_mono += (uint64_t)(1 + d[1]) * 20000000ULL;
		core_timer_expire(fake_mono);
		iface_poll();
		return 2;
	case 7:
		tcp_app(d + 1);
		iface_poll();
		return 3;
	}
	if (n < SEG_HDR)
		return n;
	optlen = d[8] % 41;
	if (optlen > n - SEG_HDR)
		optlen = n - SEG_HDR;
	dlen = (size_t)d[9] * 6;
	seq = fz.peer_seq + (uint32_t)(int16_t)get16(d + 2);
	ack = fz.our_nxt + (uint32_t)(int16_t)get16(d + 4);
	tcp_frame(d[1] & 0x3f, seq, ack, get16(d + 6), d + SEG_HDR, optlen,
		  dlen);
	if (seq == fz.peer_seq)
		fz.peer_seq += (uint32_t)dlen + ((d[1] & 3) != 0);
	return SEG_HDR + optlen;
}

static void tcp_sequence(const uint8_t *d, size_t n)
{
	struct net_config c = { US, 24, PEER, FUZZ_PBUFS, 0, 1 };
	static const uint8_t syn_opts[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0,
					    0, 1, 0, 0,	   0, 0, 1, 3,	3, 7 };

	if (n < 1)
		return;
	fake_reset();
	fake_net_reset();
	net_reset();
	if (net_start("service", &c) < 0)
		abort();
	arp_learn(PEER, peer_mac, 1);
	memset(&fz, 0, sizeof fz);
	net_tcp_listen(7, 4, &fz.l);
	fz.peer_seq = 0xfffffff0U - d[0]; /* across the wrap soon */
	tcp_frame(TH_SYN, fz.peer_seq, 0, 0xffff, syn_opts,
		  d[0] & 1 ? sizeof syn_opts : 4, 0);
	fz.peer_seq++;
	follow_output();
	tcp_frame(TH_ACK, fz.peer_seq, fz.our_nxt, 0xffff, 0, 0, 0);
	net_tcp_accept(fz.l, &fz.c, NET_NOWAIT);
	for (d++, n--; n;) {
		size_t used = tcp_record(d, n);
		follow_output();
		d += used;
		n -= used;
	}
	net_reset();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct dhcp_msg m;

	if (n < 1)
		return 0;
	if (d[0] % 4 == 3) {
		tcp_sequence(d + 1, n - 1);
		return 0;
	}
	switch (d[0] % 3) {
	case 0:
		frames(d + 1, n - 1);
		break;
	case 1:
		dhcp_parse(d + 1, n - 1, &m);
		break;
	default:
		arguments(d + 1, n - 1);
	}
	return 0;
}
