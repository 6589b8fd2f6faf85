/* The sampling profiler's table, shared by the linux target (samples
 * taken in its SIGPROF handler) and the kvm monitor (samples of the
 * guest taken when a timer signal interrupts KVM_RUN). A sample is the
 * instruction pointer and the frame-pointer chain above it, each address
 * reduced to the start of its function; equal stacks share a counter.
 * At the end the table is written as folded stacks, the input format of
 * Brendan Gregg's flamegraph.pl and of `pith profile`:
 *
 *     main;work;inner 312
 *
 * Everything here is async-signal-safe and allocation-free. */
#ifndef PITH_PROFILE_H
#define PITH_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "pith/param.h"

struct pith_profile_stack {
	uint64_t hash;
	uint32_t count;
	uint32_t depth; /* 0: the slot is free */
	uint64_t pc[PITH_PROFILE_DEPTH];
};

struct pith_profile {
	uint64_t samples; /* all samples taken */
	uint64_t dropped; /* samples of stacks that found no free slot */
	struct pith_profile_stack stack[PITH_PROFILE_STACKS_MAX];
};

/* Records one sample at RIP with stack pointer RSP and frame pointer
 * RBP; frames are read with PEEK (0, or -1 where the memory may not be
 * read), which bounds the walk to the program's stacks and code. */
void pith_profile_sample(struct pith_profile *p, uint64_t rip, uint64_t rsp,
			 uint64_t rbp,
			 int (*peek)(uint64_t addr, void *buf, size_t len));

/* Writes the folded stacks through OUT, names from pith_symbolize(). */
void pith_profile_write(const struct pith_profile *p,
			void (*out)(const char *s, size_t len));

#endif
