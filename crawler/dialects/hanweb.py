"""Hanweb 大汉 JCMS columns: the first page is an XML datastore inside `<script type="text/xml">`,
later pages come from POSTs to `dataproxy.jsp` that only answer when the column page is the Referer.

The records are CDATA HTML fragments, invisible to an HTML link scan, so this dialect reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector
from scrapy import FormRequest
from scrapy.http import Response, TextResponse

from crawler.dialects.base import Dialect, ListContext, Output
from crawler.page import links

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=['\"]([^'\"]+)['\"]", re.DOTALL)
_JPAGE = re.compile(r"jpage\(\s*\{([^}]*)\}")
PAGES_PER_CALL = 2
_FORM_KEYS = ("appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")


def _jpage_numbers(text: str) -> tuple[int, int] | None:
    m = _JPAGE.search(text)
    if not m:
        return None
    total = re.search(r"totalRecord\s*:\s*(\d+)", m.group(1))
    per = re.search(r"perPage\s*:\s*(\d+)", m.group(1))
    return (int(total.group(1)), int(per.group(1))) if total and per else None


class HanwebDialect(Dialect):
    name = "hanweb"

    def detect(self, response: TextResponse) -> bool:
        return "<datastore>" in response.text and "<recordset>" in response.text

    def parse(self, response: Response, ctx: ListContext) -> Iterator[Output]:
        if not isinstance(response, TextResponse):
            return
        text = response.text
        for fragment in _RECORD.findall(text):
            yield from links(Selector(text=fragment), response.url)
        if response.meta.get("dialect") == self.name:
            return  # a dataproxy answer: the column page already asked for every record range
        nextgroup = _NEXTGROUP.search(text)
        numbers = _jpage_numbers(text)
        if not nextgroup or not numbers:
            return
        total, per_page = numbers
        proxy = urljoin(response.url, nextgroup.group(1).replace("&amp;", "&"))
        params = dict(parse_qsl(urlsplit(proxy).query, keep_blank_values=True))
        form = {"col": "1", **{k: params[k] for k in _FORM_KEYS if k in params}, "sourceContentType": "1"}
        endpoint = proxy.split("?", 1)[0]
        step = per_page * PAGES_PER_CALL
        page = 2
        for start in range(per_page + 1, total + 1, step):
            if page > ctx.last_page:
                break
            end = min(start + step - 1, total)
            query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
            request = self.request(f"{endpoint}?{query}", ctx, page)
            yield FormRequest(request.url, formdata=form, meta=request.meta, headers={"Referer": response.url})
            page += PAGES_PER_CALL
