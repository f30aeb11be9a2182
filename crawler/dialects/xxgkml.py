"""County 信息公开目录 platforms: per-unit 年报 lists `…/zfxxgknb/list.shtml?currpage=N` whose pager
is a "共N页" label or a `totalpage` variable; rows are ordinary links (`mc`/`rq` attributes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import Response, TextResponse

from crawler.dialects.base import Dialect, ListContext, Output

_TOTAL = re.compile(r"共\s*(\d+)\s*页|totalpage\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "currpage"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("currpage", str(page))]), fragment=""))


class XxgkmlDialect(Dialect):
    name = "xxgkml"

    def detect(self, response: TextResponse) -> bool:
        return "currpage" in response.text and bool(_TOTAL.search(response.text))

    def parse(self, response: Response, ctx: ListContext) -> Iterator[Output]:
        if not isinstance(response, TextResponse):
            return
        m = _TOTAL.search(response.text)
        if not m:
            return
        total = int(m.group(1) or m.group(2))
        for page in range(2, min(total, ctx.last_page) + 1):
            yield self.request(_with_page(response.url, page), ctx, page)
