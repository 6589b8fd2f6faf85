/* The send buffer: a list of blocks holding every byte from snd_una (or
 * the first byte after our SYN) to the end of what the application
 * queued, in order. A block is either copied (net_tcp_send: the bytes
 * live in the block, allocated as needed and freed once acknowledged) or
 * referenced (net_tcp_send_ref: the block points at the application's
 * immutable bytes, which are read again for every segment that carries
 * them, first transmission or retransmission). An idle connection holds
 * no block.
 *
 * When the peer acknowledges the last byte of a referenced block, its
 * DONE callback is owed; callbacks are collected on one list and run at
 * the start of the next flush, on the loop's stack, after the stack is
 * done with the connection (so a callback may send, close or abort). */
#include <errno.h>
#include <stdlib.h>

#include "tcp_impl.h"

/* Copied blocks: a small reply fits a small one, more takes big ones. */
#define SBLK_MIN TCP_BLOCK_SMALL
#define SBLK_MAX TCP_BLOCK_BIG

/* Referenced blocks whose callbacks are owed, and their statuses. */
static struct tcp_sblk *owed_head, *owed_tail;

static size_t sblk_bytes(const struct tcp_sblk *b)
{
	return sizeof *b + b->cap;
}

size_t tcp_snd_space(const struct net_tcp *c)
{
	size_t space, global, headers;

	if ((c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT) ||
	    (c->flags & TF_SHUT_WR))
		return 0;
	space = NET_TCP_SNDBUF > c->sq_mem ? NET_TCP_SNDBUF - c->sq_mem : 0;
	global = NET_TCP_MEM_MAX > tcp.mem ? NET_TCP_MEM_MAX - tcp.mem : 0;
	space = space < global ? space : global;
	/* What fits once the blocks' own headers are paid for: a promise
	 * that net_tcp_send takes all of it. */
	headers = (space / SBLK_MAX + 2) * sizeof(struct tcp_sblk);
	return space > headers ? space - headers : 0;
}

/* Bytes a new block may hold now. */
static size_t block_space(const struct net_tcp *c)
{
	size_t space =
		NET_TCP_SNDBUF > c->sq_mem ? NET_TCP_SNDBUF - c->sq_mem : 0;
	size_t global =
		NET_TCP_MEM_MAX > tcp.mem ? NET_TCP_MEM_MAX - tcp.mem : 0;

	space = space < global ? space : global;
	return space > sizeof(struct tcp_sblk) ? space - sizeof(struct tcp_sblk)
					       : 0;
}

static void append(struct net_tcp *c, struct tcp_sblk *b)
{
	b->next = 0;
	if (c->sq_tail)
		c->sq_tail->next = b;
	else
		c->sq_head = b;
	c->sq_tail = b;
	c->sq_mem += (uint32_t)sblk_bytes(b);
	tcp_mem_add((long)sblk_bytes(b));
}

size_t tcp_snd_copy_in(struct net_tcp *c, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct tcp_sblk *b = c->sq_tail;
		size_t room =
			b && b->cap
				? b->cap - (size_t)(b->data - b->own) - b->len
				: 0;
		if (room == 0) {
			size_t want =
				len - done <= SBLK_MIN ? SBLK_MIN : SBLK_MAX;
			size_t space = block_space(c);
			if (want > space)
				want = space;
			if (want == 0 || !(b = tcp_block_get(sizeof *b, want)))
				break;
			b->data = b->own;
			b->len = 0;
			b->cap = (uint32_t)want;
			b->done = 0;
			b->arg = 0;
			append(c, b);
			room = want;
		}
		if (room > len - done)
			room = len - done;
		memcpy(b->own + (b->data - b->own) + b->len, buf + done, room);
		b->len += (uint32_t)room;
		done += room;
	}
	c->sq_len += (uint32_t)done;
	return done;
}

int tcp_snd_ref(struct net_tcp *c, const void *buf, size_t len,
		void (*done)(void *, int), void *arg)
{
	struct tcp_sblk *b;

	if (c->refs >= NET_TCP_REFS_MAX || len > UINT32_MAX / 2)
		return -ENOBUFS;
	b = malloc(sizeof *b);
	if (!b)
		return -ENOBUFS;
	b->data = buf;
	b->len = (uint32_t)len;
	b->cap = 0;
	b->done = done;
	b->arg = arg;
	append(c, b);
	c->refs++;
	c->sq_len += (uint32_t)len;
	return 0;
}

void tcp_snd_copy_out(struct net_tcp *c, uint32_t seq, uint8_t *dst, size_t n)
{
	uint32_t off = seq - c->sq_seq;
	const struct tcp_sblk *b = c->sq_head;

	while (b && off >= b->len) {
		off -= b->len;
		b = b->next;
	}
	while (b && n) {
		size_t take = b->len - off < n ? b->len - off : n;
		memcpy(dst, b->data + off, take);
		dst += take;
		n -= take;
		off = 0;
		b = b->next;
	}
}

/* Takes B (already unlinked) off C's books: a copied block is freed, a
 * referenced one is owed its callback with STATUS. */
static void release(struct net_tcp *c, struct tcp_sblk *b, int status)
{
	c->sq_mem -= (uint32_t)sblk_bytes(b);
	tcp_mem_add(-(long)sblk_bytes(b));
	if (b->cap || !b->done) {
		if (!b->cap)
			c->refs--;
		tcp_block_put(b, b->cap);
		return;
	}
	c->refs--;
	b->len = (uint32_t)status; /* the block now carries its status */
	b->next = 0;
	if (owed_tail)
		owed_tail->next = b;
	else
		owed_head = b;
	owed_tail = b;
}

void tcp_snd_acked(struct net_tcp *c, uint32_t n)
{
	c->sq_seq += n;
	c->sq_len -= n;
	while (n && c->sq_head) {
		struct tcp_sblk *b = c->sq_head;
		uint32_t take = b->len < n ? b->len : n;
		b->data += take;
		b->len -= take;
		n -= take;
		if (b->len == 0) {
			c->sq_head = b->next;
			if (!c->sq_head)
				c->sq_tail = 0;
			release(c, b, 0);
		}
	}
}

void tcp_snd_free(struct net_tcp *c, int status)
{
	while (c->sq_head) {
		struct tcp_sblk *b = c->sq_head;
		c->sq_head = b->next;
		release(c, b, status);
	}
	c->sq_tail = 0;
	c->sq_seq += c->sq_len;
	c->sq_len = 0;
}

/* Runs the callbacks owed (tcp_flush calls it first). */
void tcp_snd_run_callbacks(void)
{
	while (owed_head) {
		struct tcp_sblk *b = owed_head;
		owed_head = b->next;
		if (!owed_head)
			owed_tail = 0;
		b->done(b->arg, (int)b->len);
		free(b);
	}
}
