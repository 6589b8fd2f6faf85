"""Asks a udp-echo appliance's stats port for its counters.
usage: stats.py ADDR PORT [exit]   prints "name value" lines"""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
cmd = b"exit" if len(sys.argv) > 3 else b"report"
for _ in range(3):
    s.sendto(cmd, (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recvfrom(65536)[0].decode(), end="")
        sys.exit(0)
    except socket.timeout:
        continue
sys.exit("stats: no answer")
