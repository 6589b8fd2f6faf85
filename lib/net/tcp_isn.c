/* Secrets of the TCP layer and what is derived from them:
 *
 *   - a boot-time secret: SipHash of the 16 random bytes the platform
 *     gives every image (AT_RANDOM: the kernel's on linux, the monitor's
 *     on the ring-0 targets) mixed with both clocks and the MAC address;
 *   - ISNs per RFC 6528: ISN = M + F(local, remote, secret), M a 4 us
 *     clock, F SipHash-2-4; the timestamp offset of a connection comes
 *     from the same hash (RFC 7323 5.4), so it is fixed per 4-tuple;
 *   - the connection hash key (a peer cannot aim at one chain);
 *   - SYN cookies (used when a listener's SYN queue is full): the ISS
 *     carries a 64-second counter and an index into a table of four
 *     MSS values under a keyed hash, as Linux's do; window scale and SACK
 *     ride in the low six bits of our timestamp when the peer sends
 *     timestamps (without them a cookie connection has neither). */
#include <errno.h>
#include <sys/auxv.h>

#include "tcp_impl.h"

/* Keys of the three uses, derived from the boot secret. */
static uint64_t k_isn[2], k_hash[2], k_cookie[2];
static int secret_ready;

/* MSS values a cookie can carry (the largest not above the peer's). */
static const uint16_t cookie_mss[] = { 536, 1300, 1440, 1460 };
#define COOKIE_MSS_N	  (sizeof cookie_mss / sizeof cookie_mss[0])
#define COOKIE_PERIOD_S	  64 /* the counter's tick */
#define COOKIE_MAX_AGE	  2  /* ticks a cookie stays valid */
#define COOKIE_TS_MASK	  0x3f
#define COOKIE_TS_VALID	  0x20
#define COOKIE_TS_SACK	  0x10
#define COOKIE_TS_NOSCALE 0x0f
#define ISN_CLOCK_NS	  4000 /* RFC 6528's 4 microsecond timer */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1;                                                      \
		v1 = ROTL(v1, 13);                                             \
		v1 ^= v0;                                                      \
		v0 = ROTL(v0, 32);                                             \
		v2 += v3;                                                      \
		v3 = ROTL(v3, 16);                                             \
		v3 ^= v2;                                                      \
		v0 += v3;                                                      \
		v3 = ROTL(v3, 21);                                             \
		v3 ^= v0;                                                      \
		v2 += v1;                                                      \
		v1 = ROTL(v1, 17);                                             \
		v1 ^= v2;                                                      \
		v2 = ROTL(v2, 32);                                             \
	} while (0)

/* SipHash-2-4 of the N words W under key K. */
static uint64_t siphash(const uint64_t k[2], const uint64_t *w, size_t n)
{
	uint64_t v0 = k[0] ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k[1] ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k[0] ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k[1] ^ 0x7465646279746573ULL;
	uint64_t last = (uint64_t)(n * 8) << 56;

	for (size_t i = 0; i < n; i++) {
		v3 ^= w[i];
		SIPROUND;
		SIPROUND;
		v0 ^= w[i];
	}
	v3 ^= last;
	SIPROUND;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static void derive(uint64_t out[2], const uint64_t secret[2], uint64_t label)
{
	uint64_t w[2] = { label, 1 };

	out[0] = siphash(secret, w, 2);
	w[1] = 2;
	out[1] = siphash(secret, w, 2);
}

void tcp_secret_init(void)
{
	static const uint64_t mix[2] = { 0x7069746874637031ULL,
					 0x626f6f7473656564ULL };
	uint64_t w[6] = { 0 }, secret[2];
	const void *random = (const void *)getauxval(AT_RANDOM);

	if (secret_ready)
		return;
	if (random)
		memcpy(w, random, 16);
	w[2] = pith_clock_monotonic();
	w[3] = pith_clock_wall();
	memcpy(&w[4], net_if.mac, ETH_ALEN);
	w[5] = (uint64_t)(uintptr_t)&w; /* where the stack is, if it moves */
	secret[0] = siphash(mix, w, 6);
	w[0] ^= 0x5a5a5a5a5a5a5a5aULL;
	secret[1] = siphash(mix, w, 6);
	derive(k_isn, secret, 1);
	derive(k_hash, secret, 2);
	derive(k_cookie, secret, 3);
	secret_ready = 1;
}

static uint64_t tuple_hash(const uint64_t k[2], uint32_t laddr, uint16_t lport,
			   uint32_t raddr, uint16_t rport, uint64_t extra)
{
	uint64_t w[3] = { (uint64_t)laddr << 32 | raddr,
			  (uint64_t)lport << 16 | rport, extra };

	return siphash(k, w, 3);
}

uint32_t tcp_isn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	uint64_t m = pith_clock_monotonic() / ISN_CLOCK_NS;

	return (uint32_t)m +
	       (uint32_t)tuple_hash(k_isn, laddr, lport, raddr, rport, 0);
}

uint32_t tcp_ts_offset(uint32_t laddr, uint16_t lport, uint32_t raddr,
		       uint16_t rport)
{
	return (uint32_t)(tuple_hash(k_isn, laddr, lport, raddr, rport, 0) >>
			  32);
}

uint64_t tcp_hash_tuple(uint32_t raddr, uint16_t lport, uint16_t rport)
{
	return tuple_hash(k_hash, 0, lport, raddr, rport, 0);
}

static uint32_t cookie_count(void)
{
	return (uint32_t)(pith_clock_monotonic() / NS_PER_S / COOKIE_PERIOD_S);
}

static uint32_t cookie_h(const struct tcp_seg *s, uint32_t laddr,
			 uint32_t raddr, uint32_t count)
{
	return (uint32_t)tuple_hash(k_cookie, laddr, s->dport, raddr, s->sport,
				    count);
}

uint32_t tcp_cookie_make(const struct tcp_seg *syn, uint32_t laddr,
			 uint32_t raddr, uint16_t *mss)
{
	uint32_t count = cookie_count(), idx = 0;
	uint16_t want = syn->opt.has_mss ? syn->opt.mss : TCP_MSS_DEFAULT;

	for (uint32_t i = 0; i < COOKIE_MSS_N; i++)
		if (cookie_mss[i] <= want)
			idx = i;
	*mss = cookie_mss[idx];
	return cookie_h(syn, laddr, raddr, UINT32_MAX) + syn->seq +
	       (count << 24) +
	       ((cookie_h(syn, laddr, raddr, count) + idx) & 0xffffff);
}

int tcp_cookie_check(const struct tcp_seg *ack, uint32_t laddr, uint32_t raddr,
		     uint16_t *mss)
{
	uint32_t diff = ack->ack - 1 - cookie_h(ack, laddr, raddr, UINT32_MAX) -
			(ack->seq - 1);
	uint32_t now = cookie_count(), age = (now - (diff >> 24)) & 0xff, idx;

	if (age >= COOKIE_MAX_AGE)
		return -EINVAL;
	idx = (diff - cookie_h(ack, laddr, raddr, now - age)) & 0xffffff;
	if (idx >= COOKIE_MSS_N)
		return -EINVAL;
	*mss = cookie_mss[idx];
	return 0;
}

uint32_t tcp_cookie_tsval(const struct tcp_opts *o, uint32_t ts)
{
	uint32_t bits =
		COOKIE_TS_VALID | (o->sack_ok ? COOKIE_TS_SACK : 0) |
		(o->has_wscale ? (o->wscale > TCP_WSCALE_MAX ? TCP_WSCALE_MAX
							     : o->wscale)
			       : COOKIE_TS_NOSCALE);
	uint32_t v = (ts & ~(uint32_t)COOKIE_TS_MASK) | bits;

	/* Never ahead of the clock: the peer's PAWS would see time run
	 * backwards at our next segment. */
	return seq_gt(v, ts) ? v - (COOKIE_TS_MASK + 1) : v;
}

void tcp_cookie_tsbits(uint32_t tsecr, uint8_t *wscale, int *sack, int *valid)
{
	*valid = (tsecr & COOKIE_TS_VALID) != 0;
	*sack = (tsecr & COOKIE_TS_SACK) != 0;
	*wscale = (uint8_t)(tsecr & COOKIE_TS_NOSCALE);
}
