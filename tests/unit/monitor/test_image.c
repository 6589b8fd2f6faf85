/* The monitor's image checks on an in-memory image and its mutations,
 * including the overflowing values a file can hold. */
#include <stdlib.h>

#include "../../../monitor/mon.h"
#include "elfgen.h"
#include "unit.h"

#define MEM (1ULL << 20)

/* Checks the image in BUF (copied); returns 0 or -1, reason in WHY. */
static int check(const unsigned char *buf, size_t size, char *why, size_t n)
{
	unsigned char *copy = malloc(size);
	struct mon_image img;
	struct pith_buf err;
	int r;

	memcpy(copy, buf, size);
	pith_buf_init(&err, why, n);
	r = mon_image_use(copy, size, MEM, &img, &err);
	if (r == 0)
		elf_close(&img.elf);
	return r;
}

static void test_valid(void)
{
	unsigned char buf[ELFGEN_SIZE], *copy = malloc(ELFGEN_SIZE);
	char why[256];
	struct mon_image img;
	struct pith_buf err;

	elfgen_build(buf);
	memcpy(copy, buf, sizeof buf);
	pith_buf_init(&err, why, sizeof why);
	CHECK_EQ(mon_image_use(copy, sizeof buf, MEM, &img, &err), 0);
	CHECK_EQ(img.entry, 0x11000);
	CHECK_EQ(img.end, 0x13000);
	CHECK_EQ(img.manifest.count, 1);
	CHECK_STR(img.manifest.dev[0].name, "a");
	elf_close(&img.elf);
}

/* One mutation of the valid image and the refusal it must cause. */
struct mutation {
	const char *name;
	void (*apply)(unsigned char *buf);
	const char *why;
};

#define PH(n) elfgen_ph(b, n)
static void m_class(unsigned char *b)
{
	b[EI_CLASS] = ELFCLASS32;
}
static void m_type(unsigned char *b)
{
	((Elf64_Ehdr *)b)->e_type = ET_DYN;
}
static void m_phnum(unsigned char *b)
{
	((Elf64_Ehdr *)b)->e_phnum = 0;
}
static void m_phoff(unsigned char *b)
{
	((Elf64_Ehdr *)b)->e_phoff = ~0ULL - 8;
}
static void m_phnum_big(unsigned char *b)
{
	((Elf64_Ehdr *)b)->e_phnum = 0xffff;
}
static void m_offset_wrap(unsigned char *b)
{
	PH(1)->p_offset = ~0ULL - 8;
}
static void m_vaddr_wrap(unsigned char *b)
{
	PH(1)->p_vaddr = ~0ULL & ~0xfffULL;
	PH(1)->p_offset = 0;
}
static void m_memsz_wrap(unsigned char *b)
{
	PH(1)->p_memsz = ~0ULL - 0x1000;
}
static void m_empty(unsigned char *b)
{
	PH(1)->p_memsz = PH(1)->p_filesz = 0;
}
static void m_wx(unsigned char *b)
{
	PH(1)->p_flags = PF_R | PF_W | PF_X;
}
static void m_overlap(unsigned char *b)
{
	PH(1)->p_vaddr = 0x11000;
}
static void m_low(unsigned char *b)
{
	PH(0)->p_vaddr = 0;
}
static void m_entry(unsigned char *b)
{
	((Elf64_Ehdr *)b)->e_entry = 0x12000;
}
static void m_note_size(unsigned char *b)
{
	PH(2)->p_filesz = PH(2)->p_memsz = 0x10000;
}
static void m_note_namesz(unsigned char *b)
{
	((Elf64_Nhdr *)(b + ELFGEN_NOTES))->n_namesz = 0xffffffff;
}
static void m_abi(unsigned char *b)
{
	elfgen_note(b, 4)[0] = 9;
}
static void m_manifest(unsigned char *b)
{
	elfgen_note(b, 2)[0] = 'N';
}
static void m_target(unsigned char *b)
{
	elfgen_note(b, 1)[4] = 'l';
}

static const struct mutation mutations[] = {
	{ "class", m_class, "not a 64-bit ELF file" },
	{ "type", m_type, "not an ELF executable" },
	{ "phnum", m_phnum, "program header table outside the file" },
	{ "phoff", m_phoff, "program header table outside the file" },
	{ "phnum_big", m_phnum_big, "program header table outside the file" },
	{ "offset_wrap", m_offset_wrap, "past the end of the file" },
	{ "vaddr_wrap", m_vaddr_wrap, "outside guest memory" },
	{ "memsz_wrap", m_memsz_wrap, "outside guest memory" },
	{ "empty", m_empty, "is empty" },
	{ "wx", m_wx, "both writable and executable" },
	{ "overlap", m_overlap, "overlaps another segment" },
	{ "low", m_low, "outside guest memory" },
	{ "entry", m_entry, "entry point is not in an executable segment" },
	{ "note_size", m_note_size, "past the end of the file" },
	{ "note_namesz", m_note_namesz, "not a pith image" },
	{ "abi", m_abi, "kvm ABI version 9" },
	{ "manifest", m_manifest, "embedded manifest refused: unknown device" },
	{ "target", m_target, "an image for the lvm target" },
};

static void test_mutations(void)
{
	for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
		unsigned char buf[ELFGEN_SIZE];
		char why[256] = "";

		elfgen_build(buf);
		mutations[i].apply(buf);
		if (check(buf, sizeof buf, why, sizeof why) != -1)
			unit_fail(__FILE__, __LINE__, "%s: accepted",
				  mutations[i].name);
		else if (!strstr(why, mutations[i].why))
			unit_fail(__FILE__, __LINE__, "%s: \"%s\"",
				  mutations[i].name, why);
	}
}

static void test_truncations(void)
{
	unsigned char buf[ELFGEN_SIZE];
	char why[256];

	elfgen_build(buf);
	/* Every prefix is refused, none is read past. */
	for (size_t n = 0; n < sizeof buf; n += n < 256 ? 1 : 61)
		CHECK_EQ(check(buf, n, why, sizeof why), -1);
}

static const struct unit_test tests[] = {
	{ "valid", test_valid },
	{ "mutations", test_mutations },
	{ "truncations", test_truncations },
};
const struct unit_suite suite_mon_image = UNIT_SUITE("mon_image", tests);
