/* The TCP script harness (tcp_script.h). */
#include "tcp_script.h"

#include <stdio.h>

#include "../../../lib/core/impl.h"
#include "unit.h"

struct net_tcp_listener *t_listener;
struct net_tcp *t_conn;
uint32_t t_our_iss;
uint16_t t_our_port = US_PORT;
uint32_t t_our_tsval;
static unsigned next_out; /* frames of fake_net_tx looked at */
static uint32_t peer_ts = 1000;

void tcp_test_start(void)
{
	net_test_start();
	t_conn = 0;
	t_listener = 0;
	t_our_iss = 0;
	t_our_port = US_PORT;
	t_our_tsval = 0;
	next_out = 0;
	peer_ts = 1000;
	if (net_tcp_listen(US_PORT, 16, &t_listener) < 0)
		unit_fail(__FILE__, __LINE__, "listen failed");
}

void tcp_out_reset(void)
{
	fake_net_reset();
	next_out = 0;
}

void tcp_run_fibers(void)
{
	core_run_ready();
	iface_poll();
}

void tcp_wait_ms(unsigned ms)
{
	/* In steps, as the loop would wake: a timer firing may arm an
	 * earlier one. */
	uint64_t end = fake_mono + (uint64_t)ms * NS_PER_MS;

	while (fake_mono < end) {
		uint64_t next = core_timer_next();
		fake_mono = next < end && next > fake_mono ? next : end;
		core_timer_expire(fake_mono);
		core_run_ready();
		iface_poll();
	}
}

void tcp_peer_segment(uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack,
		      const uint8_t *opt, size_t optlen, const uint8_t *data,
		      size_t len, uint16_t wnd)
{
	static uint8_t t[PITH_FRAME_MAX], f[PITH_FRAME_MAX];
	size_t n = build_tcp(t, sport, t_our_port, seq, ack, flags, wnd, opt,
			     optlen, data, len);

	inject(f, build_ip(f, PEER_IP, US_IP, IP_PROTO_TCP, t, n, 1, 0));
}

int tcp_next_out(struct tcp_seg *s)
{
	size_t len;
	const uint8_t *f;
	static struct pbuf p;
	static uint8_t copy[PITH_FRAME_MAX];

	while ((f = sent(next_out, &len)) != 0) {
		const uint8_t *ip = f + ETH_HLEN;
		size_t hl = (size_t)(ip[0] & 15) * 4;
		next_out++;
		if (len < ETH_HLEN + IP_HLEN || get16(f + 12) != ETH_P_IP ||
		    ip[9] != IP_PROTO_TCP)
			continue;
		memcpy(copy, ip + hl, get16(ip + 2) - hl);
		p.data = copy;
		p.len = get16(ip + 2) - hl;
		p.src = get32(ip + 12);
		p.dst = get32(ip + 16);
		if (tcp_parse(&p, s) != 0)
			return 0;
		if (s->opt.has_ts)
			t_our_tsval = s->opt.tsval;
		return 1;
	}
	return 0;
}

/* Options of an IN step. */
static size_t in_options(const struct step *st, uint8_t *o)
{
	size_t n = 0;

	if (st->opt & OPT_MSS)
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0xb4;
	if (st->opt & OPT_SACKOK)
		o[n++] = 1, o[n++] = 1, o[n++] = 4, o[n++] = 2;
	if (st->opt & OPT_WS)
		o[n++] = 1, o[n++] = 3, o[n++] = 3, o[n++] = 7;
	if (st->opt & OPT_TS) {
		o[n++] = 1, o[n++] = 1, o[n++] = 8, o[n++] = 10;
		put32(o + n, st->tsval ? st->tsval : peer_ts++);
		put32(o + n + 4, t_our_tsval);
		n += 8;
	}
	if (st->opt & OPT_SACK) {
		o[n++] = 1, o[n++] = 1, o[n++] = 5, o[n++] = 10;
		put32(o + n, t_our_iss + (uint32_t)st->sack[0]);
		put32(o + n + 4, t_our_iss + (uint32_t)st->sack[1]);
		n += 8;
	}
	return n;
}

static void do_in(const struct step *st)
{
	uint8_t o[TCP_OPT_MAX], data[PITH_FRAME_MAX];
	uint32_t seq = PEER_ISS + (uint32_t)st->seq;
	uint16_t wnd = st->opt & OPT_ZEROWIN ? 0
		       : st->wnd	     ? (uint16_t)st->wnd
					     : 0xffff;

	for (size_t i = 0; i < st->len; i++)
		data[i] = (uint8_t)((seq + (uint32_t)i) * 7);
	tcp_peer_segment(PEER_PORT, st->flags, seq,
			 (st->flags & TH_ACK) ? t_our_iss + (uint32_t)st->ack
					      : 0,
			 o, in_options(st, o), data, st->len, wnd);
	tcp_run_fibers(); /* as the loop runs woken fibers next */
}

static void do_out(const char *name, int i, const struct step *st)
{
	struct tcp_seg s;

	if (!tcp_next_out(&s)) {
		unit_fail(__FILE__, __LINE__, "%s step %d: no segment sent",
			  name, i);
		return;
	}
	if ((s.flags & TH_SYN) && !t_our_iss)
		t_our_iss = s.seq;
	if ((s.flags & (TH_SYN | TH_ACK)) == TH_SYN)
		t_our_port = s.sport; /* an active open: answers go there */
	if (s.flags != st->flags ||
	    (!(st->opt & CHK_ANYSEQ) &&
	     s.seq != t_our_iss + (uint32_t)st->seq) ||
	    ((s.flags & TH_ACK) && s.ack != PEER_ISS + (uint32_t)st->ack) ||
	    s.dlen != st->len || ((st->opt & CHK_SACK) && !s.opt.nsack))
		unit_fail(__FILE__, __LINE__,
			  "%s step %d: sent flags %#x seq %d ack %d len %u%s, "
			  "want flags %#x seq %d ack %d len %u",
			  name, i, s.flags, (int)(s.seq - t_our_iss),
			  (int)(s.ack - PEER_ISS), s.dlen,
			  s.opt.nsack ? " +sack" : "", st->flags, st->seq,
			  st->ack, st->len);
}

void tcp_script(const char *name, const struct step *steps)
{
	struct tcp_seg s;

	for (int i = 0; steps[i].op != S_END; i++) {
		const struct step *st = &steps[i];
		switch (st->op) {
		case S_IN:
			do_in(st);
			break;
		case S_OUT:
			do_out(name, i, st);
			break;
		case S_QUIET:
			if (tcp_next_out(&s))
				unit_fail(
					__FILE__, __LINE__,
					"%s step %d: unexpected segment flags "
					"%#x seq %d len %u",
					name, i, s.flags,
					(int)(s.seq - t_our_iss), s.dlen);
			break;
		case S_WAIT:
			tcp_wait_ms(st->ms);
			break;
		case S_CALL:
			tcp_run_fibers();
			st->fn();
			tcp_run_fibers();
			break;
		case S_END:
			break;
		}
	}
}

void call_accept(void)
{
	if (net_tcp_accept(t_listener, &t_conn, NET_NOWAIT) != 0)
		unit_fail(__FILE__, __LINE__, "nothing to accept");
}

void call_close(void)
{
	net_tcp_close(t_conn);
}

void call_nodelay(void)
{
	net_tcp_set_nodelay(t_conn, 1);
}

void send_n(size_t n)
{
	static uint8_t data[65536];

	CHECK_EQ(net_tcp_send(t_conn, data, n, NET_NOWAIT), (long long)n);
}

void send_10(void)
{
	send_n(10);
}
void send_100(void)
{
	send_n(100);
}
