"""Generic list walking, always on: every list page's pager read (crawler/pager.py), whatever its CMS,
and the next pages asked until the column ends.

Why a walker besides the dialects: a portal of a family no dialect knows still pages its lists with
`下一页`, page-number runs, script pagers, jump boxes or WebForms postbacks. A dialect that recognises
a column goes first and may claim it (it computes every page itself); otherwise this walks it.

The walker remembers each column (its page count against the cap, what was asked, the rows each page
showed, the declared total) so a column ends on: the per-column page cap, a page repeating an earlier
page's rows (a looping pager; a postback answering the same page), an empty page, or page numbers past
the declared total. Each end and each rule that found a next page is counted per host for the
coverage report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request
from scrapy.http import TextResponse

from crawler.page import Link
from crawler.pager import POSTBACK, read_pager
from crawler.scriptlist import PAGE, SCRIPT_API, api_template, draws_by_script, read_api_answer, script_api
from crawler.titles import is_report_title
from crawler.urls import canonical_url, host_of

# How a column's walk ended early, as the coverage report names it.
STOP_CAP = "cap"
STOP_REPEAT = "repeat"
STOP_POSTBACK_SAME = "postback_same"
STOP_EMPTY = "empty"
STOP_PAST_TOTAL = "past_total"
STOP_LOOP = "loop"
STOP_UNRESOLVED = "script_unresolved"
STOP_BROWSER_EMPTY = "browser_empty"  # rendered, and still no rows: a list that never filled
BROWSER = "browser"  # the rule name of a column page rendered in the browser (crawler/browser.py)


def request_key(request: Request) -> str:
    """What makes two list requests the same page: the canonical URL, plus method and body for POSTs."""
    if request.meta.get("playwright"):
        return f"{BROWSER} {canonical_url(request.url)}"
    if request.method == "GET":
        return canonical_url(request.url)
    return f"{request.method} {canonical_url(request.url)} {hashlib.sha1(request.body).hexdigest()}"


def row_fingerprint(rows: Sequence[Link]) -> frozenset[str]:
    """The rows a list page shows (dated rows and report titles), by canonical URL: a page that shows
    exactly an earlier page's rows is a repeat, however its pager looks."""
    return frozenset(canonical_url(r.url) for r in rows if r.date or is_report_title(r.title))


@dataclass
class Column:
    """One list column being walked."""

    host: str
    pages: int = 0  # list requests admitted (the cap counts these)
    asked: set[str] = field(default_factory=set)
    walked: set[str] = field(default_factory=set)  # pages that arrived (asked ones may be in flight)
    seen_rows: set[frozenset[str]] = field(default_factory=set)
    total: int | None = None
    owner: str | None = None  # the dialect that pages this column itself
    capped: bool = False


Counter = Callable[[str, str], None]


class ListWalker:
    """Per-crawl memory of the columns being walked. `count(host, what)` receives the events
    (`next:<rule>`, `stop:<reason>`); `capped(host, column)` each column that ended at the cap."""

    def __init__(self, max_pages: int, count: Counter | None = None, capped: Counter | None = None, *,
                 browser: bool = False) -> None:
        self.max_pages = max_pages
        self.browser = browser  # render script-drawn columns nothing else reads (crawler/browser.py)
        self.columns: dict[str, Column] = {}
        self.page_requests: dict[str, list[str]] = {}  # rendered page → the data requests it made
        self._count = count or (lambda host, what: None)
        self._capped = capped or (lambda host, column: None)

    def column(self, key: str, host: str = "") -> Column:
        if key not in self.columns:
            self.columns[key] = Column(host or host_of(key))
        return self.columns[key]

    def claim(self, key: str, dialect: str) -> None:
        """A dialect pages this column itself: the walker leaves it alone."""
        self.column(key).owner = dialect

    def admit(self, request: Request) -> bool:
        """Whether a list request (a dialect's or the walker's) may go: not asked before in its column,
        and the column under its page cap. Reaching the cap is recorded once per column."""
        col = self.column(request.meta.get("column") or canonical_url(request.url), host_of(request.url))
        key = request_key(request)
        if key in col.asked:
            return False
        if col.pages >= self.max_pages:
            if not col.capped:
                col.capped = True
                self._count(col.host, f"stop:{STOP_CAP}")
                self._capped(col.host, request.meta.get("column") or canonical_url(request.url))
            return False
        col.asked.add(key)
        col.pages += 1
        return True

    def _script_list(self, response: TextResponse, key: str, col: Column, *, empty: bool) -> list[Request]:
        """The first request of a list drawn by script: the API its script calls (read statically), the
        API the page called while rendered in the browser, or, for a column page with no rows at all
        whose scripts draw it, the page rendered in the browser."""
        meta = response.meta
        api = script_api(response)
        found = (api.template, api.first) if api else None
        if found is None and meta.get("playwright"):
            found = next(filter(None, map(api_template, self.page_requests.get(canonical_url(response.url), []))),
                         None)
        tags = {"kind": "list", "column": key, "hops": meta.get("hops", 0)}
        if found is not None:
            template, first = found
            url = template.replace(PAGE, str(first))
            if canonical_url(url) in col.asked:
                return []
            return [Request(url, meta={**tags, "page": 1, "found_by": SCRIPT_API,
                                       SCRIPT_API: {"template": template, "first": first, "value": first}})]
        if self.browser and empty and meta.get("kind") in ("list", "entry") and not meta.get("playwright") \
                and draws_by_script(response.text):
            seen: list[str] = []
            self.page_requests[canonical_url(response.url)] = seen

            def saw(request: Any) -> None:
                if request.resource_type in ("xhr", "fetch"):
                    seen.append(request.url)

            return [Request(response.url, dont_filter=True, meta={
                **tags, "page": 1, "found_by": BROWSER, "playwright": True, "no_conditional": True,
                "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
                "playwright_page_event_handlers": {"request": saw}})]
        return []

    def walk_api(self, response: TextResponse) -> tuple[list[Request], list[Link]]:
        """One answer of a list API found in a page's script: its rows, and on the first answer the
        requests for every other page it declares (the same ends as for HTML pages)."""
        meta = response.meta
        key = meta.get("column") or canonical_url(response.url)
        col = self.column(key, host_of(response.url))
        col.walked.add(canonical_url(response.url))
        answer = read_api_answer(response)
        if answer is None:
            return [], []
        api = meta[SCRIPT_API]
        first, value = int(api["first"]), int(api["value"])
        fingerprint = row_fingerprint(answer.rows)
        if not fingerprint:
            self._count(col.host, f"stop:{STOP_EMPTY}")
            return [], answer.rows
        if value != first and fingerprint in col.seen_rows:  # the first answer may repeat the HTML page's rows
            self._count(col.host, f"stop:{STOP_REPEAT}")
            return [], answer.rows
        col.seen_rows.add(fingerprint)
        if value != first or not answer.pages:
            return [], answer.rows
        col.total = answer.pages
        template = str(api["template"])
        out = []
        for number in range(2, min(answer.pages, self.max_pages + 1) + 1):
            v = first + number - 1
            out.append(Request(template.replace(PAGE, str(v)), meta={
                "kind": "list", "column": key, "page": number, "found_by": SCRIPT_API, "hops": meta.get("hops", 0),
                SCRIPT_API: {**api, "value": v}}))
        return out, answer.rows

    def walk(self, response: TextResponse, rows: Sequence[Link]) -> list[Request]:
        """The next list requests of one list page (already tagged with their column, page number and
        the rule that found them), or none when the column ends here or belongs to a dialect."""
        meta = response.meta
        key = meta.get("column") or canonical_url(response.url)
        col = self.column(key, host_of(response.url))
        here = {canonical_url(response.url), *([request_key(response.request)] if response.request else [])}
        if not here & col.asked:  # a column's first page (an entry or a column link): it counts to the cap too
            col.pages += 1
        col.asked |= here
        col.walked |= here
        if col.owner:
            return []
        found_by = meta.get("found_by")
        fingerprint = row_fingerprint(rows)
        if meta.get("playwright") and not fingerprint:
            self._count(col.host, f"stop:{STOP_BROWSER_EMPTY}")
            return []
        if found_by and not fingerprint:
            self._count(col.host, f"stop:{STOP_EMPTY}")
            return []
        if fingerprint and fingerprint in col.seen_rows:
            self._count(col.host, f"stop:{STOP_POSTBACK_SAME if found_by == POSTBACK else STOP_REPEAT}")
            return []
        col.seen_rows.add(fingerprint)
        page = meta.get("page") if found_by else 1
        reading = read_pager(response, page=int(page) if page else None, last=self.max_pages + 1)
        if reading.total:
            col.total = reading.total
        out: list[Request] = []
        keys: set[str] = set()
        past_total = False
        for cand in reading.candidates:
            ckey = request_key(cand.request)
            if ckey in col.asked or ckey in keys:
                continue
            if col.total and cand.number and cand.number > col.total:
                past_total = True
                continue
            keys.add(ckey)
            tags = {"kind": "list", "column": key, "page": max(cand.number or 2, 2), "found_by": cand.rule,
                    "hops": meta.get("hops", 0)}
            out.append(cand.request.replace(meta={**cand.request.meta, **tags}))
        if not reading.candidates:  # no pager in the HTML: a list its script draws from a data API?
            out += self._script_list(response, key, col, empty=not fingerprint)
        if past_total:
            self._count(col.host, f"stop:{STOP_PAST_TOTAL}")
        if reading.next_urls and not out and all(canonical_url(u) in col.walked for u in reading.next_urls):
            self._count(col.host, f"stop:{STOP_LOOP}")
        if reading.unresolved and not out:
            self._count(col.host, f"stop:{STOP_UNRESOLVED}")
        return out
