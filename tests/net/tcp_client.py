"""TCP clients for the net bench (tests/net/tcp), each a subcommand that
exits 0 on success and prints one line of figures:

  echo ADDR PORT BYTES [CHUNK]     send BYTES of a seeded pattern and read
                                   the echo back concurrently; SHA-256
                                   of both must match
  many ADDR PORT CONNS BYTES       CONNS connections at once, each echoing
                                   BYTES (selectors, non-blocking)
  halfclose ADDR PORT BYTES        send BYTES, shut down writing, read the
                                   whole echo and the end of stream
  refused ADDR PORT                connect to a closed port: refused
  abort ADDR PORT BYTES            send BYTES, then reset (SO_LINGER 0)
  resetclose ADDR PORT BYTES       send BYTES to a sink that closes with
                                   data unread: the connection is reset
  hold ADDR PORT SECONDS           connect, echo one byte, stay idle
  stall ADDR PORT BYTES SECONDS    send BYTES, never read, stay
  idle ADDR PORT N SECONDS FILE    open N connections, write "ready" to
                                   FILE, hold them SECONDS, close them
  server PORT BYTES [TIMEOUT]      accept one connection, read until the
                                   end of stream, expect BYTES of the
                                   pattern tcp-source sends, close
"""
import hashlib
import os
import selectors
import socket
import struct
import sys
import threading
import time


def pattern(n, seed=1):
    """N bytes of a repeatable pseudo-random pattern."""
    out = bytearray()
    block = hashlib.sha256(b"pith%d" % seed).digest() * 2048  # 64 KiB
    while len(out) < n:
        out += block[: n - len(out)]
    return bytes(out)


def echo(addr, port, total, chunk=65536):
    data = pattern(min(total, 4 << 20))
    s = socket.create_connection((addr, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sent_hash = hashlib.sha256()
    start = time.monotonic()

    def sender():
        left = total
        while left:
            piece = data[: min(chunk, left, len(data))]
            s.sendall(piece)
            sent_hash.update(piece)
            left -= len(piece)

    t = threading.Thread(target=sender)
    t.start()
    got, h = 0, hashlib.sha256()
    while got < total:
        b = s.recv(1 << 20)
        if not b:
            sys.exit(f"echo: end of stream after {got} of {total} bytes")
        h.update(b)
        got += len(b)
    t.join()
    secs = time.monotonic() - start
    s.close()
    if h.digest() != sent_hash.digest():
        sys.exit("echo: the echo differs from what was sent")
    print(f"echo: {total} bytes in {secs:.2f} s ({total * 8 / secs / 1e6:.0f} Mbit/s each way), sha256 match")


def many(addr, port, conns, per):
    data = pattern(per, 2)
    sel = selectors.DefaultSelector()
    state = {}
    start = time.monotonic()
    for i in range(conns):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((addr, port))
        state[s] = [0, bytearray()]
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    done = 0
    finished = []
    deadline = start + 60
    while done < conns:
        if time.monotonic() > deadline:
            sys.exit(f"many: only {done} of {conns} connections finished in 60 s")
        for key, ev in sel.select(timeout=1):
            s = key.fileobj
            st = state[s]
            if ev & selectors.EVENT_WRITE and st[0] < per:
                try:
                    st[0] += s.send(data[st[0]:])
                except (BlockingIOError, InterruptedError):
                    pass
                if st[0] == per:
                    sel.modify(s, selectors.EVENT_READ)
            if ev & selectors.EVENT_READ:
                try:
                    b = s.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                if not b:
                    sys.exit("many: a connection ended early")
                st[1] += b
                if len(st[1]) == per:
                    if bytes(st[1]) != data:
                        sys.exit("many: wrong echo")
                    # Held open until every connection has echoed: all
                    # of them are open at once, however slow the target.
                    sel.unregister(s)
                    finished.append(s)
                    done += 1
    for s in finished:
        s.close()
    print(f"many: {conns} connections echoed {per} bytes each in {time.monotonic() - start:.2f} s")


def halfclose(addr, port, total):
    data = pattern(total, 3)
    s = socket.create_connection((addr, port), timeout=10)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    if bytes(got) != data:
        sys.exit(f"halfclose: got {len(got)} bytes, want the {total} sent")
    print(f"halfclose: {total} bytes echoed after our FIN, then the end of stream")


def refused(addr, port):
    try:
        socket.create_connection((addr, port), timeout=3)
    except ConnectionRefusedError:
        print("refused: connection refused (RST)")
        return
    sys.exit("refused: the connection was not refused")


def abort(addr, port, total):
    s = socket.create_connection((addr, port), timeout=10)
    s.sendall(pattern(total, 4))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print(f"abort: sent {total} bytes, then a RST")


def resetclose(addr, port, total):
    s = socket.create_connection((addr, port), timeout=10)
    try:
        s.sendall(pattern(total, 5))
        while s.recv(65536):
            pass
    except ConnectionResetError:
        print("resetclose: the connection was reset")
        return
    sys.exit("resetclose: no reset")


def hold(addr, port, secs):
    s = socket.create_connection((addr, port), timeout=5)
    s.sendall(b"k")
    if s.recv(1) != b"k":
        sys.exit("hold: no echo")
    print("hold: connected", flush=True)
    time.sleep(secs)
    s.close()


def stall(addr, port, total, secs):
    s = socket.create_connection((addr, port), timeout=5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.setblocking(False)
    sent, data = 0, pattern(total, 6)
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            sent += s.send(data[sent:]) if sent < total else 0
        except BlockingIOError:
            pass
        time.sleep(0.01)
    print(f"stall: sent {sent} bytes, read none", flush=True)


def idle(addr, port, n, secs, ready):
    socks = []
    for i in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((addr, port))
        socks.append(s)
        if i % 200 == 199:
            time.sleep(0.05)
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_WRITE)
    pending, end = n, time.monotonic() + 30
    while pending and time.monotonic() < end:
        for key, _ in sel.select(timeout=1):
            sel.unregister(key.fileobj)
            if key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                sys.exit("idle: a connection failed")
            pending -= 1
    if pending:
        sys.exit(f"idle: {pending} connections did not complete")
    with open(ready, "w") as f:
        f.write("ready\n")
    time.sleep(secs)
    for s in socks:
        s.close()
    print(f"idle: held {n} connections for {secs} s")


def server(port, total, timeout=30):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    print("server: listening", flush=True)
    ls.settimeout(timeout)
    c, peer = ls.accept()
    c.settimeout(timeout)
    start = time.monotonic()
    h, got = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        h.update(b)
        got += len(b)
    secs = time.monotonic() - start
    want = hashlib.sha256(pattern_source(total)).digest()
    if got != total or h.digest() != want:
        sys.exit(f"server: {got} bytes from {peer[0]}, want {total} of the pattern")
    print(f"server: {got} bytes from {peer[0]}:{peer[1]} in {secs:.2f} s, content correct")


def pattern_source(n):
    """What tcp-source sends: a 65,521-byte xorshift table, repeated."""
    x, table = 2463534242, bytearray(65521)
    for i in range(65521):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        table[i] = x & 255
    return (bytes(table) * (n // 65521 + 1))[:n]


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "echo":
        echo(args[0], int(args[1]), int(args[2]), *(int(a) for a in args[3:]))
    elif cmd == "many":
        many(args[0], int(args[1]), int(args[2]), int(args[3]))
    elif cmd == "halfclose":
        halfclose(args[0], int(args[1]), int(args[2]))
    elif cmd == "refused":
        refused(args[0], int(args[1]))
    elif cmd == "abort":
        abort(args[0], int(args[1]), int(args[2]))
    elif cmd == "resetclose":
        resetclose(args[0], int(args[1]), int(args[2]))
    elif cmd == "hold":
        hold(args[0], int(args[1]), float(args[2]))
    elif cmd == "stall":
        stall(args[0], int(args[1]), int(args[2]), float(args[3]))
    elif cmd == "idle":
        idle(args[0], int(args[1]), int(args[2]), float(args[3]), args[4])
    elif cmd == "server":
        server(int(args[0]), int(args[1]), *(float(a) for a in args[2:]))
    else:
        sys.exit(f"unknown command {cmd}")
