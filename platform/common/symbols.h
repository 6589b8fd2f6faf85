/* Turning code addresses into "function+offset" for crash reports. */
#ifndef PITH_SYMBOLS_H
#define PITH_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "pith/abi/image.h"

/* Looks ADDR up in the table T of SIZE bytes (untrusted: every offset is
 * checked). Returns the function's name and stores ADDR's offset into it
 * in *OFF, or returns NULL if no function covers ADDR. */
const char *pith_symtab_lookup(const struct pith_symtab *t, size_t size,
			       uint64_t addr, uint64_t *off);

/* The same, in the running image's own table (or in the image a monitor
 * is reporting on: each side provides this). */
const char *pith_symbolize(uint64_t addr, uint64_t *off);

#endif
