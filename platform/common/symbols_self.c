/* Symbolization inside a running image, from the .pith_syms table the
 * build embedded (empty in the first link, which nothing runs). */
#include "symbols.h"

extern const char __pith_syms_start[], __pith_syms_end[];

const char *pith_symbolize(uint64_t addr, uint64_t *off)
{
	return pith_symtab_lookup((const struct pith_symtab *)__pith_syms_start,
				  (size_t)(__pith_syms_end - __pith_syms_start),
				  addr, off);
}
