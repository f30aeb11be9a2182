"""Bounded retries with backoff, honouring `Retry-After` on 429/503, within bounds that end a crawl.

Why replace Scrapy's RetryMiddleware: it retries at once, which on a throttling government server
turns one 429 into a storm. Here a retry waits (Retry-After, else base * 2**attempt, capped), the
host's download slot pauses for that long (then goes on at twice its former delay), and a host still
throttling after the last retry is recorded as blocked (rate limited) rather than hammered further.

What keeps a crawl finite: a Retry-After over NIANBAO_RETRY_AFTER_MAX is not waited for: the URL is
given up and recorded ("retry-after too long"); a download that timed out is retried
NIANBAO_TIMEOUT_RETRIES times only (a stalling URL costs (1 + that) x DOWNLOAD_TIMEOUT, not four);
and no retry is made, nor waited for, past the host's time budget (crawler/middlewares/budget.py).
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
from crawler.failures import RETRY_AFTER, TIMEOUT, classify, record_failure
from crawler.middlewares.budget import budgets_for
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
        o.retry_after_max = crawler.settings.getfloat("NIANBAO_RETRY_AFTER_MAX", 600.0)
        o.timeout_retries = crawler.settings.getint("NIANBAO_TIMEOUT_RETRIES", 1)
        o.max_delay = crawler.settings.getfloat("AUTOTHROTTLE_MAX_DELAY", 60.0)
        o.paused = {}
        crawler.signals.connect(o._on_downloaded, signal=signals.response_downloaded)
        return o

    base: float
    cap: float
    retry_after_max: float
    timeout_retries: int
    max_delay: float
    paused: dict[str, tuple[float, float]]  # host → (its own delay, pause ends at loop time)

    def _wait(self, request: Request, retry_after: float | None) -> float:
        """Retry-After as the server asked (up to NIANBAO_RETRY_AFTER_MAX), else our capped backoff."""
        if retry_after is not None:
            return retry_after
        attempt = int(request.meta.get("retry_times", 0))
        return min(self.base * (2**attempt), self.cap)

    def _pause_host(self, request: Request, wait: float) -> None:
        """No request to the host for `wait` seconds; after that, twice its delay of before (at least our
        backoff base, at most AUTOTHROTTLE_MAX_DELAY): slower than the pace it throttled, but not the
        120 s a long Retry-After used to leave for the rest of the crawl. AutoThrottle, when on, speeds
        the host up again as its answers come."""
        engine = self.crawler.engine
        slots = getattr(getattr(engine, "downloader", None), "slots", {})
        host = host_of(request.url)
        slot = slots.get(host)
        if slot is None:
            return
        loop = asyncio.get_running_loop()
        own, ends = self.paused.get(host, (slot.delay, 0.0))  # a second 429 extends the pause under way
        if wait <= own:
            return
        self.paused[host] = (own, max(ends, loop.time() + wait))
        slot.delay = max(slot.delay, wait)

        def resume() -> None:
            if host in self.paused and loop.time() >= self.paused[host][1] - 0.01:
                slot.delay = min(max(2 * self.paused.pop(host)[0], self.base), self.max_delay)

        loop.call_later(wait, resume)

    def _budget_allows(self, request: Request, wait: float) -> bool:
        """A retry, and its wait, must fit in what is left of the host's time budget."""
        return budgets_for(self.crawler).remaining(host_of(request.url)) > wait

    def _on_downloaded(self, response: Response, request: Request, spider: object = None) -> None:
        """Slow the host the moment a 429/503 arrives: the downloader sends this signal before it frees the
        slot and takes the next queued request for the host, while process_response runs only after that
        (with an extra await in the download handler, a queued request could leave in between)."""
        if response.status in (429, 503) and response.status in self.retry_http_codes \
                and not request.meta.get("dont_retry", False):
            header = response.headers.get("Retry-After")
            retry_after = retry_after_seconds(header.decode("latin-1") if header else None)
            if retry_after is None or retry_after <= self.retry_after_max:  # a longer one is given up
                self._pause_host(request, self._wait(request, retry_after))

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry_after = None
        if response.status in (429, 503):
            header = response.headers.get("Retry-After")
            retry_after = retry_after_seconds(header.decode("latin-1") if header else None)
        if retry_after is not None and retry_after > self.retry_after_max:
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]
            record_failure(self.crawler, request, RETRY_AFTER,
                           f"asked to wait {retry_after:.0f} s, more than the {self.retry_after_max:g} s we wait",
                           status=response.status, headers=headers)
            return response
        wait = self._wait(request, retry_after)
        if not self._budget_allows(request, wait):
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            if response.status == 429:
                archive_for(self.crawler).mark_blocked(host_of(request.url), "429 rate limited after retries",
                                                       request.url)
            return response
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
        if classify(exception)[0] == TIMEOUT and int(request.meta.get("retry_times", 0)) >= self.timeout_retries:
            return None  # a URL that stalls again is given up: its attempts are in `fetches` already
        wait = self._wait(request, None)
        if not self._budget_allows(request, wait):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(wait)
        return retry
