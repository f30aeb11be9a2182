"""Reading one list page's pager, whatever CMS drew it: where the next pages are and how many there are.

Why apart from the walker: this is pure reading of one response (links, scripts, forms), testable on a
stored page; the walker (crawler/walker.py) keeps the per-column memory that decides when to stop.
Every candidate says which rule found it, so a crawl can report how each next page was found.

Numbering is read, never assumed: from the numbers a pager shows next to its links (`2` → `index_1.html`
is 0-based), from the page's own position, or, where the page cannot tell (a pager drawn by script on
page 1), both readings are asked and the answers decide (a 404 or a page repeating rows ends it).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy import Request
from scrapy.http import TextResponse

from crawler.forms import submit
from crawler.page import Link, anchor_url

# Rule names, as the coverage report prints them.
NEXT_TEXT = "next_text"
PAGE_NUMBERS = "page_numbers"
URL_PATTERN = "url_pattern"
SCRIPT_PAGER = "script_pager"
JS_CALL = "js_call"
JUMP_FORM = "jump_form"
POSTBACK = "postback"
RULES = (NEXT_TEXT, PAGE_NUMBERS, URL_PATTERN, SCRIPT_PAGER, JS_CALL, JUMP_FORM, POSTBACK)

_NEXT = re.compile(r"^[\[【(<]?(?:下一?页|后一?页|下一頁|下页|next(?:page)?|[>›»])[>›»]*[\]】)>]?$")
_LAST = re.compile(r"^[\[【(<]?(?:尾页|末页|最后一?页|last(?:page)?|>>|»»|>\|)[\]】)>]?$")
_MORE = "更多"
_PAGER_BOX = re.compile(r"pag|fenye|fanye|^fy|turn", re.IGNORECASE)
_CURRENT_CLASS = re.compile(r"\b(?:current|active|cur|on|sel(?:ected)?|now|hover)\b", re.IGNORECASE)
PAGE_KEYS = ("page", "pageno", "pageindex", "curpage", "currpage", "currentpage", "p", "pagenum", "pn", "pagenumber",
             "page_no", "cur_page", "topage", "gopage", "jumppage", "pageid")
_KEY_ALT = "|".join(sorted(PAGE_KEYS, key=len, reverse=True))
_TOTAL_TEXT = (re.compile(r"共\s*(\d+)\s*页"), re.compile(r"页次[:：]?\s*\d+\s*/\s*(\d+)"),
               re.compile(r"第?\s*\d+\s*/\s*(\d+)\s*页"))
_CURRENT_TEXT = (re.compile(r"当前(?:第|为第)?\s*(\d+)\s*页"), re.compile(r"页次[:：]?\s*(\d+)\s*/"),
                 re.compile(r"第\s*(\d+)\s*页\s*/\s*共"), re.compile(r"第?\s*(\d+)\s*/\s*\d+\s*页"))
_RECORDS = re.compile(r"共\s*(\d+)\s*条")
_PER_PAGE = re.compile(r"每页\s*(\d+)\s*条")
_TOTAL_VAR = re.compile(r"\b(?:countPage|totalPages?|pageCount|pagecount|page_count|totalpage|maxPage|pageTotal|"
                        r"pageSum|allPage)\s*[:=]\s*['\"]?(\d+)")
_CREATE = re.compile(r"""createPage(?:HTML)?\(([^()]*)\)""")
_FILE_EXT = re.compile(r"s?html?|jsp|php|aspx?", re.IGNORECASE)


def create_page_args(code: str) -> tuple[int, str, str] | None:
    """(page count, file stem, extension) of a TRS pager call, in either argument order: WCM's
    `createPageHTML(9, 0, "index", "html")` and 海云's `createPageHTML('page_div', 3, 1, 'index', 'html', 24)`
    (a div id first, a row count last): the count is the first number, stem and extension the string
    pair whose second is a file extension."""
    for m in _CREATE.finditer(code):
        args = [a.strip().strip("'\"") for a in m.group(1).split(",")]
        numbers = [int(a) for a in args if a.isdigit()]
        pair = next(((a, b) for a, b in pairwise(args)
                     if not a.isdigit() and re.fullmatch(r"[\w-]+", a) and _FILE_EXT.fullmatch(b)), None)
        if numbers and pair:
            return numbers[0], pair[0], pair[1]
    return None
_POSTBACK = re.compile(r"""__doPostBack\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]*)['"]\s*\)""")
_JS_CALL = re.compile(r"""^(?:javascript:)?\s*(?:void\s*\(0\)\s*;?\s*)?([A-Za-z_$][\w$.]*)\(\s*['"]?(\d+)['"]?\s*\)""")
_JUMP_WORDS = re.compile(r"跳转|转到|跳至|转至|GO|Go|go|确定")
# A page-like slot in a URL: `?page=3`, `index_3.html`, `list_12_3.html`, `/page/3/`, `/3.html`.
_SLOT = re.compile(rf"(?:[?&](?:{_KEY_ALT})=(\d+)|/[a-z][a-z-]*(?:_\d+)*_(\d+)\.(?:s?html?|jsp|aspx?|php)$"
                   rf"|/page/(\d+)/?$|/(\d+)\.s?html?$)", re.IGNORECASE)
_SCRIPT_URL = re.compile(rf"""['"]([^'"\s<>]*?(?:[?&](?:{_KEY_ALT})=|_))['"]\s*\+\s*\(?\s*[A-Za-z_$][\w$]*"""
                         rf"""(?:\s*[+-]\s*\d+)?\s*\)?(?:\s*\+\s*['"]([^'"\s<>]*)['"])?""", re.IGNORECASE)


def _text(node: Selector) -> str:
    raw = " ".join(node.xpath(".//text()").getall()) or node.attrib.get("title", "") or node.attrib.get("value", "")
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).lower()


def _number(text: str) -> int | None:
    m = re.fullmatch(r"[\[【(]?(\d{1,4})[\]】)]?", text)
    return int(m.group(1)) if m else None


@dataclass(frozen=True, slots=True)
class Candidate:
    """One next list page: the rule that found it, its page number where known, and the request."""

    rule: str
    number: int | None
    request: Request


@dataclass
class Reading:
    """What one page's pager says: its own number and the declared total where shown, the candidates,
    and whether a next-page link pointed nowhere new (`loops`, judged by the walker)."""

    current: int | None = None
    total: int | None = None
    candidates: list[Candidate] = field(default_factory=list)
    next_urls: list[str] = field(default_factory=list)
    unresolved: int = 0  # pager calls into scripts we could not turn into a request


@dataclass(frozen=True, slots=True)
class Template:
    """A URL with one page slot: `render(n)` is page n's URL; offset is slot value minus page number."""

    parts: tuple[str, ...]
    slot: int
    offset: int

    def render(self, page: int) -> str:
        value = page + self.offset
        return "".join([*self.parts[: self.slot], str(value), *self.parts[self.slot + 1:]])

    def page_of(self, url: str) -> int | None:
        """The page number of a URL of this template (the 尾页 link's: the total), else None."""
        parts = re.split(r"(\d+)", url)
        if len(parts) != len(self.parts) or parts[0::2] != list(self.parts[0::2]):
            return None
        return int(parts[self.slot]) - self.offset


def _slot_positions(url: str, parts: list[str]) -> list[int]:
    """Indexes (into re.split(r'(\\d+)', url)) of the digit runs that sit in a page-like place."""
    out = []
    for m in _SLOT.finditer(url):
        start = next(m.start(g) for g in range(1, 5) if m.group(g) is not None)
        pos = 0
        for i, part in enumerate(parts):
            if pos == start and i % 2 == 1:
                out.append(i)
            pos += len(part)
    return out


def infer_template(samples: list[tuple[int, str]]) -> Template | None:
    """The URL template behind (page number, URL) pairs: the digit run that moves with the number by a
    constant offset of -1, 0 or 1 (pagers count from 0 or 1). One pair only counts when its run sits in
    a page-like place (`?page=`, `index_N.html`, `/page/N/`, `/N.html`)."""
    groups: dict[tuple[str, ...], list[tuple[int, list[str], str]]] = {}
    for number, url in samples:
        parts = re.split(r"(\d+)", url)
        groups.setdefault(tuple(parts[0::2]), []).append((number, parts, url))
    best: Template | None = None
    best_size = 0
    for members in groups.values():
        numbers = {n for n, _p, _u in members}
        parts0 = members[0][1]
        options = []
        for i in range(1, len(parts0), 2):
            offsets = {int(p[i]) - n for n, p, _u in members}
            if len(offsets) != 1 or abs(next(iter(offsets))) > 1:  # pagers count from 0 or 1
                continue
            if len(numbers) < 2 and i not in _slot_positions(members[0][2], parts0):
                continue
            options.append((i, offsets.pop()))
        if options and len(members) > best_size:
            slot, offset = options[-1]
            best, best_size = Template(tuple(parts0), slot, offset), len(members)
    return best


def _in_pager(anchor: Selector) -> bool:
    for node in anchor.xpath("ancestor-or-self::*[position() <= 4]"):
        if _PAGER_BOX.search(" ".join([node.attrib.get("class", ""), node.attrib.get("id", "")])):
            return True
    return False


def _visible_text(sel: Selector) -> str:
    return " ".join(sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())


def _scripts(sel: Selector) -> str:
    return "\n".join(sel.xpath("//script/text()").getall())


def declared_total(sel: Selector) -> int | None:
    """The page count a pager declares: `共N页`, `页次 1/N`, `countPage = N`, `createPageHTML(N, …)`,
    or `共M条` with `每页K条`."""
    text, code = _visible_text(sel), _scripts(sel)
    for rx in _TOTAL_TEXT:
        m = rx.search(text)
        if m:
            return int(m.group(1))
    create = create_page_args(code)
    if create:
        return create[0]
    m = _TOTAL_VAR.search(code)
    if m:
        return int(m.group(1))
    records, per = _RECORDS.search(text), _PER_PAGE.search(text)
    if records and per and int(per.group(1)) > 0:
        return math.ceil(int(records.group(1)) / int(per.group(1)))
    return None


def _current_from_text(sel: Selector) -> int | None:
    text = _visible_text(sel)
    for rx in _CURRENT_TEXT:
        m = rx.search(text)
        if m:
            return int(m.group(1))
    return None


@dataclass
class _Anchor:
    node: Selector
    text: str
    call: str  # the script an anchor runs (`next(3)`, `__doPostBack(…)`), or ""
    number: int | None
    pager: bool


def _anchors(sel: Selector) -> list[_Anchor]:
    out = []
    for node in sel.xpath("//a"):
        text = _text(node)
        href = (node.attrib.get("href") or "").strip()
        call = href[len("javascript:"):].strip() if href.lower().startswith("javascript:") else ""
        onclick = (node.attrib.get("onclick") or "").strip()
        if not re.search(r"\w\(", call) and re.search(r"\w\(", onclick) \
                and (not href or href.startswith("#") or href.lower().startswith("javascript")):
            call = onclick
        out.append(_Anchor(node, text, call, _number(text), _in_pager(node)))
    return out


def _is_next(a: _Anchor) -> bool:
    return bool(_NEXT.match(a.text)) or (a.text == _MORE and a.pager)


def _current_number(sel: Selector) -> int | None:
    """The page the response is: `当前第N页`, or a number in the pager shown unlinked or marked current."""
    found = _current_from_text(sel)
    if found:
        return found
    for node in sel.xpath("//*[self::span or self::strong or self::b or self::em or self::font or self::li or "
                          "self::a or self::td][not(*)]"):
        number = _number(_text(node))
        if number is None or not _in_pager(node):
            continue
        href = node.attrib.get("href", "")
        linked = node.root.tag == "a" and bool(href) and not href.startswith("#")
        if not linked or _CURRENT_CLASS.search(node.attrib.get("class", "") + " " + node.attrib.get("id", "")):
            return number
    return None


def read_pager(response: TextResponse, *, page: int | None = None, last: int = 1000) -> Reading:
    """Every next-page candidate on one list page. `page` is the page number the walker asked for, when
    it knows it (the entry of a column is its first page); no page past `last` is computed (a pager may
    claim a million pages: the cap ends it, and one past the cap shows it was reached)."""
    sel = response.selector
    base = response.url
    anchors = _anchors(sel)
    code = _scripts(sel)
    current = _current_number(sel) or page
    reading = Reading(current=current, total=declared_total(sel))
    samples: list[tuple[int, str]] = []
    last_urls: list[str] = []

    def add(rule: str, number: int | None, request: Request) -> None:
        reading.candidates.append(Candidate(rule, number, request))

    # Postbacks (ASP.NET WebForms): one step at a time, each needs the next page's __VIEWSTATE.
    postbacks = [(a, m) for a in anchors if (m := _POSTBACK.search(a.call))]
    step = [(a, m) for a, m in postbacks if _is_next(a)]
    step = step or [(a, m) for a, m in postbacks if current and a.number == current + 1]
    form = _postback_form(sel) if step else None
    if step and form:
        target, argument = step[0][1].group(1), step[0][1].group(2)
        add(POSTBACK, current + 1 if current else None,
            submit(response, form, {"__EVENTTARGET": target, "__EVENTARGUMENT": argument}))

    # Links by text (下一页 …) and by position (1 2 3 … 尾页); script calls through the function the page defines.
    for a in anchors:
        if _POSTBACK.search(a.call):
            continue
        nextish, lastish = _is_next(a), bool(_LAST.match(a.text))
        numbered = a.number is not None and (a.pager or _near_other_numbers(a))
        if not (nextish or lastish or numbered):
            continue
        number = a.number if numbered else (current + 1 if current and nextish else None)
        call = _JS_CALL.match(a.call)
        if call:
            request = _resolve_call(response, call.group(1), int(call.group(2)), code)
            if request is None:
                reading.unresolved += 1
            elif not lastish and (number is None or current is None or number > current):
                add(JS_CALL, number, request)
                if number and request.method == "GET":
                    samples.append((number, request.url))
            continue
        url = anchor_url(a.node, base)
        if not url or a.call:
            continue
        if nextish:
            reading.next_urls.append(url)
            add(NEXT_TEXT, number, Request(url))
        elif numbered and (current is None or (a.number or 0) > current):
            add(PAGE_NUMBERS, number, Request(url))
        if number:
            samples.append((number, url))
        elif lastish:
            last_urls.append(url)
    if current and _SLOT.search(base):
        samples.append((current, base))

    # Every page up to the declared total (or the 尾页 link's number), from the template the samples
    # reveal, else from the script.
    template = infer_template(samples)
    if template and reading.total is None:
        reading.total = max((n for n in map(template.page_of, last_urls) if n), default=None)
    total = reading.total
    if template and total and current:
        for n in range(current + 1, min(total, last) + 1):
            add(URL_PATTERN, n, Request(urljoin(base, template.render(n))))
    elif total and total > 1 and not template:
        for number, url in _script_pages(response, code, min(total, last)):
            add(SCRIPT_PAGER, number, Request(url))

    # A jump box (跳转到第 N 页) where nothing above reached the next page.
    if total and current and not any(c.number == current + 1 for c in reading.candidates):
        for n in range(current + 1, min(total, last) + 1):
            jump = _jump(response, n)
            if jump is None:
                break
            add(JUMP_FORM, n, jump)
    return reading


def more_links(response: TextResponse) -> list[Link]:
    """`更多` links outside a pager, renamed after the heading of their block (`政府信息公开年报 … 更多`):
    so the spider can judge them as the column links they are. A `更多` inside a pager is a next page."""
    out = []
    for a in _anchors(response.selector):
        if not a.text.startswith(_MORE) or a.pager:
            continue
        url = anchor_url(a.node, response.url)
        heading = a.node.xpath("ancestor::*[position() <= 3]/*[self::h1 or self::h2 or self::h3 or self::h4 or "
                               "contains(@class, 'tit') or contains(@class, 'name')][1]//text()").getall()
        title = re.sub(r"\s+", "", "".join(heading))
        if url and title and len(title) <= 20:
            out.append(Link(url, title, None))
    return out


def _near_other_numbers(a: _Anchor) -> bool:
    """A bare number link counts as a pager item when its siblings are numbers too (1 2 3 …)."""
    parent = a.node.xpath("..")
    siblings = [_number(_text(s)) for s in parent[0].xpath("./a")] if parent else []
    return sum(n is not None for n in siblings) >= 2


def _postback_form(sel: Selector) -> str | None:
    """The WebForms form (the one carrying __VIEWSTATE), as an XPath for FormRequest.from_response."""
    forms = sel.xpath("//form")
    for i, form in enumerate(forms, start=1):
        if form.xpath(".//input[@name='__VIEWSTATE']"):
            return f"(//form)[{i}]"
    return "(//form)[1]" if forms else None


def _function_body(name: str, code: str) -> tuple[str, str] | None:
    """(argument name, body) of `function name(arg){…}` or `name = function(arg){…}`."""
    short = re.escape(name.rsplit(".", 1)[-1])
    m = re.search(rf"function\s+{short}\s*\(\s*(\w+)[^)]*\)\s*\{{(.{{0,800}}?)\}}", code, re.DOTALL) or \
        re.search(rf"{short}\s*[:=]\s*function\s*\(\s*(\w+)[^)]*\)\s*\{{(.{{0,800}}?)\}}", code, re.DOTALL)
    return (m.group(1), m.group(2)) if m else None


def _resolve_call(response: TextResponse, name: str, arg: int, code: str) -> Request | None:
    """What a pager function does with its argument: builds a URL (`location.href = "?page=" + n`) or
    writes it into a form field and submits the form. None when the page does not say."""
    found = _function_body(name, code)
    if not found:
        return None
    var, body = found
    m = re.search(rf"""['"]([^'"]*)['"]\s*\+\s*{re.escape(var)}\b(?:\s*\+\s*['"]([^'"]*)['"])?""", body)
    if m and re.search(r"location|open\(", body):
        return Request(urljoin(response.url, f"{m.group(1)}{arg}{m.group(2) or ''}"))
    field_match = re.search(rf"""(?:getElementById\(\s*['"](\w+)['"]\s*\)|\.(\w+))\.value\s*=\s*{re.escape(var)}\b""",
                            body)
    if not field_match or "submit" not in body:
        return None
    field_name = field_match.group(1) or field_match.group(2)
    for i, form in enumerate(response.selector.xpath("//form"), start=1):
        inputs = form.xpath(f".//input[@name='{field_name}' or @id='{field_name}']")
        if inputs:
            return submit(response, f"(//form)[{i}]", {inputs[0].attrib.get("name") or field_name: str(arg)})
    return None


def _page_input(form: Selector) -> str | None:
    """The page-number field of a jump form: named like one, or the only text box beside 跳转/GO."""
    for inp in form.xpath(".//input[not(@type) or @type='text' or @type='number' or @type='hidden']"):
        name = inp.attrib.get("name") or ""
        if name.lower() in PAGE_KEYS:
            return name
    visible = form.xpath(".//input[not(@type) or @type='text' or @type='number']")
    if len(visible) == 1 and _JUMP_WORDS.search(" ".join(form.xpath(".//text() | .//input/@value").getall())):
        return visible[0].attrib.get("name")
    return None


def _jump(response: TextResponse, page: int) -> Request | None:
    """跳转到第 N 页: the page's jump form submitted (GET or POST, as the form says) with N."""
    for i, form in enumerate(response.selector.xpath("//form"), start=1):
        name = _page_input(form)
        if name:
            return submit(response, f"(//form)[{i}]", {name: str(page)})
    return None


def _script_pages(response: TextResponse, code: str, total: int) -> list[tuple[int, str]]:
    """A pager drawn by script: `createPageHTML(n, cur, "index", "html")`, a URL built as `"?page=" + i`,
    or a bare `countPage = n` beside the page's own file name. Whether the first suffix is page 2
    (`index_1`, 0-based) or page 3 (1-based) is not on the page, so both readings are asked: values
    1..n (one extra request at most; its 404 or repeated rows end it). (page number, URL) pairs, the
    number as the 1-based reading has it (the lower one: no page is dropped as past the total)."""
    base = response.url
    name = urlsplit(base).path.rsplit("/", 1)[-1]
    create, built = create_page_args(code), _SCRIPT_URL.search(code)
    if create:
        prefix, suffix = f"{create[1]}_", f".{create[2]}"
    elif built:
        prefix, suffix = built.group(1), built.group(2) or ""
    elif _TOTAL_VAR.search(code):
        if "." in name:
            stem, ext = name.split(".", 1)
        else:  # a directory URL: the extension its links use
            exts = re.findall(r"\.(s?html?)\b", " ".join(response.selector.xpath("//a/@href").getall()))
            stem, ext = "index", max(set(exts), key=exts.count) if exts else "html"
        prefix, suffix = (re.sub(r"_\d+$", "", stem) or "index") + "_", f".{ext}"
    else:
        return []
    pages = [(value, urljoin(base, f"{prefix}{value}{suffix}")) for value in range(1, total + 1)]
    return [(number, url) for number, url in pages if url != base]
