/* Packet buffers: a fixed pool of equal buffers, each big enough for one
 * frame behind NET_HEADROOM bytes of headroom, allocated once at start;
 * plus heap buffers for datagrams larger than a frame (reassembly and
 * its replies), capped at NET_HEAP_MEM_MAX bytes. Running out of either
 * is a counted drop in the caller, never a crash. The last
 * NET_POOL_RESERVE pool buffers are kept for input, so queues that fill
 * up cannot stop the stack from reading. On a device with segmentation
 * offload, up to NET_TSO_BUFS buffers of one 64 KiB TCP frame each, made
 * on first use and kept for the next. */
#include <errno.h>
#include <stdlib.h>

#include "impl.h"
#include "pith/param.h"

static struct {
	struct pbuf *free; /* free list */
	unsigned count, nfree, nfree_min;
	size_t size; /* bytes per pool buffer */
	size_t heap_bytes, heap_max;
	void *mem;
	struct pbuf *tso_free; /* free TSO buffers */
	unsigned tso_made;     /* TSO buffers allocated so far */
	struct pbuf *tso_all[NET_TSO_BUFS];
} pool;

int pbuf_pool_init(unsigned count, size_t frame)
{
	size_t size = NET_HEADROOM + frame;
	/* Each buffer starts on a cache line. */
	size_t one = (sizeof(struct pbuf) + size + 63) & ~(size_t)63;
	unsigned char *m;

	free(pool.mem);
	for (unsigned i = 0; i < pool.tso_made; i++)
		free(pool.tso_all[i]);
	memset(&pool, 0, sizeof pool);
	m = malloc(one * count);
	if (!m)
		return -ENOMEM;
	pool.mem = m;
	pool.size = size;
	for (unsigned i = 0; i < count; i++) {
		struct pbuf *p = (struct pbuf *)(void *)(m + i * one);
		p->base = (uint8_t *)(p + 1);
		p->cap = size;
		p->heap = 0;
		p->tso = 0;
		p->next = pool.free;
		pool.free = p;
	}
	pool.count = pool.nfree = pool.nfree_min = count;
	return 0;
}

static struct pbuf *prepare(struct pbuf *p)
{
	p->next = 0;
	p->data = p->base + NET_HEADROOM;
	p->len = 0;
	p->ip = 0;
	p->src = p->dst = 0;
	p->sport = p->frag_off = 0;
	p->frag_more = 0;
	p->stamp = 0;
	p->gso_size = 0;
	p->csum_ok = 0;
	return p;
}

int pbuf_may_keep(void)
{
	return pool.nfree > NET_POOL_RESERVE;
}

struct pbuf *pbuf_alloc(int reserve)
{
	struct pbuf *p = pool.free;

	if (!p || (!reserve && !pbuf_may_keep()))
		return 0;
	pool.free = p->next;
	if (--pool.nfree < pool.nfree_min)
		pool.nfree_min = pool.nfree;
	return prepare(p);
}

/* A buffer of SIZE bytes behind the headroom from malloc, with the
 * given kind (heap: freed on pbuf_free; tso: kept), or NULL. */
static struct pbuf *malloced(size_t size, uint8_t heap, uint8_t tso)
{
	struct pbuf *p = malloc(sizeof(struct pbuf) + NET_HEADROOM + size);

	if (!p)
		return 0;
	p->base = (uint8_t *)(p + 1);
	p->cap = NET_HEADROOM + size;
	p->heap = heap;
	p->tso = tso;
	return p;
}

struct pbuf *pbuf_alloc_heap(size_t size)
{
	size_t total = sizeof(struct pbuf) + NET_HEADROOM + size;
	struct pbuf *p;

	if (size > NET_HEAP_MEM_MAX ||
	    pool.heap_bytes + total > NET_HEAP_MEM_MAX)
		return 0;
	if (!(p = malloced(size, 1, 0)))
		return 0;
	pool.heap_bytes += total;
	if (pool.heap_bytes > pool.heap_max)
		pool.heap_max = pool.heap_bytes;
	return prepare(p);
}

struct pbuf *pbuf_alloc_tso(void)
{
	struct pbuf *p = pool.tso_free;

	if (p) {
		pool.tso_free = p->next;
		return prepare(p);
	}
	if (pool.tso_made == NET_TSO_BUFS)
		return 0;
	if (!(p = malloced(PITH_TSO_FRAME_MAX, 0, 1)))
		return 0;
	pool.tso_all[pool.tso_made++] = p;
	return prepare(p);
}

void pbuf_free(struct pbuf *p)
{
	if (!p)
		return;
	if (p->tso) {
		p->next = pool.tso_free;
		pool.tso_free = p;
		return;
	}
	if (p->heap) {
		pool.heap_bytes -= sizeof(struct pbuf) + p->cap;
		free(p);
		return;
	}
	p->next = pool.free;
	pool.free = p;
	pool.nfree++;
}

void pbuf_free_list(struct pbuf *p)
{
	while (p) {
		struct pbuf *next = p->next;
		pbuf_free(p);
		p = next;
	}
}

void pbuf_mem(struct net_mem *m)
{
	m->pbufs = pool.count;
	m->pbufs_free = pool.nfree;
	m->pbufs_free_min = pool.nfree_min;
	m->heap_bytes = pool.heap_bytes;
	m->heap_bytes_max = pool.heap_max;
}
