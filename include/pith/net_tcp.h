/* lib/net's TCP (RFC 9293 with 7323, 2018, 6298, 5681, 6582, 5961,
 * 6528): the native blocking API, its bounds and its counters. Included
 * by pith/net.h; applications include that.
 *
 * Calls that wait park the calling fiber until they can complete or their
 * DEADLINE passes (monotonic ns; NET_FOREVER: none; NET_NOWAIT: never
 * park, return -EAGAIN at once). Addresses and ports are in host byte
 * order. A connection handle stays valid until the application passes it
 * to net_tcp_close or net_tcp_abort, whatever the peer does; the stack
 * then finishes the connection on its own. Nothing here prints; the
 * counters (NET_TCP_COUNTERS) explain every drop. docs/networking.md has
 * the structures, the state machine, the timers and the reasons for every
 * bound below. */
#ifndef PITH_NET_TCP_H
#define PITH_NET_TCP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* --- Bounds (each with its reason) ------------------------------------ */

/* Connections in any state but LISTEN and TIME-WAIT, at once. 10,000 idle
 * keep-alive connections of a busy server plus room; each costs about
 * 400 bytes while idle. At the cap, new connections are refused. */
#define NET_TCP_CONNS_MAX 16384

/* Buckets of the connection hash (a power of two): one per connection at
 * the cap, so chains stay short; the array (8 bytes a bucket) is
 * allocated at the first listen or connect. */
#define NET_TCP_HASH_BUCKETS 16384

/* Listening ports at once: an appliance serves a few. */
#define NET_TCP_LISTENERS_MAX 16

/* Established connections waiting for net_tcp_accept, per listener:
 * default and cap (Linux's somaxconn is 4096). */
#define NET_TCP_BACKLOG_DEFAULT 128
#define NET_TCP_BACKLOG_MAX	4096

/* Half-open (SYN-RECEIVED) connections per listener. Past this a SYN is
 * answered with a SYN cookie and costs no memory, so a SYN flood cannot
 * fill the connection table. */
#define NET_TCP_SYNQ_MAX 256

/* TIME-WAIT entries (40 bytes each, apart from the connection table);
 * at the cap the oldest is recycled early (safe with timestamps, RFC
 * 6191). A server's clients usually close first and keep TIME-WAIT
 * themselves; 4,096 covers an appliance closing 68 connections a second
 * for the whole wait. */
#define NET_TCP_TIMEWAIT_MAX 4096
#define NET_TCP_TIMEWAIT_S   60 /* 2 MSL as Linux counts it */

/* Received, unread bytes per connection (the largest window offered) and
 * queued, unacknowledged bytes the application copied in, per
 * connection. 256 KiB covers the bandwidth-delay product of a 10 Gbit/s
 * path with 200 us of round trip. */
#define NET_TCP_RCVBUF (256UL << 10)
#define NET_TCP_SNDBUF (256UL << 10)

/* All connections' receive and send buffers together (heap bytes). When
 * reached, windows stop opening and senders wait; 64 MiB is the default
 * guest memory, so this is a quarter of it. */
#define NET_TCP_MEM_MAX (16UL << 20)

/* Out-of-order segments kept per connection, each copied into a 2 KiB
 * heap block (counted in NET_TCP_MEM_MAX): a whole window of full
 * segments (256 KiB / 1,448 = 181) behind one loss, at most 512 KiB for a
 * flood of tiny segments that never fills its hole. Past the cap the
 * highest segment is dropped. */
#define NET_TCP_OOO_SEGS_MAX 256

/* Ranges of the SACK scoreboard per connection (allocated on the first
 * SACK block). Crafted blocks that would fragment it further merge into
 * the top range: the only cost is retransmitting more than needed. */
#define NET_TCP_SACK_RANGES 16

/* Referenced sends (net_tcp_send_ref) queued per connection: a
 * pipelining HTTP client's responses; each costs a 48-byte descriptor. */
#define NET_TCP_REFS_MAX 64

/* Smallest MSS accepted from a peer (Linux's tcp_min_snd_mss is 48; the
 * 2019 SACK panic came from tiny MSS). Smaller ones are raised to it. */
#define NET_TCP_MSS_MIN 64

/* RTO (RFC 6298): initial, floor (Linux's 200 ms instead of the RFC's 1 s:
 * the paths here are local), ceiling (the RFC's 60 s at least). */
#define NET_TCP_RTO_INIT_MS 1000
#define NET_TCP_RTO_MIN_MS  200
#define NET_TCP_RTO_MAX_MS  60000

/* Longest interval between window probes (persist timer). A peer's
 * window update is not retransmitted: if it is lost, our next probe is
 * what finds the window open, so the interval bounds that stall; a probe
 * is one 52-byte segment. */
#define NET_TCP_PROBE_MAX_MS 2000

/* Tail-loss probe (RFC 8985 7): when nothing has been acknowledged for
 * twice the smoothed RTT (at least NET_TCP_TLP_MIN_MS; plus the peer's
 * worst delayed ACK, NET_TCP_TLP_DELACK_MS, when one segment is out),
 * one segment is sent to draw an ACK whose SACK shows what was lost,
 * instead of waiting for the RTO (200 ms at least). */
#define NET_TCP_TLP_MIN_MS    10
#define NET_TCP_TLP_DELACK_MS 200

/* Delayed ACK: at most this long, and at least every second full
 * segment (RFC 9293 3.8.6.3 asks for under 0.5 s; Linux's floor). */
#define NET_TCP_DELACK_MS 40

/* SYN and SYN-ACK transmissions before giving up (1+2+4+8+16 s). */
#define NET_TCP_SYN_TRIES 6

/* User timeout (RFC 9293 3.8.3): a connection whose sent data, FIN or
 * window probes go unacknowledged this long is aborted. RFC default 5
 * min; net_tcp_set_user_timeout changes it per connection. */
#define NET_TCP_USER_TIMEOUT_MS (5UL * 60 * 1000)

/* A closed connection stuck in FIN-WAIT-2 (the peer never closes) is
 * freed after this (Linux's tcp_fin_timeout). */
#define NET_TCP_FIN_WAIT2_S 60

/* Keepalive defaults (RFC 1122 4.2.3.6; off unless asked for). */
#define NET_TCP_KEEPIDLE_S  7200
#define NET_TCP_KEEPINTVL_S 75
#define NET_TCP_KEEPCNT	    9

/* RFC 5961 challenge ACKs, and ACKs to out-of-window segments without
 * data, per connection: at most this many a second (per connection, so
 * the limit is no global side channel). */
#define NET_TCP_CHALLENGE_PER_S 10

/* RSTs to segments that belong to no connection: a token bucket (rate a
 * second, burst), so a scan or a flood is not answered 1:1. */
#define NET_TCP_RST_RATE  1000
#define NET_TCP_RST_BURST 100

/* The first local port net_tcp_connect tries (IANA's dynamic range). */
#define NET_TCP_EPHEMERAL 49152

/* --- Deadlines ---------------------------------------------------------- */

#define NET_FOREVER UINT64_MAX /* wait as long as it takes */
#define NET_NOWAIT  0	       /* never park: -EAGAIN instead */

/* --- Listening and accepting ------------------------------------------ */

struct net_tcp;		 /* a connection */
struct net_tcp_listener; /* a listening port */

/* Listens on local PORT (1..65535) with up to BACKLOG (0: the default,
 * capped at NET_TCP_BACKLOG_MAX) established connections waiting for
 * net_tcp_accept; stores the listener in *L.
 *   0            listening;
 *   -EINVAL      PORT is 0;
 *   -EADDRINUSE  PORT is already listening;
 *   -EMFILE      NET_TCP_LISTENERS_MAX listeners exist;
 *   -ENOMEM      no memory for the connection table;
 *   -ENETDOWN    net_start has not run. */
int net_tcp_listen(uint16_t port, unsigned backlog,
		   struct net_tcp_listener **l);

/* Takes the oldest established connection of L into *C, parking until
 * one arrives or DEADLINE.
 *   0            *C is the connection (the caller owns it);
 *   -ETIMEDOUT   the deadline passed; -EAGAIN: none and NET_NOWAIT;
 *   -EPERM       none, and not called from a fiber. */
int net_tcp_accept(struct net_tcp_listener *l, struct net_tcp **c,
		   uint64_t deadline);

/* Stops listening: connections not yet accepted are reset. No fiber may
 * be parked in net_tcp_accept on L. */
void net_tcp_unlisten(struct net_tcp_listener *l);

/* --- Connecting ----------------------------------------------------------- */

/* Opens a connection to ADDR:PORT from an ephemeral local port, parking
 * until it is established or fails.
 *   0             *C is established (the caller owns it);
 *   -ECONNREFUSED the peer answered with a RST;
 *   -ETIMEDOUT    NET_TCP_SYN_TRIES SYNs or DEADLINE passed unanswered;
 *   -EINVAL       ADDR or PORT is 0, or ADDR is a broadcast;
 *   -ENETUNREACH  no address yet, or no route;
 *   -EADDRNOTAVAIL no ephemeral port is free;
 *   -EMFILE       NET_TCP_CONNS_MAX connections exist; -ENOMEM;
 *   -EPERM        not called from a fiber. */
int net_tcp_connect(uint32_t addr, uint16_t port, struct net_tcp **c,
		    uint64_t deadline);

/* --- Data --------------------------------------------------------------- */

/* Copies up to CAP received bytes into BUF, parking until at least one
 * byte, the end of the stream or an error.
 *   > 0           bytes copied (in order, never more than CAP);
 *   0             the peer closed its side and every byte was read;
 *   -ETIMEDOUT    the deadline passed; -EAGAIN: nothing and NET_NOWAIT;
 *   -ECONNRESET   the peer reset the connection;
 *   -ETIMEDOUT    also: the user timeout or keepalive gave up on the
 *                 peer (net_tcp_error tells the two apart: it is then
 *                 set);
 *   -EPERM        nothing to read and not called from a fiber. */
ssize_t net_tcp_recv(struct net_tcp *c, void *buf, size_t cap,
		     uint64_t deadline);

/* Copies LEN bytes of BUF into the send buffer, parking while it is full
 * (NET_TCP_SNDBUF per connection, NET_TCP_MEM_MAX in all). The stack
 * segments and sends them at the loop's next flush.
 *   LEN           all queued;
 *   0 < n < LEN   the deadline passed (or NET_NOWAIT) after n bytes;
 *   -EAGAIN       nothing fitted and NET_NOWAIT; -ETIMEDOUT: DEADLINE;
 *   -EPIPE        net_tcp_shutdown was called on C;
 *   -ENOTCONN     the connection is not established yet or is over
 *                 (net_tcp_error says why: -ECONNRESET, -ETIMEDOUT);
 *   -EPERM        it must park and is not called from a fiber. */
ssize_t net_tcp_send(struct net_tcp *c, const void *buf, size_t len,
		     uint64_t deadline);

/* Zero-copy send. Queues LEN bytes at BUF by reference: the stack keeps
 * the pointer, never copies the bytes into its buffers, and reads them
 * each time it builds a segment that carries them (first transmission and
 * every retransmission), in order after everything queued before. Never
 * parks; the bytes do not count against NET_TCP_SNDBUF.
 *
 * The caller promises that BUF's LEN bytes stay readable and unchanged
 * until DONE(ARG, STATUS) is called, exactly once, on the loop's stack
 * (it must not park):
 *   STATUS 0             the peer acknowledged every byte;
 *   STATUS -ECONNRESET, -ETIMEDOUT, -ECONNABORTED
 *                        the connection ended first (reset, timed out,
 *                        aborted or freed) and the bytes may not have
 *                        arrived.
 * DONE may be NULL (content compiled into the image needs no release).
 * Returns:
 *   0            queued (DONE will be called);
 *   -EINVAL      LEN is 0 or BUF is NULL;
 *   -ENOBUFS     NET_TCP_REFS_MAX references are queued already (DONE
 *                of an earlier one makes room) or no memory;
 *   -EPIPE, -ENOTCONN   as net_tcp_send (DONE is not called). */
int net_tcp_send_ref(struct net_tcp *c, const void *buf, size_t len,
		     void (*done)(void *arg, int status), void *arg);

/* Bytes net_tcp_send would take now without parking (0 while not
 * established or after shutdown). */
size_t net_tcp_send_space(const struct net_tcp *c);

/* Received bytes waiting to be read. */
size_t net_tcp_readable(const struct net_tcp *c);

/* --- Closing -------------------------------------------------------------- */

/* Closes the sending side: a FIN follows the data already queued.
 * Receiving continues. 0, or -ENOTCONN (not established or over). */
int net_tcp_shutdown(struct net_tcp *c);

/* Releases C; the handle is invalid afterwards and no fiber may be parked
 * on it. If received data was left unread the connection is reset (RFC
 * 9293 3.6: data would be lost); otherwise the stack sends what is queued
 * and a FIN, and finishes the close on its own (FIN-WAIT-2 bounded by
 * NET_TCP_FIN_WAIT2_S, TIME-WAIT in the TIME-WAIT table).
 *   0            closed gracefully (or it was already over);
 *   -ECONNABORTED  it was reset because data was unread. */
int net_tcp_close(struct net_tcp *c);

/* Resets the connection (a RST to the peer if it is synchronized) and
 * releases C at once; queued data is discarded and the DONE callbacks of
 * references run with -ECONNABORTED. */
void net_tcp_abort(struct net_tcp *c);

/* --- Options and state ------------------------------------------------ */

/* Nagle's algorithm (RFC 9293 3.7.4) is on by default; ON non-zero turns
 * it off (small segments leave at once). */
void net_tcp_set_nodelay(struct net_tcp *c, int on);

/* Keepalive: after IDLE_S seconds without input, probes every INTVL_S
 * seconds; COUNT unanswered probes abort the connection (-ETIMEDOUT).
 * IDLE_S 0 turns it off (the default). 0, or -EINVAL (INTVL_S or COUNT
 * 0, or any value over a day's seconds or 255 probes). */
int net_tcp_set_keepalive(struct net_tcp *c, unsigned idle_s, unsigned intvl_s,
			  unsigned count);

/* The user timeout in milliseconds (0: NET_TCP_USER_TIMEOUT_MS). */
void net_tcp_set_user_timeout(struct net_tcp *c, unsigned ms);

/* Readiness callback: FN(C, ARG, EVENTS) runs on the loop's stack (it
 * must not park) whenever C may have become readable (data, end of
 * stream, error: NET_TCP_READABLE) or its send space grew
 * (NET_TCP_WRITABLE). Edge-triggered and conservative: a callback may
 * find nothing to do. Lets an appliance hold idle connections without a
 * fiber each. FN NULL removes it. */
#define NET_TCP_READABLE 1
#define NET_TCP_WRITABLE 2
void net_tcp_set_notify(struct net_tcp *c,
			void (*fn)(struct net_tcp *c, void *arg, int events),
			void *arg);

/* The error that ended the connection (-ECONNRESET, -ETIMEDOUT,
 * -ECONNABORTED), or 0. */
int net_tcp_error(const struct net_tcp *c);

struct net_tcp_info {
	uint32_t local_addr, remote_addr;
	uint16_t local_port, remote_port;
	const char *state; /* "ESTABLISHED", "CLOSE-WAIT", ... */
	unsigned mss;	   /* payload bytes per segment we send */
	unsigned srtt_us, rto_ms;
	uint32_t cwnd, ssthresh, snd_wnd, rcv_wnd;
	uint64_t retransmits;
	unsigned options; /* NET_TCP_OPT_* the peer agreed to */
};
#define NET_TCP_OPT_TS	  1
#define NET_TCP_OPT_SACK  2
#define NET_TCP_OPT_SCALE 4
void net_tcp_info(const struct net_tcp *c, struct net_tcp_info *i);

/* Memory of the TCP layer, for net_mem and reports. */
struct net_tcp_mem {
	unsigned conns, conns_max;	 /* connections now, at most */
	unsigned timewait, listeners;	 /* TIME-WAIT entries, listeners */
	size_t conn_bytes;		 /* connection structures */
	size_t buf_bytes, buf_bytes_max; /* receive and send buffers */
	unsigned ooo_segs;		 /* segments held out of order */
};
void net_tcp_mem(struct net_tcp_mem *m);

/* --- Counters ------------------------------------------------------------- */

#define NET_TCP_COUNTERS(X)                                                    \
	X(TCP_RX, "tcp.rx")                                                    \
	X(TCP_TX, "tcp.tx")                                                    \
	X(TCP_DROP_SHORT, "tcp.drop_short")                                    \
	X(TCP_DROP_DOFF, "tcp.drop_data_offset")                               \
	X(TCP_DROP_CSUM, "tcp.drop_checksum")                                  \
	X(TCP_DROP_ADDR, "tcp.drop_broadcast")                                 \
	X(TCP_DROP_FLAGS, "tcp.drop_bad_flags")                                \
	X(TCP_OPT_MALFORMED, "tcp.options_malformed")                          \
	X(TCP_MSS_RAISED, "tcp.mss_raised")                                    \
	X(TCP_WSCALE_CLAMPED, "tcp.wscale_clamped")                            \
	X(TCP_NO_CONN, "tcp.no_connection")                                    \
	X(TCP_RST_TX, "tcp.rst_tx")                                            \
	X(TCP_RST_RX, "tcp.rst_rx")                                            \
	X(TCP_RST_LIMITED, "tcp.rst_rate_limited")                             \
	X(TCP_DROP_LISTEN, "tcp.drop_listen")                                  \
	X(TCP_SYN_RX, "tcp.syn_rx")                                            \
	X(TCP_COOKIE_TX, "tcp.syncookie_tx")                                   \
	X(TCP_COOKIE_OK, "tcp.syncookie_ok")                                   \
	X(TCP_COOKIE_BAD, "tcp.syncookie_bad")                                 \
	X(TCP_ACCEPTQ_FULL, "tcp.drop_accept_queue_full")                      \
	X(TCP_TABLE_FULL, "tcp.drop_table_full")                               \
	X(TCP_DROP_NOMEM, "tcp.drop_nomem")                                    \
	X(TCP_PASSIVE, "tcp.passive_opens")                                    \
	X(TCP_ACTIVE, "tcp.active_opens")                                      \
	X(TCP_REFUSED, "tcp.connect_refused")                                  \
	X(TCP_DROP_PAWS, "tcp.drop_paws")                                      \
	X(TCP_DROP_WINDOW, "tcp.drop_outside_window")                          \
	X(TCP_CHALLENGE_TX, "tcp.challenge_ack_tx")                            \
	X(TCP_CHALLENGE_LIMITED, "tcp.challenge_ack_limited")                  \
	X(TCP_RST_IGNORED, "tcp.rst_ignored")                                  \
	X(TCP_SYN_IN_WINDOW, "tcp.syn_in_window")                              \
	X(TCP_DROP_NOACK, "tcp.drop_no_ack")                                   \
	X(TCP_DROP_ACK_UNSENT, "tcp.drop_ack_unsent")                          \
	X(TCP_DROP_ACK_OLD, "tcp.drop_ack_too_old")                            \
	X(TCP_DATA_AFTER_FIN, "tcp.drop_data_after_fin")                       \
	X(TCP_DATA_AFTER_CLOSE, "tcp.data_after_close")                        \
	X(TCP_URG, "tcp.urgent_ignored")                                       \
	X(TCP_OOO, "tcp.ooo_queued")                                           \
	X(TCP_OOO_DROP, "tcp.drop_ooo_full")                                   \
	X(TCP_DUP_DATA, "tcp.dup_data")                                        \
	X(TCP_SACK_INVALID, "tcp.sack_invalid")                                \
	X(TCP_SACK_MERGED, "tcp.sack_scoreboard_full")                         \
	X(TCP_DUPACK, "tcp.dupacks")                                           \
	X(TCP_FAST_RTX, "tcp.fast_retransmits")                                \
	X(TCP_RTX, "tcp.retransmits")                                          \
	X(TCP_RTO, "tcp.rto_expired")                                          \
	X(TCP_TLP, "tcp.tail_loss_probes")                                     \
	X(TCP_LOST_RTX, "tcp.lost_retransmits")                                \
	X(TCP_PROBE, "tcp.window_probes")                                      \
	X(TCP_KEEPALIVE, "tcp.keepalive_probes")                               \
	X(TCP_KEEPALIVE_DROP, "tcp.keepalive_dropped")                         \
	X(TCP_USER_TIMEOUT, "tcp.user_timeout_dropped")                        \
	X(TCP_SYN_TIMEOUT, "tcp.syn_timeout")                                  \
	X(TCP_FIN_WAIT2_TIMEOUT, "tcp.fin_wait2_timeout")                      \
	X(TCP_ABORT_UNREAD, "tcp.reset_unread_data")                           \
	X(TCP_ESTAB_RESET, "tcp.established_reset")                            \
	X(TCP_TW_EVICTED, "tcp.timewait_recycled")                             \
	X(TCP_TW_REUSED, "tcp.timewait_reused")                                \
	X(TCP_TX_NOBUF, "tcp.tx_nobuf")                                        \
	X(TCP_TIMER_NOSPC, "tcp.timer_nospc")                                  \
	X(TCP_DELACK, "tcp.delayed_acks")

#endif
