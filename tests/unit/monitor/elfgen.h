/* A minimal valid kvm image, built in memory, for the image checks' unit
 * tests and the ELF fuzzer's seed. */
#ifndef PITH_ELFGEN_H
#define PITH_ELFGEN_H

#include <elf.h>
#include <stddef.h>

/* Offsets in the image elfgen_build makes. */
#define ELFGEN_SIZE  0x2010
#define ELFGEN_PH    0x40 /* text, data, note */
#define ELFGEN_NOTES 0x100

/* Writes the image into BUF (ELFGEN_SIZE bytes) and returns its size:
 * a text segment (RX, with the headers, notes and entry at 0x11000), a
 * data segment (RW at 0x12000), notes: target kvm, kvm ABI 1, manifest
 * "net a". */
size_t elfgen_build(unsigned char *buf);

/* The program header N of the image at BUF. */
Elf64_Phdr *elfgen_ph(unsigned char *buf, unsigned n);

/* The descriptor of the PITH note of TYPE, or NULL. */
unsigned char *elfgen_note(unsigned char *buf, unsigned type);

#endif
