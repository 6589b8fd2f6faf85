/* Symbol lookup over the table the build embeds in each image (see
 * include/pith/abi/image.h). The table is checked as it is read, because
 * the monitor reads it from an image it does not trust. */
#include "symbols.h"

static const char *name_at(const struct pith_symtab *t, size_t size,
			   uint32_t off)
{
	const char *base = (const char *)t;

	if (off < t->names || off >= size)
		return 0;
	for (size_t i = off; i < size; i++)
		if (base[i] == '\0')
			return base + off;
	return 0;
}

const char *pith_symtab_lookup(const struct pith_symtab *t, size_t size,
			       uint64_t addr, uint64_t *off)
{
	const struct pith_sym *s = (const struct pith_sym *)(t + 1);
	size_t lo = 0, hi;

	if (!t || size < sizeof *t || t->magic != PITH_SYMTAB_MAGIC ||
	    t->size > size || t->count > (size - sizeof *t) / sizeof *s ||
	    t->names < sizeof *t + (size_t)t->count * sizeof *s)
		return 0;
	size = t->size;
	hi = t->count;
	/* Find the last symbol whose address is <= ADDR. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	s += lo - 1;
	if (s->size && addr - s->addr >= s->size)
		return 0;
	*off = addr - s->addr;
	return name_at(t, size, s->name);
}
