"""A host queue that fills: the linux target's udp-echo appliance on a
frame socket (--net service=fd:N) whose send buffer holds only a few
frames. The test sends COUNT requests without reading, so the
appliance's writes soon answer EAGAIN and the rest of its echoes wait in
its transmit queue; then it reads. Every echo must arrive within a
second of the reading starting: the appliance is woken by the socket
having room again, not by its next timer (which may be a minute away).
usage: tx_full.py IMAGE COUNT"""
import socket
import struct
import subprocess
import sys
import time

image, count = sys.argv[1], int(sys.argv[2])
OUR_MAC = bytes.fromhex("020000000001")
OUR_IP, APP_IP = bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])

ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
theirs.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # a few frames
app = subprocess.Popen([image, "--net", f"service=fd:{theirs.fileno()}",
                        "--", "--ipv4", "10.9.0.2/24"], pass_fds=[theirs.fileno()],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
theirs.close()


def fail(why):
    app.kill()
    sys.exit(f"tx_full: {why}; appliance said: {app.communicate()[1].decode()[-300:]}")


def checksum(b):
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(timeout):
    ours.settimeout(timeout)
    try:
        return ours.recv(2000)
    except socket.timeout:
        return None


# The appliance's MAC: from its answer to our ARP request.
arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, OUR_MAC, OUR_IP, bytes(6), APP_IP)
ours.send(b"\xff" * 6 + OUR_MAC + b"\x08\x06" + arp)
app_mac, deadline = None, time.monotonic() + 10
while app_mac is None:
    f = frame(max(0.01, deadline - time.monotonic()))
    if f is None:
        fail("no ARP reply within 10 s")
    if f[12:14] == b"\x08\x06" and struct.unpack("!H", f[20:22])[0] == 2:
        app_mac = f[6:12]

for seq in range(count):
    data = struct.pack("!I", seq) + bytes(60)
    udp = struct.pack("!HHHH", 5555, 7, 8 + len(data), 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq, 0, 64, 17, 0, OUR_IP, APP_IP)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    ours.send(app_mac + OUR_MAC + b"\x08\x00" + ip + udp)
time.sleep(0.5)  # the appliance has answered EAGAIN by now and sleeps

echoed, start = set(), time.monotonic()
while len(echoed) < count:
    f = frame(max(0.01, start + 1 - time.monotonic()))
    if f is None:
        fail(f"{len(echoed)} of {count} echoes within 1 s of reading")
    if f[12:14] == b"\x08\x00" and f[23] == 17:
        echoed.add(struct.unpack("!I", f[42:46])[0])
app.terminate()
app.wait()
print(f"tx_full: {count} echoes through a send buffer of a few frames, "
      f"all within {time.monotonic() - start:.3f} s of reading")
