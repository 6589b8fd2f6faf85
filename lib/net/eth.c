/* Ethernet II: input checks the frame's length and addresses and hands
 * IPv4 and ARP up; output prepends the header in the headroom. */
#include "impl.h"

/* Shortest frame on the wire without FCS; shorter output is padded. */
#define ETH_ZLEN 60

static const uint8_t broadcast[ETH_ALEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

void eth_input(struct pbuf *p)
{
	const uint8_t *h = p->data;

	COUNT(ETH_RX);
	if (p->len < ETH_HLEN) {
		COUNT(ETH_DROP_RUNT);
		goto drop;
	}
	if (memcmp(h, net_if.mac, ETH_ALEN) && memcmp(h, broadcast, ETH_ALEN)) {
		COUNT(ETH_DROP_NOT_US);
		goto drop;
	}
	/* A group source address does not exist; our own means a loop or
	 * a spoof. */
	if ((h[6] & 1) || !memcmp(h + 6, net_if.mac, ETH_ALEN)) {
		COUNT(ETH_DROP_BAD_SRC);
		goto drop;
	}
	p->data += ETH_HLEN;
	p->len -= ETH_HLEN;
	switch (get16(h + 12)) {
	case ETH_P_IP:
		ip_input(p);
		return;
	case ETH_P_ARP:
		arp_input(p);
		return;
	default:
		COUNT(ETH_DROP_TYPE);
	}
drop:
	pbuf_free(p);
}

void eth_output(struct pbuf *p, const uint8_t *dst, uint16_t type)
{
	uint8_t *h;

	if (pbuf_headroom(p) < ETH_HLEN) {
		COUNT(ETH_TX_ERROR);
		pbuf_free(p);
		return;
	}
	h = pbuf_push(p, ETH_HLEN);
	memcpy(h, dst ? dst : broadcast, ETH_ALEN);
	memcpy(h + 6, net_if.mac, ETH_ALEN);
	put16(h + 12, type);
	if (p->len < ETH_ZLEN && p->data + ETH_ZLEN <= p->base + p->cap) {
		memset(p->data + p->len, 0, ETH_ZLEN - p->len);
		p->len = ETH_ZLEN;
	}
	iface_tx(p);
}
