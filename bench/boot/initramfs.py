#!/usr/bin/env python3
"""Writes a Linux initramfs (cpio "newc") holding one program as /init,
for bench/boot/virtio. No cpio tool needed.

usage: initramfs.py INIT OUT
"""
import sys


def entry(ino, name, mode, data=b"", rdev=(0, 0)):
    fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
              len(name) + 1, 0)
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + name + b"\0"
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def main():
    init = open(sys.argv[1], "rb").read()
    out = entry(1, b"init", 0o100755, init)
    out += entry(2, b"dev", 0o40755)
    out += entry(3, b"dev/console", 0o20600, rdev=(5, 1))
    out += entry(4, b"TRAILER!!!", 0)
    out += b"\0" * (-len(out) % 512)
    open(sys.argv[2], "wb").write(out)


main()
