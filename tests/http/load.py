"""Many clients against a live httpd over real TCP.

usage: load.py APP_IP PORT concurrent N REQUESTS   N keep-alive clients at
           once, REQUESTS sequential GETs each, every body checked
       load.py APP_IP PORT pipelined N             N requests in one write,
           N responses in order, the connection still open after
       load.py APP_IP PORT idle N SECONDS           N keep-alive connections
           made (one request each), held idle SECONDS, then a fresh client
           and a sample of the idle ones must still be served

Prints one line of figures; exits 0 on success."""
import asyncio
import random
import resource
import socket
import sys
import time

import httpc

app, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
A_TXT = b"hello, world\n"
REQ = b"GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n"


async def read_response(r):
    head = await r.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return status, await r.readexactly(length)


async def client(n_requests, errors):
    try:
        r, w = await asyncio.open_connection(app, port)
        for _ in range(n_requests):
            w.write(REQ)
            st, body = await read_response(r)
            if st != 200 or body != A_TXT:
                errors.append("got %d %r" % (st, body[:30]))
        w.close()
    except Exception as e:
        errors.append(repr(e))


async def concurrent(n, k):
    errors = []
    t = time.monotonic()
    await asyncio.gather(*(client(k, errors) for _ in range(n)))
    dt = time.monotonic() - t
    print("%d clients x %d requests in %.2f s, %d errors%s" %
          (n, k, dt, len(errors), (": " + errors[0]) if errors else ""))
    return not errors


def pipelined(n):
    s = httpc.connect(app, port, timeout=10)
    r = httpc.Reader(s)
    paths = [random.Random(i).choice([b"/a.txt", b"/dir/b.txt", b"/"]) for i in range(n)]
    s.sendall(b"".join(b"GET " + p + b" HTTP/1.1\r\nHost: t\r\n\r\n" for p in paths))
    want = {b"/a.txt": A_TXT, b"/dir/b.txt": b"bee\n"}
    ok = 0
    for p in paths:
        st, _, body = r.response()
        ok += st == 200 and (p not in want or body == want[p])
    s.sendall(REQ)
    still_open = r.response()[0] == 200
    s.close()
    print("%d pipelined, %d in order and correct, open after: %s" % (n, ok, still_open))
    return ok == n and still_open


def idle(n, seconds):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, n + 100), max(hard, n + 100)))
    conns, t = [], time.monotonic()
    # One request each, sent as the connection opens (on a slow target,
    # making 10,000 can take longer than the header timeout), answered.
    for i in range(n):
        s = socket.create_connection((app, port), timeout=10)
        s.sendall(REQ)
        conns.append(s)
    for s in conns:
        r = httpc.Reader(s)
        st, _, body = r.response()
        if st != 200 or body != A_TXT:
            print("connection answered %d" % st)
            return False
    made = time.monotonic() - t
    time.sleep(seconds)
    fresh = httpc.get(app, port, b"/a.txt")[0] == 200
    sample = random.Random(1).sample(conns, 100)
    again = 0
    for s in sample:
        s.sendall(REQ)
        again += httpc.Reader(s).response()[0] == 200
    for s in conns:
        s.close()
    print("%d idle keep-alive connections made and answered in %.1f s, held %d s; "
          "fresh client served: %s; %d/100 idle ones served again" %
          (n, made, seconds, fresh, again))
    return fresh and again == 100


if mode == "concurrent":
    ok = asyncio.run(concurrent(int(sys.argv[4]), int(sys.argv[5])))
elif mode == "pipelined":
    ok = pipelined(int(sys.argv[4]))
else:
    ok = idle(int(sys.argv[4]), int(sys.argv[5]))
sys.exit(0 if ok else 1)
