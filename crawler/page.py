"""Reading one fetched HTML page: head metadata, the main content, attachments (also those hidden in
scripts), links with their row dates, soft-404s and gkmlpt's JSON-embedded bodies.

Why one place: every dialect lands on the same kinds of article pages (TRS, Hanweb, gkmlpt, xxgk
catalogs), and the rules for what counts as an attachment or a dead page must not drift between them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from parsel import Selector

from crawler.urls import doc_kind, join
from extract.containers import css_selectors
from extract.dates import to_date

# Where portals put the article body, most specific first: the parser's list (extract/containers.py).
CONTENT_SELECTORS = css_selectors()
_SCRIPT_FILE = re.compile(r"""["']([^"'<>\s]+?\.(?:pdf|docx?|wps|ofd|xlsx?|rtf|zip))["']""", re.IGNORECASE)
_JS_LOCATION = re.compile(r"""(?:window\.location(?:\.href)?|location\.href|window\.open)\s*[=(]\s*['"]([^'"]+)['"]""")
_STRLINK = re.compile(r"""var\s+strLink\s*=\s*['"]([^'"]+)['"]""")
_SOFT_404 = re.compile(
    r"页面不存在|页面未找到|找不到(该|您要访问的)?页面|404\s*(Not Found|错误)|您访问的页面|已删除或不存在"
)
_DETAIL = re.compile(r"_CONFIG\.DETAIL\s*=\s*(\{.*?\})\s*;?\s*(?:</script>|window\.)", re.DOTALL)
_TABLE_LABELS = ("索引号", "发布机构", "发文机关", "生成日期", "成文日期", "发布日期", "公开日期", "文号", "主题分类")


@dataclass(frozen=True, slots=True)
class Link:
    """One row of a list: the absolute URL, the best title and the row's date; JSON list APIs also
    give the attachments and the publisher."""

    url: str
    title: str
    date: date | None
    attachments: tuple[str, ...] = ()
    agency: str | None = None


def meta(sel: Selector, name: str) -> str | None:
    value = sel.xpath(f"//meta[translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')="
                      f"'{name.lower()}']/@content").get()
    return value.strip() if value and value.strip() else None


def xxgk_table(sel: Selector) -> dict[str, str]:
    """The 信息公开目录 block (索引号/发布机构/生成日期/文号…): label cell → value cell."""
    out: dict[str, str] = {}
    for cell in sel.xpath("//td|//th|//span|//li|//div[not(*)]"):
        label = re.sub(r"[\s:：]", "", "".join(cell.xpath("./text()").getall()))
        if label in _TABLE_LABELS and label not in out:
            value = " ".join(cell.xpath("following-sibling::*[1]//text()").getall()).strip()
            out[label] = value
    return out


def content(sel: Selector) -> Selector:
    """The article body container, or the whole body when the portal uses none we know."""
    for css in CONTENT_SELECTORS:
        found = sel.css(css)
        if found and len(" ".join(found[0].xpath(".//text()").getall()).strip()) > 0:
            return found[0]
    for css in CONTENT_SELECTORS:  # present but empty (gkmlpt fills it from JSON): still the place for files
        found = sel.css(css)
        if found:
            return found[0]
    return sel.xpath("//body")[0] if sel.xpath("//body") else sel


def text_of(node: Selector) -> str:
    parts = node.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def detail_json(html: str) -> dict[str, object] | None:
    """gkmlpt detail pages carry the article in `window._CONFIG.DETAIL = {...}` with escaped HTML."""
    m = _DETAIL.search(html)
    if not m:
        return None
    try:
        data = json.loads(m.group(1))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


_CHROME_IMAGE = re.compile(r"icon|logo|arrow|btn|line|bg|dot|qrcode|erweima|share", re.I)


def attachments(node: Selector, base: str, *, images: bool = True) -> list[str]:
    """Attachment URLs under node in page order: document links, `<img>` scans, and file names
    that only a script mentions (`var file_appendix='…pdf'`)."""
    found: list[str] = []
    for href in node.xpath(".//a/@href").getall():
        url = join(base, href)
        kind = doc_kind(url) if url else None
        if url and kind and (kind != "image" or (images and not _CHROME_IMAGE.search(url))):
            found.append(url)  # a scan's pages are often linked (第1页.jpg), not only shown
    if images:
        for src in node.xpath(".//img/@src").getall():
            url = join(base, src)
            if url and doc_kind(url) == "image" and not _CHROME_IMAGE.search(url):
                found.append(url)
    for script in node.xpath(".//script/text()").getall():
        for name in _SCRIPT_FILE.findall(script):
            url = join(base, name)
            if url:
                found.append(url)
    return list(dict.fromkeys(found))


def _row_date(anchor: Selector) -> date | None:
    for row in anchor.xpath("ancestor::*[self::li or self::tr or self::dd or self::p][1]"):
        for text in row.xpath(".//text()[not(ancestor::a)]").getall():
            found = to_date(text)
            if found:
                return found
    for attr in ("rq", "data-date", "date"):
        found = to_date(anchor.attrib.get(attr))
        if found:
            return found
    return None


def anchor_url(anchor: Selector, base: str) -> str | None:
    """The target of an anchor, also when it hides in `javascript:…window.location='…'`."""
    href = (anchor.attrib.get("href") or "").strip()
    if href.lower().startswith("javascript"):
        m = _JS_LOCATION.search(href) or _JS_LOCATION.search(anchor.attrib.get("onclick", ""))
        return join(base, m.group(1)) if m else None
    return join(base, href)


def anchor_title(anchor: Selector) -> str:
    """Link text, or the `title`/`mc` attribute when the text is cut short ("…")."""
    text = re.sub(r"\s+", " ", " ".join(anchor.xpath(".//text()").getall())).strip()
    attr = (anchor.attrib.get("title") or anchor.attrib.get("mc") or "").strip()
    if attr and (not text or text.endswith(("...", "…")) or len(attr) > len(text)):
        return attr
    return text


def links(sel: Selector, base: str) -> list[Link]:
    """Every followable link of a page, plus TRS `var strLink` external rows written by script."""
    out: list[Link] = []
    for anchor in sel.xpath("//a"):
        url = anchor_url(anchor, base)
        if url:
            out.append(Link(url, anchor_title(anchor), _row_date(anchor)))
    for script in sel.xpath("//script"):
        code = script.xpath("string(.)").get() or ""
        m = _STRLINK.search(code)
        if m:
            title = re.search(r"""var\s+(?:strTitle|title)\s*=\s*['"]([^'"]+)['"]""", code)
            url = join(base, m.group(1))
            if url:
                out.append(Link(url, title.group(1) if title else "", _row_date(script)))
    return out


def is_soft_404(body: bytes, text: str) -> bool:
    """A 200 page that says the page does not exist (small, with the words)."""
    return len(body) < 4096 and bool(_SOFT_404.search(text))


def site_code(sel: Selector, html: str) -> str | None:
    """网站标识码 from the head meta, the 找错 widget or the footer."""
    code = meta(sel, "SiteIDCode") or sel.xpath("//script[@id='_jiucuo_']/@sitecode").get()
    if not code:
        m = re.search(r"网站标识码[:：\s]*([0-9A-Za-z]{10})", html)
        code = m.group(1) if m else None
    return code.strip() if code else None
