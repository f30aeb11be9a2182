"""Pieces the crawl-bounding middlewares share: one object per crawl, and a spider-output filter.

Why: the host budgets and the failure log are each one object for the whole crawl, reached from
the scheduler, downloader and spider middlewares that Scrapy builds separately; and the column cap
and the budget both drop some of what the spider yields, in Scrapy's sync and async output paths.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

T = TypeVar("T")


def per_crawl(crawler: Crawler, attr: str, make: Callable[[Crawler], T]) -> T:
    """The object hung on crawler under attr, made by make(crawler) the first time it is asked for."""
    existing: T | None = getattr(crawler, attr, None)
    if existing is None:
        existing = make(crawler)
        setattr(crawler, attr, existing)
    return existing


class SpiderOutputFilter:
    """A spider middleware that lets through what `keep` accepts (requests, items) and drops the rest."""

    def keep(self, out: Any) -> bool:
        raise NotImplementedError

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from (out for out in result if self.keep(out))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for out in result:
            if self.keep(out):
                yield out
