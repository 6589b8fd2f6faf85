/* The profiler's table (see profile.h): open addressing over a hash of
 * the stack, linear probing, no deletion. */
#include "profile.h"

#include <string.h>

#include "crash.h"
#include "fmt.h"
#include "symbols.h"

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME  1099511628211ULL
/* Probes before a sample counts as dropped: the table is full enough
 * that a longer search would cost the sampled program more than the
 * sample is worth. */
#define PROBES_MAX 64

static uint64_t function_of(uint64_t pc)
{
	uint64_t off;

	return pith_symbolize(pc, &off) ? pc - off : pc;
}

static unsigned walk(uint64_t rip, uint64_t rsp, uint64_t rbp, uint64_t *pc,
		     int (*peek)(uint64_t, void *, size_t))
{
	struct pith_crash c = { .peek = peek };
	uint64_t frame[2], ret;
	unsigned n = 0;

	pc[n++] = function_of(rip);
	/* A function without a frame (a leaf, or not yet set up) is not in
	 * the chain: its caller's return address is near the stack top. */
	c.regs.rip = rip;
	c.regs.rsp = rsp;
	c.regs.rbp = rbp;
	ret = pith_crash_leaf_return(&c);
	if (ret)
		pc[n++] = function_of(ret - 1);
	while (n < PITH_PROFILE_DEPTH && !(rbp & 7) &&
	       peek(rbp, frame, sizeof frame) == 0 && frame[1]) {
		pc[n++] = function_of(frame[1] - 1);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	return n;
}

void pith_profile_sample(struct pith_profile *p, uint64_t rip, uint64_t rsp,
			 uint64_t rbp,
			 int (*peek)(uint64_t addr, void *buf, size_t len))
{
	uint64_t pc[PITH_PROFILE_DEPTH], h = FNV_OFFSET;
	unsigned n = walk(rip, rsp, rbp, pc, peek);

	p->samples++;
	for (unsigned i = 0; i < n; i++)
		h = (h ^ pc[i]) * FNV_PRIME;
	for (unsigned k = 0; k < PROBES_MAX; k++) {
		struct pith_profile_stack *s =
			&p->stack[(h + k) % PITH_PROFILE_STACKS_MAX];
		if (s->depth == 0) {
			s->hash = h;
			s->depth = n;
			memcpy(s->pc, pc, n * sizeof pc[0]);
		} else if (s->hash != h || s->depth != n ||
			   memcmp(s->pc, pc, n * sizeof pc[0])) {
			continue;
		}
		s->count++;
		return;
	}
	p->dropped++;
}

static void put_frame(struct pith_buf *b, uint64_t pc)
{
	uint64_t off;
	const char *name = pith_symbolize(pc, &off);

	if (name)
		pith_buf_str(b, name);
	else
		pith_buf_hex(b, pc, 0);
}

void pith_profile_write(const struct pith_profile *p,
			void (*out)(const char *s, size_t len))
{
	char line[4096];
	struct pith_buf b;

	for (unsigned i = 0; i < PITH_PROFILE_STACKS_MAX; i++) {
		const struct pith_profile_stack *s = &p->stack[i];
		if (!s->count)
			continue;
		pith_buf_init(&b, line, sizeof line);
		/* Root first: the outermost frame was recorded last. */
		for (unsigned d = s->depth; d-- > 0;) {
			put_frame(&b, s->pc[d]);
			if (d)
				pith_buf_chr(&b, ';');
		}
		pith_buf_chr(&b, ' ');
		pith_buf_udec(&b, s->count);
		pith_buf_chr(&b, '\n');
		out(b.p, b.len);
	}
	if (p->dropped) {
		pith_buf_init(&b, line, sizeof line);
		pith_buf_str(&b, "[other stacks] ");
		pith_buf_udec(&b, p->dropped);
		pith_buf_chr(&b, '\n');
		out(b.p, b.len);
	}
}
