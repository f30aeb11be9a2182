"""Guangdong gkmlpt directories: a JS shell (`window._CONFIG = {SID, TREE}`) and a JSON list API
`/gkmlpt/api/all/{cat}?page=N&sid=SID`, 100 rows a page.

Page 0 repeats page 1, so paging starts at 1; a 404 for page >= 2 means the site pages no further
(the spider treats a list 404 as the end, not an error).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response, TextResponse

from crawler.dialects.base import Dialect, ListContext, Output
from crawler.page import Link
from crawler.titles import is_column_link
from extract.dates import to_date

_SID = re.compile(r"""SID\s*:\s*['"]?(\w+)['"]?""")
_NODE = re.compile(r"""\{\s*id\s*:\s*(\d+)\s*,\s*name\s*:\s*['"]([^'"]+)['"]""")
PER_PAGE = 100


def _api(base: str, cat: str, page: int, sid: str) -> str:
    return urljoin(base, f"/gkmlpt/api/all/{cat}?page={page}&sid={sid}")


class GkmlptDialect(Dialect):
    name = "gkmlpt"

    def detect(self, response: TextResponse) -> bool:
        return "/gkmlpt/" in urlsplit(response.url).path and "_CONFIG" in response.text and "TREE" in response.text

    def parse(self, response: Response, ctx: ListContext) -> Iterator[Output]:
        if not isinstance(response, TextResponse):
            return
        if response.meta.get("dialect") == self.name and "/gkmlpt/api/" in response.url:
            yield from self._api_page(response, ctx)
            return
        sid = _SID.search(response.text)
        if not sid:
            return
        cats = {cid for cid, name in _NODE.findall(response.text) if is_column_link(name, "")}
        fragment = urlsplit(response.url).fragment
        if fragment.isdigit():
            cats.add(fragment)
        for cat in sorted(cats):
            sub = ListContext(column=f"{ctx.column}#gkmlpt{cat}", max_pages=ctx.max_pages)
            yield self.request(_api(response.url, cat, 1, sid.group(1)), sub, 1, meta={"sid": sid.group(1), "cat": cat})

    def _api_page(self, response: TextResponse, ctx: ListContext) -> Iterator[Output]:
        try:
            data = json.loads(response.text)
        except ValueError:
            return
        for art in data.get("articles") or []:
            url = art.get("url") or art.get("post_url")
            if not url:
                continue
            files = tuple(urljoin(response.url, a["url"]) for a in art.get("attachment") or [] if a.get("url"))
            yield Link(urljoin(response.url, url), str(art.get("title") or ""),
                       to_date(art.get("created_at") or art.get("create_time")), files, art.get("publisher") or None)
        page = int(response.meta.get("page", 1))
        if page != 1:
            return
        count = int((data.get("classify") or {}).get("post_count") or 0)
        sid, cat = response.meta["sid"], response.meta["cat"]
        for p in range(2, min(math.ceil(count / PER_PAGE), ctx.last_page) + 1):
            yield self.request(_api(response.url, cat, p, sid), ctx, p, meta={"sid": sid, "cat": cat})
