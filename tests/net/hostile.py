"""Hostile input against a live udp-echo appliance (../shared/BAD_INPUTS.md,
link/IP/ICMP/UDP): each class of malformed frame is sent from the Linux
side of the tap with a raw packet socket; after each class the appliance
must still answer ping and UDP echo, and its counters must account for
every frame of the class. At the end, its memory must be within its caps.
usage: hostile.py IFNAME HOST_IP APP_IP STATS_PORT PID"""
import random
import socket
import struct
import subprocess
import sys
import time

import netutil
from netutil import csum

ifname, host_ip, app_ip, stats_port, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
N = 5  # frames per case
rnd = random.Random(5)
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
raw.bind((ifname, 0))
our_mac = raw.getsockname()[4]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.settimeout(1)
H, A = socket.inet_aton(host_ip), socket.inet_aton(app_ip)


def stats():
    return netutil.stats(udp, app_ip, stats_port, "hostile")


def alive():
    # Three tries: after a flood the host's own tap queue (not the
    # appliance) may have dropped the first request.
    for _ in range(3):
        udp.sendto(b"still there?", (app_ip, 7))
        try:
            if udp.recvfrom(100)[0] != b"still there?":
                return "wrong UDP echo"
            break
        except socket.timeout:
            continue
    else:
        return "no UDP echo"
    r = subprocess.run(["ping", "-c", "1", "-W", "1", app_ip], capture_output=True)
    return None if r.returncode == 0 else "no ping reply"


alive()
app_mac = None
for line in open("/proc/net/arp"):
    if line.startswith(app_ip + " "):
        app_mac = bytes.fromhex(line.split()[3].replace(":", ""))
if not app_mac:
    sys.exit("hostile: no ARP entry for the appliance")


def eth(payload, dst=None, src=None, etype=0x0800):
    return (dst or app_mac) + (src or our_mac) + struct.pack("!H", etype) + payload


def ip(payload, proto=17, src=H, dst=A, ihl=5, opts=b"", total=None, ident=1,
       frag=0, ver=4, fix=True, bad_sum=False):
    hl = ihl * 4
    total = (20 + len(opts) + len(payload)) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", ver << 4 | ihl, 0, total & 0xFFFF, ident,
                    frag, 64, proto, 0, src, dst) + opts
    s = csum(h[:hl] if hl <= len(h) else h) ^ (1 if bad_sum else 0)
    h = h[:10] + struct.pack("!H", s) + h[12:]
    return h + payload


def udp_dgram(data, dport=7, sport=40000, length=None, bad_sum=False):
    length = 8 + len(data) if length is None else length
    pseudo = H + A + struct.pack("!BBH", 0, 17, 8 + len(data))
    u = struct.pack("!HHHH", sport, dport, length & 0xFFFF, 0) + data
    s = csum(pseudo + u) or 0xFFFF
    if bad_sum:
        s ^= 0x5A5A
    return u[:6] + struct.pack("!H", s) + u[8:]


def icmp(t, c, rest=b"\0\0\0\0", data=b"", bad_sum=False):
    m = struct.pack("!BBH", t, c, 0) + rest + data
    s = csum(m) ^ (0x1111 if bad_sum else 0)
    return m[:2] + struct.pack("!H", s) + m[4:]


def echo_req(seq, data=b"x" * 32):
    return icmp(8, 0, struct.pack("!HH", 0x4242, seq), data)


def arp(op, smac, sip, tip):
    return eth(struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + smac + sip + b"\0" * 6 + tip,
               dst=b"\xff" * 6, src=smac, etype=0x0806)


def frags(ident, data, size, order=None):
    pieces = [(o, data[o:o + size]) for o in range(0, len(data), size)]
    out = []
    for o, p in pieces:
        more = 0x2000 if o + size < len(data) else 0
        out.append(eth(ip(p, proto=1, frag=more | o // 8, ident=ident)))
    return [out[i] for i in order] if order else out


big_echo = echo_req(1, bytes(range(256)) * 8)  # 2056 bytes of ICMP
CASES = [
    # name, frames, counter, frames it must account for
    # Runts shorter than 14 bytes cannot leave a Linux interface; the
    # unit tests feed them (unit/netstack/ethernet). The shortest here:
    ("eth-header-only", [eth(b"")] * N, "ip.drop_short", N),
    ("eth-not-us", [eth(ip(udp_dgram(b"x")), dst=b"\x02\x99\x99\x99\x99\x99")] * N, "eth.drop_not_us", N),
    ("eth-group-source", [eth(ip(udp_dgram(b"x")), src=b"\x03\0\0\0\0\1")] * N, "eth.drop_bad_source", N),
    ("eth-own-source", [eth(ip(udp_dgram(b"x")), src=app_mac)] * N, "eth.drop_bad_source", N),
    ("eth-ipv6", [eth(bytes(40), etype=0x86DD)] * N, "eth.drop_type", N),
    ("eth-vlan-tunnel", [eth(b"\0\1\x08\0" + ip(udp_dgram(b"x")), etype=0x8100)] * N, "eth.drop_type", N),
    ("ip-short", [eth(bytes(12))] * N, "ip.drop_short", N),
    ("ip-version-6", [eth(ip(udp_dgram(b"x"), ver=6))] * N, "ip.drop_version", N),
    ("ip-ihl-4", [eth(ip(udp_dgram(b"x"), ihl=4))] * N, "ip.drop_ihl", N),
    ("ip-ihl-past-packet", [eth(ip(b"", ihl=15, proto=1))] * N, "ip.drop_ihl", N),
    ("ip-length-past-frame", [eth(ip(udp_dgram(b"x"), total=400))] * N, "ip.drop_length", N),
    ("ip-length-below-ihl", [eth(ip(udp_dgram(b"x"), total=12))] * N, "ip.drop_length", N),
    ("ip-bad-checksum", [eth(ip(udp_dgram(b"x"), bad_sum=True))] * N, "ip.drop_checksum", N),
    ("ip-option-length-0", [eth(ip(echo_req(1), proto=1, ihl=6, opts=b"\x07\x00\x00\x00"))] * N, "ip.drop_options", N),
    ("ip-option-length-1", [eth(ip(echo_req(1), proto=1, ihl=6, opts=b"\x44\x01\x00\x00"))] * N, "ip.drop_options", N),
    ("ip-option-past-header", [eth(ip(echo_req(1), proto=1, ihl=6, opts=b"\x01\x07\x09\x00"))] * N, "ip.drop_options", N),
    ("ip-options-valid", [eth(ip(echo_req(1), proto=1, ihl=7, opts=b"\x07\x07\x04" + bytes(5)))] * N, "icmp.echo_replies", N),
    ("ip-source-is-us", [eth(ip(udp_dgram(b"x"), src=A))] * N, "ip.drop_bad_source", N),
    ("ip-source-broadcast", [eth(ip(udp_dgram(b"x"), src=b"\xff" * 4))] * N, "ip.drop_bad_source", N),
    ("ip-not-us", [eth(ip(udp_dgram(b"x"), dst=socket.inet_aton("10.9.0.99")))] * N, "ip.drop_not_us", N),
    ("ip-tunnel-ipip", [eth(ip(ip(udp_dgram(b"x")), proto=4))] * N, "ip.drop_protocol", N),
    ("ip-gre", [eth(ip(bytes(8), proto=47))] * N, "ip.drop_protocol", N),
    ("frag-out-of-order", frags(100, big_echo, 512, [3, 1, 4, 0, 2]), "icmp.echo_replies", 1),
    ("frag-duplicate", frags(101, big_echo, 512, [0, 0, 1, 2, 3, 4]), "ip.reass_drop_duplicate", 1),
    ("frag-overlap", [eth(ip(big_echo[:512], proto=1, frag=0x2000, ident=102)),
                      eth(ip(big_echo[256:768], proto=1, frag=0x2000 | 32, ident=102))], "ip.reass_drop_overlap", 1),
    ("frag-past-65535", [eth(ip(bytes(1000), proto=1, frag=0x1FFF, ident=103))] * N, "ip.reass_drop_too_big", N),
    ("frag-odd-size", [eth(ip(bytes(1001), proto=1, frag=0x2000, ident=104))] * N, "ip.reass_drop_bad_fragment", N),
    ("frag-flood", [eth(ip(bytes(1400), proto=1, frag=0x2000 | 175, ident=1000 + i)) for i in range(1500)],
     "ip.reass_drop_evicted", 1500 - 16),
    ("icmp-short", [eth(ip(b"\x08\0\0", proto=1))] * N, "icmp.drop_short", N),
    ("icmp-bad-checksum", [eth(ip(echo_req(1)[:-1] + b"!", proto=1))] * N, "icmp.drop_checksum", N),
    ("icmp-unsolicited-errors", [eth(ip(icmp(3, 4, b"\0\0\x02\x40", ip(udp_dgram(b"x"), src=A, dst=H)), proto=1)),
                                 eth(ip(icmp(3, 3, data=ip(bytes(8), total=65535)[:28]), proto=1)),
                                 eth(ip(icmp(11, 0, data=ip(bytes(8), ihl=15)[:28]), proto=1)),
                                 eth(ip(icmp(5, 1, A), proto=1)),
                                 eth(ip(icmp(3, 1), proto=1))], "icmp.errors_rx", 5),
    ("icmp-broadcast-echo", [eth(ip(echo_req(1), proto=1, dst=b"\xff" * 4), dst=b"\xff" * 6)] * N, "icmp.drop_type", N),
    ("udp-short", [eth(ip(b"\0\7\0", proto=17))] * N, "udp.drop_short", N),
    ("udp-length-below-8", [eth(ip(udp_dgram(b"hello", length=4)))] * N, "udp.drop_length", N),
    ("udp-length-past-packet", [eth(ip(udp_dgram(b"hello", length=500)))] * N, "udp.drop_length", N),
    ("udp-bad-checksum", [eth(ip(udp_dgram(b"hello", bad_sum=True)))] * N, "udp.drop_checksum", N),
    ("udp-closed-port", [eth(ip(udp_dgram(b"hello", dport=4444)))] * N, "udp.drop_no_port", N),
    ("arp-conflict", [arp(1, our_mac, A, A)] * N, "arp.drop_conflict", N),
    ("arp-malformed", [arp(7, our_mac, H, A)] * N, "arp.drop_malformed", N),
    ("arp-spoof-flood", [arp(1, bytes([2, 0x66, 0, 0, i >> 8, i & 255]), struct.pack("!I", 0x0A0A0000 + i), A)
                         for i in range(2000)], "arp.evicted", 2000 - 64),
]

failures = 0
before = stats()
only = sys.argv[6:]
for name, frames, counter, want in CASES:
    if only and name not in only:
        continue
    for i, f in enumerate(frames):
        raw.send(f)
        if i % 200 == 199:
            time.sleep(0.002)  # floods in bursts the host's tap queue holds
    problem = alive()
    after = stats()
    got = after.get(counter, 0) - before.get(counter, 0)
    if counter == "icmp.echo_replies":
        got -= 1  # alive()'s own ping
    if problem:
        verdict = f"FAIL hostile/{name}: {problem} after the frames"
    elif got < want:
        verdict = f"FAIL hostile/{name}: {counter} rose by {got}, want {want}"
    else:
        verdict = f"PASS hostile/{name}: {counter} +{got}"
    failures += netutil.verdict(verdict, before, after)
    before = after

# Memory: every cap held, every buffer came back, the process stayed small.
s = stats()
rss = int(next(l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")))
checks = [
    ("pool buffers all free but those reassembly holds",
     s["mem.pbufs"] - s["mem.pbufs_free"] <= s["mem.reass_bytes"] // 1500),
    (f"pool never ran dry (lowest free: {s['mem.pbufs_free_min']})", s["mem.pbufs_free_min"] > 0),
    ("heap buffers all freed", s["mem.heap_bytes"] == 0),
    ("heap buffers within the cap", s["mem.heap_bytes_max"] <= 512 << 10),
    ("reassembly within the cap", s["mem.reass_bytes"] <= 256 << 10),
    ("ARP cache within the cap", s["mem.arp_entries"] <= 64),
    (f"resident memory {rss} KiB under 16 MiB", rss < 16 << 10),
]
for what, ok in checks:
    print(f"{'PASS' if ok else 'FAIL'} hostile/memory: {what}")
    failures += not ok
sys.exit(1 if failures else 0)
