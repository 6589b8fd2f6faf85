"""Drives the net-echo appliance from the Linux side of a tap: sends
frames of random sizes in bursts, checks every echo byte for byte.
usage: driver.py IFNAME COUNT MTU"""
import random
import socket
import struct
import sys

ETHERTYPE = 0x88B5
PACKET_OUTGOING = 4

ifname, count, mtu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE))
s.bind((ifname, ETHERTYPE))
ours = s.getsockname()[4]
s.settimeout(5)
rnd = random.Random(20261126)
bcast = b"\xff" * 6


def frame(seq, size):
    payload = struct.pack("!I", seq) + rnd.randbytes(size - 4)
    return bcast + ours + struct.pack("!H", ETHERTYPE) + payload


def receive():
    while True:
        data, addr = s.recvfrom(65536)
        if addr[2] != PACKET_OUTGOING:
            return data


sent = {}
seq = 0
sizes = [4, 46, mtu] + [rnd.randint(4, mtu) for _ in range(count)]
while seq < count:
    burst = min(32, count - seq)
    for _ in range(burst):
        f = frame(seq, sizes[seq])
        sent[seq] = f
        s.send(f)
        seq += 1
    for _ in range(burst):
        try:
            echo = receive()
        except socket.timeout:
            sys.exit(f"driver: timed out waiting for echoes ({len(sent)} missing)")
        (n,) = struct.unpack("!I", echo[14:18])
        want = sent.pop(n, None)
        if want is None:
            sys.exit(f"driver: unexpected or duplicate echo {n}")
        if echo[0:6] != ours or echo[12:] != want[12:]:
            sys.exit(f"driver: echo {n} differs from what was sent")
s.send(bcast + ours + struct.pack("!H", ETHERTYPE) + b"STOP" + bytes(42))
print(f"driver: {count} frames echoed intact, sizes {min(sizes[:count])}..{max(sizes[:count])} bytes of payload")
