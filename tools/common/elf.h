/* Reading pith images on the host: a bounds-checked view of an x86_64
 * ELF executable, its notes, sections and function symbols. Every offset
 * and count in the file is checked before use: images are untrusted. */
#ifndef PITH_TOOLS_ELF_H
#define PITH_TOOLS_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

/* Largest image the tools will read. A unikernel image is kilobytes to a
 * few megabytes; 256 MiB leaves room for site content and debug info. */
#define ELF_FILE_MAX (256UL << 20)

struct elf_file {
	const char *path;
	unsigned char *data;
	size_t size;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph; /* eh->e_phnum entries, checked */
	const Elf64_Shdr *sh; /* eh->e_shnum entries, or NULL */
};

/* Reads PATH and checks that it is a 64-bit little-endian x86_64
 * executable whose header tables lie inside the file.
 *   0   *F is ready (free with elf_close);
 *   -1  ERR (of ERRLEN bytes) says why, without the path. */
int elf_open(const char *path, struct elf_file *f, char *err, size_t errlen);
void elf_close(struct elf_file *f);

/* As elf_open, over SIZE bytes at DATA (malloc'd; the elf_file owns
 * them from now on, even on failure). */
int elf_use(struct elf_file *f, const char *path, unsigned char *data,
	    size_t size, char *err, size_t errlen);

/* Finds the note of owner "PITH" and TYPE in the PT_NOTE segments.
 *   0   *DESC and *LEN describe its descriptor (inside the file);
 *   -1  no such note, or the note segment is malformed. */
int elf_pith_note(const struct elf_file *f, uint32_t type, const void **desc,
		  size_t *len);

/* The section named NAME, or NULL (also when it lies outside the file). */
const Elf64_Shdr *elf_section(const struct elf_file *f, const char *name);

/* A function symbol of .symtab. */
struct elf_func {
	const char *name;
	uint64_t addr, size;
	int global; /* 2 global, 1 weak, 0 local */
};

/* Calls FN for each function symbol in .symtab, in file order. Stops and
 * returns FN's result when it is non-zero; returns 0 at the end, -1 when
 * there is no usable symbol table. */
int elf_functions(const struct elf_file *f,
		  int (*fn)(void *ctx, const struct elf_func *func), void *ctx);

/* The end of the last loaded byte in the file: what a stripped image must
 * still carry. */
size_t elf_loaded_size(const struct elf_file *f);

#endif
