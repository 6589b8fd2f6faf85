#!/usr/bin/python3
"""Loads a page in headless Chromium and reports what a visitor would see.

    cdp.py URL OUTDIR [--wait-live S]

Starts Debian's chromium (headless, its own profile under OUTDIR),
drives it over the DevTools protocol (python3-websocket), loads URL and
prints one line per check, "ok NAME: detail" or "bad NAME: detail":

  title       the document's title
  stylesheet  /style.css answered 200 and its rules apply (the header
              is laid out by the stylesheet, not the browser's default)
  image       the logo answered 200 and decoded (natural width > 0)
  live        the live numbers were filled in from /api/stats within S
              seconds (default 10) and the request counter is a number
  refresh     the counter moved on a later poll (the page is live)

It saves OUTDIR/screenshot.png and OUTDIR/page.html, and exits 0 only
when every check is ok. Uses the system interpreter (/usr/bin/python3)
because python3-websocket is Debian's package.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import websocket

CHROMIUM_START_S = 30  # first start of a fresh profile is slow here
CDP_TIMEOUT_S = 30
WINDOW = "1280,900"


class Browser:
    def __init__(self, profile):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            sys.exit("cdp: chromium is not installed (apt-get install chromium)")
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking",
             "--user-data-dir=" + profile, "--remote-debugging-port=0",
             "--window-size=" + WINDOW, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=open(profile + ".log", "w"))
        port = self._port(profile)
        self.ws = websocket.create_connection(self._page_ws(port),
                                              timeout=CDP_TIMEOUT_S)
        self.next_id = 0
        self.events = []

    def _port(self, profile):
        path = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + CHROMIUM_START_S
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit("cdp: chromium exited at start (see %s.log)" % profile)
            try:
                with open(path) as f:
                    first = f.readline().strip()
                if first.isdigit():
                    return int(first)
            except OSError:
                pass
            time.sleep(0.1)
        sys.exit("cdp: chromium did not open its DevTools port in %d s"
                 % CHROMIUM_START_S)

    def _page_ws(self, port):
        url = "http://127.0.0.1:%d/json/list" % port
        deadline = time.time() + CHROMIUM_START_S
        while time.time() < deadline:
            with urllib.request.urlopen(url, timeout=5) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.1)
        sys.exit("cdp: chromium has no page target")

    def call(self, method, **params):
        self.next_id += 1
        want = self.next_id
        self.ws.send(json.dumps({"id": want, "method": method,
                                 "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, timeout):
        deadline = time.time() + timeout
        while True:
            for e in self.events:
                if e["method"] == method:
                    return e
            left = deadline - time.time()
            if left <= 0:
                return None
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                return None
            finally:
                self.ws.settimeout(CDP_TIMEOUT_S)
            if "method" in msg:
                self.events.append(msg)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate %r: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def statuses(events):
    """URL path -> HTTP status of every response the page received."""
    out = {}
    for e in events:
        if e["method"] == "Network.responseReceived":
            r = e["params"]["response"]
            out[urllib.parse.urlsplit(r["url"]).path] = r["status"]
    return out


def wait_for(b, expr, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if b.eval(expr):
            return True
        time.sleep(0.1)
    return False


def check_page(b, wait_live):
    results = []

    def report(name, ok, detail):
        results.append(ok)
        print("%s %s: %s" % ("ok" if ok else "bad", name, detail))

    title = b.eval("document.title")
    report("title", bool(title) and "pith" in title, repr(title))

    got = statuses(b.events)
    css_rules = b.eval("Array.from(document.styleSheets).filter(s => "
                       "s.href && s.href.endsWith('/style.css'))"
                       ".map(s => s.cssRules.length)[0] || 0")
    header = b.eval("getComputedStyle(document.querySelector('header'))"
                    ".display")
    report("stylesheet", got.get("/style.css") == 200 and css_rules > 0
           and header == "flex",
           "status %s, %s rules, header display %s"
           % (got.get("/style.css"), css_rules, header))

    width = b.eval("(() => { const i = document.getElementById('logo');"
                   " return i && i.complete ? i.naturalWidth : 0; })()")
    report("image", got.get("/pith.svg") == 200 and width > 0,
           "status %s, natural width %s" % (got.get("/pith.svg"), width))

    live = wait_for(b, "document.body.dataset.live === 'yes'", wait_live)
    numbers = b.eval("['uptime','requests','image','target'].map("
                     "id => document.getElementById(id).textContent)")
    report("live", live and numbers[1].isdigit() and numbers[0].isdigit(),
           "uptime %s, requests %s, image %s, target %s" % tuple(numbers))

    first = numbers[1]
    moved = wait_for(b, "document.getElementById('requests').textContent"
                     " !== %s" % json.dumps(first), 5)
    report("refresh", moved, "requests %s -> %s"
           % (first, b.eval("document.getElementById('requests').textContent")))
    return all(results)


def main():
    if len(sys.argv) not in (3, 5) or (len(sys.argv) == 5
                                       and sys.argv[3] != "--wait-live"):
        sys.exit(__doc__.split("\n\n")[1])
    url, outdir = sys.argv[1], sys.argv[2]
    wait_live = float(sys.argv[4]) if len(sys.argv) == 5 else 10.0
    os.makedirs(outdir, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="chromium-", dir=outdir)
    b = Browser(profile)
    try:
        b.call("Network.enable")
        b.call("Page.enable")
        b.call("Page.navigate", url=url)
        if not b.wait_event("Page.loadEventFired", CDP_TIMEOUT_S):
            print("bad load: no load event within %d s" % CDP_TIMEOUT_S)
            return 1
        ok = check_page(b, wait_live)
        shot = b.call("Page.captureScreenshot", format="png")
        with open(os.path.join(outdir, "screenshot.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        with open(os.path.join(outdir, "page.html"), "w") as f:
            f.write(b.eval("document.documentElement.outerHTML"))
        return 0 if ok else 1
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
