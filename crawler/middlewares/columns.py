"""At most NIANBAO_MAX_COLUMNS_PER_HOST 年报 columns walked per host and crawl (a spider middleware).

Why: the per-column page cap (NIANBAO_MAX_LIST_PAGES) ends a pagination trap, but not a list that
links a fresh 年报 column from every page: each new column starts a fresh page count, and one such
portal made 154 columns and 1,215 requests and was still growing. A column is a list request's
`meta["column"]` key (pages of one column share it; a dialect's sub-lists have their own); the
first N keys seen on a host are walked, any later one is dropped, once, with a `fetches` row
"column cap" naming its URL, so an operator who meets a portal with truly more columns can see
which were skipped and raise the setting.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request

from crawler.failures import COLUMN_CAP, record_failure
from crawler.middlewares.filtering import SpiderOutputFilter
from crawler.urls import host_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)


class ColumnCapMiddleware(SpiderOutputFilter):
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.cap = crawler.settings.getint("NIANBAO_MAX_COLUMNS_PER_HOST", 200)
        self.columns: dict[str, set[str]] = {}  # host → column keys walked
        self.dropped: dict[str, set[str]] = {}  # host → column keys refused (recorded once each)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ColumnCapMiddleware:
        return cls(crawler)

    def keep(self, out: Any) -> bool:
        if not isinstance(out, Request) or out.meta.get("kind") not in ("list", "entry") \
                or not out.meta.get("column") or self.cap <= 0:
            return True
        host, column = host_of(out.url), str(out.meta["column"])
        walked = self.columns.setdefault(host, set())
        if column in walked:
            return True
        if len(walked) < self.cap:
            walked.add(column)
            return True
        dropped = self.dropped.setdefault(host, set())
        if column not in dropped:
            if not dropped:
                log.warning("%s: more than %d columns, later ones are not walked (NIANBAO_MAX_COLUMNS_PER_HOST)",
                            host, self.cap)
            dropped.add(column)
            record_failure(self.crawler, out, COLUMN_CAP, f"this host has {self.cap} columns walked already")
        return False
