"""Writes a seed corpus for the net_input fuzzer into DIR: the frames of
an ARP request, pings (whole and fragmented), UDP datagrams, a DHCP ACK
and some arguments, in the harness's input format (see net_input.c).
usage: seeds.py DIR"""
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
US, PEER = bytes([10, 9, 0, 2]), bytes([10, 9, 0, 1])
MAC, PMAC = bytes([2, 0, 0, 0, 0, 1]), bytes([2, 0, 0, 0, 0, 2])


def csum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip(payload, proto, frag=0, ident=1):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, PEER, US)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def eth(p, t=0x0800):
    return MAC + PMAC + struct.pack("!H", t) + p


def echo(n):
    m = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + bytes(range(256)) * (n // 256) + bytes(n % 256)
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def udp(data, port=7):
    u = struct.pack("!HHHH", 4000, port, 8 + len(data), 0) + data
    s = csum(PEER + US + struct.pack("!BBH", 0, 17, len(u)) + u) or 0xFFFF
    return u[:6] + struct.pack("!H", s) + u[8:]


def seq(*frames):
    return b"\0" + b"".join(struct.pack("!H", len(f)) + f for f in frames)


arp = eth(struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + PMAC + PEER + bytes(6) + US, 0x0806)
big = echo(3000)
frags = [eth(ip(big[o:o + 1480], 1, (0x2000 if o + 1480 < len(big) else 0) | o // 8, 9)) for o in range(0, len(big), 1480)]
ack = (bytes([2, 1, 6, 0]) + b"\x11\x22\x33\x44" + bytes(8) + bytes([10, 9, 0, 51]) + bytes(8) + MAC +
       bytes(202) + b"\x63\x82\x53\x63" + bytes([53, 1, 5, 54, 4, 10, 9, 0, 1, 51, 4, 0, 0, 0, 120, 1, 4, 255, 255, 255, 0, 3, 4, 10, 9, 0, 1, 255]))
seeds = {
    "arp": seq(arp),
    "ping": seq(eth(ip(echo(56), 1))),
    "ping-frag": seq(*frags),
    "ping-frag-reversed": seq(*reversed(frags)),
    "udp": seq(eth(ip(udp(b"hello"), 17)), eth(ip(udp(b"closed", 9), 17))),
    "timers": seq(frags[0]) + b"\xff\xff\x0f",
    "dhcp": b"\x01" + ack,
    "args": b"\x02--ipv4\x0010.0.0.2/24\x00--gateway\x0010.0.0.1",
}
# TCP sequences (mode 3): records after the option byte; see net_input.c.
def seg(flags, dseq=0, dack=0, wnd=0xFFFF, opts=b"", dlen6=0):
    return bytes([0, flags]) + struct.pack("!hhH", dseq, dack, wnd) + bytes([len(opts), dlen6]) + opts


def app(op, arg=0):
    return bytes([0xE0, op, arg])


def tick(n):
    return bytes([0xC0, n])


seeds["tcp-echo"] = (b"\x03\x01" + seg(0x18, dlen6=20) + app(0) + app(1, 10) + seg(0x10) + tick(3)
                     + seg(0x11) + app(4) + seg(0x10, 1, 1))
seeds["tcp-loss"] = (b"\x03\x01" + app(1, 200) + tick(1) + seg(0x10, opts=b"\x01\x01\x05\x0a" + bytes(8))
                     + tick(60) + tick(60) + seg(0x18, 100, 0, dlen6=50) + seg(0x18, 0, 0, dlen6=16))
seeds["tcp-rst"] = b"\x03\x00" + seg(0x04, 5) + seg(0x02) + seg(0x04) + app(8, 3) + tick(255)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
