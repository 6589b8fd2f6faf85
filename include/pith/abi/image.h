/* What a pith image carries besides code, for the tools and the monitor.
 *
 * Self-contained C99 so that the host side (pith, the monitor) and the
 * guest share it. An image is an x86_64 ELF executable with one or more
 * ELF notes of owner "PITH" (in a PT_NOTE segment):
 *
 *   PITH_NOTE_TARGET    struct pith_note_target: target and ABI version
 *   PITH_NOTE_MANIFEST  the manifest text (see platform/common/manifest.h)
 *   PITH_NOTE_SIZES     "NAME BYTES\n" lines: bytes each library adds
 *   PITH_NOTE_KVM_ABI   kvm images: the hypercall ABI version
 *   PITH_NOTE_SYMTAB    where the symbol table is loaded
 *   PITH_NOTE_VIRTIO_DEBUG  virtio images: what pith run's debugging
 *                       options read in the guest (abi/virtio.h)
 *
 * and a loaded section of function symbols (struct pith_symtab) so that
 * crash reports can name functions even in a stripped image.
 */
#ifndef PITH_ABI_IMAGE_H
#define PITH_ABI_IMAGE_H

#include <stdint.h>

#define PITH_NOTE_OWNER	       "PITH"
#define PITH_NOTE_TARGET       1
#define PITH_NOTE_MANIFEST     2
#define PITH_NOTE_SIZES	       3
#define PITH_NOTE_KVM_ABI      4 /* uint32_t: PITH_KVM_ABI_VERSION (abi/kvm.h) */
#define PITH_NOTE_SYMTAB       5 /* struct pith_note_symtab */
#define PITH_NOTE_VIRTIO_DEBUG 6 /* struct pith_note_virtio_debug */

/* Bumped whenever the layout of anything in this file changes. */
#define PITH_IMAGE_ABI_VERSION 1

#define PITH_TARGET_NAME_MAX 15

struct pith_note_target {
	uint32_t abi_version;
	char target[PITH_TARGET_NAME_MAX + 1]; /* NUL-terminated */
};
_Static_assert(sizeof(struct pith_note_target) == 20, "note layout");

struct pith_note_symtab {
	uint64_t start; /* virtual address of the struct pith_symtab */
	uint64_t end;	/* and of its end */
};
_Static_assert(sizeof(struct pith_note_symtab) == 16, "note layout");

#define PITH_SYMTAB_MAGIC 0x4d595350u /* "PSYM" */

/* The symbol table: a header, COUNT entries sorted by address, then the
 * NUL-terminated names. Offsets are from the start of the header. */
struct pith_symtab {
	uint32_t magic;
	uint32_t count;
	uint32_t names; /* offset of the first name */
	uint32_t size;	/* total bytes, header to last name */
};

struct pith_sym {
	uint64_t addr;
	uint32_t size; /* 0: extends to the next symbol */
	uint32_t name; /* offset of the name */
};
_Static_assert(sizeof(struct pith_symtab) == 16, "symtab layout");
_Static_assert(sizeof(struct pith_sym) == 16, "symbol layout");

#endif
