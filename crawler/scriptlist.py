"""Lists drawn by script from a data API, read without a browser: the API call in the page's own script
(`fetch('/api/…?columnId=' + columnId + '&pageNum=' + pageNum)`, `$.getJSON(…)`, `$.ajax({url, data})`),
evaluated with the page's `var` values and the page number left open; then the JSON answers read
generically (the list of rows with a title and a link, HTML fragments of rows, the page count).

Why static reading first: a column shell whose rows come from `/api/...` is common on newer county
CMSs; the call and its variables sit in the page, so one GET per list page does what a browser would,
at no browser's cost, through the crawler's own robots, scope and per-host rules.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import TextResponse

from crawler.page import Link, links
from crawler.pager import PAGE_KEYS
from crawler.urls import doc_kind
from extract.dates import to_date

SCRIPT_API = "script_api"  # the rule name, as the coverage report prints it
PAGE = "\x00page\x00"  # where the page number goes in an evaluated URL
_CALL = re.compile(r"""(?:\bfetch|\$\.getJSON|\$\.get|jQuery\.getJSON|axios\.get)\s*\(|\$\.ajax\s*\(\s*\{""")
_FUNCTION = re.compile(r"function\s+([A-Za-z_$][\w$]*)\s*\(\s*([A-Za-z_$][\w$]*)?[^)]*\)\s*\{")
_DECL = re.compile(r"\b(?:var|let|const)\s+([^;]+);")
_TOKEN = re.compile(r"""\s*(?:'([^']*)'|"([^"]*)"|([A-Za-z_$][\w$.]*)|(\d+)|(\+))""")
_PAIR = re.compile(r"""([A-Za-z_$][\w$]*|'[^']*'|"[^"]*")\s*:\s*('[^']*'|"[^"]*"|[A-Za-z_$][\w$]*|\d+)""")
_TITLE_KEYS = ("title", "doctitle", "articletitle", "infotitle", "subject", "name")
_URL_KEYS = ("url", "linkurl", "link", "href", "docpuburl", "detailurl", "articleurl", "weburl", "post_url", "path")
_DATE_KEYS = ("publishtime", "pubdate", "publishdate", "docreltime", "releasetime", "created_at", "create_time",
              "createtime", "writetime", "date", "time")
_FILE_KEYS = ("fileurl", "_href", "appfile", "filepath", "url", "href", "path")
_AGENCY_KEYS = ("puborg", "publisher", "publishorg")
_PAGES_KEYS = ("pages", "pagecount", "totalpage", "totalpages", "pagetotal", "pagesum")
_TOTAL_KEYS = ("total", "recordcount", "totalcount", "totalrecord", "post_count", "count", "totalnum")
_SIZE_KEYS = ("pagesize", "rows", "prepage", "perpage", "size", "limit", "pagesizes")


@dataclass(frozen=True, slots=True)
class ScriptApi:
    """A list API found in a page's script: its URL with the page number open, and the first page's
    number (what the page's own first call passes)."""

    template: str
    first: int

    def url(self, page_value: int) -> str:
        return self.template.replace(PAGE, str(page_value))


def _characters(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, bracket depth) of every character of script code outside string literals."""
    depth, quote = 0, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote or ch in "'\"":
            quote = ("" if ch == quote else quote) if quote else ch
            continue
        if ch in ")]}":
            depth -= 1
        yield i, ch, depth + (ch in ")]}")
        if ch in "([{":
            depth += 1


def _split_top(text: str) -> list[str]:
    """Split on commas outside quotes, brackets and braces."""
    cuts = [i for i, ch, depth in _characters(text) if ch == "," and depth == 0]
    bounds = zip([-1, *cuts], [*cuts, len(text)], strict=True)
    return [text[a + 1:b].strip() for a, b in bounds if text[a + 1:b].strip()]


def _literal(value: str) -> str | dict[str, str] | None:
    value = value.strip()
    if value[:1] in "'\"" and value[-1:] == value[:1]:
        return value[1:-1]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", value):
        return value
    if value.startswith("{") and value.endswith("}"):
        return {k.strip("'\""): v for k, v in _PAIR.findall(value)}
    return None


def variables(code: str) -> dict[str, Any]:
    """`var a = '1', b = 10; const o = {k: 'v'};`: the literal values a script declares."""
    out: dict[str, Any] = {}
    for m in _DECL.finditer(code):
        for part in _split_top(m.group(1)):
            name, sep, value = part.partition("=")
            if sep and re.fullmatch(r"\s*[A-Za-z_$][\w$]*\s*", name):
                lit = _literal(value)
                if lit is not None:
                    out[name.strip()] = lit
    return out


def _value(token: str, env: dict[str, Any], page_var: str) -> str | None:
    if token == page_var:
        return PAGE
    if token in env:
        value = env[token]
        if isinstance(value, dict):
            return None
        lit = _literal(str(value))
        return lit if isinstance(lit, str) else str(value)
    return None


def _evaluate(expr: str, env: dict[str, Any], page_var: str) -> str | None:
    """A concatenation of string literals, numbers and known names; None when any part is unknown."""
    out, pos = [], 0
    while pos < len(expr.rstrip()):
        m = _TOKEN.match(expr, pos)
        if not m:
            return None
        pos = m.end()
        if m.group(5):
            continue
        if m.group(1) is not None or m.group(2) is not None:
            out.append(m.group(1) if m.group(1) is not None else m.group(2))
        elif m.group(4):
            out.append(m.group(4))
        else:
            value = _value(m.group(3), env, page_var)
            if value is None:
                return None
            out.append(value)
    return "".join(out)


def _object(expr: str, env: dict[str, Any], page_var: str) -> dict[str, str] | None:
    """`{k: v}`, a known object name, or `$.extend({}, a, {k: v})`: the merged query parameters."""
    expr = expr.strip()
    extend = re.fullmatch(r"(?:\$|jQuery)\.extend\((.*)\)", expr, re.DOTALL)
    parts = _split_top(extend.group(1)) if extend else [expr]
    merged: dict[str, str] = {}
    for part in parts:
        if part in env and isinstance(env[part], dict):
            items = env[part].items()
        elif part.startswith("{"):
            items = {k.strip("'\""): v for k, v in _PAIR.findall(part)}.items()
        else:
            return None
        for key, raw in items:
            value = _evaluate(raw, env, page_var)
            if value is None:
                return None
            merged[key] = value
    return merged


def _span(code: str, start: int, *, block: bool = False) -> str:
    """code from start to the end of a call's first argument (a top-level `,` or the closing bracket),
    or with block=True to the `}` closing the block that start is inside."""
    for i, ch, depth in _characters(code, start):
        if depth == 0 and (ch in ")]}" or (ch == "," and not block)):
            return code[start:i]
    return code[start:]


def script_api(response: TextResponse) -> ScriptApi | None:
    """The GET list API a page's script calls with a page number, or None."""
    code = "\n".join(response.selector.xpath("//script[not(@src)]/text()").getall())
    env = variables(code)
    for call in _CALL.finditer(code):
        functions = [f for f in _FUNCTION.finditer(code, 0, call.start()) if f.group(2)]
        if not functions:
            continue
        name, page_var = functions[-1].group(1), functions[-1].group(2)
        if call.group(0).rstrip().endswith("{"):  # $.ajax({url: …, data: …})
            body = _span(code, call.end(), block=True)
            fields = {k.strip("'\""): v for k, v in (p.split(":", 1) for p in _split_top(body) if ":" in p)}
            if re.search(r"post", fields.get("type", "") + fields.get("method", ""), re.IGNORECASE):
                continue
            base = _evaluate(fields.get("url", ""), env, page_var)
            data = _object(fields["data"], env, page_var) if "data" in fields else {}
            if base is None or data is None:
                continue
            url = base + ("&" if "?" in base else "?") + urlencode(data) if data else base
            url = url.replace(urlencode({"x": PAGE})[2:], PAGE)
        else:
            found = _evaluate(_span(code, call.end()), env, page_var)
            if found is None:
                continue
            url = found
        if url.count(PAGE) != 1:
            continue
        first = re.search(rf"\b{re.escape(name)}\(\s*(\d+)\s*\)", code)
        return ScriptApi(urljoin(response.url, url), int(first.group(1)) if first else 1)
    return None


# --- what a rendered page asked for (crawler/browser.py) -----------------------------------------------

_DRAWS = re.compile(r"fetch\(|XMLHttpRequest|\$\.(?:ajax|get|getJSON|post)\b|axios|\.jpage\(|\.load\(|innerHTML|"
                    r"document\.write|_CONFIG\b")


def draws_by_script(html: str) -> bool:
    """A page whose scripts look like they fill it (fetch, XHR, jQuery loads, jpage, innerHTML)."""
    return bool(_DRAWS.search(html))


def api_template(url: str) -> tuple[str, int] | None:
    """A data request the page made, with its page number opened: `?pageNum=1` or a JSON parameter
    such as `paramJson={"pageNo":1}`. (template with PAGE, the page value it asked) or None."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, value) in enumerate(pairs):
        if key.lower() in PAGE_KEYS and value.isdigit():
            opened = [*pairs[:i], (key, PAGE), *pairs[i + 1:]]
            return urlunsplit(parts._replace(query=_encode(opened))), int(value)
        if value.startswith("{"):
            try:
                data = json.loads(value)
            except ValueError:
                continue
            page_key = next((k for k in data if k.lower() in PAGE_KEYS and str(data[k]).isdigit()), None)
            if page_key is not None:
                first = int(data[page_key])
                data[page_key] = 0
                encoded = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
                encoded = encoded.replace(f'"{page_key}":0', f'"{page_key}":{PAGE}')
                opened = [*pairs[:i], (key, encoded), *pairs[i + 1:]]
                return urlunsplit(parts._replace(query=_encode(opened))), first
    return None


def _encode(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs).replace(urlencode({"x": PAGE})[2:], PAGE)


# --- the answers ---------------------------------------------------------------------------------------


def _get(d: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lower = {k.lower(): v for k, v in d.items()}
    return next((lower[k] for k in keys if lower.get(k) not in (None, "")), None)


def _lists(node: Any) -> list[list[dict[str, Any]]]:
    if isinstance(node, list):
        found = [node] if node and all(isinstance(x, dict) for x in node) else []
        return found + [lst for x in node for lst in _lists(x)]
    if isinstance(node, dict):
        return [lst for v in node.values() for lst in _lists(v)]
    return []


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for x in node for s in _strings(x)]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    return []


def _number(node: Any, keys: tuple[str, ...]) -> int | None:
    """The first value under one of keys, anywhere in the document (breadth first)."""
    queue = [node]
    while queue:
        cur = queue.pop(0)
        if isinstance(cur, dict):
            value = _get(cur, keys)
            if isinstance(value, int | str) and str(value).isdigit():
                return int(value)
            queue += [v for v in cur.values() if isinstance(v, dict | list)]
        elif isinstance(cur, list):
            queue += [v for v in cur if isinstance(v, dict | list)]
    return None


def _row(item: dict[str, Any], base: str) -> Link | None:
    title, url = _get(item, _TITLE_KEYS), _get(item, _URL_KEYS)
    if not isinstance(title, str) or not isinstance(url, str):
        return None
    page = urljoin(base, url)
    files = []
    for value in item.values():
        for sub in value if isinstance(value, list) else []:
            href = _get(sub, _FILE_KEYS) if isinstance(sub, dict) else None
            if isinstance(href, str) and doc_kind(href):
                files.append(urljoin(page, href))
    agency = _get(item, _AGENCY_KEYS)
    return Link(page, re.sub(r"<[^>]+>", "", title).strip(), to_date(_get(item, _DATE_KEYS)), tuple(files),
                agency if isinstance(agency, str) else None)


@dataclass(frozen=True, slots=True)
class ApiPage:
    """One answer of a list API: its rows and, where it says so, how many pages there are."""

    rows: list[Link]
    pages: int | None


def read_api_answer(response: TextResponse) -> ApiPage | None:
    """Rows and page count from a JSON list answer, or None when it is not JSON."""
    try:
        data = json.loads(response.text)
    except ValueError:
        return None
    rows: list[Link] = []
    best = max(_lists(data), key=lambda lst: sum(_row(x, response.url) is not None for x in lst), default=[])
    rows += [r for r in (_row(x, response.url) for x in best) if r]
    for fragment in _strings(data):
        if "<a " in fragment:
            rows += links(Selector(text=fragment), response.url)
    pages = _number(data, _PAGES_KEYS)
    if pages is None:
        total = _number(data, _TOTAL_KEYS)
        query = {k.lower(): v for k, v in parse_qsl(urlsplit(response.url).query)}
        size = next((int(query[k]) for k in _SIZE_KEYS if query.get(k, "").isdigit() and int(query[k]) > 0),
                    len(rows) or None)
        pages = math.ceil(total / size) if total is not None and size else None
    return ApiPage(rows, pages)
