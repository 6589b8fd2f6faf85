#!/usr/bin/env python3
"""Seeds for tests/fuzz/http_request: requests of each class the unit
tables cover, as mode-0 control sequences, plus value strings (mode 2)
and a packed image (mode 1, from the build's own imagegen if present).
usage: http_seeds.py DIR"""
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

H = b"Host: x\r\n"
requests = [
    b"GET / HTTP/1.1\r\n" + H + b"\r\n",
    b"GET /a.txt HTTP/1.1\r\n" + H + b"Range: bytes=0-4\r\n\r\n",
    b"GET /big.css HTTP/1.1\r\n" + H + b"Accept-Encoding: gzip\r\n\r\n",
    b"GET /a.txt HTTP/1.1\r\n" + H
    + b"If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n",
    b"GET /dir HTTP/1.1\r\n" + H + b"\r\n",
    b"GET /dir/%2e%2e/a.txt?q=1 HTTP/1.1\r\n" + H + b"\r\n",
    b"POST /a.txt HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n\r\nabc",
    b"POST /x HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n"
    + b"Expect: 100-continue\r\n\r\n3;a=b\r\nabc\r\n0\r\nT: v\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" * 3,
    b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n",
    b"GET http://x/a.txt HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n",
]


def control(data, step_bits=0):
    """Mode 0: feed DATA in pieces of up to 64 bytes."""
    seq = bytearray([0])
    for i in range(0, len(data), 64):
        piece = data[i:i + 64]
        seq.append((step_bits << 6) | (len(piece) - 1))
        seq += piece
    return bytes(seq)


for i, r in enumerate(requests):
    with open(os.path.join(out, "req%02d" % i), "wb") as f:
        f.write(control(r, i % 4))
# A slow head, a timeout, an end of input.
with open(os.path.join(out, "slow"), "wb") as f:
    f.write(b"\x00" + b"".join(bytes([0, c]) + b"\xf1" for c in requests[0][:10])
            + b"\xf9")
with open(os.path.join(out, "eof"), "wb") as f:
    f.write(control(requests[0] + b"GET /a") + b"\xf8")
for i, v in enumerate([b"bytes=0-1,3-4,-5", b"Sun, 06 Nov 1994 08:49:37 GMT",
                       b"Sunday, 06-Nov-94 08:49:37 GMT",
                       b"Sun Nov  6 08:49:37 1994", b"gzip;q=0.5, *;q=0",
                       b'W/"abc", "def"', b"/a/../b/./c//d?x", b"[::1]:80"]):
    with open(os.path.join(out, "value%02d" % i), "wb") as f:
        f.write(b"\x02" + v)
