/* Checking a kvm image before anything runs. The file is untrusted: each
 * refusal names the defect (not ELF, wrong class or machine, truncated,
 * a segment outside guest memory, overlapping segments, a segment both
 * writable and executable, a missing or mismatched ABI note, an image
 * for another target, a malformed manifest). */
#include <string.h>

#include "mon.h"

#define PAGE 4096ULL

static int refuse(struct pith_buf *err, const char *what)
{
	pith_buf_str(err, what);
	return -1;
}

static int refuse_segment(struct pith_buf *err, unsigned i, const char *what)
{
	pith_buf_str(err, "segment ");
	pith_buf_udec(err, i);
	pith_buf_str(err, ": ");
	pith_buf_str(err, what);
	return -1;
}

/* The segment's place in the file. */
static int check_file_extent(const struct elf_file *f, unsigned i,
			     struct pith_buf *err)
{
	const Elf64_Phdr *p = &f->ph[i];

	if (p->p_memsz == 0)
		return refuse_segment(err, i, "is empty");
	if (p->p_filesz > p->p_memsz)
		return refuse_segment(err, i,
				      "larger in the file than in memory");
	if (p->p_offset > f->size || p->p_filesz > f->size - p->p_offset)
		return refuse_segment(err, i,
				      "lies past the end of the file "
				      "(truncated image?)");
	return 0;
}

/* The segment's place and permissions in guest memory. */
static int check_segment(const struct elf_file *f, unsigned i,
			 uint64_t mem_size, struct pith_buf *err)
{
	const Elf64_Phdr *p = &f->ph[i];

	if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
		return refuse_segment(err, i,
				      "is both writable and executable");
	if (p->p_vaddr % PAGE != p->p_offset % PAGE)
		return refuse_segment(err, i,
				      "file offset and address disagree "
				      "within a page");
	if (p->p_vaddr < PITH_KVM_IMAGE_BASE || p->p_vaddr > mem_size ||
	    p->p_memsz > mem_size - p->p_vaddr)
		return refuse_segment(err, i,
				      "outside guest memory (images "
				      "start at 64K and must fit in --mem)");
	return 0;
}

/* Every segment inside the file, before anything in them is read. */
static int check_extents(const struct elf_file *f, struct pith_buf *err)
{
	for (unsigned i = 0; i < f->eh->e_phnum; i++)
		if ((f->ph[i].p_type == PT_LOAD ||
		     f->ph[i].p_type == PT_NOTE) &&
		    check_file_extent(f, i, err) < 0)
			return -1;
	return 0;
}

/* Checks every PT_LOAD and that no two share a page. */
static int check_segments(struct mon_image *img, uint64_t mem_size,
			  struct pith_buf *err)
{
	const struct elf_file *f = &img->elf;
	unsigned n = 0;

	img->end = 0;
	for (unsigned i = 0; i < f->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &f->ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		if (++n > MON_SEGMENTS_MAX)
			return refuse(err, "more than 8 loadable segments");
		if (check_segment(f, i, mem_size, err) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++) {
			const Elf64_Phdr *q = &f->ph[j];
			if (q->p_type == PT_LOAD &&
			    p->p_vaddr / PAGE <=
				    (q->p_vaddr + q->p_memsz - 1) / PAGE &&
			    q->p_vaddr / PAGE <=
				    (p->p_vaddr + p->p_memsz - 1) / PAGE)
				return refuse_segment(err, i,
						      "overlaps another "
						      "segment");
		}
		if (p->p_vaddr + p->p_memsz > img->end)
			img->end = p->p_vaddr + p->p_memsz;
	}
	if (n == 0)
		return refuse(err, "no loadable segment");
	return 0;
}

static int check_entry(const struct mon_image *img, struct pith_buf *err)
{
	const struct elf_file *f = &img->elf;

	for (unsigned i = 0; i < f->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &f->ph[i];
		if (p->p_type == PT_LOAD && (p->p_flags & PF_X) &&
		    img->entry >= p->p_vaddr &&
		    img->entry - p->p_vaddr < p->p_memsz)
			return 0;
	}
	return refuse(err, "the entry point is not in an executable segment");
}

static int check_notes(struct mon_image *img, struct pith_buf *err)
{
	const struct elf_file *f = &img->elf;
	struct pith_note_target t;
	struct pith_manifest_error me;
	const void *d;
	size_t len;
	uint32_t abi;

	if (elf_pith_note(f, PITH_NOTE_TARGET, &d, &len) < 0 || len != sizeof t)
		return refuse(err, "not a pith image (no PITH target note)");
	memcpy(&t, d, sizeof t);
	if (t.target[PITH_TARGET_NAME_MAX] || strcmp(t.target, "kvm")) {
		pith_buf_str(err, "an image for the ");
		pith_buf_mem(err, t.target,
			     strnlen(t.target, PITH_TARGET_NAME_MAX));
		return refuse(err,
			      " target, not kvm (build with --target kvm)");
	}
	if (elf_pith_note(f, PITH_NOTE_KVM_ABI, &d, &len) < 0 || len != 4)
		return refuse(err, "no kvm ABI version note");
	memcpy(&abi, d, sizeof abi);
	if (abi != PITH_KVM_ABI_VERSION) {
		pith_buf_str(err, "kvm ABI version ");
		pith_buf_udec(err, abi);
		return refuse(err, ", but this monitor speaks version 1");
	}
	if (elf_pith_note(f, PITH_NOTE_MANIFEST, &d, &len) < 0 || len == 0 ||
	    ((const char *)d)[len - 1] != '\0')
		return refuse(err, "no well-formed manifest note");
	if (pith_manifest_parse(d, len - 1, &img->manifest, &me) < 0) {
		pith_buf_str(err, "embedded manifest refused: ");
		return refuse(err, me.what);
	}
	if (elf_pith_note(f, PITH_NOTE_SYMTAB, &d, &len) == 0 &&
	    len == sizeof img->symtab)
		memcpy(&img->symtab, d, sizeof img->symtab);
	return 0;
}

static int check_image(struct mon_image *img, uint64_t mem_size,
		       struct pith_buf *err);

int mon_image_open(const char *path, uint64_t mem_size, struct mon_image *img,
		   struct pith_buf *err)
{
	char why[128];

	memset(img, 0, sizeof *img);
	if (elf_open(path, &img->elf, why, sizeof why) < 0)
		return refuse(err, why);
	return check_image(img, mem_size, err);
}

int mon_image_use(unsigned char *data, size_t size, uint64_t mem_size,
		  struct mon_image *img, struct pith_buf *err)
{
	char why[128];

	memset(img, 0, sizeof *img);
	if (elf_use(&img->elf, "(memory)", data, size, why, sizeof why) < 0)
		return refuse(err, why);
	return check_image(img, mem_size, err);
}

static int check_image(struct mon_image *img, uint64_t mem_size,
		       struct pith_buf *err)
{
	img->entry = img->elf.eh->e_entry;
	if (check_extents(&img->elf, err) < 0 || check_notes(img, err) < 0 ||
	    check_segments(img, mem_size, err) < 0 ||
	    check_entry(img, err) < 0) {
		elf_close(&img->elf);
		return -1;
	}
	return 0;
}

int mon_image_load(const struct mon_image *img, struct mon_mem *m,
		   struct pith_buf *err)
{
	const struct elf_file *f = &img->elf;

	for (unsigned i = 0; i < f->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &f->ph[i];
		unsigned perm = MON_R;
		uint64_t lo, hi;

		if (p->p_type != PT_LOAD)
			continue;
		/* Checked in mon_image_open: inside guest memory and file. */
		memcpy(m->base + p->p_vaddr, f->data + p->p_offset,
		       p->p_filesz);
		perm |= (p->p_flags & PF_W) ? MON_W : 0;
		perm |= (p->p_flags & PF_X) ? MON_X : 0;
		lo = p->p_vaddr & ~(PAGE - 1);
		hi = (p->p_vaddr + p->p_memsz + PAGE - 1) & ~(PAGE - 1);
		if (mon_region_add(m, lo, hi, perm) < 0)
			return refuse_segment(err, i, "cannot be mapped");
	}
	return 0;
}
