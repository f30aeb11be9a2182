"""A loopback portal that does everything a crawl must survive, for tests/test_hostile_crawl.py and
bench/hostile_crawl.py.

Like crawler/testing/server.py it is reached as an HTTP proxy (absolute-form requests, routed by
hostname), but its answers are behaviours, not stored files, because they cannot be stored: a
429 with `Retry-After: 999999`, a page that never answers, a body dripped a byte at a time, a
connection reset, a body cut off before its Content-Length, a list that links a fresh 年报 column
from every page, links to a private address and to a port nobody listens on, and a second host
whose every report page and attachment is slow (to spend its time budget), and a third whose list
says 429 with `Retry-After: 2` once (a pause, not a slowdown for the rest of the crawl).
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from crawler.testing.server import _Handler as PortalHandler

HOSTILE = "www.hostile.gov.cn"
SLOW = "www.slowpoke.gov.cn"
CLOSED = "closed.hostile.gov.cn"  # mapped to a loopback port nobody listens on
PRIVATE_URL = "http://10.0.0.8/nb/private.html"  # in scope (the test says so), a private address
TRAP_PAGES = 1000  # what each trap column's pager claims
THROTTLE = "www.throttle.gov.cn"  # its list answers 429 with Retry-After: 2 the first time, then links
THROTTLE_REPORTS = 20  # this many quick report pages
SLOW_REPORTS = 40

# path on HOSTILE → what the test must find in `fetches.error` for it
BAD_PAGES = {
    "/nb/retry-after.html": "retry-after too long",
    "/nb/stall.html": "timeout",
    "/nb/drip.html": "timeout",
    "/nb/reset.html": "reset",
    "/nb/cut.html": "cut-off body",
}


def report_title(n: int | str) -> str:
    return f"测试{n}局2024年政府信息公开工作年度报告"


def _html(body: str, title: str = "") -> bytes:
    meta = f'<meta name="ArticleTitle" content="{title}">' if title else ""
    return f'<html><head><meta charset="utf-8">{meta}<title>{title}</title></head><body>{body}</body></html>'.encode()


def report_page(n: int | str, attachment: str = "") -> bytes:
    paras = "".join(f"<p>{k}、本局{2024}年第{k}项主动公开工作情况，公开信息{k * 7}条。</p>" for k in range(1, 12))
    link = f'<p>附件：<a href="{attachment}">{report_title(n)}.pdf</a></p>' if attachment else ""
    return _html(f'<div class="article"><h1>{report_title(n)}</h1><p>一、总体情况</p>{paras}{link}</div>',
                 report_title(n))


def entry_page() -> bytes:
    rows = [f'<li><a href="{path}">{report_title(i)}</a><span>2025-01-1{i}</span></li>'
            for i, path in enumerate([*BAD_PAGES, "/nb/ok.html", PRIVATE_URL, f"http://{CLOSED}/nb/refused.html"])]
    return _html('<ul><li><a href="/trap/c/index.html">年报专栏</a></li></ul>'
                 f'<div class="list"><ul>{"".join(rows)}</ul></div>')


def trap_page(column: str, page: int) -> bytes:
    """A page of a column whose pager claims TRAP_PAGES pages, linking a column no page linked before."""
    fresh = hashlib.sha1(f"{column}/{page}".encode()).hexdigest()[:10]
    pager = f'var countPage = {TRAP_PAGES};createPageHTML({TRAP_PAGES}, {page}, "index", "html");'
    return _html(f'<ul><li><a href="/trap/{fresh}/index.html">年报栏目{fresh}</a></li></ul><script>{pager}</script>')


def slow_entry() -> bytes:
    rows = "".join(f'<li><a href="/nb/r{i}.html">{report_title(f"慢{i}")}</a><span>2025-02-01</span></li>'
                   for i in range(SLOW_REPORTS))
    return _html(f'<div class="list"><ul>{rows}</ul></div>')


@dataclass(frozen=True)
class Seen:
    host: str
    path: str
    started: float  # time.monotonic() when the request arrived


class _Handler(PortalHandler):
    """The fixture server's handler (quiet log, `_client_gone`) with behaviours instead of stored routes."""

    server: HostileServer  # type: ignore[assignment]

    def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]] | None = None,
              length: int | None = None) -> None:
        self.send_response(status)
        for k, v in [("Content-Type", "text/html; charset=utf-8"), *(headers or [])]:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def _reset(self) -> None:
        """Close with an RST, as a middlebox that drops the connection does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_CONNECT(self) -> None:
        self._reply(502, b"no tls")

    def do_HEAD(self) -> None:
        self._reply(405, b"")

    def do_POST(self) -> None:
        self._reply(405, b"")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        host, path = (parts.hostname or "").lower(), parts.path
        self.server.log(Seen(host, path, time.monotonic()))
        if path == "/robots.txt":
            self._reply(200, b"User-agent: *\nAllow: /\n", [("Content-Type", "text/plain")])
        elif host == SLOW:
            self._slow(path)
        elif host == HOSTILE:
            self._hostile(path)
        elif host == THROTTLE:
            self._throttle(path)
        else:
            self._reply(404, b"not here")

    def _slow(self, path: str) -> None:
        if path in ("/", "/index.html"):
            self._reply(200, slow_entry())
            return
        deadline = time.monotonic() + self.server.slow_seconds
        while time.monotonic() < deadline and not self._client_gone():
            time.sleep(0.02)
        if path.endswith(".pdf"):
            self._reply(200, b"%PDF-1.4 not really", [("Content-Type", "application/pdf")])
        else:  # each report page names a PDF attachment, asked after the page
            self._reply(200, report_page(path, path.replace(".html", ".pdf")))

    def _throttle(self, path: str) -> None:
        if path != "/":
            self._reply(200, report_page(path))
        elif self.server.throttle_once():
            self._reply(429, b"too many requests", [("Retry-After", "2")])
        else:
            rows = "".join(f'<li><a href="/nb/q{i}.html">{report_title(f"快{i}")}</a><span>2025-03-01</span></li>'
                           for i in range(THROTTLE_REPORTS))
            self._reply(200, _html(f'<div class="list"><ul>{rows}</ul></div>'))

    def _hostile(self, path: str) -> None:
        if path in ("/", "/index.html"):
            self._reply(200, entry_page())
        elif path == "/nb/ok.html":
            self._reply(200, report_page("好"))
        elif path == "/nb/retry-after.html":
            self._reply(429, b"too many requests", [("Retry-After", "999999")])
        elif path == "/nb/stall.html":
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not self._client_gone():
                time.sleep(0.05)
            self.close_connection = True
        elif path == "/nb/drip.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(1200):  # a byte every 0.1 s: never done within a download timeout
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
            self.close_connection = True
        elif path == "/nb/reset.html":
            self._reset()
        elif path == "/nb/cut.html":
            self._reply(200, report_page("截")[:200], length=50_000)
            self.close_connection = True
        elif path.startswith("/trap/"):
            column, _, name = path[len("/trap/"):].partition("/")
            page = int(name[len("index_"):-len(".html")]) if name.startswith("index_") else 0
            self._reply(200, trap_page(column, page))
        else:
            self._reply(404, b"<html><body>404</body></html>")


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, slow_seconds: float = 1.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.slow_seconds = slow_seconds
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.throttled = False
        with socket.socket() as probe:  # a port that was free a moment ago: nobody listens there
            probe.bind(("127.0.0.1", 0))
            self.closed_port = probe.getsockname()[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Resets and hang-ups are the point here, not tracebacks."""

    def throttle_once(self) -> bool:
        with self.lock:
            first, self.throttled = not self.throttled, True
        return first

    def log(self, entry: Seen) -> None:
        with self.lock:
            self.seen.append(entry)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def host_map(self) -> dict[str, str]:
        return {HOSTILE: f"127.0.0.1:{self.port}", SLOW: f"127.0.0.1:{self.port}", THROTTLE: f"127.0.0.1:{self.port}",
                CLOSED: f"127.0.0.1:{self.closed_port}"}

    def requests(self, host: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if host is None or s.host == host]


@contextlib.contextmanager
def serve_hostile(slow_seconds: float = 1.0) -> Iterator[HostileServer]:
    server = HostileServer(slow_seconds)
    thread = threading.Thread(target=server.serve_forever, name="hostile-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


ENTRIES = [f"http://{HOSTILE}/", f"http://{SLOW}/", f"http://{THROTTLE}/"]
