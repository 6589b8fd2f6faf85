"""Writes malformed variants of a valid kvm image, one per refusal the
monitor must make. usage: craft.py GOOD_IMAGE OUTDIR
Each variant changes one thing; the file name says what."""
import struct
import sys

good, out = sys.argv[1], sys.argv[2]
data = bytearray(open(good, "rb").read())

EHDR = "<16sHHIQQQIHHHHHH"
(ident, etype, machine, version, entry, phoff, shoff, flags, ehsize,
 phentsize, phnum, shentsize, shnum, shstrndx) = struct.unpack_from(EHDR, data)
PHDR = "<IIQQQQQQ"


def phdrs(d):
    for i in range(phnum):
        off = phoff + i * phentsize
        yield i, off, list(struct.unpack_from(PHDR, d, off))


def loads(d):
    return [(i, off, p) for i, off, p in phdrs(d) if p[0] == 1]


def write(name, d):
    open(f"{out}/{name}", "wb").write(d)


def variant(name, change):
    d = bytearray(data)
    change(d)
    write(name, d)


def set_ph(d, index, field, value):
    i, off, p = loads(d)[index]
    p[field] = value
    struct.pack_into(PHDR, d, off, *p)


def note_desc(d, ntype):
    """Offset of the descriptor of the PITH note of NTYPE."""
    for _, _, p in phdrs(d):
        if p[0] != 4:  # PT_NOTE
            continue
        pos, end = p[2], p[2] + p[5]
        while pos + 12 <= end:
            namesz, descsz, t = struct.unpack_from("<III", d, pos)
            name = d[pos + 12:pos + 12 + namesz]
            desc = pos + 12 + ((namesz + 3) & ~3)
            if t == ntype and name == b"PITH\0":
                return pos, desc
            pos = desc + ((descsz + 3) & ~3)
    raise SystemExit(f"no note {ntype}")


write("not-elf", b"#!/bin/sh\necho this is not an image\n" * 4)
variant("class-32", lambda d: d.__setitem__(4, 1))
variant("machine-i386", lambda d: struct.pack_into("<H", d, 18, 3))
write("truncated-header", data[:40])
write("truncated-segments", data[:phoff + phnum * phentsize + 16])
# Segments: text [0], rodata [1], data [2].
variant("segment-high", lambda d: set_ph(d, 2, 3, 0x7fff00000000))
variant("segment-low", lambda d: set_ph(d, 1, 3, 0x1000 + (loads(d)[1][2][2] % 4096)))
variant("segments-overlap", lambda d: set_ph(d, 1, 3, 0x10000 + (loads(d)[1][2][2] % 4096)))
variant("segment-wx", lambda d: set_ph(d, 2, 1, 7))
variant("segment-filesz", lambda d: set_ph(d, 1, 5, loads(d)[1][2][6] + 4096))
variant("entry-in-data", lambda d: struct.pack_into("<Q", d, 24, loads(d)[2][2][3]))


def abi_type(d):
    pos, _ = note_desc(d, 4)
    struct.pack_into("<I", d, pos + 8, 44)


def abi_version(d):
    _, desc = note_desc(d, 4)
    struct.pack_into("<I", d, desc, 2)


def target(d):
    _, desc = note_desc(d, 1)
    d[desc + 4:desc + 8] = b"sun\0"


def manifest(d):
    _, desc = note_desc(d, 2)
    d[desc:desc + 4] = b"\x01bad"


variant("abi-note-missing", abi_type)
variant("abi-version-2", abi_version)
variant("target-sun", target)
variant("manifest-control-byte", manifest)
