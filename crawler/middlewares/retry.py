"""Bounded retries with backoff, honouring `Retry-After` on 429/503.

Why replace Scrapy's RetryMiddleware: it retries at once, which on a throttling government server
turns one 429 into a storm. Here a retry waits (Retry-After, else base * 2**attempt, capped), the
host's download slot slows down to match, and a host still throttling after the last retry is
recorded as blocked (rate limited) rather than hammered further.
"""

from __future__ import annotations

import asyncio
import email.utils
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

from crawler.archive_link import archive_for
from crawler.urls import host_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

_TLS_FAILURES = frozenset(
    {"TunnelError", "SSLError", "Error", "ConnectionRefusedError", "DownloadConnectionRefusedError"}
)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        o = cls(crawler.settings)
        o.crawler = crawler
        o.base = crawler.settings.getfloat("NIANBAO_RETRY_BACKOFF", 2.0)
        o.cap = crawler.settings.getfloat("NIANBAO_RETRY_MAX_WAIT", 120.0)
        crawler.signals.connect(o._on_downloaded, signal=signals.response_downloaded)
        return o

    base: float
    cap: float

    def _wait(self, request: Request, retry_after: float | None) -> float:
        attempt = int(request.meta.get("retry_times", 0))
        wait = retry_after if retry_after is not None else self.base * (2**attempt)
        return min(wait, self.cap)

    def _slow_host(self, request: Request, wait: float) -> None:
        engine = self.crawler.engine
        slots = getattr(getattr(engine, "downloader", None), "slots", {})
        slot = slots.get(host_of(request.url))
        if slot is not None and wait > slot.delay:
            slot.delay = min(wait, self.cap)

    def _on_downloaded(self, response: Response, request: Request, spider: object = None) -> None:
        """Slow the host the moment a 429/503 arrives: the downloader sends this signal before it frees the
        slot and takes the next queued request for the host, while process_response runs only after that
        (with an extra await in the download handler, a queued request could leave in between)."""
        if response.status in (429, 503) and response.status in self.retry_http_codes \
                and not request.meta.get("dont_retry", False):
            header = response.headers.get("Retry-After")
            self._slow_host(request, self._wait(request, retry_after_seconds(header.decode("latin-1") if header
                                                                             else None)))

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry_after = None
        if response.status in (429, 503):
            header = response.headers.get("Retry-After")
            retry_after = retry_after_seconds(header.decode("latin-1") if header else None)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            if response.status == 429:
                archive_for(self.crawler).mark_blocked(host_of(request.url), "429 rate limited after retries",
                                                       request.url)
            return response
        wait = self._wait(request, retry_after)
        if response.status in (429, 503):
            self._slow_host(request, wait)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("nianbao/retry_wait_ms", round(wait * 1000))
        await asyncio.sleep(wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        if request.url.startswith("https://") and not request.meta.get("http_fallback") \
                and type(exception).__name__ in _TLS_FAILURES:
            # Many portals serve http only, or https with broken TLS: fall back once, without retries.
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("nianbao/http_fallback")
            return request.replace(url="http://" + request.url[len("https://"):], dont_filter=True,
                                   meta={**request.meta, "http_fallback": True})
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self._wait(request, None))
        return retry
