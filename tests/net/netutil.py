"""Helpers shared by the net bench's Python tools: the Internet checksum
and the appliance's stats port."""
import socket
import struct
import sys


def csum(b):
    """The Internet checksum (RFC 1071) of B."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def stats(udp, addr, port, who):
    """The appliance's counters as a dict, asked three times; exits
    naming WHO if the stats port never answers."""
    for _ in range(3):
        udp.sendto(b"report", (addr, port))
        try:
            text = udp.recvfrom(65536)[0].decode()
            return {k: int(v) for k, v in (l.split() for l in text.splitlines())}
        except socket.timeout:
            pass
    sys.exit(f"{who}: the stats port does not answer")


def verdict(line, before, after):
    """Prints a PASS/FAIL LINE, and for a failure the counters that moved
    from BEFORE to AFTER; returns 1 for a failure."""
    print(line, flush=True)
    if not line.startswith("FAIL"):
        return 0
    print("  counters that moved:", " ".join(
        f"{k}+{after[k] - before.get(k, 0)}" for k in after
        if not k.startswith("mem.") and after[k] != before.get(k, 0)))
    return 1
