/* Software segmentation for the test tools (see gso.h). Written apart
 * from lib/net, with sums of its own, so that it checks the stack's
 * frames rather than agreeing with them. */
#include "gso.h"

#include <string.h>

static unsigned be16(const uint8_t *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

static void set16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 1071 running sum. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		s += be16(p);
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static unsigned fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* TCP's pseudo-header sum for the IP header at IP and LEN bytes. */
static uint32_t pseudo(const uint8_t *ip, size_t len)
{
	return sum16(0, ip + 12, 8) + 6 + (uint32_t)len;
}

void gso_csum_complete(uint8_t *f, size_t len, size_t start, size_t offset)
{
	if (start + offset + 2 <= len)
		set16(f + start + offset,
		      ~fold(sum16(0, f + start, len - start)) & 0xffff);
}

int gso_segment(const uint8_t *f, size_t len, size_t gso_size, size_t mtu,
		void (*out)(void *ctx, const uint8_t *seg, size_t len),
		void *ctx)
{
	static uint8_t o[GSO_SEG_MAX];
	const uint8_t *ip = f + 14, *th;
	size_t ihl, thl, hl, pay;
	uint32_t seq;
	int k = 0;

	if (len < 14 + 40 || be16(f + 12) != 0x0800 || ip[0] >> 4 != 4 ||
	    ip[9] != 6)
		return -1;
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ihl < 20 || 14 + ihl + 20 > len || be16(ip + 2) != len - 14 ||
	    (be16(ip + 6) & 0x3fff) || fold(sum16(0, ip, ihl)) != 0xffff)
		return -1;
	th = ip + ihl;
	thl = (size_t)(th[12] >> 4) * 4;
	hl = 14 + ihl + thl;
	if (thl < 20 || hl > len || !gso_size || gso_size + ihl + thl > mtu ||
	    14 + mtu > GSO_SEG_MAX ||
	    be16(th + 16) != fold(pseudo(ip, len - 14 - ihl)))
		return -1;
	pay = len - hl;
	seq = (uint32_t)be16(th + 4) << 16 | be16(th + 6);
	for (size_t off = 0; off < pay || (off == 0 && pay == 0);
	     off += gso_size, k++) {
		size_t n = pay - off < gso_size ? pay - off : gso_size;
		uint8_t *oip = o + 14, *oth = oip + ihl;
		uint32_t s = seq + (uint32_t)off;

		memcpy(o, f, hl);
		memcpy(o + hl, f + hl + off, n);
		set16(oip + 2, (unsigned)(ihl + thl + n));
		set16(oip + 4, (be16(ip + 4) + (unsigned)k) & 0xffff);
		set16(oip + 10, 0);
		set16(oip + 10, ~fold(sum16(0, oip, ihl)) & 0xffff);
		set16(oth + 4, s >> 16);
		set16(oth + 6, s & 0xffff);
		if (off + n < pay)
			oth[13] &= (uint8_t)~0x09; /* FIN, PSH: the last only */
		set16(oth + 16, 0);
		set16(oth + 16,
		      ~fold(sum16(pseudo(oip, thl + n), oth, thl + n)) &
			      0xffff);
		out(ctx, o, hl + n);
		if (pay == 0)
			return 1;
	}
	return k;
}
