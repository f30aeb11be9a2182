"""The `portals` spider: from entry URLs to every annual report (page and attachments) they lead to.

Flow: entry page → 年报 column(s) → every list page (paged by a dialect where one matches, else by the
generic walker, crawler/walker.py) → report rows, judged by title → article page → attachments one
after another → one `ReportItem`. Both `nianbao crawl` and `scrapy crawl portals -a entry=URL,… -a
db=PATH` run this spider; both say what to crawl with a `CrawlOptions` (crawler/options.py), so the
two entry points cannot drift apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

from parsel import Selector
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.archive_link import archive_for
from crawler.browser import configure as configure_browser
from crawler.dialects import BY_NAME, DIALECTS, Dialect, ListContext
from crawler.items import ReportItem
from crawler.options import SPIDER_ARGUMENTS, CrawlOptions, host_map_of
from crawler.page import (
    Link,
    attachments,
    content,
    detail_json,
    is_soft_404,
    links,
    meta,
    site_code,
    text_of,
    xxgk_table,
)
from crawler.pager import more_links
from crawler.registry import DEFAULT_REGISTRY, Portal, in_shard, load_registry, parse_shard
from crawler.scriptlist import SCRIPT_API
from crawler.titles import is_column_link, is_report_title, normalize, title_facts
from crawler.urls import canonical_url, doc_kind, fetch_url, host_of, in_scope, looks_like_home
from crawler.walker import ListWalker
from extract.dates import report_year, to_date

MAX_COLUMN_HOPS = 4  # entry → 政府信息公开 → 年报 → per-year hub → unit column
_GATEWAY_WORDS = ("政府信息公开", "信息公开", "政务公开", "信息公开目录")
_FORMAT_ORDER = ("pdf", "ofd", "docx", "xlsx", "image", "zip")


class PortalsSpider(Spider):
    name = "portals"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalsSpider:
        """The crawl's portals and scope from its settings (still writable here), where `CrawlOptions`
        put them; `scrapy crawl portals -a entry=… -a db=…` puts its arguments there first, the same way."""
        s = crawler.settings
        if any(kwargs.get(name) for name in SPIDER_ARGUMENTS):
            CrawlOptions.from_spider_arguments(kwargs).apply(s)
        portals = cls._portals(s.getlist("NIANBAO_ENTRIES"), s.get("NIANBAO_REGISTRY"))
        shard = s.get("NIANBAO_SHARD")
        if shard:  # one of several machines: its share of the entry points (crawler/registry.py)
            share = parse_shard(str(shard))
            portals = [p for p in portals if in_shard(p.host, share)]
        hosts = sorted({*s.getlist("NIANBAO_SCOPE_HOSTS"), *(p.host for p in portals)})
        s.set("NIANBAO_SCOPE_HOSTS", hosts, priority="cmdline")
        browser = configure_browser(s, host_map_of(s))
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.portals = portals
        spider.browser = browser
        return spider

    @staticmethod
    def _portals(entries: list[str] | None, registry: object) -> list[Portal]:
        """The entry URLs given, else (or also, when one is named) the registry file's portals."""
        found = [Portal(host_of(u), u.strip(), None, None) for u in entries or [] if u.strip()]
        if registry or not found:
            found += load_registry(str(registry) if registry else DEFAULT_REGISTRY)
        return found

    portals: list[Portal]
    browser: bool = False  # script-drawn columns may be rendered (NIANBAO_BROWSER and an executable: browser.py)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # canonical page URLs handed on (or being fetched) → the attachments their list rows named
        self.seen_reports: dict[str, frozenset[str]] = {}
        self.seen_content: dict[str, str] = {}  # title + body fingerprint → page: reposts under other URLs
        self.fetched_files: dict[str, str | None] = {}  # attachment canonical URL → sha256 (None: failed)

    def _setup(self) -> None:
        s = self.crawler.settings
        self.max_list_pages = s.getint("NIANBAO_MAX_LIST_PAGES", 200)
        self.use_dialects = s.getbool("NIANBAO_DIALECTS", True)
        self.walker = ListWalker(self.max_list_pages, count=self.count, capped=self._capped, browser=self.browser)
        self.host_map = host_map_of(s)
        self.scope_hosts = frozenset([*s.getlist("NIANBAO_SCOPE_HOSTS"), *self.host_map])
        self.scope_suffixes = () if self.host_map else tuple(s.getlist("NIANBAO_SCOPE_SUFFIXES"))
        self.by_host = {p.host: p for p in self.portals if p.region_code or p.level}

    # --- bookkeeping ---------------------------------------------------------------------------

    def count(self, host: str, what: str, n: int = 1) -> None:
        """Per-host counters (pages, reports, errors…) for the progress line and the end summary."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"nianbao/{what}", n)
        self.crawler.stats.inc_value(f"nianbao/host/{host}/{what}", n)

    def in_scope(self, url: str) -> bool:
        return in_scope(host_of(url), self.scope_hosts, self.scope_suffixes)

    # --- start -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        self._setup()
        placed = [{"name": p.name, "entry": p.entry, "region_code": p.region_code}
                  for p in self.portals if p.region_code]
        if placed and self.crawler.settings.get("NIANBAO_DB"):  # the registry's governments join the register
            archive_for(self.crawler).register_bodies(placed)
        for portal in self.portals:
            url = fetch_url(portal.entry)
            yield Request(url, callback=self.parse_list, errback=self.on_error, dont_filter=True,
                          meta={"kind": "entry", "column": canonical_url(url), "hops": 0})

    # --- lists ---------------------------------------------------------------------------------

    def _dead(self, response: Response) -> str | None:
        """Soft failures: a 200 'page not found', or a redirect that lands on the home page."""
        if response.meta.get("redirect_urls") and looks_like_home(response.url) \
                and not looks_like_home(response.meta["redirect_urls"][0]):
            return "redirect_home"
        if isinstance(response, TextResponse) and is_soft_404(response.body, response.text[:4096]):
            return "soft_404"
        return None

    def _arrived(self, response: Response, *, counted: bool = False) -> bool:
        """Count the page; False for soft failures (counted by kind), which end the path here."""
        host = host_of(response.url)
        if not counted:
            self.count(host, "pages")
        dead = self._dead(response)
        if dead:
            self.count(host, dead)
        return dead is None

    def parse_list(self, response: Response) -> Iterator[Request]:
        if not self._arrived(response) or not isinstance(response, TextResponse):
            return
        host = host_of(response.url)
        self.count(host, "list_pages")
        if response.meta.get("found_by"):
            self.count(host, f"next:{response.meta['found_by']}")
        ctx = ListContext(column=response.meta.get("column") or canonical_url(response.url),
                          max_pages=self.max_list_pages)
        dialect = self._dialect(response)
        outputs: list[Link | Request] = list(dialect.parse(response, ctx)) if dialect else []
        if dialect and (response.meta.get("dialect") or any(isinstance(o, Request) for o in outputs)):
            self.walker.claim(ctx.column, dialect.name)  # the dialect pages this column itself
        if isinstance(response, HtmlResponse):  # JSON and XML list answers carry their rows themselves
            rows = links(response.selector, response.url)
            outputs += [*self.walker.walk(response, rows), *rows, *more_links(response)]
        elif dialect is None and response.meta.get(SCRIPT_API):  # an API the walker found in a page's script
            requests, rows = self.walker.walk_api(response)
            outputs += [*requests, *rows]
        for out in outputs:
            if isinstance(out, Request):
                yield from self._list_request(out)
            else:
                yield from self._row(out, response)

    def _dialect(self, response: TextResponse) -> Dialect | None:
        """The dialect of a list response: the one that asked for it, else the first that recognises an
        HTML page; none at all with NIANBAO_DIALECTS off (the generic walker alone)."""
        if not self.use_dialects:
            return None
        dialect: Dialect | None = BY_NAME.get(response.meta.get("dialect", ""))
        ctype = (response.headers.get("Content-Type") or b"text/html").decode("latin-1").lower()
        if dialect is None and "html" in ctype:
            dialect = next((d for d in DIALECTS if d.detect(response)), None)
        return dialect

    def _list_request(self, request: Request) -> Iterator[Request]:
        if not self.walker.admit(request):  # asked before in this column, or the column is at its cap
            return
        yield request.replace(callback=self.parse_list, errback=self.on_error)

    def _capped(self, host: str, column: str) -> None:
        """A column that ended at the page cap: named per host in the stats (the coverage report)."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("nianbao/list_cap_reached")
        key = f"nianbao/capped/{host}"
        self.crawler.stats.set_value(key, sorted({*(self.crawler.stats.get_value(key) or []), column}))

    def _row(self, link: Link, response: Response) -> Iterator[Request]:
        """Judge one row: a report (page or file), a 年报 column to walk, a gateway to search, or nothing."""
        if not self.in_scope(link.url):
            self.count(host_of(response.url), "out_of_scope_links")
            return
        kind, hops = response.meta.get("kind"), int(response.meta.get("hops", 0))
        if is_report_title(link.title):
            yield from self._report_request(link, response)
        elif hops < MAX_COLUMN_HOPS and kind in ("entry", "list") and is_column_link(link.title, link.url):
            url = fetch_url(link.url)
            yield Request(url, callback=self.parse_list, errback=self.on_error,
                          meta={"kind": "list", "column": canonical_url(url), "hops": hops + 1})
        elif kind == "entry" and hops < 2 and normalize(link.title) in _GATEWAY_WORDS:
            yield Request(fetch_url(link.url), callback=self.parse_list, errback=self.on_error,
                          meta={"kind": "entry", "column": canonical_url(link.url), "hops": hops + 1})

    def _report_request(self, link: Link, response: Response) -> Iterator[Request]:
        page = canonical_url(link.url)
        named = frozenset(link.attachments)
        known = self.seen_reports.get(page)
        if known is not None and named <= known:
            return
        # A page first reached through an aggregator's link, now listed by its own portal with the
        # attachments that only the list names: fetch it again, with them (the archive keeps the fuller).
        self.seen_reports[page] = named | (known or frozenset())
        attached = [*link.attachments, *sorted((known or frozenset()) - named)]
        row = {"title": link.title, "date": link.date.isoformat() if link.date else None,
               "attachments": attached, "agency": link.agency}
        callback = self.parse_file if doc_kind(link.url) else self.parse_article
        # list_unchanged: the list answered the very bytes of last time (see ConditionalGetMiddleware)
        yield Request(fetch_url(link.url), callback=callback, errback=self.on_error, dont_filter=known is not None,
                      headers={"Referer": response.url}, meta={"kind": "article", "row": row, "via": response.url,
                                                               "list_unchanged": bool(response.meta.get("unchanged"))})

    # --- reports -------------------------------------------------------------------------------

    def _item(self, response: Response, *, title: str, body: str, published: str | None, agency: str | None,
              fmt: str, sel: Selector | None) -> ReportItem:
        facts = title_facts(title)
        pub = to_date(published)
        host = host_of(response.url)
        portal = self.by_host.get(host)
        code = portal.region_code if portal else None
        if code is None and sel is not None:
            site = site_code(sel, response.text if isinstance(response, TextResponse) else "")
            code = site[:6] if site and site[:6].isdigit() else None
        return ReportItem(
            page_url=canonical_url(response.meta.get("redirect_urls", [response.url])[0]), url=response.url,
            title=title, agency=facts.agency or agency or None, year=report_year(facts.year, body, pub),
            published=pub.isoformat() if pub else None, format=fmt, host=host, region_code=code,
            level=portal.level if portal else None, via=response.meta.get("via"),
            documents=[response.meta["sha256"]] if response.meta.get("sha256") else [],
        )

    def parse_file(self, response: Response) -> Iterator[ReportItem | Request]:
        """A report published as a bare file linked from a list (PDF汇总 pages, aggregators)."""
        row = response.meta.get("row") or {}
        self.count(host_of(response.url), "pages")
        if isinstance(response, TextResponse) and "html" in (response.headers.get("Content-Type") or b"").decode(
                "latin-1").lower():
            yield from self.parse_article(response, counted=True)
            return
        fmt = doc_kind(response.url) or "pdf"
        yield self._finish(self._item(response, title=row.get("title", ""), body="", published=row.get("date"),
                                      agency=row.get("agency"), fmt=fmt, sel=None), [])

    def parse_article(self, response: Response, counted: bool = False) -> Iterator[ReportItem | Request]:
        host = host_of(response.url)
        if not self._arrived(response, counted=counted):
            return
        if not isinstance(response, TextResponse):
            yield from self.parse_file(response)
            return
        row = response.meta.get("row") or {}
        sel = response.selector
        node = content(sel)
        detail = detail_json(response.text)
        if detail and detail.get("content") and not text_of(node):
            node = Selector(text=str(detail["content"]))
        candidates = [meta(sel, "ArticleTitle"), str(detail.get("title") or "") if detail else "", row.get("title"),
                      sel.xpath("normalize-space(//h1)").get(), sel.xpath("normalize-space(//title)").get()]
        title = next((t for t in candidates if t and is_report_title(t)), None)
        if title is None:
            self.count(host, "not_reports")
            return
        body = text_of(node)
        fingerprint = hashlib.sha1((normalize(title) + "\n" + body).encode("utf-8")).hexdigest()
        page = canonical_url(response.meta.get("redirect_urls", [response.url])[0])
        if len(body) > 40 and self.seen_content.setdefault(fingerprint, page) != page:
            self.count(host, "duplicate_content")  # a re-post under another URL (asked again: the same page)
            return
        table = xxgk_table(sel)
        published = row.get("date") or meta(sel, "PubDate") or table.get("发布日期") or table.get("公开日期") \
            or table.get("生成日期")
        files = list(dict.fromkeys([*row.get("attachments", []), *attachments(node, response.url)]))
        fmt = self._format(title, body, files)
        agency = row.get("agency") or table.get("发布机构") or None
        item = self._item(response, title=title, body=body, published=published, agency=agency, fmt=fmt, sel=sel)
        # An unchanged page under an unchanged list: its attachments are the ones archived last time.
        same = bool(response.meta.get("list_unchanged") and response.meta.get("unchanged"))
        yield self._finish(item, [f for f in files if self.in_scope(f)], same_as_before=same)

    @staticmethod
    def _format(title: str, body: str, files: list[str]) -> str:
        """html when the page itself carries the report; else the kind of its main attachment."""
        kinds = [doc_kind(f) for f in files]
        if "图片版" in normalize(title) and "image" in kinds:
            return "image"
        if len(body) > 600 and any(w in normalize(body[:4000]) for w in ("总体情况", "主动公开", "依申请", "概述")):
            return "html"
        for kind in _FORMAT_ORDER:
            if kind in kinds:
                return kind
        return "html"

    # --- attachments, one after another, then the item -------------------------------------------

    def _finish(self, item: ReportItem, pending: list[str],  # type: ignore[return]
                same_as_before: bool = False) -> ReportItem | Request:
        """The next attachment request, or the finished item when none is left to fetch."""
        while pending:
            url, pending = pending[0], pending[1:]
            key = canonical_url(url)
            if key in self.fetched_files:  # fetched for another report this run
                sha = self.fetched_files[key]
                if sha:
                    item = replace(item, documents=[*item.documents, sha], attachments=[*item.attachments, key])
                continue
            return Request(fetch_url(url), callback=self.parse_attachment, errback=self.on_attachment_error,
                           dont_filter=True, headers={"Referer": item.url},
                           meta={"kind": "attachment", "item": item, "pending": pending, "key": key,
                                 "list_unchanged": same_as_before})
        self.count(item.host, "reports")
        self.count(item.host, "attachments", len(item.attachments))
        return item

    def parse_attachment(self, response: Response) -> Iterator[ReportItem | Request]:
        item: ReportItem = response.meta["item"]
        key, sha = response.meta["key"], response.meta.get("sha256")
        dead = self._dead(response)
        self.fetched_files[key] = None if dead else sha
        if sha and not dead:
            item = replace(item, documents=[*item.documents, sha], attachments=[*item.attachments, key])
        yield self._finish(item, response.meta["pending"], same_as_before=bool(response.meta.get("list_unchanged")))

    def on_attachment_error(self, failure: Failure) -> Iterator[ReportItem | Request]:
        request = failure.request  # type: ignore[attr-defined]
        fallback = self._http_fallback(failure)
        if fallback is not None:
            yield fallback
            return
        self.count(host_of(request.url), "errors")
        self.fetched_files[request.meta["key"]] = None
        yield self._finish(request.meta["item"], request.meta["pending"],
                           same_as_before=bool(request.meta.get("list_unchanged")))

    # --- errors ----------------------------------------------------------------------------------

    def _http_fallback(self, failure: Failure) -> Request | None:
        """Many portals serve http only: a failed https connection is retried once over http."""
        request: Request = failure.request  # type: ignore[attr-defined]
        if request.url.startswith("https://") and not failure.check(HttpError) \
                and not request.meta.get("http_fallback"):
            return request.replace(url="http://" + request.url[len("https://"):], dont_filter=True,
                                   meta={**request.meta, "http_fallback": True})
        return None

    def on_error(self, failure: Failure) -> Iterator[Request]:
        request: Request = failure.request  # type: ignore[attr-defined]
        fallback = self._http_fallback(failure)
        if fallback is not None:
            yield fallback
            return
        host = host_of(request.url)
        if request.meta.get("playwright"):  # a browser timeout or crash: recorded, the crawl goes on
            self.count(host, "stop:browser_failed")
            return
        if failure.check(HttpError):
            status = failure.value.response.status
            kind = request.meta.get("kind")
            if status == 404 and kind == "list" and int(request.meta.get("page", 1)) > 1:
                self.count(host, "list_end_404")  # a missing deep page (TRS stubs, gkmlpt single-page mode)
            else:
                self.count(host, f"http_{status}")
                self.count(host, "errors")
            if kind == "article":
                self.seen_reports.pop(canonical_url(request.url), None)
            return
        if "IgnoreRequest" in type(failure.value).__name__:
            return
        self.count(host, "errors")
        if request.meta.get("kind") == "article":
            self.seen_reports.pop(canonical_url(request.url), None)
