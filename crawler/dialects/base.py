"""The shared base of pagination dialects: what a dialect sees and what it may hand back.

Why: each portal family pages its lists its own way (JS pager variables, XML datastores behind POST,
JSON APIs). A dialect only turns one list response into more list requests and into rows (`Link`);
deciding what a row is (report, column, decoy) stays with the spider, so adding a dialect touches
nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.page import Link

Output = Link | Request


@dataclass(frozen=True, slots=True)
class ListContext:
    """Where a list response sits: its column key (for the per-column page cap) and the page cap."""

    column: str
    max_pages: int

    @property
    def last_page(self) -> int:
        """The last page number a dialect asks for: one past the cap, so that the spider sees the column
        reach its cap (and the coverage report names it) instead of the dialect stopping short silently."""
        return self.max_pages + 1


class Dialect:
    """One pagination dialect. `detect` looks at an HTML page; `parse` is called for pages it
    detected and for every response to the requests it made (those carry `meta["dialect"]`)."""

    name: ClassVar[str] = "base"

    def detect(self, response: TextResponse) -> bool:
        raise NotImplementedError

    def parse(self, response: Response, ctx: ListContext) -> Iterator[Output]:
        raise NotImplementedError

    def request(self, url: str, ctx: ListContext, page: int, **kwargs: object) -> Request:
        """A list request tagged with this dialect, its column and its page number."""
        meta = dict(kwargs.pop("meta", {}) or {})  # type: ignore[call-overload]
        meta.update({"kind": "list", "dialect": self.name, "column": ctx.column, "page": page, "found_by": self.name})
        return Request(url, meta=meta, **kwargs)  # type: ignore[arg-type]
