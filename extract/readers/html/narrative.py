"""The narrative: the content's paragraphs, one a line, without page chrome or the data tables.

The lxml walk decides how lines are written; trafilatura, run on the content subtree only, decides
which of them are content. The walk stands whenever trafilatura would lose a heading, a table
printed as text or a share of the text.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import lxml.html
from lxml import etree

from .text import Element, collapse_space, non_ascii_count

# --- narrative ------------------------------------------------------------------------------------

_CHROME_LINE = re.compile(
    r"^\s*(?:当前位置|當前位置|您的位置|你的位置|您现在的位置|您現在的位置|所在位置|上一篇|下一篇|上一條|下一條)\s*[:：]?"
)
_CHROME_TOKENS = re.compile(
    r"分享到|分享|打印本[页頁]|打印此[页頁]|打印|[关關]闭窗口|[关關]閉窗口|[关關][闭閉]本[页頁]|[关關][闭閉]|"
    r"返回[顶頂]部|返回|字[体體]|字[号號]|默[认認]|收藏|扫一扫|掃一掃|在手机打开当前页|用手机扫描二维码|"
    r"微信|微博|QQ空间|[浏瀏][览覽]次[数數]|[访訪][问問]次[数數]|[大中小]"
)
_CHROME_LEFTOVER = re.compile(r"[\s\d\W_]*")
_FOOTER_LINE = re.compile(
    r"ICP[备備]|网站标识码|網站標識碼|公网安备|公網安備|版权所有|版權所有|Copyright|©|"
    r"(?:主办|承办|协办|主辦|承辦|協辦)(?:单位|單位)?\s*[:：]|技术支持\s*[:：]|技術支持\s*[:：]|网站地图|網站地圖"
)
_HEADING_LINE = re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]")


def _is_chrome(line: str) -> bool:
    if _CHROME_LINE.match(line):
        return True
    if len(line) <= 40:
        rest, hits = _CHROME_TOKENS.subn("", line)
        if hits and _CHROME_LEFTOVER.fullmatch(rest):
            return True
    return len(line) <= 200 and _FOOTER_LINE.search(line) is not None


def clean_lines(lines: Iterable[str]) -> list[str]:
    return [line for line in (collapse_space(x) for x in lines) if line and not _is_chrome(line)]


def _cjk_len(lines: Iterable[str]) -> int:
    return sum(non_ascii_count(line) for line in lines)


_TRAFILATURA_MIN_SHARE = 0.85
# Lines that belong to a table printed as paragraphs: numbers, and numbered row labels.
_DATA_LINE = re.compile(
    r"^(?:[\d.,，+\-－—/%％]+|[（(][一二三四五六七八九十]{1,3}[)）].{0,40}|\d{1,2}\s*[.．、].{0,40})$"
)


@lru_cache(maxsize=1)
def trafilatura_settings() -> Any:
    """trafilatura's settings: tables off, fast, no comments, links, images, formatting or
    deduplication. Made once: making them reads the config parser's values each time, 70 µs."""
    from trafilatura.settings import Extractor

    return Extractor(fast=True, tables=False, comments=False, images=False, links=False, formatting=False,
                     dedup=False)


def trafilatura_options(url: str | None) -> Any:
    """The settings for one page: a copy (6 µs) with the page's URL, equal to Extractor(url=url, …)."""
    options = copy.copy(trafilatura_settings())
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")  # as Extractor(url=url) sets it
    return options


def trafilatura_lines(root: Element, url: str | None) -> list[str] | None:
    """Run trafilatura (tables off, no fallback) on the detached content subtree only."""
    import trafilatura

    # Layout tables left in the subtree hold narrative; with include_tables=False trafilatura
    # would drop them, so they are turned into plain blocks first.
    for el in root.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
        el.tag = "div"
    # trafilatura wants lxml.html elements; the subtree is small by now, re-parsing it is cheap.
    # The subtree is the content root already chosen: wrapped in <article>, trafilatura's main
    # extractor takes it whole ("(.//article)[1]"). A government CMS's containers (TRS_Editor,
    # zoom …) match none of its patterns, so it used to fall back to its scan for stray paragraphs,
    # which it still does for a page with little text.
    page = lxml.html.document_fromstring(
        "<html><body><article>" + etree.tostring(root, encoding="unicode", method="html") + "</article></body></html>"
    )
    try:
        out = trafilatura.extract(page, options=trafilatura_options(url))
    except Exception:  # an optional refinement must never sink the page: the walk stands in
        return None
    if not out:
        return None
    return clean_lines(out.split("\n"))


def choose_lines(walk: list[str], traf: list[str] | None) -> list[str]:
    """trafilatura decides which lines are content; the walk decides how they are written.

    trafilatura turns source line breaks inside Chinese paragraphs into spaces ("政府 信息"),
    which the walk does not, so its output is used only as a filter over the walk's lines.
    The walk stands when trafilatura segments differently (a line the walk does not have),
    or when it lost a numbered heading, a line of a table printed as text (a number,
    "1.属于国家秘密", "（三）不予公开" — it drops short repeated lines) or > 15 % of the text.
    """
    if not traf:
        return walk
    kept = Counter("".join(line.split()) for line in traf)
    lines: list[str] = []
    for line in walk:
        key = "".join(line.split())
        if kept[key] > 0:
            kept[key] -= 1
            lines.append(line)
    if any(n > 0 for n in kept.values()):
        return walk
    have = Counter(lines)
    need = Counter(line for line in walk if _HEADING_LINE.match(line) or _DATA_LINE.match(line))
    if any(have[line] < n for line, n in need.items()):
        return walk
    if _cjk_len(lines) < _TRAFILATURA_MIN_SHARE * _cjk_len(walk):
        return walk
    return lines
