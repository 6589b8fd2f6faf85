/* lib/net's TCP internals: the connection structure (struct net_tcp),
 * the parsed segment, sequence arithmetic, and the entry points shared
 * by the tcp_*.c files:
 *
 *   tcp_opt.c     header and option parsing, option writing
 *   tcp_isn.c     the boot secret, SipHash, ISNs (RFC 6528), SYN cookies
 *   tcp_table.c   connection hash, listeners, ports, allocation
 *   tcp_tw.c      the TIME-WAIT table
 *   tcp_input.c   segment arrival: checks, lookup, LISTEN, SYN-SENT
 *   tcp_state.c   segment arrival in the synchronized states (3.10.7.4)
 *   tcp_rcv.c     receive buffer, out-of-order queue, SACK blocks sent
 *   tcp_snd.c     send buffer: copied and referenced blocks
 *   tcp_output.c  building and sending segments, the output decision
 *   tcp_sack.c    the scoreboard of SACK blocks received
 *   tcp_cc.c      RTT and RTO (RFC 6298), NewReno and SACK recovery
 *   tcp_timer.c   the per-connection timer and what it drives
 *   tcp_api.c     the public calls of pith/net_tcp.h
 *
 * Every byte of a received segment is parsed with get16/get32. All
 * output is deferred: input, timers and API calls mark a connection
 * (tcp_schedule) and the interface's flush sends what each marked
 * connection has to send, so an ACK rides on the application's reply and
 * one read batch yields one ACK per connection. */
#ifndef NET_TCP_IMPL_H
#define NET_TCP_IMPL_H

#include "impl.h"

#define TCP_HLEN    20
#define TCP_OPT_MAX 40

/* Header flags. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

/* Largest window scale (RFC 7323 2.3) and the largest unscaled window. */
#define TCP_WSCALE_MAX 14
#define TCP_WIN_MAX    65535U

/* An MSS when the peer sends none (RFC 9293 3.7.1). */
#define TCP_MSS_DEFAULT 536

/* PAWS: a ts_recent older than 24 days is no longer trusted (RFC 7323
 * 5.5), in milliseconds. */
#define TCP_PAWS_IDLE_MS (24ULL * 24 * 3600 * 1000)

#define NS_PER_MS 1000000ULL

/* --- Sequence arithmetic (modulo 2^32, RFC 9293 3.4) -------------------- */

static inline int seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
static inline int seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}
static inline int seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}
static inline int seq_ge(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
	return seq_gt(a, b) ? a : b;
}
static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? a : b;
}
/* LO <= A < HI. */
static inline int seq_in(uint32_t a, uint32_t lo, uint32_t hi)
{
	return seq_ge(a, lo) && seq_lt(a, hi);
}

/* --- Segments ------------------------------------------------------------- */

/* Options of a received segment. */
struct tcp_opts {
	uint16_t mss;
	uint8_t wscale;
	uint8_t has_mss, has_wscale, sack_ok, has_ts;
	uint8_t nsack; /* blocks in sack[] */
	uint32_t tsval, tsecr;
	uint32_t sack[4][2]; /* left, right */
};

/* A received segment, parsed. */
struct tcp_seg {
	uint32_t seq, ack;
	uint32_t wnd; /* as sent (unscaled) */
	uint16_t sport, dport, urg;
	uint8_t flags;
	uint32_t dlen;	     /* payload bytes */
	uint32_t len;	     /* dlen + SYN + FIN: sequence space used */
	const uint8_t *data; /* payload */
	struct tcp_opts opt;
};

/* Checks P's TCP header (data at it) and parses it into S: length, data
 * offset, checksum, options (a malformed option ends parsing and is
 * counted; the segment stays). 0, or the counter that says why it is
 * dropped. */
int tcp_parse(struct pbuf *p, struct tcp_seg *s);

/* Parses options O (N bytes) into T. 0, or -EINVAL when an option is
 * malformed (T holds the options before it). */
int tcp_parse_options(const uint8_t *o, size_t n, struct tcp_opts *t);

/* --- Buffers --------------------------------------------------------------- */

/* A piece of the receive buffer: bytes [off, len) of data are unread. */
struct tcp_rblk {
	struct tcp_rblk *next;
	uint32_t off, len, cap;
	uint8_t data[];
};

/* A piece of the send buffer: LEN unacknowledged bytes at DATA, either in
 * OWN (CAP bytes, copied from the application) or referenced (CAP 0,
 * DONE called once acknowledged). */
struct tcp_sblk {
	struct tcp_sblk *next;
	const uint8_t *data;
	uint32_t len, cap;
	void (*done)(void *arg, int status);
	void *arg;
	uint8_t own[];
};

/* An out-of-order segment's payload, copied (LEN bytes from SEQ, then
 * a FIN if FIN), in a block of CAP bytes. */
struct tcp_oseg {
	struct tcp_oseg *next;
	uint32_t seq, len, cap;
	uint8_t fin;
	uint8_t data[];
};

/* The SACK scoreboard: sorted, disjoint ranges above snd_una. */
struct tcp_sack {
	unsigned n;
	uint32_t r[NET_TCP_SACK_RANGES][2];
};

/* --- Connections ------------------------------------------------------------ */

enum tcp_state {
	TCP_CLOSED,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};

/* Connection flags. */
#define TF_ORPHAN      0x0001U /* the application closed its handle */
#define TF_ACKNOW      0x0002U /* send an ACK at the next flush */
#define TF_NODELAY     0x0004U /* Nagle off */
#define TF_TS	       0x0008U /* timestamps agreed */
#define TF_SACK	       0x0010U /* SACK agreed */
#define TF_WSCALE      0x0020U /* window scaling agreed */
#define TF_FIN_Q       0x0040U /* a FIN follows the queued data */
#define TF_RCVD_FIN    0x0080U /* the peer's FIN arrived (in order) */
#define TF_SCHED       0x0100U /* on the output list */
#define TF_RECOVERY    0x0200U /* in fast recovery */
#define TF_RTT	       0x0400U /* timing a segment (no timestamps) */
#define TF_ACCEPTED    0x0800U /* handed to the application */
#define TF_KEEPALIVE   0x1000U
#define TF_SHUT_WR     0x2000U /* net_tcp_shutdown was called */
#define TF_HASHED      0x4000U
#define TF_RTX_UNA     0x8000U	 /* retransmit snd_una's segment now */
#define TF_RECOVER_SET 0x10000U	 /* recover holds a recovery point */
#define TF_REOPEN      0x20000U	 /* a window reopened from 0: ACK twice */
#define TF_PTO	       0x40000U	 /* rtx_at is a tail-loss probe timeout */
#define TF_TLP_OUT     0x80000U	 /* a probe is out, up to watch_max */
#define TF_TLP_RTX     0x100000U /* ... and it was a retransmission */
#define TF_UNA_RXT     0x200000U /* snd_una resent in recovery (watch_max) */

struct net_tcp_listener;

struct net_tcp {
	struct net_tcp *hnext;		 /* hash chain */
	struct net_tcp *qnext;		 /* listener's accept queue */
	struct net_tcp *onext;		 /* output list */
	struct net_tcp_listener *parent; /* until accepted */
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint8_t state, snd_wscale, rcv_wscale, dupacks;
	uint8_t backoff, probes, syn_tries, ka_count;
	uint8_t ka_sent; /* keepalive probes unanswered */
	uint32_t flags;
	uint16_t mss;	   /* payload bytes per segment, options excluded */
	uint16_t optlen;   /* option bytes on every data segment */
	int16_t error;	   /* -errno that ended the connection, or 0 */
	uint16_t ooo_segs; /* segments in ooo */
	uint16_t refs;	   /* referenced blocks in the send buffer */
	uint8_t challenges;
	uint8_t events; /* NET_TCP_READABLE/WRITABLE owed to notify */
	uint32_t iss, irs;
	uint32_t snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2;
	uint32_t snd_wnd, max_snd_wnd;
	uint32_t rcv_nxt, rcv_adv; /* rcv_adv: right edge advertised */
	uint32_t rcv_unacked;	   /* bytes received since the last ACK */
	uint32_t last_ack;	   /* the ACK number we sent last */
	uint32_t ts_recent, ts_off, ts_recent_ms;
	uint32_t cwnd, ssthresh, recover, high_rxt, ca_acked;
	/* snd_max when a watched segment went out: the tail-loss probe
	 * (TF_TLP_OUT, never in recovery) or, in recovery, the resend of
	 * snd_una's (TF_UNA_RXT). One field: the two never overlap. */
	uint32_t watch_max;
	uint32_t srtt_us, rttvar_us, rto_ms;
	uint32_t rtt_seq;
	uint32_t challenge_s; /* second of the challenge counter */
	uint32_t user_timeout_ms, ka_idle_s, ka_intvl_s;
	uint32_t rq_bytes;	 /* unread bytes */
	uint32_t sq_seq, sq_len; /* first byte of the send queue, bytes */
	uint32_t sq_mem;	 /* copied bytes' blocks (heap) */
	uint32_t ooo_last[2];	 /* most recent out-of-order block */
	uint64_t rtt_start;	 /* when rtt_seq was sent (ns) */
	uint64_t rtx_at;	 /* retransmission / persist deadline */
	uint64_t delack_at;	 /* delayed ACK deadline */
	uint64_t ka_at;		 /* keepalive, FIN-WAIT-2, TIME-WAIT */
	uint64_t stall_since;	 /* first unanswered retransmission/probe */
	uint64_t last_rx;	 /* last segment accepted (ns) */
	uint64_t retransmits;
	struct core_timer timer;
	struct tcp_rblk *rq_head, *rq_tail;
	struct tcp_oseg *ooo; /* out-of-order segments, by sequence */
	struct tcp_sblk *sq_head, *sq_tail;
	struct tcp_sack *sack;
	struct core_waitq rwait, wwait;
	void (*notify)(struct net_tcp *c, void *arg, int events);
	void *notify_arg;
};

struct net_tcp_listener {
	int used;
	uint16_t port;
	unsigned backlog, acc_len, syn_len;
	struct net_tcp *acc_head, *acc_tail;
	struct core_waitq waiters;
};

/* The layer's shared state. */
struct tcp_globals {
	struct net_tcp **hash; /* NET_TCP_HASH_BUCKETS chains */
	uint64_t hash_key[2];
	struct net_tcp_listener listeners[NET_TCP_LISTENERS_MAX];
	struct net_tcp *out_head, *out_tail; /* connections to flush */
	unsigned conns, conns_max, ooo_segs;
	size_t mem, mem_max; /* receive and send buffer bytes */
	uint16_t next_port;
	unsigned rst_tokens;
	uint64_t rst_at;
};
extern struct tcp_globals tcp;

/* --- Shared entry points ------------------------------------------------- */

/* Time: monotonic ns, and the timestamp clock (ms, RFC 7323 says 1 ms to
 * 1 s a tick). */
static inline uint64_t tcp_now(void)
{
	return pith_clock_monotonic();
}
static inline uint32_t tcp_ms(uint64_t now)
{
	return (uint32_t)(now / NS_PER_MS);
}

/* tcp_isn.c */
void tcp_secret_init(void);
uint32_t tcp_isn(uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport);
uint32_t tcp_ts_offset(uint32_t laddr, uint16_t lport, uint32_t raddr,
		       uint16_t rport);
uint64_t tcp_hash_tuple(uint32_t raddr, uint16_t lport, uint16_t rport);
/* SYN cookies: the ISS that encodes MSS index and time for a SYN, and
 * the check of the ACK that completes it. TSBITS carries window scale
 * and SACK in the low bits of our timestamp. */
uint32_t tcp_cookie_make(const struct tcp_seg *syn, uint32_t laddr,
			 uint32_t raddr, uint16_t *mss);
int tcp_cookie_check(const struct tcp_seg *ack, uint32_t laddr, uint32_t raddr,
		     uint16_t *mss);
uint32_t tcp_cookie_tsval(const struct tcp_opts *o, uint32_t now_ms);
void tcp_cookie_tsbits(uint32_t tsecr, uint8_t *wscale, int *sack, int *valid);

/* tcp_table.c */
int tcp_table_init(void);
void tcp_table_reset(void);
struct net_tcp *tcp_lookup(uint32_t raddr, uint16_t lport, uint16_t rport);
struct net_tcp_listener *tcp_listener(uint16_t port);
struct net_tcp *tcp_conn_new(uint32_t laddr, uint32_t raddr, uint16_t lport,
			     uint16_t rport);
void tcp_hash_add(struct net_tcp *c);
/* Ends C: state CLOSED, error ERR (0: none), wakes its fibers, completes
 * its references with ERR (or -ECONNABORTED), frees it if orphaned. */
void tcp_drop(struct net_tcp *c, int err);
/* Frees C's memory (it must be unhashed or is unhashed here). */
void tcp_conn_free(struct net_tcp *c);
uint16_t tcp_ephemeral(uint32_t raddr, uint16_t rport);
void tcp_accept_ready(struct net_tcp *c); /* SYN-RECEIVED -> queue */
/* Buffer blocks: payloads of TCP_BLOCK_SMALL or TCP_BLOCK_BIG bytes come
 * from small caches of free blocks (a request/response connection
 * allocates a small one per message, a bulk transfer a big one every
 * dozen segments; musl's allocator would map and unmap memory for them,
 * a trapped system call each on the linux target), other sizes from
 * malloc. HDR is the block's header size, at most 64. */
#define TCP_BLOCK_SMALL 2048
#define TCP_BLOCK_BIG	16384
void *tcp_block_get(size_t hdr, size_t payload);
void tcp_block_put(void *b, size_t payload);
/* Whether the global buffer budget has N more bytes. */
int tcp_mem_ok(size_t n);
void tcp_mem_add(long n);

/* tcp_tw.c */
void tcp_tw_enter(struct net_tcp *c); /* C moves to the table; freed */
/* Handles S for a TIME-WAIT entry, if one matches: 1 (P consumed or
 * dropped), or 0 (none, or a SYN that may reopen: entry removed). */
int tcp_tw_input(struct pbuf *p, const struct tcp_seg *s);
void tcp_tw_reset(void);
unsigned tcp_tw_count(void);

/* tcp_input.c, tcp_state.c */
void tcp_input(struct pbuf *p);
void tcp_state_input(struct net_tcp *c, struct pbuf *p, struct tcp_seg *s);
/* Applies a peer's SYN options to C (MSS, scale, SACK, timestamps). */
void tcp_syn_options(struct net_tcp *c, const struct tcp_opts *o);

/* tcp_rcv.c */
/* Takes the in-window payload (and FIN) of S at sequence S->seq >=
 * rcv_nxt: in order into the receive buffer, otherwise copied into the
 * out-of-order queue. The caller keeps P. */
void tcp_rcv_data(struct net_tcp *c, struct tcp_seg *s);
void tcp_rcv_free_ooo(struct net_tcp *c);
size_t tcp_rcv_copy(struct net_tcp *c, void *buf, size_t cap);
uint32_t tcp_rcv_window(struct net_tcp *c); /* window to advertise */
void tcp_rcv_free(struct net_tcp *c);
/* Writes SACK blocks for the out-of-order queue into O; returns bytes. */
size_t tcp_rcv_sack_opt(struct net_tcp *c, uint8_t *o, size_t room);

/* tcp_snd.c */
size_t tcp_snd_space(const struct net_tcp *c);
size_t tcp_snd_copy_in(struct net_tcp *c, const uint8_t *buf, size_t len);
int tcp_snd_ref(struct net_tcp *c, const void *buf, size_t len,
		void (*done)(void *, int), void *arg);
/* Copies N bytes starting at sequence SEQ into DST. */
void tcp_snd_copy_out(struct net_tcp *c, uint32_t seq, uint8_t *dst, size_t n);
void tcp_snd_acked(struct net_tcp *c, uint32_t n);
void tcp_snd_free(struct net_tcp *c, int status);
void tcp_snd_run_callbacks(void);

/* tcp_output.c */
void tcp_schedule(struct net_tcp *c);	    /* output at the next flush */
void tcp_flush(void);			    /* called by the interface */
int tcp_stalled(void);			    /* connections wait for buffers */
void tcp_output(struct net_tcp *c);	    /* send what C may send now */
int tcp_send_syn(struct net_tcp *c);	    /* SYN or SYN-ACK */
void tcp_send_ack(struct net_tcp *c);	    /* a pure ACK now */
void tcp_send_rst(struct net_tcp *c);	    /* RST for a connection */
void tcp_send_challenge(struct net_tcp *c); /* rate-limited ACK */
void tcp_send_probe(struct net_tcp *c);	    /* seq snd_una - 1 */
/* A RST answering segment S of P that belongs to no connection. */
void tcp_reply_rst(const struct pbuf *p, const struct tcp_seg *s);
/* Builds and sends one segment with the given fields (stateless). */
int tcp_xmit_raw(uint32_t laddr, uint32_t raddr, uint16_t lport, uint16_t rport,
		 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
		 const uint8_t *opt, size_t optlen);
/* Sends (or resends) up to LEN bytes from SEQ (fewer when SACK blocks
 * take room); returns the bytes sent, or -ENOBUFS. */
int tcp_send_data(struct net_tcp *c, uint32_t seq, uint32_t len, int rtx);
void tcp_set_mss(struct net_tcp *c, uint16_t peer_mss);

/* tcp_sack.c */
void tcp_sack_update(struct net_tcp *c, const struct tcp_opts *o);
void tcp_sack_acked(struct net_tcp *c);
uint32_t tcp_sack_bytes(const struct net_tcp *c);
/* The first hole at or after FROM that counts as lost (RFC 6675
 * IsLost), with its length in *LEN, or 0 if none. */
int tcp_sack_next_lost(const struct net_tcp *c, uint32_t from, uint32_t *seq,
		       uint32_t *len);
/* Whether SEQ is covered by a SACKed range; the end of that range (or
 * SEQ); the first SACKed left edge after SEQ, at most LIMIT. */
int tcp_sack_has(const struct net_tcp *c, uint32_t seq);
uint32_t tcp_sack_skip(const struct net_tcp *c, uint32_t seq);
uint32_t tcp_sack_next_left(const struct net_tcp *c, uint32_t seq,
			    uint32_t limit);
uint32_t tcp_sack_pipe(const struct net_tcp *c);
/* Pure scoreboard operations (unit-tested directly). */
void tcp_sb_add(struct tcp_sack *sb, uint32_t l, uint32_t r);
void tcp_sb_trim(struct tcp_sack *sb, uint32_t una);
uint32_t tcp_sb_above(const struct tcp_sack *sb, uint32_t seq);

/* tcp_cc.c */
void tcp_cc_init(struct net_tcp *c);
void tcp_rtt_sample(struct net_tcp *c, uint32_t rtt_us);
/* An ACK advanced snd_una by ACKED bytes. */
void tcp_cc_ack(struct net_tcp *c, uint32_t acked, uint32_t ack);
/* A duplicate ACK arrived; returns 1 when fast retransmit starts. */
int tcp_cc_dupack(struct net_tcp *c);
/* Duplicate ACKs (or segments SACKed above a hole) that mean loss: 3, or
 * fewer under early retransmit (RFC 5827). */
unsigned tcp_dupthresh(const struct net_tcp *c);
/* Whether unsent data waits that the peer's window would take. */
int tcp_can_send_new(const struct net_tcp *c);
void tcp_cc_timeout(struct net_tcp *c);
/* In recovery: whether the retransmission of snd_una was lost (data sent
 * after it is SACKed); if so it is due again (TF_RTX_UNA). */
int tcp_lost_rtx(struct net_tcp *c);
/* A tail-loss probe repaired a loss: the window halves (RFC 8985 7.4.2). */
void tcp_cc_tlp_loss(struct net_tcp *c);
/* Bytes that may be sent now beyond what is in flight. */
uint32_t tcp_cc_allowance(const struct net_tcp *c);
uint32_t tcp_flight(const struct net_tcp *c);

/* tcp_timer.c */
void tcp_timer_init(struct net_tcp *c);
void tcp_timer_update(struct net_tcp *c); /* re-arm at the earliest */
void tcp_rtx_arm(struct net_tcp *c);	  /* (re)start the RTO, or the
					 tail-loss probe's timeout */
/* New data went out: the probe timeout restarts (RFC 8985 7.2). */
void tcp_tlp_sent(struct net_tcp *c);
/* An ACK up to ACK arrived: ends a probe episode it covers. */
void tcp_tlp_acked(struct net_tcp *c, uint32_t ack);
void tcp_keepalive_reset(struct net_tcp *c, uint64_t now);

/* tcp_api.c: wakes C's fibers and owes its notify callback EVENTS. */
void tcp_wake(struct net_tcp *c, int events);
const char *tcp_state_name(int state);

/* Layer start/reset (called from net_reset). */
void tcp_reset(void);

#endif
