/* The fake platform of the unit tests (see fake_platform.h). */
#include "fake_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
