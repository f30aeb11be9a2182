"""What a crawl failed to fetch, and why: one row in `fetches` per failure, counters, the exit code.

Why: a timeout, a reset or a cut-off body used to leave only an error counter, and a refused private
address nothing at all, so nobody could tell a portal that has no report from a portal we never
read. Every failed or abandoned fetch now gets a `fetches` row with `status` empty (or the status
that made us give up) and `error` = "kind: detail"; the kinds are counted overall and per host for
the progress line and the end summary, and the kinds that mean "parts of the portals were not
read" make the crawl exit with INCOMPLETE instead of 0.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals

from archive import Fetch
from crawler.archive_link import archive_for
from crawler.middlewares.filtering import per_crawl
from crawler.urls import host_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

TIMEOUT = "timeout"
RESET = "reset"
CUT_OFF = "cut-off body"
DNS = "dns"
REFUSED = "refused"  # the server refused the connection
PRIVATE = "private address"
RETRY_AFTER = "retry-after too long"
BUDGET = "host budget spent"
COLUMN_CAP = "column cap"
OTHER = "failed"

# Kinds after which the crawl did not read what it was asked to: exit INCOMPLETE, and say so.
INCOMPLETE_KINDS = (PRIVATE, RETRY_AFTER, BUDGET)
INCOMPLETE = 3  # 0 done, 2 usage (busy archive, bad arguments); 3 done, but some of it was refused or given up
STAT = "nianbao/failed/"

# Exception class names (Scrapy's own since 2.13, Twisted's and the OS's before) → kind.
_BY_NAME = {
    "DownloadTimeoutError": TIMEOUT, "TimeoutError": TIMEOUT, "TCPTimedOutError": TIMEOUT,
    "ResponseDataLossError": CUT_OFF, "_DataLoss": CUT_OFF, "PotentialDataLoss": CUT_OFF,
    "CannotResolveHostError": DNS, "DNSLookupError": DNS, "gaierror": DNS,
    "DownloadConnectionRefusedError": REFUSED, "ConnectionRefusedError": REFUSED,
    "ConnectionLost": RESET, "ConnectionDone": RESET, "ConnectionResetError": RESET, "ResponseNeverReceived": RESET,
    "ConnectionAborted": RESET, "BrokenPipeError": RESET,
}


_DETAILS = {
    TIMEOUT: "no complete answer within the download timeout",
    RESET: "the connection was lost before the answer was complete",
    CUT_OFF: "the body ended before the length the server announced",
    DNS: "the host name does not resolve",
    REFUSED: "the server refused the connection",
}


def classify(exc: BaseException, timeout: float | None = None) -> tuple[str, str]:
    """(kind, detail) of a download exception. The detail is generic (the URL has its own column, and
    `error` is a facet on the site), naming the exception classes seen for whoever digs further."""
    names = [type(exc).__name__]
    for attr in ("reasons", "__cause__", "__context__"):  # Twisted wraps the real cause in ResponseFailed
        inner = getattr(exc, attr, None)
        for sub in inner if isinstance(inner, list) else [inner]:
            value = getattr(sub, "value", sub)
            if isinstance(value, BaseException) and type(value).__name__ not in names:
                names.append(type(value).__name__)
    if "data loss" in str(exc).lower():
        names.append("ResponseDataLossError")
    kind = next((_BY_NAME[n] for n in names if n in _BY_NAME), OTHER)
    if kind == OTHER:
        return kind, f"{', '.join(names)}: {' '.join(str(exc).split())[:160]}"
    detail = _DETAILS[kind]
    if kind == TIMEOUT and timeout:
        detail = f"no complete answer within {timeout:g} s"
    return kind, f"{detail} ({', '.join(names)})"


class FailureLog:
    """The crawl's failed fetches, written in batches (Archive.record_failures): a host whose budget
    runs out drops its queued requests by the thousand. Written every FLUSH_ROWS rows or FLUSH_SECONDS,
    and when the spider closes; a crawl killed outright loses at most the unwritten batch."""

    FLUSH_ROWS = 500
    FLUSH_SECONDS = 2.0

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pending: list[Fetch] = []
        self.flushed = time.monotonic()
        crawler.signals.connect(self.flush, signal=signals.spider_closed, weak=False)

    def add(self, fetch: Fetch) -> None:
        self.pending.append(fetch)
        if len(self.pending) >= self.FLUSH_ROWS or time.monotonic() - self.flushed > self.FLUSH_SECONDS:
            self.flush()

    def flush(self, *args: object, **kwargs: object) -> None:
        if self.pending:
            archive_for(self.crawler).record_failures(self.pending)
            self.pending = []
        self.flushed = time.monotonic()


def failure_log(crawler: Crawler) -> FailureLog:
    return per_crawl(crawler, "_nianbao_failure_log", FailureLog)


def record_failure(crawler: Crawler, request: Request, kind: str, detail: str, *, status: int | None = None,
                   headers: list[tuple[str, str]] | None = None) -> None:
    """A fetches row for a request that brought no usable answer, and the counters that go with it."""
    redirects = request.meta.get("redirect_urls") or [request.url]
    referer = request.headers.get("Referer")
    failure_log(crawler).add(Fetch(
        url=str(redirects[0]), final_url=request.url, status=status, headers=headers or [], body=b"",
        fetched_at=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        method=request.method, referer=referer.decode("latin-1") if referer else None,
        error=f"{kind}: {detail}"))
    assert crawler.stats is not None
    crawler.stats.inc_value(f"{STAT}{kind}")
    crawler.stats.inc_value(f"nianbao/host/{host_of(request.url)}/failed")


def failure_counts(stats: dict[str, Any]) -> dict[str, int]:
    """kind → how many fetches failed that way, from the crawl's stats."""
    return {k[len(STAT):]: int(v) for k, v in sorted(stats.items()) if k.startswith(STAT)}


def incomplete(stats: dict[str, Any]) -> dict[str, int]:
    """The failures that mean parts of the portals were not read (refused, given up, out of time)."""
    counts = failure_counts(stats)
    return {k: counts[k] for k in INCOMPLETE_KINDS if counts.get(k)}


def exit_code(stats: dict[str, Any]) -> int:
    return INCOMPLETE if incomplete(stats) else 0
