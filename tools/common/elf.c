/* Bounds-checked ELF reading for the host tools (see elf.h). */
#include "elf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NOTE_OWNER "PITH"

static int fits(const struct elf_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

static int refuse(char *err, size_t n, const char *why)
{
	snprintf(err, n, "%s", why);
	return -1;
}

static int read_all(const char *path, struct elf_file *f, char *err,
		    size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;

	if (!fp || fstat(fileno(fp), &st) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (fp)
			fclose(fp);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size > ELF_FILE_MAX) {
		fclose(fp);
		return refuse(err, errlen,
			      S_ISREG(st.st_mode) ? "larger than 256 MiB"
						  : "not a regular file");
	}
	f->size = (size_t)st.st_size;
	f->data = malloc(f->size ? f->size : 1);
	if (!f->data || fread(f->data, 1, f->size, fp) != f->size) {
		fclose(fp);
		return refuse(err, errlen, "cannot read the file");
	}
	fclose(fp);
	return 0;
}

static int check_header(struct elf_file *f, char *err, size_t n)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->data;

	if (f->size < 4 || memcmp(f->data, ELFMAG, SELFMAG) != 0)
		return refuse(err, n, "not an ELF file");
	if (f->size < sizeof *eh)
		return refuse(err, n, "truncated ELF header");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return refuse(err, n, "not a 64-bit ELF file");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return refuse(err, n, "not a little-endian ELF file");
	if (eh->e_machine != EM_X86_64)
		return refuse(err, n, "not an x86_64 ELF file");
	if (eh->e_type != ET_EXEC)
		return refuse(err, n, "not an ELF executable");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    !fits(f, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)) ||
	    eh->e_phoff % 8)
		return refuse(err, n, "program header table outside the file");
	f->eh = eh;
	f->ph = (const Elf64_Phdr *)(f->data + eh->e_phoff);
	f->sh = 0;
	if (eh->e_shnum && eh->e_shentsize == sizeof(Elf64_Shdr) &&
	    fits(f, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) &&
	    eh->e_shoff % 8 == 0 && eh->e_shstrndx < eh->e_shnum)
		f->sh = (const Elf64_Shdr *)(f->data + eh->e_shoff);
	return 0;
}

int elf_open(const char *path, struct elf_file *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	if (read_all(path, f, err, errlen) < 0) {
		elf_close(f);
		return -1;
	}
	return elf_use(f, path, f->data, f->size, err, errlen);
}

int elf_use(struct elf_file *f, const char *path, unsigned char *data,
	    size_t size, char *err, size_t errlen)
{
	f->path = path;
	f->data = data;
	f->size = size;
	if (check_header(f, err, errlen) < 0) {
		elf_close(f);
		return -1;
	}
	return 0;
}

void elf_close(struct elf_file *f)
{
	free(f->data);
	f->data = 0;
}

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~3ULL;
}

/* Searches one PT_NOTE segment's [off, off + len) for the note. */
static int note_in(const struct elf_file *f, uint64_t off, uint64_t len,
		   uint32_t type, const void **desc, size_t *dlen)
{
	uint64_t end = off + len;

	while (end - off >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(f->data + off);
		uint64_t name = off + sizeof *nh;
		uint64_t d = name + align4(nh->n_namesz);
		uint64_t next = d + align4(nh->n_descsz);

		if (nh->n_namesz > len || nh->n_descsz > len || next > end)
			return -1;
		if (nh->n_type == type && nh->n_namesz == sizeof NOTE_OWNER &&
		    memcmp(f->data + name, NOTE_OWNER, sizeof NOTE_OWNER) ==
			    0) {
			*desc = f->data + d;
			*dlen = nh->n_descsz;
			return 0;
		}
		off = next;
	}
	return -1;
}

int elf_pith_note(const struct elf_file *f, uint32_t type, const void **desc,
		  size_t *len)
{
	for (unsigned i = 0; i < f->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &f->ph[i];

		if (p->p_type != PT_NOTE || p->p_offset % 4 ||
		    !fits(f, p->p_offset, p->p_filesz))
			continue;
		if (note_in(f, p->p_offset, p->p_filesz, type, desc, len) == 0)
			return 0;
	}
	return -1;
}

static const char *section_name(const struct elf_file *f, uint32_t off)
{
	const Elf64_Shdr *strs = &f->sh[f->eh->e_shstrndx];

	if (strs->sh_type != SHT_STRTAB ||
	    !fits(f, strs->sh_offset, strs->sh_size) || off >= strs->sh_size ||
	    !memchr(f->data + strs->sh_offset + off, 0, strs->sh_size - off))
		return 0;
	return (const char *)f->data + strs->sh_offset + off;
}

const Elf64_Shdr *elf_section(const struct elf_file *f, const char *name)
{
	if (!f->sh)
		return 0;
	for (unsigned i = 0; i < f->eh->e_shnum; i++) {
		const char *n = section_name(f, f->sh[i].sh_name);
		if (n && strcmp(n, name) == 0 &&
		    (f->sh[i].sh_type == SHT_NOBITS ||
		     fits(f, f->sh[i].sh_offset, f->sh[i].sh_size)))
			return &f->sh[i];
	}
	return 0;
}

int elf_functions(const struct elf_file *f,
		  int (*fn)(void *, const struct elf_func *), void *ctx)
{
	const Elf64_Shdr *st = elf_section(f, ".symtab");
	const Elf64_Shdr *ss = elf_section(f, ".strtab");

	if (!st || !ss || st->sh_type != SHT_SYMTAB || st->sh_offset % 8 ||
	    st->sh_entsize != sizeof(Elf64_Sym))
		return -1;
	const Elf64_Sym *sym = (const Elf64_Sym *)(f->data + st->sh_offset);
	const char *str = (const char *)f->data + ss->sh_offset;
	size_t n = st->sh_size / sizeof *sym;

	for (size_t i = 0; i < n; i++) {
		if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC ||
		    sym[i].st_shndx == SHN_UNDEF ||
		    sym[i].st_name >= ss->sh_size ||
		    !memchr(str + sym[i].st_name, 0,
			    ss->sh_size - sym[i].st_name))
			continue;
		int bind = ELF64_ST_BIND(sym[i].st_info);
		struct elf_func func = {
			str + sym[i].st_name, sym[i].st_value, sym[i].st_size,
			bind == STB_GLOBAL ? 2 : bind == STB_WEAK
		};
		int r = fn(ctx, &func);
		if (r)
			return r;
	}
	return 0;
}

size_t elf_loaded_size(const struct elf_file *f)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < f->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &f->ph[i];
		if (p->p_type == PT_LOAD && fits(f, p->p_offset, p->p_filesz) &&
		    p->p_offset + p->p_filesz > end)
			end = p->p_offset + p->p_filesz;
	}
	return (size_t)end;
}
