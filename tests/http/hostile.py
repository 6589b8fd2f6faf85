"""The HTTP classes of ../shared/BAD_INPUTS.md against a live httpd, over
real TCP from the Linux side. Each case sends its bytes on a fresh
connection and checks the exact status (or the close) and that the
counter accounting for it moved; a well-behaved client keeps fetching a
file on its own keep-alive connection the whole time and must never
miss. Prints "PASS|FAIL name[: why]" per case.

usage: hostile.py APP_IP PORT STATS_PORT
The appliance runs with --header-timeout 1000 --body-timeout 1000
--send-timeout 1500 --linger 500 (tests/http/run)."""
import select
import socket
import sys
import threading
import time

import httpc

app, port, stats_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
H = b"Host: t\r\n"
A_TXT = b"hello, world\n"


class Liveness(threading.Thread):
    """GET /a.txt every 10 ms on one keep-alive connection."""

    def __init__(self):
        super().__init__(daemon=True)
        self.ok = self.failed = 0
        self.why = ""
        self.stop = False

    def run(self):
        s = r = None
        while not self.stop:
            try:
                if s is None:
                    s = httpc.connect(app, port)
                    r = httpc.Reader(s)
                s.sendall(b"GET /a.txt HTTP/1.1\r\n" + H + b"\r\n")
                st, hdr, body = r.response()
                if st != 200 or body != A_TXT:
                    raise ValueError("got %d %r" % (st, body[:40]))
                self.ok += 1
                if hdr.get("connection") == "close":  # the request cap
                    s.close()
                    s = None
            except Exception as e:  # any miss is a failure
                self.failed += 1
                self.why = repr(e)
                s = None
            time.sleep(0.01)


def report(ok, name, why=""):
    print(("PASS " if ok else "FAIL ") + name + (": " + why if why and not ok else ""),
          flush=True)
    return ok


def exchange(data, slow=0.0, expect_close=True, wait=5.0):
    """Sends DATA (one byte every SLOW seconds if SLOW), reads one
    response; returns (status or None, closed)."""
    s = httpc.connect(app, port, timeout=wait)
    r = httpc.Reader(s)
    try:
        if slow:  # until the server answers
            for i in range(len(data)):
                s.sendall(data[i:i + 1])
                if select.select([s], [], [], slow)[0]:
                    break
        else:
            s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        status = r.response()[0]
        while status == 100:
            status = r.response()[0]
    except (httpc.Closed, socket.timeout):
        status = None
    closed = r.closed(3.0 if expect_close else 0.3)
    s.close()
    return status, closed


def case(name, data, status, counter, close=True, slow=0.0):
    before = httpc.stats(app, stats_port)
    got, closed = exchange(data, slow=slow, expect_close=close)
    after = httpc.stats(app, stats_port)
    moved = after.get(counter, 0) - before.get(counter, 0)
    why = []
    if got != status:
        why.append("status %s, want %s" % (got, status))
    if closed != close:
        why.append("closed %s, want %s" % (closed, close))
    if moved < 1:
        why.append("%s did not move" % counter)
    return report(not why, name, "; ".join(why))


def post(extra, body=b""):
    return b"POST /a.txt HTTP/1.1\r\n" + H + extra + b"\r\n" + body


def chunked(body):
    return b"GET /a.txt HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + body


CASES = [
    # Slow senders (timeouts: header 1 s, body 1 s).
    ("slowloris", b"GET /a.txt HTTP/1.1\r\nHost: t\r\nX-A: b\r\n\r\n", 408,
     "http.close_header_timeout", True, 0.25),
    ("slow-body", b"GET /a.txt HTTP/1.1\r\n" + H + b"Content-Length: 100\r\n\r\n0123",
     408, "http.close_body_timeout"),
    ("head-never-ends", b"GET /a.txt HTTP/1.1\r\n" + H, 408,
     "http.close_header_timeout"),
    # Over the limits.
    ("request-line-8193", b"GET /?" + b"a" * 8187 + b" HTTP/1.1\r\n" + H + b"\r\n",
     414, "http.request_line_too_long"),
    ("field-8193", b"GET / HTTP/1.1\r\n" + H + b"X: " + b"v" * 8190 + b"\r\n\r\n",
     431, "http.field_too_long"),
    ("header-block-24k", b"GET / HTTP/1.1\r\n" + H + (b"X: " + b"v" * 5995 + b"\r\n") * 4
     + b"\r\n", 431, "http.header_too_large"),
    ("fields-65", b"GET / HTTP/1.1\r\n" + H + b"".join(b"X%d: y\r\n" % i for i in range(64))
     + b"\r\n", 431, "http.too_many_fields"),
    ("body-over-limit", post(b"Content-Length: 70000\r\n"), 413, "http.body_too_large"),
    ("body-over-limit-expect", post(b"Content-Length: 70000\r\nExpect: 100-continue\r\n"),
     413, "http.body_too_large"),
    # Smuggling framings.
    ("cl-and-te", post(b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
                       b"0\r\n\r\n"), 400, "http.framing_cl_and_te"),
    ("te-and-cl", post(b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
                       b"0\r\n\r\n"), 400, "http.framing_cl_and_te"),
    ("cl-twice", post(b"Content-Length: 2\r\nContent-Length: 2\r\n", b"hi"), 400,
     "http.framing_bad_content_length"),
    ("cl-list", post(b"Content-Length: 2, 2\r\n", b"hi"), 400,
     "http.framing_bad_content_length"),
    ("te-http10", b"POST /a.txt HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     400, "http.framing_bad_transfer_encoding"),
    ("te-gzip-chunked", post(b"Transfer-Encoding: gzip, chunked\r\n"), 501,
     "http.framing_bad_transfer_encoding"),
    ("te-chunked-twice", post(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
     400, "http.framing_bad_transfer_encoding"),
    ("te-folded", post(b"Transfer-Encoding:\r\n chunked\r\n"), 400, "http.bad_field_syntax"),
    ("te-space-colon", post(b"Transfer-Encoding : chunked\r\n"), 400, "http.bad_field_syntax"),
    # Bad numbers.
    ("cl-plus", post(b"Content-Length: +2\r\n", b"hi"), 400, "http.framing_bad_content_length"),
    ("cl-minus", post(b"Content-Length: -1\r\n"), 400, "http.framing_bad_content_length"),
    ("cl-leading-zero", post(b"Content-Length: 02\r\n", b"hi"), 400,
     "http.framing_bad_content_length"),
    ("cl-hex", post(b"Content-Length: 0x2\r\n", b"hi"), 400, "http.framing_bad_content_length"),
    ("cl-overflow", post(b"Content-Length: 99999999999999999999999\r\n"), 400,
     "http.framing_bad_content_length"),
    # Bad chunking.
    ("chunk-plus", chunked(b"+2\r\nhi\r\n0\r\n\r\n"), 400, "http.bad_chunk"),
    ("chunk-0x", chunked(b"0x2\r\nhi\r\n0\r\n\r\n"), 400, "http.bad_chunk"),
    ("chunk-huge", chunked(b"fffffffffffffffffff\r\n"), 400, "http.bad_chunk"),
    ("chunk-over-limit", chunked(b"100000\r\n"), 413, "http.body_too_large"),
    ("chunk-no-crlf", chunked(b"2\r\nhiX\r\n0\r\n\r\n"), 400, "http.bad_chunk"),
    ("chunk-ext-long", chunked(b"2;" + b"e" * 300 + b"\r\nhi\r\n0\r\n\r\n"), 400,
     "http.bad_chunk"),
    ("chunk-bare-lf", chunked(b"2\nhi\r\n0\r\n\r\n"), 400, "http.bad_chunk"),
    # Header syntax.
    ("obs-fold", b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n b\r\n\r\n", 400, "http.bad_field_syntax"),
    ("ctl-in-value", b"GET / HTTP/1.1\r\n" + H + b"X: a\x00b\r\n\r\n", 400,
     "http.bad_field_syntax"),
    ("bare-lf", b"GET / HTTP/1.1\n" + b"Host: t\n\n", 400, "http.bad_line_ending"),
    ("bare-cr", b"GET / HTTP/1.1\r\nHost: t\rX: y\r\n\r\n", 400, "http.bad_line_ending"),
    ("name-bytes", b"GET / HTTP/1.1\r\n" + H + b"X\xff: y\r\n\r\n", 400, "http.bad_field_syntax"),
    # Request-line garbage.
    ("tls-hello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", 400,
     "http.bad_request_line"),
    ("version-2", b"GET / HTTP/2.0\r\n" + H + b"\r\n", 505, "http.status_505"),
    ("version-1.10", b"GET / HTTP/1.10\r\n" + H + b"\r\n", 400, "http.bad_version"),
    ("method-lowercase", b"get / HTTP/1.1\r\n" + H + b"\r\n", 501, "http.bad_method"),
    ("method-connect", b"CONNECT a:443 HTTP/1.1\r\n" + H + b"\r\n", 501, "http.bad_method"),
    ("asterisk-get", b"GET * HTTP/1.1\r\n" + H + b"\r\n", 400, "http.bad_target"),
    ("absolute-ftp", b"GET ftp://t/a.txt HTTP/1.1\r\n" + H + b"\r\n", 400, "http.bad_target"),
    ("double-space", b"GET  /a.txt HTTP/1.1\r\n" + H + b"\r\n", 400, "http.bad_request_line"),
    # Traversal and encoding.
    ("dotdot", b"GET /../../etc/passwd HTTP/1.1\r\n" + H + b"\r\n", 400,
     "http.path_above_root"),
    ("dotdot-encoded", b"GET /%2e%2e/%2E%2E/etc/passwd HTTP/1.1\r\n" + H + b"\r\n", 400,
     "http.path_above_root"),
    ("dotdot-double-encoded", b"GET /%252e%252e/etc/passwd HTTP/1.1\r\n" + H + b"\r\n",
     404, "http.status_404", False),
    ("backslash", b"GET /..\\..\\etc\\passwd HTTP/1.1\r\n" + H + b"\r\n", 400,
     "http.bad_target"),
    ("backslash-encoded", b"GET /..%5c..%5cetc/passwd HTTP/1.1\r\n" + H + b"\r\n", 400,
     "http.bad_path"),
    ("slash-encoded", b"GET /dir%2fb.txt HTTP/1.1\r\n" + H + b"\r\n", 400, "http.bad_path"),
    ("nul-encoded", b"GET /a.txt%00.html HTTP/1.1\r\n" + H + b"\r\n", 400, "http.bad_path"),
    ("overlong-utf8", b"GET /%c0%ae%c0%ae/%c0%af/a.txt HTTP/1.1\r\n" + H + b"\r\n", 404,
     "http.status_404", False),
    # Host rules.
    ("no-host", b"GET /a.txt HTTP/1.1\r\n\r\n", 400, "http.bad_host"),
    ("two-hosts", b"GET /a.txt HTTP/1.1\r\n" + H + H + b"\r\n", 400, "http.bad_host"),
    ("bad-host", b"GET /a.txt HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "http.bad_host"),
    # Range abuse: served whole, counted, the connection kept.
    ("ranges-overlapping-100", b"GET /a.txt HTTP/1.1\r\n" + H + b"Range: bytes=" +
     b",".join([b"0-5", b"1-6", b"3-9"] * 33 + [b"0-1"]) + b"\r\n\r\n", 200,
     "http.range_ignored", False),
    ("range-unsatisfiable", b"GET /a.txt HTTP/1.1\r\n" + H + b"Range: bytes=500-\r\n\r\n",
     200, "http.range_ignored", False),
]


def slow_read():
    """A client that never reads a 10 MB response: reset after the send
    timeout (1.5 s), counted, while others are served."""
    before = httpc.stats(app, stats_port)
    s = httpc.connect(app, port, rcvbuf=4096)
    s.sendall(b"GET /big.bin HTTP/1.1\r\n" + H + b"\r\n")
    time.sleep(4)
    after = httpc.stats(app, stats_port)
    gone = False
    s.settimeout(5)
    try:
        while s.recv(1 << 20):
            pass
        gone = True
    except (ConnectionResetError, socket.timeout) as e:
        gone = isinstance(e, ConnectionResetError)
    s.close()
    moved = after.get("http.close_send_timeout", 0) - before.get("http.close_send_timeout", 0)
    return report(moved >= 1 and gone, "slow-read",
                  "close_send_timeout moved %d, connection ended %s" % (moved, gone))


def pipelining_abuse():
    """2,000 pipelined requests: the first 1,000 are answered, the last
    says Connection: close, the rest is never read."""
    before = httpc.stats(app, stats_port)
    s = httpc.connect(app, port, timeout=10)
    r = httpc.Reader(s)
    req = b"GET /a.txt HTTP/1.1\r\n" + H + b"\r\n"
    threading.Thread(target=lambda: s.sendall(req * 2000), daemon=True).start()
    n, last = 0, {}
    try:
        while True:
            st, last, body = r.response()
            if st != 200 or body != A_TXT:
                break
            n += 1
    except (httpc.Closed, socket.timeout):
        pass
    s.close()
    after = httpc.stats(app, stats_port)
    moved = after.get("http.close_request_cap", 0) - before.get("http.close_request_cap", 0)
    return report(n == 1000 and last.get("connection") == "close" and moved == 1,
                  "pipelining-2000", "%d answered, last %r, cap moved %d" % (n, last, moved))


def expect_continue():
    """A body within limits with Expect: 100-continue gets 100 first."""
    s = httpc.connect(app, port)
    r = httpc.Reader(s)
    s.sendall(b"GET /a.txt HTTP/1.1\r\n" + H +
              b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n")
    first = r.response()[0]
    s.sendall(b"hello")
    second = r.response()
    s.close()
    return report(first == 100 and second[0] == 200 and second[2] == A_TXT,
                  "expect-100-continue", "got %s then %s" % (first, second[0]))


def main():
    live = Liveness()
    live.start()
    time.sleep(0.2)
    results = [case(*c) for c in CASES]
    results += [slow_read(), pipelining_abuse(), expect_continue()]
    live.stop = True
    live.join(2)
    results.append(report(live.failed == 0 and live.ok > 100, "liveness",
                          "%d served, %d failed (%s)" % (live.ok, live.failed, live.why)))
    return 0 if all(results) else 1


sys.exit(main())
