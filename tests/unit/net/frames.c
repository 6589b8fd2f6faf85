/* Frame builders for the lib/net unit tests (see frames.h). */
#include "frames.h"

#include <string.h>

const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 2 };

void net_test_start(void)
{
	struct net_config c = { US_IP, 24, PEER_IP, 0, 0, 1 };

	fake_reset();
	fake_net_reset();
	net_reset();
	net_start("service", &c);
	arp_learn(PEER_IP, peer_mac, 1);
	iface_poll();
	fake_net_reset();
	memset(net_counters, 0, sizeof net_counters);
}

size_t build_ip(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
		const void *payload, size_t len, uint16_t id, uint16_t frag)
{
	uint8_t *h = f + ETH_HLEN;

	memcpy(f, fake_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, ETH_P_IP);
	memset(h, 0, IP_HLEN);
	h[0] = 0x45;
	put16(h + 2, (uint16_t)(IP_HLEN + len));
	put16(h + 4, id);
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	put32(h + 12, src);
	put32(h + 16, dst);
	put16(h + 10, net_csum_fold(net_csum_add(0, h, IP_HLEN)));
	memmove(h + IP_HLEN, payload, len);
	return ETH_HLEN + IP_HLEN + len;
}

size_t build_udp(uint8_t *f, uint16_t sport, uint16_t dport, const void *data,
		 size_t len)
{
	static uint8_t u[NET_IP_MAX];
	size_t ulen = UDP_HLEN + len;

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)ulen);
	put16(u + 6, 0);
	memcpy(u + UDP_HLEN, data, len);
	put16(u + 6,
	      net_csum_fold(net_csum_add(
		      net_csum_pseudo(PEER_IP, US_IP, IP_PROTO_UDP, ulen), u,
		      ulen)));
	return build_ip(f, PEER_IP, US_IP, IP_PROTO_UDP, u, ulen, 1, 0);
}

size_t build_tcp(uint8_t *t, uint16_t sport, uint16_t dport, uint32_t seq,
		 uint32_t ack, uint8_t flags, uint16_t wnd, const uint8_t *opt,
		 size_t optlen, const uint8_t *data, size_t len)
{
	size_t hl = 20 + optlen, n = hl + len;

	memset(t, 0, 20);
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = (uint8_t)((hl / 4) << 4);
	t[13] = flags;
	put16(t + 14, wnd);
	if (optlen)
		memcpy(t + 20, opt, optlen);
	if (len)
		memmove(t + hl, data, len);
	put16(t + 16, net_csum_fold(net_csum_add(
			      net_csum_pseudo(PEER_IP, US_IP, 6, n), t, n)));
	return n;
}

size_t build_echo(uint8_t *m, uint16_t seq, size_t len)
{
	m[0] = 8;
	m[1] = 0;
	put16(m + 2, 0);
	put16(m + 4, 0x1234);
	put16(m + 6, seq);
	for (size_t i = 0; i < len; i++)
		m[ICMP_HLEN + i] = (uint8_t)(i * 7 + seq);
	put16(m + 2, net_csum_fold(net_csum_add(0, m, ICMP_HLEN + len)));
	return ICMP_HLEN + len;
}

void inject(const uint8_t *f, size_t len)
{
	fake_net_rx(f, len);
	iface_poll();
}

const uint8_t *sent(unsigned i, size_t *len)
{
	return fake_net_tx(i, len);
}
