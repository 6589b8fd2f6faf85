"""Hostile TCP against a live tcp-echo appliance (../shared/BAD_INPUTS.md,
TCP): a fake host (its own address and MAC; this script answers ARP for
it) speaks raw TCP through a packet socket on the tap, so every field is
ours to break. After each class of hostile input a well-behaved client
(the Linux kernel's TCP) must still get its echo, and the appliance's
counters must account for the class. At the end, the memory caps hold.
usage: tcp_hostile.py IFNAME HOST_IP APP_IP STATS_PORT PID [CASE...]"""
import queue
import random
import socket
import struct
import sys
import threading
import time

import netutil
from netutil import csum

ifname, host_ip, app_ip, stats_port, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
only = sys.argv[6:]
A = socket.inet_aton(app_ip)
F = socket.inet_aton(app_ip.rsplit(".", 1)[0] + ".77")  # the fake host
FMAC = bytes([2, 0x66, 0, 0, 0, 0x77])
SYN, FIN, RST, PSH, ACK, URG = 2, 1, 4, 8, 16, 32
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
raw.bind((ifname, 0))
# Frames come and go with a virtio-net header (PACKET_VNET_HDR): the
# appliance hands its tap TCP frames of up to 64 KiB to segment, which a
# packet socket sees before segmentation; the sniffer cuts them as the
# host would, by the header's segment size.
SOL_PACKET, PACKET_VNET_HDR, VNET_HLEN = 263, 15, 10
raw.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)


def put(f):
    raw.send(bytes(VNET_HLEN) + f)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.settimeout(1)
rnd = random.Random(6)
segments = {}  # our port -> queue of (flags, seq, ack, win, opts, data)
app_mac = None


def parse_opts(o):
    out, i = {}, 0
    while i < len(o):
        if o[i] == 0:
            break
        if o[i] == 1:
            i += 1
            continue
        if i + 1 >= len(o) or o[i + 1] < 2:
            break
        out[o[i]] = o[i + 2:i + o[i + 1]]
        i += o[i + 1]
    return out


def sniffer():
    """Answers ARP for the fake host; sorts the appliance's TCP to it."""
    global app_mac
    while True:
        v = raw.recv(VNET_HLEN + 65535 + 14)
        gso_type, gso_size = v[1], struct.unpack("<H", v[6:8])[0]
        f = v[VNET_HLEN:]
        etype = struct.unpack("!H", f[12:14])[0]
        if etype == 0x0806 and f[21] == 1 and f[38:42] == F:
            app_mac = f[6:12]
            reply = (f[6:12] + FMAC + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2)
                     + FMAC + F + f[22:28] + f[28:32])
            put(reply)
        elif etype == 0x0800 and f[23] == 6 and f[30:34] == F:
            ihl = (f[14] & 15) * 4
            t = f[14 + ihl:14 + struct.unpack("!H", f[16:18])[0]]
            sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", t[:16])
            doff = (off >> 4) * 4
            data, step = t[doff:], len(t) - doff
            if gso_type == 1:  # TCPv4 to segment
                step = gso_size
            for at in range(0, max(len(data), 1), max(step, 1)):
                last = at + step >= len(data)
                segments.setdefault(dport, queue.Queue()).put(
                    (flags if last else flags & ~(FIN | PSH), (seq + at) & 0xFFFFFFFF, ack, win,
                     parse_opts(t[20:doff]), data[at:at + step]))


threading.Thread(target=sniffer, daemon=True).start()


def frame(tcp):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, F, A)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return (app_mac or b"\xff" * 6) + FMAC + b"\x08\x00" + ip + tcp


def tcp_seg(sport, flags, seq, ack, data=b"", win=65535, opts=b"", doff=None, urg=0, dport=7, bad_sum=False):
    opts += b"\0" * (-len(opts) % 4)
    hl = 20 + len(opts)
    off = (hl // 4 if doff is None else doff) << 4
    t = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off, flags, win, 0, urg) + opts + data
    s = csum(F + A + struct.pack("!BBH", 0, 6, len(t)) + t) ^ (0x5A5A if bad_sum else 0)
    return t[:16] + struct.pack("!H", s) + t[18:]


class Conn:
    """A raw TCP connection of the fake host to the appliance's port 7."""

    def __init__(self, sport, isn=0xFFFFF000):
        self.sport, self.snd, self.rcv = sport, isn, 0
        self.q = segments.setdefault(sport, queue.Queue())
        self.got = bytearray()

    def send(self, flags, data=b"", seq=None, ack=None, **kw):
        seq = self.snd if seq is None else seq
        for off in range(0, max(len(data), 1), 1400):  # one frame each
            put(frame(tcp_seg(self.sport, flags, seq + off, self.rcv if ack is None else ack,
                                   data[off:off + 1400], **kw)))

    def recv(self, timeout=1.0):
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return None

    def handshake(self, opts=b"\x02\x04\x05\xb4\x04\x02\x01\x03\x03\x07"):
        self.send(SYN, opts=opts)
        self.snd += 1
        for _ in range(3):
            s = self.recv(2)
            if s and s[0] & SYN and s[0] & ACK:
                self.rcv = s[1] + 1
                self.synack = s
                self.send(ACK)
                return self
        raise RuntimeError("no SYN-ACK")

    def drain(self, timeout=0.3, ack=True, win=65535):
        """Takes what the appliance sends; ACKs in-order data."""
        while True:
            s = self.recv(timeout)
            if not s:
                return
            flags, seq, _, _, _, data = s
            if data and seq == self.rcv:
                self.got += data
                self.rcv = (self.rcv + len(data)) & 0xFFFFFFFF
                if ack:
                    self.send(ACK, win=win)

    def echo(self, data):
        self.send(PSH | ACK, data)
        self.snd += len(data)
        self.drain()
        return bytes(self.got[-len(data):]) == data

    def reset(self):
        self.send(RST | ACK)


def stats():
    return netutil.stats(udp, app_ip, stats_port, "tcp_hostile")


def alive():
    """A well-behaved client (the kernel's TCP) still gets its echo."""
    try:
        s = socket.create_connection((app_ip, 7), timeout=3)
        data = bytes(rnd.randrange(256) for _ in range(3000))
        s.sendall(data)
        got = b""
        while len(got) < len(data):
            b = s.recv(65536)
            if not b:
                break
            got += b
        s.close()
        return None if got == data else "wrong echo to a well-behaved client"
    except OSError as e:
        return f"a well-behaved client failed: {e}"


def ports():
    """A fresh source port for every raw connection."""
    ports.n = getattr(ports, "n", 20000) + 1
    return ports.n


# --- The cases: each sends its class, returns a problem or None ---------

def case_bad_data_offset():
    c = Conn(ports()).handshake()
    c.send(PSH | ACK, b"abc", doff=3)
    c.send(PSH | ACK, b"abc", doff=15)
    return None if c.echo(b"still fine") else "echo failed after bad offsets"


def case_option_loops():
    for o in (b"\x63\x00\x01\x01", b"\x02\x01\x05\xb4", b"\x01\x01\x08\x0a\x00\x00\x00\x01", b"\x02\x04"):
        c = Conn(ports()).handshake(opts=b"\x02\x04\x05\xb4" + o)
        if not c.echo(b"x"):
            return "no echo with malformed SYN options"
        c.send(PSH | ACK, b"y", opts=o)  # and on data
        c.snd += 1
        c.drain()
        c.reset()


def case_tiny_mss():
    c = Conn(ports()).handshake(opts=b"\x02\x04\x00\x01")  # MSS 1
    data = bytes(range(256)) * 4
    c.send(PSH | ACK, data)
    c.snd += len(data)
    sizes = []
    end = time.monotonic() + 3
    while len(c.got) < len(data) and time.monotonic() < end:
        s = c.recv(0.5)
        if s and s[5] and s[1] == c.rcv:
            sizes.append(len(s[5]))
            c.got += s[5]
            c.rcv = (c.rcv + len(s[5])) & 0xFFFFFFFF
            c.send(ACK)
    c.reset()
    if bytes(c.got) != data:
        return f"echo with MSS 1 incomplete ({len(c.got)} bytes)"
    if max(sizes) > 64 or min(sizes) < 1:
        return f"segments of {min(sizes)}..{max(sizes)} bytes for MSS raised to 64"


def case_wscale_above_14():
    c = Conn(ports()).handshake(opts=b"\x02\x04\x05\xb4\x01\x03\x03\x1e")  # scale 30
    ok = c.echo(b"scaled")
    c.reset()
    return None if ok else "no echo with window scale 30"


def case_crafted_sack():
    c = Conn(ports()).handshake()
    data = bytes(20000)
    c.send(PSH | ACK, data)
    c.snd += len(data)
    time.sleep(0.2)
    c.drain(ack=False)  # take the echo, acknowledge nothing yet
    base, top = c.rcv - len(c.got), c.rcv
    blocks = [
        (top + 100000, top + 200000),  # past what was sent
        (base + 500, base + 100),      # left > right
        (base - 100000, base - 99000),  # long before
    ]
    for l, r in blocks:
        c.send(ACK, ack=base, opts=b"\x01\x01\x05\x0a" + struct.pack("!II", l & 0xFFFFFFFF, r & 0xFFFFFFFF))
    for i in range(200):  # tiny disjoint blocks: fragmenting the scoreboard
        l = base + 10 + 37 * i
        c.send(ACK, ack=base, opts=b"\x01\x01\x05\x0a" + struct.pack("!II", l & 0xFFFFFFFF, (l + 1) & 0xFFFFFFFF))
    c.send(ACK, ack=top)
    c.got = bytearray()
    ok = c.echo(b"after sack")
    c.reset()
    return None if ok else "no echo after crafted SACK blocks"


def case_ooo_flood():
    c = Conn(ports()).handshake()
    for i in range(3000):  # never fills the hole at snd
        c.send(ACK, b"z" * 100, seq=c.snd + 1000 + 100 * i)
        if i % 200 == 199:
            time.sleep(0.002)
    time.sleep(0.2)
    st = stats()
    c.reset()
    if st["mem.tcp_ooo_segs"] > 256:
        return f"{st['mem.tcp_ooo_segs']} segments out of order, cap 256"


def case_urgent_pointer():
    c = Conn(ports()).handshake()
    ok = True
    for urg, n in ((0, 10), (60000, 10), (5, 10)):
        c.send(PSH | ACK | URG, b"u" * n, urg=urg)
        c.snd += n
    c.drain()
    ok = bytes(c.got) == b"u" * 30
    c.reset()
    return None if ok else "urgent data not echoed inline"


def case_blind_rst_syn_data():
    c = Conn(ports()).handshake()
    c.send(RST, seq=c.snd + 5000)  # in the window, not rcv_nxt
    c.send(SYN, seq=c.snd + 7000)
    c.send(PSH | ACK, b"forged", ack=c.rcv + 100000)  # ACKs unsent data
    c.send(RST, seq=c.snd + 0x40000000)  # far outside
    time.sleep(0.2)
    challenges = 0
    while True:
        s = c.recv(0.2)
        if not s:
            break
        challenges += s[0] == ACK and s[2] == c.snd
    ok = c.echo(b"survived")
    c.reset()
    if challenges < 2:
        return f"{challenges} challenge ACKs seen, want at least 2"
    return None if ok else "the connection did not survive blind RST/SYN/data"


def case_challenge_rate():
    c = Conn(ports()).handshake()
    for i in range(200):
        c.send(RST, seq=c.snd + 10 + i)
    ok = c.echo(b"limited")
    c.reset()
    return None if ok else "no echo after a RST storm"


def case_window_and_ack_abuse():
    c = Conn(ports()).handshake()
    c.send(PSH | ACK, b"far", seq=c.snd + 10000000)  # outside the window
    c.send(ACK, ack=c.rcv - 0x7FFFFFF0)  # an ACK from long ago
    ts = b"\x01\x01\x08\x0a" + struct.pack("!II", 5, 0)
    ok = c.echo(b"in window")
    c.reset()
    return None if ok else "no echo after out-of-window segments"


def case_paws_and_wrap():
    # Timestamps agreed; the sequence space wraps within the transfer.
    ts_opt = lambda v: b"\x01\x01\x08\x0a" + struct.pack("!II", v, 0)
    c = Conn(ports(), isn=0xFFFFFFF0)
    c.handshake(opts=b"\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x01\x00\x00\x00\x00")
    c.send(PSH | ACK, b"a" * 40, opts=ts_opt(70000))
    c.snd = (c.snd + 40) & 0xFFFFFFFF
    c.send(PSH | ACK, b"b" * 40, opts=ts_opt(100))  # older: PAWS
    c.drain()
    c.send(PSH | ACK, b"c" * 40, opts=ts_opt(70001))
    c.snd = (c.snd + 40) & 0xFFFFFFFF
    c.drain()
    got = bytes(c.got)
    c.reset()
    return None if got == b"a" * 40 + b"c" * 40 else f"wrong echo across the wrap: {got[:20]}..."


def case_data_after_fin():
    c = Conn(ports()).handshake()
    c.send(FIN | ACK)
    c.snd += 1
    c.drain()
    c.send(PSH | ACK, b"late")
    c.drain()
    c.reset()


def case_syn_flood():
    isns = [rnd.randrange(1 << 32) for _ in range(3000)]
    for i in range(3000):
        put(frame(tcp_seg(30000 + i, SYN, isns[i], 0, opts=b"\x02\x04\x05\xb4")))
        if i % 200 == 199:
            time.sleep(0.002)
    time.sleep(0.3)
    st = stats()
    if st["mem.tcp_conns"] > 256 + 50:
        return f"{st['mem.tcp_conns']} connections after a SYN flood"
    # The half-open ones are reset by their (fake) host.
    for i in range(3000):
        put(frame(tcp_seg(30000 + i, RST, isns[i] + 1, 0)))
        if i % 200 == 199:
            time.sleep(0.002)


def case_zero_window_forever():
    c = Conn(ports()).handshake()
    data = bytes(60000)
    c.send(PSH | ACK, data, win=0)
    c.snd += len(data)
    probes, end = 0, time.monotonic() + 3
    while time.monotonic() < end:
        s = c.recv(0.5)
        if s:
            if s[5] and s[1] == c.rcv and len(c.got) < 4000:
                c.got += s[5]  # the first bytes before the window shut
                c.rcv = (c.rcv + len(s[5])) & 0xFFFFFFFF
            probes += 1
            c.send(ACK, win=0)
    st = stats()
    c.reset()
    if st["mem.tcp_buf_bytes"] > 2 * (256 << 10) + (64 << 10):
        return f"{st['mem.tcp_buf_bytes']} buffer bytes for one stuck peer"


def case_slow_reader():
    c = Conn(ports()).handshake()
    data = bytes(50000)
    c.send(PSH | ACK, data, win=100)
    c.snd += len(data)
    end = time.monotonic() + 2
    while time.monotonic() < end:
        c.drain(timeout=0.1, win=100)
        time.sleep(0.1)
    c.reset()
    if not c.got:
        return "a slow reader got nothing"


def case_checksum():
    c = Conn(ports()).handshake()
    put(frame(tcp_seg(c.sport, PSH | ACK, c.snd, c.rcv, b"bad", bad_sum=True)))
    ok = c.echo(b"good")
    c.reset()
    return None if ok else "no echo after a bad checksum"


CASES = [
    # name, function, then counters that must rise and by how much
    ("tcp-bad-data-offset", case_bad_data_offset, "tcp.drop_data_offset", 2),
    ("tcp-option-loops", case_option_loops, "tcp.options_malformed", 4),
    ("tcp-tiny-mss", case_tiny_mss, "tcp.mss_raised", 1),
    ("tcp-wscale-above-14", case_wscale_above_14, "tcp.wscale_clamped", 1),
    ("tcp-crafted-sack", case_crafted_sack, "tcp.sack_invalid", 2,
     "tcp.sack_scoreboard_full", 1),
    ("tcp-ooo-flood", case_ooo_flood, "tcp.drop_ooo_full", 2000),
    ("tcp-urgent-pointer", case_urgent_pointer, "tcp.urgent_ignored", 3),
    ("tcp-blind-rst-syn-data", case_blind_rst_syn_data, "tcp.challenge_ack_tx", 2),
    ("tcp-challenge-ack-limit", case_challenge_rate, "tcp.challenge_ack_limited", 150),
    ("tcp-outside-window", case_window_and_ack_abuse, "tcp.drop_outside_window", 1),
    ("tcp-paws-and-wrap", case_paws_and_wrap, "tcp.drop_paws", 1),
    ("tcp-data-after-fin", case_data_after_fin, "tcp.drop_data_after_fin", 1),
    ("tcp-syn-flood", case_syn_flood, "tcp.syncookie_tx", 2000),
    ("tcp-zero-window-forever", case_zero_window_forever, "tcp.window_probes", 1),
    ("tcp-slow-reader", case_slow_reader, "tcp.rx", 10),
    ("tcp-bad-checksum", case_checksum, "tcp.drop_checksum", 1),
]

if alive():
    sys.exit("tcp_hostile: the appliance does not echo to begin with")
failures = 0
before = stats()
for name, fn, *wants in CASES:
    if only and name not in only:
        continue
    problem = None
    try:
        problem = fn()
    except Exception as e:  # a case that cannot run is a failure
        problem = f"{type(e).__name__}: {e}"
    problem = problem or alive()
    after = stats()
    rises = [(k, after.get(k, 0) - before.get(k, 0), w) for k, w in zip(wants[::2], wants[1::2])]
    short = [f"{k} rose by {got}, want {w}" for k, got, w in rises if got < w]
    if problem or short:
        verdict = f"FAIL {name}: {problem or '; '.join(short)}"
    else:
        verdict = f"PASS {name}: " + ", ".join(f"{k} +{got}" for k, got, _ in rises)
    failures += netutil.verdict(verdict, before, after)
    before = after

time.sleep(1)
s = stats()
rss = int(next(l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")))
checks = [
    (f"connections all gone but half-open ones ({s['mem.tcp_conns']})", s["mem.tcp_conns"] <= 256),
    ("no segments held out of order", s["mem.tcp_ooo_segs"] == 0),
    (f"pool never ran dry (lowest free: {s['mem.pbufs_free_min']})", s["mem.pbufs_free_min"] > 0),
    (f"buffers within the cap ({s['mem.tcp_buf_bytes_max']} bytes at most)", s["mem.tcp_buf_bytes_max"] <= 16 << 20),
    (f"resident memory {rss} KiB under 32 MiB", rss < 32 << 10),
]
for what, ok in checks:
    print(f"{'PASS' if ok else 'FAIL'} tcp-hostile/memory: {what}")
    failures += not ok
sys.exit(1 if failures else 0)
