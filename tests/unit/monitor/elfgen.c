/* The in-memory kvm image of elfgen.h. */
#include "elfgen.h"

#include <string.h>

#include "pith/abi/image.h"
#include "pith/abi/kvm.h"

static size_t note(unsigned char *p, unsigned type, const void *desc,
		   unsigned len)
{
	Elf64_Nhdr h = { 5, len, type };

	memcpy(p, &h, sizeof h);
	memcpy(p + 12, "PITH", 5);
	memcpy(p + 20, desc, len);
	return 20 + ((len + 3) & ~3u);
}

size_t elfgen_build(unsigned char *buf)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	struct pith_note_target t = { PITH_IMAGE_ABI_VERSION, "kvm" };
	uint32_t abi = PITH_KVM_ABI_VERSION;
	size_t n = ELFGEN_NOTES;

	memset(buf, 0, ELFGEN_SIZE);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x11000;
	eh->e_phoff = ELFGEN_PH;
	eh->e_ehsize = sizeof *eh;
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	n += note(buf + n, PITH_NOTE_TARGET, &t, sizeof t);
	n += note(buf + n, PITH_NOTE_KVM_ABI, &abi, sizeof abi);
	n += note(buf + n, PITH_NOTE_MANIFEST, "net a\n", 7);
	*elfgen_ph(buf, 0) =
		(Elf64_Phdr){ PT_LOAD, PF_R | PF_X, 0,	    0x10000,
			      0x10000, 0x1010,	    0x1010, 0x1000 };
	*elfgen_ph(buf, 1) =
		(Elf64_Phdr){ PT_LOAD, PF_R | PF_W, 0x2000, 0x12000,
			      0x12000, 0x10,	    0x1000, 0x1000 };
	*elfgen_ph(buf, 2) = (Elf64_Phdr){ PT_NOTE,
					   PF_R,
					   ELFGEN_NOTES,
					   0x10000 + ELFGEN_NOTES,
					   0x10000 + ELFGEN_NOTES,
					   n - ELFGEN_NOTES,
					   n - ELFGEN_NOTES,
					   4 };
	buf[0x1000] = 0xf4; /* hlt */
	return ELFGEN_SIZE;
}

Elf64_Phdr *elfgen_ph(unsigned char *buf, unsigned n)
{
	return (Elf64_Phdr *)(buf + ELFGEN_PH + n * sizeof(Elf64_Phdr));
}

unsigned char *elfgen_note(unsigned char *buf, unsigned type)
{
	size_t pos = ELFGEN_NOTES, end = pos + elfgen_ph(buf, 2)->p_filesz;

	while (pos + 12 <= end) {
		Elf64_Nhdr h;
		memcpy(&h, buf + pos, sizeof h);
		if (h.n_type == type)
			return buf + pos + 20;
		pos += 20 + ((h.n_descsz + 3) & ~3u);
	}
	return 0;
}
