/* lib/net internals: packet buffers, the interface state, and each
 * layer's entry points. Layers call down through *_output and up through
 * *_input; every input function takes ownership of the buffer it is given
 * (it frees it, queues it or passes it on), and so does every output
 * function, whatever it returns. Packets are parsed from bytes with the
 * get/put helpers below, never through struct overlays: frames are
 * untrusted and unaligned. */
#ifndef NET_IMPL_H
#define NET_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pith/core.h"
#include "pith/net.h"
#include "pith/platform.h"

#define ETH_HLEN      14
#define ETH_ALEN      6
#define ETH_P_IP      0x0800
#define ETH_P_ARP     0x0806
#define IP_HLEN	      20
#define IP_PROTO_ICMP 1
#define IP_PROTO_UDP  17
#define IP_PROTO_TCP  6
#define UDP_HLEN      8
#define ICMP_HLEN     8
#define IP_BROADCAST  0xffffffffU

#define NS_PER_S 1000000000ULL

/* --- Byte access --------------------------------------------------------- */

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The Internet checksum's running sum over LEN bytes (RFC 1071); fold
 * with net_csum_fold. */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t net_csum_fold(uint32_t sum);
/* The pseudo-header sum of UDP and TCP. */
uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len);

/* --- Packet buffers (pbuf.c) ---------------------------------------------- */

struct pbuf {
	struct pbuf *next; /* link in whatever queue holds it */
	uint8_t *data;	   /* the current layer's first byte */
	size_t len;	   /* bytes from data */
	uint8_t *base;	   /* the buffer */
	size_t cap;	   /* its size */
	uint8_t heap;	   /* 1: from the heap, 0: from the pool */
	/* Filled on input by the IP layer for the layers above. */
	const uint8_t *ip; /* the IPv4 header (inside this buffer) */
	uint32_t src, dst;
	uint16_t sport;	   /* UDP: the sender's port */
	uint16_t frag_off; /* reassembly: payload offset in bytes */
	uint8_t frag_more;
	uint64_t stamp;	  /* ARP pending / reassembly: when queued */
	uint32_t tcp_seq; /* TCP out-of-order queue: first byte's number */
	uint8_t tcp_fin;  /* ... and whether a FIN follows the payload */
	uint8_t tso;	  /* 1: a TSO buffer (pbuf_alloc_tso) */
	uint8_t csum_ok;  /* input: the host vouched for the TCP/UDP sum
			     (a reassembled datagram is a new buffer: 0) */
	/* Output: 0, or a TCP frame the device segments into this many
	 * payload bytes per segment (struct pith_frame's gso_size). */
	uint16_t gso_size;
};

/* Sets up the pool of COUNT buffers of FRAME bytes plus NET_HEADROOM.
 * 0, or -ENOMEM. */
int pbuf_pool_init(unsigned count, size_t frame);

/* A pool buffer with data at the headroom and len 0, or NULL (pool
 * empty). RESERVE: 1 when the caller is input, which may use the last
 * NET_POOL_RESERVE buffers; 0 otherwise. */
struct pbuf *pbuf_alloc(int reserve);

/* A heap buffer of NET_HEADROOM + SIZE bytes, counted against
 * NET_HEAP_MEM_MAX, or NULL. */
struct pbuf *pbuf_alloc_heap(size_t size);

/* A buffer for one TSO frame (NET_HEADROOM + up to PITH_TSO_FRAME_MAX
 * bytes), or NULL when all NET_TSO_BUFS are in use or cannot be
 * allocated. Freed with pbuf_free. */
struct pbuf *pbuf_alloc_tso(void);

/* Whether a queue may keep one more pool buffer (above the reserve). */
int pbuf_may_keep(void);

void pbuf_free(struct pbuf *p);

/* Frees a list linked through next. */
void pbuf_free_list(struct pbuf *p);

/* Moves data back by N bytes for a header; the caller checks headroom. */
static inline uint8_t *pbuf_push(struct pbuf *p, size_t n)
{
	p->data -= n;
	p->len += n;
	return p->data;
}

static inline size_t pbuf_headroom(const struct pbuf *p)
{
	return (size_t)(p->data - p->base);
}

void pbuf_mem(struct net_mem *m);

/* --- The interface (iface.c) ------------------------------------------------ */

struct net_if {
	int up;
	pith_handle handle;
	uint8_t mac[ETH_ALEN];
	size_t mtu;
	size_t tso_max; /* the device's, or 0: no segmentation offload */
	uint32_t addr, netmask, gateway;
	uint32_t dns[NET_DNS_MAX];
	uint32_t dhcp_server;
	uint64_t lease_end;
	struct core_waitq configured; /* fibers in net_wait_configured */
};

extern struct net_if net_if;
extern uint64_t net_counters[NET_COUNTER_COUNT];

#define COUNT(id) (net_counters[NET_##id]++)

/* Sets the address (0 removes it); wakes net_wait_configured fibers and
 * announces a new address with a gratuitous ARP. */
void iface_set_addr(uint32_t addr, uint32_t netmask, uint32_t gateway);

/* Queues a complete frame (P's data is the Ethernet header) for output. */
void iface_tx(struct pbuf *p);

/* Writes what the output queue holds now, as far as the host takes it. */
void iface_tx_write(void);

/* Whether ADDR is a broadcast for us (limited or our subnet's). */
int iface_is_broadcast(uint32_t addr);

/* --- Layers --------------------------------------------------------------- */

void eth_input(struct pbuf *p);
/* Prepends an Ethernet header to P for DST and queues it. */
void eth_output(struct pbuf *p, const uint8_t *dst, uint16_t type);

void arp_input(struct pbuf *p);
/* Sends P (data at the IPv4 header) to next hop NEXTHOP on the link. */
void arp_output(struct pbuf *p, uint32_t nexthop);
void arp_announce(void);
void arp_reset(void);
/* Learns MAC for IP: updates an entry or, if CREATE, makes one. */
void arp_learn(uint32_t ip, const uint8_t *mac, int create);
unsigned arp_entries(void);
unsigned arp_pending(void);

void ip_input(struct pbuf *p);
/* Sends P (data at the transport header) from SRC to DST with PROTO,
 * fragmenting as needed. 0, or -ENETUNREACH (no route), -ENOBUFS (no
 * buffer for a fragment), -EMSGSIZE (over 65,535 bytes), -EINVAL (no
 * headroom: a caller's bug). */
int ip_output(struct pbuf *p, uint32_t src, uint32_t dst, uint8_t proto);
/* The source address for DST: ours, or 0 before configuration. */
uint32_t ip_source(void);

/* Reassembly: takes a fragment (data at the payload, fields filled);
 * returns the whole datagram (a heap buffer, data at the payload, ip
 * pointing at a header with the datagram's length) or NULL. */
struct pbuf *ipfrag_input(struct pbuf *p, uint8_t proto, uint16_t id);
void ipfrag_reset(void);
size_t ipfrag_bytes(void);

void icmp_input(struct pbuf *p);
/* Sends an ICMP error TYPE/CODE about datagram P (P's ip header and
 * payload), subject to rate limiting. Does not take P. */
void icmp_error(const struct pbuf *p, uint8_t type, uint8_t code);
void icmp_reset(void);

void udp_input(struct pbuf *p);
void udp_reset(void);

/* TCP (tcp_*.c, internals in tcp_impl.h): input, the flush that sends
 * what connections owe (called before the output queue is written), and
 * whether connections wait for buffers; reset and memory. */
void tcp_input(struct pbuf *p);
void tcp_flush(void);
int tcp_stalled(void);
void tcp_reset(void);

/* DHCP client (dhcp.c). */
int dhcp_start(void);

/* A parsed DHCP message (strict: see dhcp.c). */
struct dhcp_msg {
	uint8_t type; /* option 53 */
	uint32_t xid, yiaddr, server, netmask, router, lease, t1, t2;
	uint32_t dns[NET_DNS_MAX];
	uint8_t chaddr[ETH_ALEN];
};
/* Parses a BOOTREPLY of LEN bytes. 0, or -EINVAL (malformed). */
int dhcp_parse(const uint8_t *pkt, size_t len, struct dhcp_msg *m);

/* Test hooks (unit tests and the fuzzer): forget all state; read one
 * batch and flush output, as the loop does on a wake-up. */
void net_reset(void);
void iface_poll(void);

#endif
