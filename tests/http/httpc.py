"""A raw-socket HTTP/1.1 client for tests/http: exact bytes out, a strict
reader for what comes back, and the appliance's UDP stats port.
Nothing here is lenient: a malformed response is an error."""
import socket
import time


class Closed(Exception):
    """The server ended the connection (FIN or reset) before a full
    response."""


def connect(host, port, timeout=5, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


class Reader:
    """Reads responses off one connection."""

    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def _more(self):
        try:
            data = self.s.recv(65536)
        except ConnectionResetError:
            raise Closed("reset")
        if not data:
            raise Closed("eof")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._more()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            self._more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def response(self, head=False):
        """(status, headers with lower-case names, body). Interim 1xx
        responses are returned like any other."""
        status_line = self._line()
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or parts[0] != b"HTTP/1.1":
            raise ValueError("bad status line %r" % status_line)
        status = int(parts[1])
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            name, value = line.split(b":", 1)
            headers[name.decode().lower()] = value.strip().decode("latin-1")
        if head or status in (100, 204, 304):
            return status, headers, b""
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    return status, headers, body
                body += self._exact(size)
                if self._exact(2) != b"\r\n":
                    raise ValueError("chunk without CRLF")
        if "content-length" in headers:
            return status, headers, self._exact(int(headers["content-length"]))
        while True:  # delimited by the close
            try:
                self._more()
            except Closed:
                body, self.buf = self.buf, b""
                return status, headers, body

    def closed(self, within=3.0):
        """Whether the server ends the connection within WITHIN seconds
        with nothing more sent."""
        self.s.settimeout(within)
        try:
            self._more()
            return False
        except Closed:
            return True
        except socket.timeout:
            return False


def get(host, port, path, headers=b"", version=b"HTTP/1.1"):
    s = connect(host, port)
    s.sendall(b"GET " + path + b" " + version + b"\r\nHost: t\r\n" + headers +
              b"\r\n")
    r = Reader(s).response()
    s.close()
    return r


def stats(host, port, tries=5):
    """The appliance's counters: {"name": value}."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(1)
    for _ in range(tries):
        u.sendto(b"report", (host, port))
        try:
            text = u.recvfrom(65536)[0].decode()
            out = {}
            for line in text.splitlines():
                f = line.split()
                if len(f) == 2 and f[1].isdigit():
                    out[f[0]] = int(f[1])
            return out
        except socket.timeout:
            time.sleep(0.1)
    raise RuntimeError("the stats port does not answer")
