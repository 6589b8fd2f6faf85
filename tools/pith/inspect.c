/* pith inspect: what an image is, what it needs and what it is made of. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pith.h"

static const char usage[] =
	"usage: pith inspect IMAGE\n"
	"Prints the image's target, its manifest (the devices it needs), its\n"
	"segments, and how many bytes libc, each pith library and the\n"
	"application contribute.\n";

static void print_manifest(const struct image *img)
{
	const struct pith_manifest *m = &img->manifest;

	if (m->count == 0) {
		printf("manifest   no devices\n");
		return;
	}
	for (unsigned i = 0; i < m->count; i++)
		printf("%s %-5s %s (handle %u; attach with --%s %s=%s)\n",
		       i ? "          " : "manifest  ",
		       pith_dev_type_name(m->dev[i].type), m->dev[i].name, i,
		       pith_dev_type_name(m->dev[i].type), m->dev[i].name,
		       m->dev[i].type == PITH_DEV_NET ? "tap:IFNAME" : "FILE");
}

static void print_segments(const struct elf_file *f)
{
	int first = 1;

	for (unsigned i = 0; i < f->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &f->ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		printf("%s 0x%08llx %8llu bytes %c%c%c\n",
		       first ? "segments  " : "          ",
		       (unsigned long long)p->p_vaddr,
		       (unsigned long long)p->p_memsz,
		       p->p_flags & PF_R ? 'r' : '-',
		       p->p_flags & PF_W ? 'w' : '-',
		       p->p_flags & PF_X ? 'x' : '-');
		first = 0;
	}
}

static unsigned long long section_size(const struct elf_file *f,
				       const char *name)
{
	const Elf64_Shdr *s = elf_section(f, name);

	return s ? s->sh_size : 0;
}

/* Prints the PITH_NOTE_SIZES table: "NAME\tFILE\tBSS" lines. */
static void print_sizes(const struct elf_file *f)
{
	const void *desc;
	size_t len;
	unsigned long long total = 0, total_bss = 0;
	char *text, *line, *save;

	if (elf_pith_note(f, PITH_NOTE_SIZES, &desc, &len) < 0 || len == 0) {
		printf("size by library: not recorded in this image\n");
		return;
	}
	text = strndup(desc, len);
	if (!text)
		errx(PITH_TOOL_FAIL, "out of memory");
	printf("size by library (bytes; code and data / zero-filled):\n");
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(0, "\n", &save)) {
		char name[48];
		unsigned long long file, bss;
		if (sscanf(line, "%47[^\t]\t%llu\t%llu", name, &file, &bss) !=
		    3)
			continue;
		printf("  %-20s %9llu %9llu\n", name, file, bss);
		total += file;
		total_bss += bss;
	}
	free(text);
	unsigned long long syms = section_size(f, ".pith_syms");
	printf("  %-20s %9llu %9d\n", "symbol table", syms, 0);
	printf("  %-20s %9llu %9llu\n", "total", total + syms, total_bss);
}

int cmd_inspect(int argc, char **argv)
{
	struct image img;

	if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		int asked = argc == 2;
		fputs(usage, asked ? stdout : stderr);
		return asked ? 0 : PITH_TOOL_USAGE;
	}
	if (image_open("inspect", argv[1], &img) < 0)
		return PITH_TOOL_FAIL;
	printf("image      %s\n", argv[1]);
	printf("file       %zu bytes (%zu loaded: the size once stripped)\n",
	       img.elf.size, elf_loaded_size(&img.elf));
	printf("target     %s (image ABI %u)\n", img.target.target,
	       img.target.abi_version);
	print_manifest(&img);
	printf("entry      0x%llx\n", (unsigned long long)img.elf.eh->e_entry);
	print_segments(&img.elf);
	print_sizes(&img.elf);
	image_close(&img);
	return 0;
}
