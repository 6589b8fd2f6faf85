"""ARP checks from the Linux side of a tap, with raw packet sockets.
usage: arp_probe.py IFNAME OUR_IP APPLIANCE_IP MODE
  MODE request: asks for APPLIANCE_IP, expects a reply with its MAC
  MODE other:   asks for an address that is not the appliance's, expects
                silence
  MODE gratuitous: listens (up to 5 s) for the appliance's gratuitous ARP
                for APPLIANCE_IP (start the appliance after this)"""
import socket
import struct
import sys
import time

ifname, our_ip, app_ip, mode = sys.argv[1:5]
ETH_P_ARP = 0x0806
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
s.bind((ifname, ETH_P_ARP))
mac = s.getsockname()[4]
s.settimeout(0.2)
ip = socket.inet_aton


def arp(op, tip):
    return (b"\xff" * 6 + mac + struct.pack("!H", ETH_P_ARP) +
            struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + mac + ip(our_ip) +
            b"\0" * 6 + ip(tip))


def frames(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            data, addr = s.recvfrom(2048)
        except socket.timeout:
            continue
        if addr[2] != socket.PACKET_OUTGOING and len(data) >= 42:
            yield data


if mode == "gratuitous":
    print("listening", flush=True)
    for f in frames(5):
        op, sip, tip = struct.unpack("!H", f[20:22])[0], f[28:32], f[38:42]
        if op == 1 and sip == ip(app_ip) and tip == ip(app_ip) and f[0:6] == b"\xff" * 6:
            print(f"arp_probe: gratuitous ARP for {app_ip} from {f[22:28].hex(':')}")
            sys.exit(0)
    sys.exit("arp_probe: no gratuitous ARP seen")
target = app_ip if mode == "request" else "10.9.0.77"
s.send(arp(1, target))
for f in frames(1):
    op = struct.unpack("!H", f[20:22])[0]
    if op == 2 and f[28:32] == ip(target):
        if mode == "request" and f[0:6] == mac and f[32:38] == mac and f[38:42] == ip(our_ip):
            print(f"arp_probe: reply for {target}: {f[22:28].hex(':')}")
            sys.exit(0)
        sys.exit(f"arp_probe: unexpected reply for {target}")
if mode == "other":
    print(f"arp_probe: no reply for {target}, as it should be")
    sys.exit(0)
sys.exit(f"arp_probe: no reply for {target}")
