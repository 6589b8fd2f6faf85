/* The fake platform of the unit tests (see fake_platform.h). */
#include "fake_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/gso.h"
#include "pith/param.h"
#include "symbols.h"

char fake_console[4096];
size_t fake_console_len;
unsigned fake_console_writes;
uint64_t fake_mono, fake_wall;
unsigned fake_yields;
struct pith_boot_info fake_boot;
const struct fake_sym *fake_syms;

void fake_reset(void)
{
	fake_console_len = 0;
	fake_console[0] = '\0';
	fake_console_writes = 0;
	fake_mono = 1000000000ULL;
	fake_wall = 1700000000ULL * 1000000000ULL + 123456789ULL;
	fake_yields = 0;
}

void pith_console_write(const char *buf, size_t len)
{
	size_t room = sizeof fake_console - 1 - fake_console_len;

	fake_console_writes++;
	if (len > room)
		len = room;
	memcpy(fake_console + fake_console_len, buf, len);
	fake_console_len += len;
	fake_console[fake_console_len] = '\0';
}

uint64_t pith_clock_monotonic(void)
{
	return fake_mono;
}

uint64_t pith_clock_wall(void)
{
	return fake_wall;
}

/* Sleeping takes no time in a test: the clock jumps to the deadline. */
void pith_yield(uint64_t deadline, pith_handle_set *ready)
{
	fake_yields++;
	if (deadline > fake_mono) {
		fake_wall += deadline - fake_mono;
		fake_mono = deadline;
	}
	*ready = 0;
}

const struct pith_boot_info *pith_boot_info(void)
{
	return &fake_boot;
}

_Noreturn void pith_exit(int status)
{
	fprintf(stderr, "unexpected pith_exit(%d) in a unit test\n", status);
	abort();
}

_Noreturn void pith_abort(const char *reason)
{
	fprintf(stderr, "unexpected pith_abort(%s) in a unit test\n", reason);
	abort();
}

const char *pith_symbolize(uint64_t addr, uint64_t *off)
{
	for (const struct fake_sym *s = fake_syms; s && s->name; s++)
		if (addr >= s->addr && addr - s->addr < s->size) {
			*off = addr - s->addr;
			return s->name;
		}
	return 0;
}

/* --- The fake network device ------------------------------------------ */

uint8_t fake_mac[6] = { 0x02, 0, 0, 0, 0, 1 };
size_t fake_mtu = 1500;
size_t fake_tso_max;
unsigned fake_net_tx_count, fake_net_tso_frames;
unsigned fake_rx_flags;
static uint8_t rx_frames[FAKE_NET_FRAMES][PITH_FRAME_MAX];
static size_t rx_len[FAKE_NET_FRAMES];
static unsigned rx_head, rx_count;
static uint8_t tx_frames[FAKE_NET_FRAMES][PITH_FRAME_MAX];
static size_t tx_len[FAKE_NET_FRAMES];

void fake_net_reset(void)
{
	rx_head = rx_count = 0;
	fake_net_tx_count = fake_net_tso_frames = 0;
}

int fake_net_rx(const void *frame, size_t len)
{
	unsigned i = (rx_head + rx_count) % FAKE_NET_FRAMES;

	if (rx_count == FAKE_NET_FRAMES || len > PITH_FRAME_MAX)
		return -1;
	memcpy(rx_frames[i], frame, len);
	rx_len[i] = len;
	rx_count++;
	return 0;
}

const uint8_t *fake_net_tx(unsigned i, size_t *len)
{
	if (i >= fake_net_tx_count || i >= FAKE_NET_FRAMES)
		return 0;
	*len = tx_len[i];
	return tx_frames[i];
}

enum pith_result pith_net_acquire(const char *name, pith_handle *h)
{
	if (strcmp(name, "service"))
		return PITH_EINVAL;
	*h = 0;
	return PITH_OK;
}

enum pith_result pith_net_info(pith_handle h, struct pith_net_info *info)
{
	if (h != 0)
		return PITH_EINVAL;
	memcpy(info->mac, fake_mac, 6);
	info->mtu = fake_mtu;
	info->tso_max = fake_tso_max;
	return PITH_OK;
}

enum pith_result pith_net_read_batch(pith_handle h, struct pith_frame *frames,
				     size_t n, size_t *done)
{
	*done = 0;
	if (h != 0)
		return PITH_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (frames[i].cap < fake_mtu + 14)
			return PITH_EINVAL;
	while (*done < n && rx_count) {
		struct pith_frame *f = &frames[*done];
		/* A frame longer than the buffer is cut, as tap reads do. */
		f->len = rx_len[rx_head] < f->cap ? rx_len[rx_head] : f->cap;
		memcpy(f->buf, rx_frames[rx_head], f->len);
		f->flags = fake_rx_flags;
		rx_head = (rx_head + 1) % FAKE_NET_FRAMES;
		rx_count--;
		++*done;
	}
	return *done ? PITH_OK : PITH_AGAIN;
}

/* A segment cut by the software segmentation offload: captured. */
static void capture(void *ctx, const uint8_t *seg, size_t len)
{
	(void)ctx;
	if (fake_net_tx_count < FAKE_NET_FRAMES) {
		memcpy(tx_frames[fake_net_tx_count], seg, len);
		tx_len[fake_net_tx_count] = len;
	}
	fake_net_tx_count++;
}

/* A TSO frame, cut as the contract says the host cuts it (gso.c checks
 * it is one). */
static int tso_segment(const struct pith_frame *f)
{
	if (!fake_tso_max || f->len > fake_tso_max ||
	    gso_segment(f->buf, f->len, f->gso_size, fake_mtu, capture, 0) < 0)
		return -1;
	fake_net_tso_frames++;
	return 0;
}

enum pith_result pith_net_write_batch(pith_handle h,
				      const struct pith_frame *frames, size_t n,
				      size_t *done)
{
	if (h != 0)
		return PITH_EINVAL;
	for (*done = 0; *done < n; ++*done) {
		const struct pith_frame *f = &frames[*done];
		if (f->gso_size) {
			if (tso_segment(f) < 0)
				return PITH_EINVAL;
			continue;
		}
		if (f->len < 14 || f->len > fake_mtu + 14)
			return PITH_EINVAL;
		if (fake_net_tx_count < FAKE_NET_FRAMES) {
			memcpy(tx_frames[fake_net_tx_count], f->buf, f->len);
			tx_len[fake_net_tx_count] = f->len;
		}
		fake_net_tx_count++;
	}
	return PITH_OK;
}
