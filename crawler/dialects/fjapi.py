"""Fujian-style TRS unified platform: an empty column shell whose script calls a JSON list API
`/fjdzapp/data?channelid=…&prepage=…&page=N` → `{pageCount, data:[{doctitle, docreltime, url, files}]}`.

Attachment `_href`s are relative to the article's directory, not to the API URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urljoin

from scrapy.http import Response, TextResponse

from crawler.dialects.base import Dialect, ListContext, Output
from crawler.page import Link
from extract.dates import to_date

_API = re.compile(r"""['"]([^'"]*/fjdzapp/data)\??""")
_CHANNEL = re.compile(r"""channelid\s*[:=]\s*['"]?(\d+)""")
_PREPAGE = re.compile(r"""prepage\s*[:=]\s*['"]?(\d+)""")


class FjApiDialect(Dialect):
    name = "fjapi"

    def detect(self, response: TextResponse) -> bool:
        return "/fjdzapp/data" in response.text and bool(_CHANNEL.search(response.text))

    def parse(self, response: Response, ctx: ListContext) -> Iterator[Output]:
        if not isinstance(response, TextResponse):
            return
        if response.meta.get("dialect") == self.name:
            yield from self._api_page(response, ctx)
            return
        api, channel = _API.search(response.text), _CHANNEL.search(response.text)
        if not api or not channel:
            return
        prepage = _PREPAGE.search(response.text)
        base = urljoin(response.url, api.group(1))
        params = f"channelid={channel.group(1)}&prepage={prepage.group(1) if prepage else 20}"
        yield self.request(f"{base}?{params}&page=1", ctx, 1, meta={"api": f"{base}?{params}"})

    def _api_page(self, response: TextResponse, ctx: ListContext) -> Iterator[Output]:
        try:
            data = json.loads(response.text)
        except ValueError:
            return
        for doc in data.get("data") or []:
            url = doc.get("url")
            if not url:
                continue
            url = urljoin(response.url, url)
            files = tuple(urljoin(url, f.get("_href") or f.get("appfile") or "") for f in doc.get("files") or []
                          if f.get("_href") or f.get("appfile"))
            yield Link(url, str(doc.get("doctitle") or ""), to_date(doc.get("docreltime")), files,
                       doc.get("puborg") or None)
        if int(response.meta.get("page", 1)) != 1:
            return
        for p in range(2, min(int(data.get("pageCount") or 1), ctx.last_page) + 1):
            yield self.request(f"{response.meta['api']}&page={p}", ctx, p, meta={"api": response.meta["api"]})
