"""Scrapy's scheduler, but a request of a host whose time budget is spent leaves the queue at once.

Why: when a host's budget runs out (crawler/middlewares/budget.py) the queue may hold thousands of
its requests (a column trap's list pages). Handed to the engine, each went through the downloader
middlewares and the spider's errback before being dropped, a few milliseconds each: 29,000 of them
held a crawl for minutes after its budget. Here they are dropped and recorded as they are popped.
Attachment requests still go the long way: the spider's errback must see them fail, so the report
they belong to is archived with the documents that did arrive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy.core.scheduler import Scheduler

from crawler.middlewares.budget import HostBudgets, budgets_for
from crawler.urls import host_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class BudgetScheduler(Scheduler):
    """`SCHEDULER = "crawler.scheduler.BudgetScheduler"` (crawler/settings.py)."""

    budgets: HostBudgets

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler = super().from_crawler(crawler)
        scheduler.budgets = budgets_for(crawler)
        return scheduler

    def next_request(self) -> Request | None:
        while (request := super().next_request()) is not None:
            if request.meta.get("kind") == "attachment" or not self.budgets.is_spent(host_of(request.url)):
                return request
            self.budgets.drop(request)
        return None
