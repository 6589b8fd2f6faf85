"""UDP echo client for the net test bench: sends COUNT datagrams of random
sizes (seeded) to ADDR:PORT with up to WINDOW in flight, checks that every
echo comes back byte for byte, retransmitting a datagram after a timeout
only when LOSSY is set.
usage: udp_client.py ADDR PORT COUNT MAXSIZE WINDOW [LOSSY]"""
import random
import socket
import struct
import sys
import time

addr, port, count, maxsize, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
lossy = len(sys.argv) > 6
rnd = random.Random(20261126)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.settimeout(0.15 if lossy else 5)


def payload(seq):
    size = rnd.randint(4, maxsize)
    return struct.pack("!I", seq) + rnd.randbytes(size - 4)


def send(data):
    try:
        s.sendto(data, (addr, port))
    except (socket.timeout, BlockingIOError):
        if not lossy:
            raise  # a lossy wire may hold up ARP; the datagram is resent


sent = {}
seq = 0
done = 0
retries = 0
start = time.monotonic()
while done < count:
    while seq < count and len(sent) < window:
        sent[seq] = payload(seq)
        send(sent[seq])
        seq += 1
    try:
        data, _ = s.recvfrom(70000)
    except socket.timeout:
        if not lossy or time.monotonic() - start > 60:
            sys.exit(f"udp_client: timed out with {len(sent)} echoes missing ({done} done)")
        for k, v in sent.items():
            send(v)
            retries += 1
        continue
    (n,) = struct.unpack("!I", data[:4])
    want = sent.pop(n, None)
    if want is None:
        if lossy:
            continue  # a duplicate, or the echo of a retransmission
        sys.exit(f"udp_client: unexpected or duplicate echo {n}")
    if data != want:
        sys.exit(f"udp_client: echo {n} differs from what was sent ({len(data)} vs {len(want)} bytes)")
    done += 1
t = time.monotonic() - start
print(f"udp_client: {count} datagrams echoed intact (4..{maxsize} bytes, {window} in flight, {retries} resent) in {t:.2f} s")
