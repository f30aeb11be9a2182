"""A loopback HTTP server that plays many portals at once, routed by hostname.

The crawler reaches it as an HTTP proxy (see `crawler.middlewares.hostmap`), so requests arrive in
absolute form (`GET http://www.f1-district.gov.cn/xxgk/ HTTP/1.1`) and every fixture keeps its own
hostname. Responses are served byte for byte from the stored fixtures (GBK stays GBK), with the
behaviours real portals have: conditional GET (ETag/Last-Modified → 304), slow and flaky pages,
Referer-only POST endpoints, cookie challenges, rate limits with Retry-After, a 403 for bot UAs.
Every request is logged, so tests can count what the crawler asked for.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.options import CrawlOptions

PORTALS_DIR = Path(__file__).with_name("portals")
PORTAL_NAMES = ("F1", "F2", "F3", "F4", "F5", "F6")  # the six of ../shared/crawler/FIXTURE_SPEC.md
# Ten more list families (crawler/testing/FAMILIES.md): Anhui, Shanghai, Beijing, Yan'an, jpaas, JSP,
# DedeCMS, ASP.NET WebForms, a script-drawn JSON list, WordPress; and F17, the WebForms family on a GBK site.
FAMILY_NAMES = ("F7", "F8", "F9", "F10", "F11", "F12", "F13", "F14", "F15", "F16", "F17")
ALL_PORTALS = PORTAL_NAMES + FAMILY_NAMES
LAST_MODIFIED = "Mon, 20 Jan 2025 02:00:00 GMT"
NOT_FOUND = b"<html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>"


@dataclass
class Route:
    """One stored response. `options`: delay_first (s), fail_first (n 500s), require_referer,
    require_form (keys a POST must carry), match_form ({field: value or [values]}: this response
    answers only a request whose form carries those values, as one ASP.NET page answers each
    postback by its `__EVENTARGUMENT`)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    options: dict[str, Any] = field(default_factory=dict)
    served: int = 0


@dataclass
class HostRules:
    """Per-host behaviour: a cookie challenge, a rate limit, refusing bot User-Agents, the charset it reads
    posted forms in (a GBK site's server decodes them as GBK: ASP.NET's requestEncoding="gb2312")."""

    challenge: dict[str, Any] | None = None
    rate_limit: dict[str, Any] | None = None
    forbid_ua: str | None = None
    form_charset: str = "utf-8"
    hits: deque[float] = field(default_factory=deque)
    penalty_until: float = 0.0


@dataclass
class Site:
    """Everything the server plays: routes by (host, method, target) and host rules."""

    routes: dict[tuple[str, str, str], Route] = field(default_factory=dict)
    hosts: dict[str, HostRules] = field(default_factory=dict)
    truths: dict[str, dict[str, Any]] = field(default_factory=dict)
    # responses chosen by the request's form fields, tried before the plain route of the same target
    by_form: dict[tuple[str, str, str], list[Route]] = field(default_factory=dict)
    # (host, method, path, sorted query pairs) → the stored target: servers read parameters by name
    _by_query: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], str] = field(default_factory=dict)

    def add(self, host: str, target: str, body: bytes, *, status: int = 200, method: str = "GET",
            headers: list[tuple[str, str]] | None = None, **options: Any) -> None:
        host = host.lower()
        self.hosts.setdefault(host, HostRules())
        route = Route(status, list(headers or []), body, options)
        if options.get("match_form"):
            self.by_form.setdefault((host, method, target), []).append(route)
        else:
            self.routes[(host, method, target)] = route
        self._by_query.setdefault((host, method, *_query_key(target)), target)

    def find(self, host: str, method: str, target: str, form: dict[str, str]) -> Route | None:
        """The stored response for a request, looked up the way a web server reads a URL: query
        parameters by name in any order (JSON values as JSON), %-escapes in the path decoded, and
        servlet path parameters (`;jsessionid=…`) ignored."""
        for candidate in dict.fromkeys([target, _without_path_params(target)]):
            stored = self._by_query.get((host, method, *_query_key(candidate)))
            if stored is None:
                continue
            for route in self.by_form.get((host, method, stored), []):
                if _form_matches(route.options["match_form"], form):
                    return route
            if (host, method, stored) in self.routes:
                return self.routes[(host, method, stored)]
        return None


def _query_key(target: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    path, _, query = target.partition("?")
    return unquote(path), tuple(sorted((k, _json_value(v)) for k, v in parse_qsl(query, keep_blank_values=True)))


def _json_value(value: str) -> str:
    """A parameter that carries JSON (`paramJson={"pageNo":2,"pageSize":"15"}`) is read as JSON by the
    server, leniently as Java binders read it: key order, spacing and 2 vs "2" do not matter."""
    if not value.startswith(("{", "[")):
        return value
    try:
        data = json.loads(value)
    except ValueError:
        return value

    def plain(node: Any) -> Any:
        if isinstance(node, dict):
            return {str(k): plain(v) for k, v in node.items()}
        if isinstance(node, list):
            return [plain(v) for v in node]
        return str(node).lower() if isinstance(node, bool) else str(node)

    return json.dumps(plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _without_path_params(target: str) -> str:
    path, sep, query = target.partition("?")
    return re.sub(r";[^/]*", "", path) + sep + query


def _form_matches(expected: dict[str, Any], form: dict[str, str]) -> bool:
    return all(form.get(k) in (v if isinstance(v, list) else [v]) for k, v in expected.items())


def load_portal(site: Site, directory: Path) -> None:
    """Add one stored portal (`site.json` + `files/`) to site."""
    spec = json.loads((directory / "site.json").read_text(encoding="utf-8"))
    for host, rules in spec.get("hosts", {}).items():
        site.hosts[host] = HostRules(challenge=rules.get("challenge"), rate_limit=rules.get("rate_limit"),
                                     forbid_ua=rules.get("forbid_ua"), form_charset=rules.get("form_charset", "utf-8"))
    for r in spec["routes"]:
        body = (directory / r["file"]).read_bytes() if r.get("file") else b""
        site.add(r["host"], r["target"], body, status=r["status"], method=r.get("method", "GET"),
                 headers=[(k, v) for k, v in r.get("headers", [])], **r.get("options", {}))
    truth = directory / "truth.json"
    if truth.exists():
        site.truths[directory.name] = json.loads(truth.read_text(encoding="utf-8"))


def load_portals(names: tuple[str, ...] = PORTAL_NAMES, root: Path = PORTALS_DIR) -> Site:
    site = Site()
    for name in names:
        load_portal(site, root / name)
    return site


@dataclass(frozen=True)
class Logged:
    host: str
    method: str
    target: str
    status: int
    size: int
    user_agent: str
    referer: str
    conditional: bool
    started: float = 0.0  # time.monotonic() when the request arrived


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_CONNECT(self) -> None:  # no TLS here, as on the http-only portals
        self._send(502, [("Content-Type", "text/plain")], b"https not served")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, *, head: bool = False) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def _client_gone(self) -> bool:
        """Has the crawler hung up (a download timeout)? Then the request is no longer in flight for it."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        host = (parts.hostname or self.headers.get("Host", "").split(":")[0]).lower()
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("latin-1") if length else ""
        rules = self.server.site.hosts.get(host)
        form = dict(parse_qsl(raw, keep_blank_values=True, encoding=rules.form_charset if rules else "utf-8",
                              errors="replace"))
        started = time.monotonic()
        self.server.enter(host)
        try:
            status, headers, body = self.server.respond(host, method, target, self.headers, form, self._client_gone)
        finally:
            self.server.leave(host)
        self.server.log(Logged(host, method, target, status, len(body), self.headers.get("User-Agent", ""),
                               self.headers.get("Referer", ""),
                               bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")),
                               started))
        self._send(status, headers, body, head=method == "HEAD")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, site: Site, scale: float, rate_limit: dict[str, Any] | None, validators: bool = True) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.validators = validators  # False: no ETag/Last-Modified anywhere, like many county portals
        self.scale = scale  # multiplies delays and penalties (tests: small)
        self.rate_override = rate_limit
        self.lock = threading.Lock()
        self.requests: list[Logged] = []
        self.inflight: dict[str, int] = {}
        self.max_inflight: dict[str, int] = {}

    def enter(self, host: str) -> None:
        with self.lock:
            self.inflight[host] = self.inflight.get(host, 0) + 1
            self.max_inflight[host] = max(self.max_inflight.get(host, 0), self.inflight[host])

    def leave(self, host: str) -> None:
        with self.lock:
            self.inflight[host] -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A crawler that hangs up (timeouts, a killed crawl) is normal here, not a traceback."""

    def log(self, entry: Logged) -> None:
        with self.lock:
            self.requests.append(entry)

    def _rules_reply(self, rules: HostRules, headers: Any) -> tuple[int, list[tuple[str, str]], bytes] | None:
        ua = headers.get("User-Agent", "")
        if rules.forbid_ua and rules.forbid_ua in ua:
            return 403, [("Content-Type", "text/html; charset=utf-8")], "不合法的参数".encode()
        limit = self.rate_override or rules.rate_limit
        now = time.monotonic()
        if limit:
            with self.lock:
                if now < rules.penalty_until:
                    wait = max(1, round(rules.penalty_until - now))
                    return 429, [("Retry-After", str(wait)), ("Content-Type", "text/plain")], b"too many requests"
                rules.hits.append(now)
                while rules.hits and now - rules.hits[0] > 1.0:
                    rules.hits.popleft()
                if len(rules.hits) > int(limit["per_second"]):
                    rules.penalty_until = now + float(limit["penalty"]) * self.scale
                    wait = max(1, round(float(limit["penalty"]) * self.scale))
                    return 429, [("Retry-After", str(wait)), ("Content-Type", "text/plain")], b"too many requests"
        ch = rules.challenge
        if ch and ch["cookie"] not in headers.get("Cookie", ""):
            name, _, value = ch["cookie"].partition("=")
            script = (f'<html><head><meta charset="utf-8"></head><body><script>document.cookie="{name}={value}; '
                      'path=/";window.location.reload();</script></body></html>').encode()
            reply = [("Content-Type", "text/html; charset=utf-8")]
            if ch.get("set_cookie"):
                reply.append(("Set-Cookie", f"{ch['cookie']}; Path=/"))
            return 412, reply, script
        return None

    def respond(self, host: str, method: str, target: str, headers: Any, form: dict[str, str],
                client_gone: Callable[[], bool] = lambda: False) -> tuple[int, list[tuple[str, str]], bytes]:
        rules = self.site.hosts.get(host)
        if rules is None:
            return 502, [("Content-Type", "text/plain")], b"unknown host"
        early = self._rules_reply(rules, headers)
        if early:
            return early
        route = self.site.find(host, "GET" if method == "HEAD" else method, target, form)
        if route is None:
            return 404, [("Content-Type", "text/html")], NOT_FOUND
        with self.lock:
            route.served += 1
            served = route.served
        opts = route.options
        delay = (float(opts.get("delay_first", 0)) if served == 1 else 0) + float(opts.get("delay", 0))
        deadline = time.monotonic() + delay * self.scale
        while time.monotonic() < deadline:  # a slow page, until the crawler gives up on it
            if client_gone():
                return 499, [("Content-Type", "text/plain")], b"client closed the request"
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        if served <= int(opts.get("fail_first", 0)):
            return 500, [("Content-Type", "text/html")], b"<html><body>500 Internal Server Error</body></html>"
        if opts.get("require_referer") and (not headers.get("Referer") or any(k not in form for k in
                                                                               opts.get("require_form", []))):
            return 200, [("Content-Type", "text/xml;charset=UTF-8")], opts.get("empty", "").encode() or \
                b'<?xml version="1.0" encoding="UTF-8"?><datastore></datastore>'
        out = list(route.headers)
        if route.status == 200 and method in ("GET", "HEAD") and self.validators and not opts.get("no_validators"):
            etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
            out += [("ETag", etag), ("Last-Modified", LAST_MODIFIED)]
            if headers.get("If-None-Match") == etag:
                return 304, [("ETag", etag), ("Last-Modified", LAST_MODIFIED)], b""
        return route.status, out, route.body


class PortalServer:
    """A running fixture server: `host_map` for the crawler, `requests` for assertions."""

    def __init__(self, site: Site, *, scale: float = 1.0, rate_limit: dict[str, Any] | None = None,
                 validators: bool = True) -> None:
        self.site = site
        self._server = _Server(site, scale, rate_limit, validators)
        self._thread = threading.Thread(target=self._server.serve_forever, name="portal-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def host_map(self) -> dict[str, str]:
        return {host: f"127.0.0.1:{self.port}" for host in self.site.hosts}

    @property
    def requests(self) -> list[Logged]:
        with self._server.lock:
            return list(self._server.requests)

    @property
    def max_inflight(self) -> dict[str, int]:
        """The most requests one host had in flight at once (politeness: at most 2)."""
        with self._server.lock:
            return dict(self._server.max_inflight)

    def clear_log(self) -> None:
        with self._server.lock:
            self._server.requests.clear()

    def entries(self, names: tuple[str, ...] | None = None) -> list[str]:
        """Entry URLs of the loaded portals (from their truth files)."""
        return [self.site.truths[n]["entry"] for n in (names or tuple(self.site.truths))]

    def crawl_options(self, db: str | Path, entries: Sequence[str] | None = None, **options: Any) -> CrawlOptions:
        """A crawl of these portals (or of `entries`) into db: every hostname sent here, loopback allowed."""
        return CrawlOptions(db=str(db), entries=tuple(entries or self.entries()), allow_private_hosts=True,
                            host_map=self.host_map, **options)

    def start(self) -> PortalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def serve_portals(names: tuple[str, ...] = PORTAL_NAMES, *, scale: float = 1.0,
                  rate_limit: dict[str, Any] | None = None, site: Site | None = None,
                  validators: bool = True) -> Iterator[PortalServer]:
    """Serve the stored fixture portals (or a given site) on 127.0.0.1 until the block ends."""
    server = PortalServer(site or load_portals(names), scale=scale, rate_limit=rate_limit,
                          validators=validators).start()
    try:
        yield server
    finally:
        server.stop()
