/* pith_symbolize() for pith itself (platform/common/symbols.h): the
 * function names of the image pith run is debugging, from the symbol
 * table the build embeds in it (its PITH_NOTE_SYMTAB note says where),
 * read from the file: the profiler of virtio images names samples with
 * it, and its stack walk finds frameless functions by their starts. */
#include <string.h>

#include "../../platform/common/symbols.h"
#include "pith.h"

static const struct pith_symtab *table;
static size_t table_size;

void image_symbols_use(const struct image *img)
{
	const struct elf_file *f = &img->elf;
	struct pith_note_symtab n;
	const void *desc;
	size_t len;

	table = 0;
	if (elf_pith_note(f, PITH_NOTE_SYMTAB, &desc, &len) < 0 ||
	    len != sizeof n)
		return;
	memcpy(&n, desc, sizeof n);
	for (unsigned i = 0; n.end > n.start && i < f->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &f->ph[i];
		uint64_t size = n.end - n.start;

		if (p->p_type != PT_LOAD || p->p_offset > f->size ||
		    p->p_filesz > f->size - p->p_offset ||
		    n.start < p->p_vaddr ||
		    n.start - p->p_vaddr > p->p_filesz ||
		    size > p->p_filesz - (n.start - p->p_vaddr) ||
		    (p->p_offset + (n.start - p->p_vaddr)) % 8)
			continue;
		table = (const void *)(f->data + p->p_offset +
				       (n.start - p->p_vaddr));
		table_size = size;
		return;
	}
}

const char *pith_symbolize(uint64_t addr, uint64_t *off)
{
	return table ? pith_symtab_lookup(table, table_size, addr, off) : 0;
}
