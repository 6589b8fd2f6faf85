/* A scriptable platform for unit tests of code that calls platform.h:
 * captured console, settable clocks, a yield that advances time, and a
 * heap region the test provides. */
#ifndef PITH_FAKE_PLATFORM_H
#define PITH_FAKE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "pith/platform.h"

extern char fake_console[4096];
extern size_t fake_console_len;
extern unsigned fake_console_writes;
extern uint64_t fake_mono, fake_wall;
extern unsigned fake_yields;
extern struct pith_boot_info fake_boot;

/* Forgets captured output and counters; clocks to fixed values. */
void fake_reset(void);

/* A fake network device, "service" (handle 0): frames queued with
 * fake_net_rx are what pith_net_read_batch returns; frames the code
 * writes are kept, in order, for the test to look at. */
#define FAKE_NET_FRAMES 256
extern uint8_t fake_mac[6];
extern size_t fake_mtu;
/* Segmentation offload: 0 (the default), none; else the device's
 * tso_max, and frames written with a gso_size are checked and cut into
 * segments as the contract says (each captured as a frame), counted in
 * fake_net_tso_frames. */
extern size_t fake_tso_max;
extern unsigned fake_net_tx_count, fake_net_tso_frames;
/* The flags pith_net_read_batch gives every frame (PITH_FRAME_CSUM_OK:
 * the device vouches for the checksums); 0 by default. */
extern unsigned fake_rx_flags;
void fake_net_reset(void);
int fake_net_rx(const void *frame, size_t len);
const uint8_t *fake_net_tx(unsigned i, size_t *len);

/* Symbols for pith_symbolize: a sorted array ending with a NULL name. */
struct fake_sym {
	uint64_t addr, size;
	const char *name;
};
extern const struct fake_sym *fake_syms;

#endif
