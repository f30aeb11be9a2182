"""大汉 JPaaS page-build units (Zhejiang and other provinces' newer Hanweb sites): the column page holds an
empty box and `<script src="…/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit"
queryData="{'webId':…,'pageId':…}" pagesize="15">`. Its rows come from GET `url?{queryData}&paramJson=
{"pageNo":N,"pageSize":"15"}` → `{"data": {"html": "<li>…</li>…"}}`.

Why a dialect: the paging lives in `paramJson`, which only unitbuild.js (not on the page) builds; a bare
`pageNo=` is ignored by the gateway, and no page count is given: the first empty `html` is the end, so
pages are asked one after another.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin

from parsel import Selector
from scrapy.http import Response, TextResponse

from crawler.dialects.base import Dialect, ListContext, Output
from crawler.page import links


def _page_url(base: str, query: dict[str, str], page: int, size: str) -> str:
    params = {**query, "paramJson": json.dumps({"pageNo": page, "pageSize": size}, separators=(",", ":"))}
    return f"{base}?{urlencode(params)}"


class JpaasDialect(Dialect):
    name = "jpaas"

    def detect(self, response: TextResponse) -> bool:
        return "unitbuild.js" in response.text and "querydata" in response.text.lower()

    def parse(self, response: Response, ctx: ListContext) -> Iterator[Output]:
        if not isinstance(response, TextResponse):
            return
        if response.meta.get("dialect") == self.name:
            yield from self._answer(response, ctx)
            return
        for tag in response.xpath("//script[contains(@src, 'unitbuild.js')]"):
            url, query = tag.attrib.get("url"), tag.attrib.get("querydata") or tag.attrib.get("queryData")
            if not url or not query:
                continue
            try:
                params = {str(k): str(v) for k, v in json.loads(query.replace("'", '"')).items()}
            except (ValueError, AttributeError):
                continue
            base, size = urljoin(response.url, url), tag.attrib.get("pagesize") or "15"
            yield self.request(_page_url(base, params, 1, size), ctx, 1,
                               meta={"jpaas": {"base": base, "query": params, "size": size}})

    def _answer(self, response: TextResponse, ctx: ListContext) -> Iterator[Output]:
        try:
            html = (json.loads(response.text).get("data") or {}).get("html") or ""
        except (ValueError, AttributeError):
            return
        if not html.strip():
            return  # the page after the last: the only end this API has
        yield from links(Selector(text=html), response.url)
        page, unit = int(response.meta.get("page", 1)), response.meta["jpaas"]
        if page < ctx.last_page:
            yield self.request(_page_url(unit["base"], unit["query"], page + 1, unit["size"]), ctx, page + 1,
                               meta={"jpaas": unit})
