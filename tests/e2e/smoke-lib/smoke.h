/* Helpers for the bare smoke appliances: line-buffered console output
 * and a few string functions, with no libc and no SSE. Each line is one
 * console call (one VM exit on kvm). */
#ifndef PITH_SMOKE_H
#define PITH_SMOKE_H

#include <stdint.h>

#include "pith/platform.h"

void smoke_put(const char *s);
void smoke_put_u64(uint64_t v);
void smoke_put_hex(uint64_t v);
/* Writes what is buffered (a line is written when it ends). */
void smoke_flush(void);
int smoke_streq(const char *a, const char *b);
/* Decimal digits to a number; 0 for anything else. */
uint64_t smoke_atou(const char *s);

#endif
