"""TRS WCM static lists whose pager exists only as inline JS (`countPage`, `createPageHTML`).

Page 1 is `index.html`, page k+1 is `index_k.html`; the links to them appear only after JS runs, so
the page count is read from the script. A missing middle page (404) does not stop the later ones,
because every page is computed, not followed — from the column's first page only: every later page
carries the same pager, and yielding it again from each made pages² requests for the dupefilter
(40,000 from a 200-page column; a column trap spent its crawl there).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response, TextResponse

from crawler.dialects.base import Dialect, ListContext, Output

_CREATE = re.compile(r"""createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*["']([\w-]+)["']\s*,\s*["'](\w+)["']""")
_COUNT = re.compile(r"var\s+countPage\s*=\s*(\d+)")


class TrsDialect(Dialect):
    name = "trs"

    def detect(self, response: TextResponse) -> bool:
        text = response.text
        return bool(_CREATE.search(text) or _COUNT.search(text))

    def parse(self, response: Response, ctx: ListContext) -> Iterator[Output]:
        if not isinstance(response, TextResponse):
            return
        text = response.text
        create = _CREATE.search(text)
        count_match = _COUNT.search(text)
        if create:
            count, stem, ext = int(create.group(1)), create.group(3), create.group(4)
        elif count_match:
            path = urlsplit(response.url).path.rsplit("/", 1)[-1]
            stem, _, ext = path.partition(".") if "." in path else ("index", ".", "html")
            stem = re.sub(r"_\d+$", "", stem) or "index"
            count = int(count_match.group(1))
        else:
            return
        if int(response.meta.get("page", 1)) > 1:
            return
        for k in range(1, min(count, ctx.last_page)):
            yield self.request(urljoin(response.url, f"{stem}_{k}.{ext}"), ctx, k + 1)
