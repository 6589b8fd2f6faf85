/* A table-driven harness for TCP on the fake device: a script is a list
 * of steps, each a segment the peer sends (IN), a segment the stack must
 * have sent (OUT, checked in order), silence (QUIET), time passing
 * (WAIT: timers fire), or a call of the test's (CALL). Sequence numbers
 * in a script are relative: IN's seq and OUT's ack count from the peer's
 * initial sequence number (PEER_ISS, just below 2^32, so every script
 * crosses the wrap), IN's ack and OUT's seq from ours (learned from our
 * SYN or SYN-ACK). Payload byte at sequence s is (s * 7) & 255. */
#ifndef NET_TEST_TCP_SCRIPT_H
#define NET_TEST_TCP_SCRIPT_H

#include "../../../lib/net/tcp_impl.h"
#include "frames.h"

#define PEER_ISS  0xffffff00U
#define US_PORT	  7
#define PEER_PORT 40000

enum step_op { S_END, S_IN, S_OUT, S_QUIET, S_WAIT, S_CALL };

struct step {
	enum step_op op;
	uint8_t flags;
	int32_t seq, ack; /* relative, see above */
	uint16_t len;
	uint32_t wnd;	 /* IN: window field (0xffff if 0 and not ZEROWIN) */
	unsigned opt;	 /* IN: OPT_* ; OUT: what to check */
	int32_t sack[2]; /* IN: one SACK block, relative to our ISS */
	uint32_t tsval;	 /* IN: timestamp value (OPT_TS) */
	void (*fn)(void);
	unsigned ms; /* WAIT */
};

/* IN options. */
#define OPT_TS	    1  /* timestamps (tsval from the step, or rising) */
#define OPT_SACKOK  2  /* SYN: SACK permitted */
#define OPT_WS	    4  /* SYN: window scale 7 */
#define OPT_MSS	    8  /* SYN: MSS 1460 */
#define OPT_SACK    16 /* one SACK block (sack[]) */
#define OPT_ZEROWIN 32 /* window field 0 */
#define OPT_SYNALL  (OPT_TS | OPT_SACKOK | OPT_WS | OPT_MSS)
/* OUT checks beyond flags/seq/ack/len. */
#define CHK_ANYSEQ 64  /* do not check seq */
#define CHK_SACK   128 /* carries a SACK option */

#define IN(f, s, a, l)                                                         \
	{                                                                      \
		.op = S_IN, .flags = (f), .seq = (s), .ack = (a), .len = (l)   \
	}
#define IN_O(f, s, a, l, o)                                                    \
	{                                                                      \
		.op = S_IN, .flags = (f), .seq = (s), .ack = (a), .len = (l),  \
		.opt = (o)                                                     \
	}
#define IN_W(f, s, a, l, w)                                                    \
	{                                                                      \
		.op = S_IN, .flags = (f), .seq = (s), .ack = (a), .len = (l),  \
		.wnd = (w), .opt = (w) ? 0 : OPT_ZEROWIN                       \
	}
#define IN_SACK(s, a, l, r)                                                    \
	{                                                                      \
		.op = S_IN, .flags = TH_ACK, .seq = (s), .ack = (a),           \
		.opt = OPT_SACK, .sack = {                                     \
			(l),                                                   \
			(r)                                                    \
		}                                                              \
	}
#define IN_TS(f, s, a, l, ts)                                                  \
	{                                                                      \
		.op = S_IN, .flags = (f), .seq = (s), .ack = (a), .len = (l),  \
		.opt = OPT_TS, .tsval = (ts)                                   \
	}
#define OUT(f, s, a, l)                                                        \
	{                                                                      \
		.op = S_OUT, .flags = (f), .seq = (s), .ack = (a), .len = (l)  \
	}
#define OUT_O(f, s, a, l, o)                                                   \
	{                                                                      \
		.op = S_OUT, .flags = (f), .seq = (s), .ack = (a), .len = (l), \
		.opt = (o)                                                     \
	}
#define QUIET                                                                  \
	{                                                                      \
		.op = S_QUIET                                                  \
	}
#define WAIT(m)                                                                \
	{                                                                      \
		.op = S_WAIT, .ms = (m)                                        \
	}
#define CALL(f)                                                                \
	{                                                                      \
		.op = S_CALL, .fn = (f)                                        \
	}
#define END                                                                    \
	{                                                                      \
		.op = S_END                                                    \
	}

/* What a script runs against: a started stack listening on US_PORT. */
extern struct net_tcp_listener *t_listener;
extern struct net_tcp *t_conn; /* the connection under test */
extern uint32_t t_our_iss;
extern uint16_t t_our_port;  /* where IN segments go (US_PORT) */
extern uint32_t t_our_tsval; /* our last timestamp seen (echoed) */

/* Resets the stack, starts it, listens on US_PORT (backlog 16). */
void tcp_test_start(void);

/* Runs STEPS; failures are reported with the script NAME and step. */
void tcp_script(const char *name, const struct step *steps);

/* Sends one segment from the peer (PEER_PORT to US_PORT), raw fields. */
void tcp_peer_segment(uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack,
		      const uint8_t *opt, size_t optlen, const uint8_t *data,
		      size_t len, uint16_t wnd);

/* The next TCP segment we sent that the script has not looked at, parsed
 * into S (NULL when none); its payload at S->data. */
int tcp_next_out(struct tcp_seg *s);

/* Forgets the segments sent so far (the fake device keeps 256). */
void tcp_out_reset(void);

/* Runs ready fibers once and flushes (as a loop iteration would). */
void tcp_run_fibers(void);

/* Lets MS milliseconds pass, firing timers and flushing. */
void tcp_wait_ms(unsigned ms);

/* A passive open without options (MSS 536) and with all of them. */
#define HANDSHAKE                                                              \
	IN(TH_SYN, 0, 0, 0), OUT(TH_SYN | TH_ACK, 0, 1, 0),                    \
		IN(TH_ACK, 1, 1, 0), QUIET, CALL(call_accept)
#define HANDSHAKE_ALL                                                          \
	IN_O(TH_SYN, 0, 0, 0, OPT_SYNALL), OUT(TH_SYN | TH_ACK, 0, 1, 0),      \
		IN_O(TH_ACK, 1, 1, 0, OPT_TS), QUIET, CALL(call_accept)

/* Common CALL steps. */
void call_accept(void);	 /* t_conn = the accepted connection */
void call_close(void);	 /* net_tcp_close(t_conn) */
void call_nodelay(void); /* nodelay on t_conn */
void send_n(size_t n);	 /* queues N bytes on t_conn, all taken */
void send_10(void);
void send_100(void);

#endif
