/* 100,000 malloc/free (and realloc, calloc) of random sizes, each block
 * filled with a pattern derived from its address and checked before it
 * is freed. Sizes go up to 256 KiB, so both musl's small-object groups
 * and its mmap path (served by lib/posix) are exercised. Then memory is
 * exhausted on purpose: malloc must return NULL, not crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS  512
#define ROUNDS 100000

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t random_size(void)
{
	uint64_t r = next();

	/* Mostly small, some medium, a few large. */
	switch (r % 16) {
	case 0:
		return 1 + (r >> 8) % (256 << 10);
	case 1:
	case 2:
		return 1 + (r >> 8) % 8192;
	default:
		return 1 + (r >> 8) % 256;
	}
}

static void fill(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(((uintptr_t)p >> 4) + i * 7);
}

static int intact(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(((uintptr_t)p >> 4) + i * 7))
			return 0;
	return 1;
}

static int zeroed(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	static unsigned char *slot[SLOTS];
	static size_t size[SLOTS];
	unsigned long ops = 0, reallocs = 0;
	size_t exhausted = 0;

	for (int round = 0; round < ROUNDS; round++) {
		int k = (int)(next() % SLOTS);
		if (slot[k]) {
			if (!intact(slot[k], size[k])) {
				printf("malloc: block %d corrupted\n", k);
				return 1;
			}
			if (next() % 8 == 0) {
				size_t n = random_size();
				uintptr_t old = (uintptr_t)slot[k];
				unsigned char *q = realloc(slot[k], n);
				size_t keep = n < size[k] ? n : size[k];
				if (!q) {
					printf("malloc: realloc failed\n");
					return 1;
				}
				/* The kept prefix moved with the block. */
				for (size_t i = 0; i < keep; i++)
					if (q[i] != (unsigned char)((old >> 4) +
								    i * 7)) {
						printf("malloc: realloc lost "
						       "data\n");
						return 1;
					}
				slot[k] = q;
				size[k] = n;
				fill(q, n);
				reallocs++;
				continue;
			}
			free(slot[k]);
			slot[k] = 0;
		} else {
			size[k] = random_size();
			if (next() % 4 == 0) {
				slot[k] = calloc(1, size[k]);
				if (slot[k] && !zeroed(slot[k], size[k])) {
					printf("malloc: calloc not zeroed\n");
					return 1;
				}
			} else
				slot[k] = malloc(size[k]);
			if (!slot[k]) {
				printf("malloc: out of memory at %zu bytes\n",
				       size[k]);
				return 1;
			}
			fill(slot[k], size[k]);
		}
		ops++;
	}
	for (int k = 0; k < SLOTS; k++)
		free(slot[k]);
	/* Exhaust the heap: every request must fail cleanly at the end. */
	for (void *p; (p = malloc(1 << 20)) != 0;)
		exhausted++;
	printf("malloc: %lu operations (%lu reallocs) ok; %zu MiB until "
	       "malloc returned NULL\n",
	       ops, reallocs, exhausted);
	return 0;
}
