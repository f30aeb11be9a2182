"""A time budget per host and crawl: when it is spent, the host's remaining requests are dropped.

Why: politeness (a delay, Retry-After, at most 2 in flight) makes a crawl's length the servers'
choice; one portal that answers slowly, throttles or stalls could hold a daily crawl for hours. Each
host gets NIANBAO_HOST_BUDGET seconds from its first request. Then every request to it that has not
left yet is dropped with a `fetches` row "host budget spent" (once per URL), and the crawl exits
INCOMPLETE: what the spider yields (the spider middleware here), what the scheduler holds
(crawler/scheduler.py), what waits in the host's download slot (`expire`), what reaches the
downloader (the downloader middleware here), and retries (crawler/middlewares/retry.py). A download
already on the wire ends within DOWNLOAD_TIMEOUT, so a host costs at most budget + timeout.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import call_later
from twisted.python.failure import Failure

from crawler.failures import BUDGET, record_failure
from crawler.middlewares.filtering import SpiderOutputFilter, per_crawl
from crawler.urls import host_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)


class HostBudgets:
    """When each host's first request left, and which hosts have spent their budget (one per crawl)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seconds = crawler.settings.getfloat("NIANBAO_HOST_BUDGET", 0.0)  # 0: no budget
        self.started: dict[str, float] = {}
        self.spent: set[str] = set()
        self.dropped: set[str] = set()  # URLs recorded as dropped (the spider may yield one again)

    def start(self, host: str) -> None:
        if host in self.started or self.seconds <= 0:
            return
        self.started[host] = time.monotonic()
        call_later(self.seconds, self.expire, host)

    def remaining(self, host: str) -> float:
        """Seconds left for host (infinite without a budget; the full budget before its first request)."""
        if self.seconds <= 0:
            return math.inf
        if host in self.spent:
            return 0.0
        return max(0.0, self.seconds - (time.monotonic() - self.started.get(host, time.monotonic())))

    def is_spent(self, host: str) -> bool:
        return host in self.spent or self.remaining(host) <= 0

    def detail(self) -> str:
        return f"{self.seconds:g} s for this host in this crawl"

    def drop(self, request: Request) -> IgnoreRequest:
        """Record request as dropped for its host's budget; the exception to raise or errback with."""
        if request.url not in self.dropped:
            self.dropped.add(request.url)
            record_failure(self.crawler, request, BUDGET, self.detail())
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"nianbao/budget_spent/{host_of(request.url)}")  # named in the summary
        return IgnoreRequest(f"{BUDGET}: {request.url}")

    def expire(self, host: str) -> None:
        """The budget ran out: mark the host, and drop what waits in its download slot."""
        if self.crawler.engine is None or not self.crawler.engine.running:
            return
        self.spent.add(host)
        log.info("%s: time budget of %g s spent, its remaining requests are dropped", host, self.seconds)
        slot = getattr(self.crawler.engine.downloader, "slots", {}).get(host)
        if slot is None or not slot.queue:
            return
        waiting = list(slot.queue)
        # deque's own clear (the slot's queue counts requests as they are popped: crawler/downloader.py)
        slot.queue.clear()
        for request, deferred in waiting:
            deferred.errback(Failure(self.drop(request)))


def budgets_for(crawler: Crawler) -> HostBudgets:
    return per_crawl(crawler, "_nianbao_host_budgets", HostBudgets)


class _Budgeted:
    """A middleware that reads the crawl's host budgets."""

    def __init__(self, crawler: Crawler) -> None:
        self.budgets = budgets_for(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)


class HostBudgetMiddleware(_Budgeted):
    """`DOWNLOADER_MIDDLEWARES`: after the scope check, before anything is queued for the host."""

    def process_request(self, request: Request) -> None:
        host = host_of(request.url)
        self.budgets.start(host)
        if self.budgets.is_spent(host):
            raise self.budgets.drop(request)


class HostBudgetSpiderMiddleware(_Budgeted, SpiderOutputFilter):
    """`SPIDER_MIDDLEWARES`: a request the spider yields for a host whose budget is spent is dropped
    (and recorded) at once, instead of queueing behind the rest to be dropped by the downloader."""

    def keep(self, out: Any) -> bool:
        # an attachment's failure must reach the spider's errback, which then hands on its report
        if isinstance(out, Request) and out.meta.get("kind") != "attachment" and self.budgets.is_spent(
                host_of(out.url)):
            self.budgets.drop(out)
            return False
        return True
