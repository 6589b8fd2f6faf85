/* lib/net: pith's network stack (Ethernet, ARP, IPv4, ICMP, UDP, TCP,
 * DHCP client) for one network device, on lib/core's event loop. TCP's
 * API, bounds and counters are in pith/net_tcp.h, included below.
 *
 * Input runs to completion on the loop's stack: the loop reads a batch of
 * frames into packet buffers, each goes up the layers and ends in a
 * socket's queue (waking the fiber parked on it), in a reply on the
 * output queue, or dropped with a counter saying why. Output is queued
 * and leaves in one batch per loop iteration. Addresses and ports in this
 * API are in host byte order. Functions return -errno or NULL and never
 * print; the counters explain every drop (docs/networking.md).
 */
#ifndef PITH_NET_H
#define PITH_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pith/net_tcp.h"

/* --- Bounds (each with its reason) ------------------------------------ */

/* Packet buffers in the fixed pool, by default and at most. 512 buffers
 * of one frame each (about 0.8 MiB at MTU 1500) hold a full read batch,
 * full socket queues and the ARP and reassembly queues at once; the
 * ceiling keeps a typo in a configuration from taking the heap. */
#define NET_PBUFS_DEFAULT 512
#define NET_PBUFS_MIN	  64
#define NET_PBUFS_MAX	  16384

/* Bytes reserved in front of every frame so that headers are prepended
 * without copying: Ethernet (14) + IPv4 with options (60) + a TCP header
 * with options (60), rounded up to a cache line. */
#define NET_HEADROOM 192

/* Pool buffers only input may take: when no more than this many are free,
 * sockets, ARP and reassembly refuse to keep buffers (and count it), so a
 * full queue can never stop the stack from reading ping or ARP. */
#define NET_POOL_RESERVE 64

/* Frames read per wake-up (one pith_net_read_batch call, one exit on the
 * kvm target): a burst of 32 in-flight requests arrives in one call. */
#define NET_RX_BATCH 32

/* Frames queued for output before they are sent. Output is flushed every
 * loop iteration in batches of PITH_NET_BATCH_MAX; 256 absorbs the
 * fragments of four 64 KiB datagrams while the host is busy. */
#define NET_TX_QUEUE 256

/* Large buffers (reassembled datagrams and their replies) come from the
 * heap, up to this many bytes at once: eight maximal datagrams. */
#define NET_HEAP_MEM_MAX (512UL << 10)

/* On a device with TCP segmentation offload (pith_net_info's tso_max),
 * TCP sends up to 64 KiB in one frame from buffers of this many; each is
 * allocated on first use and kept (about 64 KiB each, 4 x 64 KiB = the
 * most a flush holds before the queue is written). With all four queued,
 * the queue is written first; if the host is busy, TCP falls back to
 * one-segment frames from the pool. */
#define NET_TSO_BUFS 4

/* ARP cache entries (least recently used is evicted at the cap). An
 * appliance talks to its gateway and a handful of on-link hosts; 64
 * entries make a spoofing flood evict only strangers. */
#define NET_ARP_ENTRIES 64

/* Seconds a resolved ARP entry is trusted before it is asked again
 * (Linux's reachable time is 15-45 s). */
#define NET_ARP_TTL_S 30

/* Packets waiting for one address to resolve, and in all: a burst (the
 * fragments of an 8,000-byte ping) per destination, 64 in total. */
#define NET_ARP_PENDING_PER 8
#define NET_ARP_PENDING_MAX 64

/* ARP requests sent before a destination counts as unreachable, one per
 * second (RFC 1122 asks for at most one per second). */
#define NET_ARP_TRIES 3

/* Datagrams reassembled at once and the memory their fragments may hold.
 * 16 concurrent datagrams serve any honest peer; 256 KiB bounds a flood
 * of never-completed ones (the oldest is evicted to make room). */
#define NET_REASS_SLOTS	  16
#define NET_REASS_MEM_MAX (256UL << 10)

/* Seconds a datagram may take to complete (RFC 791 suggests 15). */
#define NET_REASS_TIMEOUT_S 15

/* Largest datagram: the IPv4 total-length field's limit. */
#define NET_IP_MAX 65535

/* ICMP errors (port unreachable) per second and in a burst (RFC 1812
 * asks for rate limiting; Linux sends 1,000 a second). Echo replies are
 * not limited. */
#define NET_ICMP_ERR_RATE  100
#define NET_ICMP_ERR_BURST 20

/* UDP sockets open at once, and datagrams each may queue unread: two
 * full read batches. */
#define NET_UDP_SOCKETS	  64
#define NET_UDP_RXQ_MAX	  (2 * NET_RX_BATCH)
#define NET_UDP_EPHEMERAL 49152 /* first port given to port 0 binds */

/* Largest UDP payload: 65,535 less the IPv4 and UDP headers. */
#define NET_UDP_MAX (NET_IP_MAX - 20 - 8)

/* DHCP: retransmission starts at 4 s and doubles to 32 s (RFC 2131
 * 4.1); a renewal never waits less than 1 s between tries. */
#define NET_DHCP_RETRY_MIN_S 4
#define NET_DHCP_RETRY_MAX_S 32
#define NET_DHCP_RENEW_MIN_S 1

/* DNS servers kept from DHCP. */
#define NET_DNS_MAX 2

/* --- Configuration ----------------------------------------------------- */

struct net_config {
	uint32_t addr;	       /* our address; 0: use DHCP */
	unsigned prefix;       /* prefix length, 1..32 */
	uint32_t gateway;      /* 0: none (on-link only) */
	unsigned pbufs;	       /* pool size; 0: NET_PBUFS_DEFAULT */
	unsigned busy_poll_us; /* the loop's busy-poll window (core.h) */
	int busy_poll_set;     /* 0: the target's default window */
};

/* The busy-poll window on the linux target when --busy-poll is not given,
 * in microseconds. There the host's wake-up of a sleeping appliance
 * costs 15-35 us per packet on this project's machine (it drifts by the
 * hour) and a peer turns a request around within tens of us, so polling 50 us after
 * input before sleeping keeps a conversation from paying a wake-up per
 * packet: connection setup went from 0.84 to 1.4 x Linux's. It costs CPU
 * only after input: at most 50 us per burst (5% of a CPU at 1,000 pings
 * a second, 2% without). On kvm a poll is a VM exit and virtio always
 * polls, so their default is 0. */
#define NET_BUSY_POLL_LINUX_US 50

/* The window C asks for on TARGET (pith_boot_info()->target): the
 * --busy-poll value if given, else the target's default. */
unsigned net_busy_poll_us(const struct net_config *c, const char *target);

/* Parses a dotted-quad IPv4 address ("10.0.0.1": four decimal numbers
 * 0..255, no leading zeros, signs or spaces) into *OUT. 0, or -EINVAL. */
int net_parse_ipv4(const char *s, uint32_t *out);

/* Looks at one argument of the appliance (ARGV[0]) and, for an option of
 * the stack, at its value (ARGV[1], NULL if absent):
 *   --ipv4 ADDR/PREFIX   static address (a host address, prefix 1..32)
 *   --gateway ADDR       default route (needs --ipv4, inside its subnet)
 *   --busy-poll US       poll the device for US microseconds after input
 *                        before sleeping (0..10000; 0: never; default
 *                        NET_BUSY_POLL_LINUX_US on linux, else 0)
 * Returns 2 when it took the option and its value, 0 when ARGV[0] is not
 * its option, -EINVAL when the value is malformed: ERR (N bytes) then
 * holds a one-line message naming the option and the value. Call
 * net_config_check once all arguments are seen. */
int net_config_option(struct net_config *c, char **argv, char *err, size_t n);

/* Checks the combination of options in C. 0, or -EINVAL with ERR. */
int net_config_check(const struct net_config *c, char *err, size_t n);

/* Parses every argument in ARGV[1..ARGC) as an option of the stack; any
 * other argument is an error. 0, or -EINVAL with ERR filled. */
int net_config_parse(int argc, char **argv, struct net_config *c, char *err,
		     size_t n);

/* --- The interface ----------------------------------------------------- */

/* Brings up network device DEVICE (a name from the manifest) with C:
 * acquires it, allocates the pool, registers it with the event loop,
 * then announces a static address (gratuitous ARP) or starts the DHCP
 * client fiber. Once per appliance.
 *   0        started (the address may still be coming from DHCP);
 *   -ENODEV  no network device of that name;
 *   -EINVAL  C is invalid, or the device's MTU is below 576;
 *   -ENOMEM  no memory for the pool;
 *   -EBUSY   already started. */
int net_start(const char *device, const struct net_config *c);

struct net_ifinfo {
	uint8_t mac[6];
	size_t mtu;
	uint32_t addr, netmask, gateway; /* 0 while unconfigured */
	uint32_t dns[NET_DNS_MAX];
	uint32_t dhcp_server; /* 0 for a static address */
	uint64_t lease_end;   /* monotonic ns; 0 for a static address */
};

/* The interface's current state. 0, or -ENODEV before net_start. */
int net_ifinfo(struct net_ifinfo *info);

/* Parks the calling fiber until the interface has an address or the
 * monotonic clock reaches DEADLINE. 0, -ETIMEDOUT, or -EPERM outside a
 * fiber. */
int net_wait_configured(uint64_t deadline);

/* --- UDP ----------------------------------------------------------------- */

struct net_udp;

/* Opens a socket on local PORT (0: an unused port from
 * NET_UDP_EPHEMERAL up) and stores it in *S.
 *   0            bound;
 *   -EADDRINUSE  another socket has PORT;
 *   -EMFILE      NET_UDP_SOCKETS are open;
 *   -ENETDOWN    net_start has not run. */
int net_udp_bind(uint16_t port, struct net_udp **s);

/* The socket's local port. */
uint16_t net_udp_port(const struct net_udp *s);

/* Sends LEN bytes of BUF to ADDR:PORT (fragmented when larger than the
 * MTU). Never parks: output is queued for the loop's next flush.
 *   LEN           queued (it may still be dropped later: counters);
 *   -EMSGSIZE     LEN > NET_UDP_MAX;
 *   -EINVAL       PORT is 0 or ADDR is 0;
 *   -ENETUNREACH  no address yet (except broadcasts), or no route;
 *   -ENOBUFS      no packet buffer free (counted). */
ssize_t net_udp_sendto(struct net_udp *s, const void *buf, size_t len,
		       uint32_t addr, uint16_t port);

/* Takes the oldest queued datagram into BUF (CAP bytes; a longer one is
 * cut, and *FLAGS gets NET_UDP_TRUNC), parking the calling fiber until
 * one arrives or DEADLINE (monotonic ns; UINT64_MAX: none) passes.
 * *FROM and *FROM_PORT (may be NULL) get the sender.
 *   bytes copied  a datagram was taken;
 *   -ETIMEDOUT    the deadline passed first;
 *   -EPERM        not called from a fiber and nothing was queued. */
#define NET_UDP_TRUNC 1
ssize_t net_udp_recvfrom(struct net_udp *s, void *buf, size_t cap,
			 uint32_t *from, uint16_t *from_port, uint64_t deadline,
			 int *flags);

/* Closes S and frees its queued datagrams. No fiber may be parked on S
 * (its owner closes it). */
void net_udp_close(struct net_udp *s);

/* --- Counters ---------------------------------------------------------- */

/* Every counter of the stack: X(ID, "layer.name"). rx/tx count packets
 * handled; drop_* count packets dropped, by reason. */
#define NET_COUNTERS(X)                                                        \
	X(ETH_RX, "eth.rx")                                                    \
	X(ETH_TX, "eth.tx")                                                    \
	X(ETH_DROP_RUNT, "eth.drop_runt")                                      \
	X(ETH_DROP_NOT_US, "eth.drop_not_us")                                  \
	X(ETH_DROP_TYPE, "eth.drop_type")                                      \
	X(ETH_DROP_BAD_SRC, "eth.drop_bad_source")                             \
	X(ETH_RX_NOBUF, "eth.rx_nobuf")                                        \
	X(ETH_TX_DROP_QUEUE, "eth.tx_drop_queue")                              \
	X(ETH_TX_ERROR, "eth.tx_error")                                        \
	X(ETH_TX_TSO, "eth.tx_tso")                                            \
	X(ARP_RX, "arp.rx")                                                    \
	X(ARP_TX_REQUEST, "arp.tx_request")                                    \
	X(ARP_TX_REPLY, "arp.tx_reply")                                        \
	X(ARP_TX_GRATUITOUS, "arp.tx_gratuitous")                              \
	X(ARP_DROP_MALFORMED, "arp.drop_malformed")                            \
	X(ARP_DROP_CONFLICT, "arp.drop_conflict")                              \
	X(ARP_DROP_BAD_SENDER, "arp.drop_bad_sender")                          \
	X(ARP_IGNORED, "arp.ignored_not_for_us")                               \
	X(ARP_EVICTED, "arp.evicted")                                          \
	X(ARP_DROP_PENDING, "arp.drop_pending_full")                           \
	X(ARP_DROP_UNRESOLVED, "arp.drop_unresolved")                          \
	X(IP_RX, "ip.rx")                                                      \
	X(IP_TX, "ip.tx")                                                      \
	X(IP_DROP_SHORT, "ip.drop_short")                                      \
	X(IP_DROP_VERSION, "ip.drop_version")                                  \
	X(IP_DROP_IHL, "ip.drop_ihl")                                          \
	X(IP_DROP_LENGTH, "ip.drop_length")                                    \
	X(IP_DROP_CSUM, "ip.drop_checksum")                                    \
	X(IP_DROP_OPTIONS, "ip.drop_options")                                  \
	X(IP_DROP_SRC, "ip.drop_bad_source")                                   \
	X(IP_DROP_NOT_US, "ip.drop_not_us")                                    \
	X(IP_DROP_PROTO, "ip.drop_protocol")                                   \
	X(IP_DROP_NOROUTE, "ip.drop_no_route")                                 \
	X(IP_DROP_NOBUF, "ip.drop_nobuf")                                      \
	X(IP_OPTIONS, "ip.options_skipped")                                    \
	X(IP_FRAG_RX, "ip.frag_rx")                                            \
	X(IP_FRAG_TX, "ip.frag_tx")                                            \
	X(IP_REASS_OK, "ip.reass_ok")                                          \
	X(IP_REASS_DUP, "ip.reass_drop_duplicate")                             \
	X(IP_REASS_OVERLAP, "ip.reass_drop_overlap")                           \
	X(IP_REASS_TOOBIG, "ip.reass_drop_too_big")                            \
	X(IP_REASS_BAD, "ip.reass_drop_bad_fragment")                          \
	X(IP_REASS_TIMEOUT, "ip.reass_drop_timeout")                           \
	X(IP_REASS_EVICT, "ip.reass_drop_evicted")                             \
	X(IP_REASS_NOMEM, "ip.reass_drop_nomem")                               \
	X(ICMP_RX, "icmp.rx")                                                  \
	X(ICMP_TX, "icmp.tx")                                                  \
	X(ICMP_ECHO_REPLIES, "icmp.echo_replies")                              \
	X(ICMP_ERRORS_RX, "icmp.errors_rx")                                    \
	X(ICMP_DROP_SHORT, "icmp.drop_short")                                  \
	X(ICMP_DROP_CSUM, "icmp.drop_checksum")                                \
	X(ICMP_DROP_TYPE, "icmp.drop_type")                                    \
	X(ICMP_DROP_NOBUF, "icmp.drop_nobuf")                                  \
	X(ICMP_UNREACH_TX, "icmp.unreach_tx")                                  \
	X(ICMP_RATE_LIMITED, "icmp.rate_limited")                              \
	X(UDP_RX, "udp.rx")                                                    \
	X(UDP_TX, "udp.tx")                                                    \
	X(UDP_DROP_SHORT, "udp.drop_short")                                    \
	X(UDP_DROP_LENGTH, "udp.drop_length")                                  \
	X(UDP_DROP_CSUM, "udp.drop_checksum")                                  \
	X(UDP_DROP_NO_PORT, "udp.drop_no_port")                                \
	X(UDP_DROP_QUEUE, "udp.drop_queue_full")                               \
	X(UDP_DROP_NOBUF, "udp.drop_nobuf")                                    \
	X(UDP_TRUNCATED, "udp.truncated")                                      \
	X(DHCP_TX, "dhcp.tx")                                                  \
	X(DHCP_RX, "dhcp.rx")                                                  \
	X(DHCP_DROP_MALFORMED, "dhcp.drop_malformed")                          \
	X(DHCP_DROP_UNEXPECTED, "dhcp.drop_unexpected")                        \
	X(DHCP_BOUND, "dhcp.bound")                                            \
	X(DHCP_RENEWED, "dhcp.renewed")                                        \
	X(DHCP_NAK, "dhcp.nak")                                                \
	X(DHCP_EXPIRED, "dhcp.expired")                                        \
	NET_TCP_COUNTERS(X)

#define NET_COUNTER_ENUM(id, name) NET_##id,
enum net_counter { NET_COUNTERS(NET_COUNTER_ENUM) NET_COUNTER_COUNT };
#undef NET_COUNTER_ENUM

/* A counter's value and its "layer.name". */
uint64_t net_counter(enum net_counter c);
const char *net_counter_name(enum net_counter c);

/* Memory the stack holds now and at most since start. */
struct net_mem {
	unsigned pbufs, pbufs_free, pbufs_free_min;
	size_t heap_bytes, heap_bytes_max; /* large buffers */
	size_t reass_bytes;		   /* fragments held */
	unsigned arp_entries, arp_pending;
	struct net_tcp_mem tcp;
};
void net_mem(struct net_mem *m);

/* Writes "name value" lines for every non-zero counter and the memory
 * figures into BUF (N bytes, always terminated); returns the length that
 * was needed (as snprintf). */
size_t net_report(char *buf, size_t n);

#endif
