"""Read one published report page: its title, the portal's metadata block, the narrative, the data tables.

Government portals wrap the report in site chrome (navigation, breadcrumb, share/print links,
footer with 网站标识码/ICP备案), a metadata block (索引号 / 发布机构 / 成文日期 …) and often
layout tables. The reader finds the content container first and works only inside it: that is
both more accurate and much cheaper than running a boilerplate remover over the whole page.

Tables come out as plain grids with rowspan/colspan expanded, so the table parser downstream
sees every label at every position it covers; the narrative comes out one paragraph per line,
without the tables, so the section splitter never sees table rows as headings.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, cast

import lxml.html
from lxml import etree

from extract.containers import ranks
from extract.decode import decode_bytes, looks_binary, sniff_format
from extract.script import to_simplified

__all__ = ["HtmlPage", "cut_site_suffix", "expand_grid", "read_html"]

Grid = list[list[str]]
Element = Any  # lxml.etree._Element; lxml ships no type stubs, so this stays honest rather than precise


@dataclass(slots=True)
class HtmlPage:
    """What the HTML reader hands to the report parser."""

    title: str | None
    meta: dict[str, str] = field(default_factory=dict)
    text: str = ""
    grids: list[Grid] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- parsing ---------------------------------------------------------------------------------

# Plain etree elements, not lxml.html's: lxml.html looks up a Python element class for every
# node it hands out, which was a third of the reader's time on Word-exported pages.
# huge_tree: libxml2 otherwise stops at 256 levels of nesting and drops what lies deeper (a real report
# inside 240 <div>s lost its tables and 4 of its 6 sections), without raising.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=True)
_CONTAINER_TAG = re.compile(r"</?(?:div|span|font|section|article|center|main|aside|header|footer|nav|o:p)\b[^>]*>",
                            re.IGNORECASE)
_XP_STRING = etree.XPath("string()", smart_strings=False)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_ANY_TAG = re.compile(r"<[A-Za-z!/?]")
# Characters libxml2 refuses in a str (C0 controls other than tab/LF/CR, lone surrogates).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Removed with their content before anything else looks at the page.
_JUNK_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "select", "textarea", "button", "input", "svg", "canvas", "map", "link", "nav", "aside",
)
# Inline formatting is unwrapped (text kept): Word-exported pages nest span/font ten deep,
# which costs time in every later pass and means nothing to us.
_INLINE_TAGS = (
    "span", "font", "b", "strong", "i", "em", "u", "s", "strike", "small", "big", "sup", "sub",
    "abbr", "acronym", "cite", "code", "kbd", "var", "mark", "ins", "del", "label", "o:p",
    "st1:chsdate", "ucaptitle", "publishtime", "nobr", "wbr",
)
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main", "menu",
        "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul", "ucapcontent",
    }
)
_CELL_TAGS = frozenset({"td", "th", "dd"})


def _text(el: Element) -> str:
    """All text under `el` (its tail excluded), computed by libxml2."""
    return str(_XP_STRING(el))


def _drop(el: Element) -> None:
    """Remove `el` and its subtree but keep its tail text in place (like lxml.html's drop_tree)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# --- whitespace --------------------------------------------------------------------------------

_WS_RUN = re.compile("[ \t\n\r\f\v\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+")
_ASCII_WS = frozenset(" \t\n\r\f\v")


def _wide(ch: str) -> bool:
    """CJK ideographs, kana, CJK punctuation and full-width forms: scripts written without spaces."""
    return ord(ch) >= 0x2E80


def _collapse(s: str) -> str:
    """Collapse whitespace runs to one space, strip, and drop line breaks between two CJK characters.

    A source line break inside Chinese text is layout, not a space (CSS Text 3 removes it the
    same way), so "本年新<br>制作数量" and "商业</p><p>企业" read as "本年新制作数量"/"商业企业",
    while "Times New Roman" and "信息年报&nbsp;其他" keep their single space.
    """
    if not s or _WS_RUN.search(s) is None:
        return s

    def repl(m: re.Match[str]) -> str:
        start, end = m.span()
        if start == 0 or end == len(s):
            return ""
        run = m.group()
        if "\n" in run and _wide(s[start - 1]) and _wide(s[end]) and set(run) <= _ASCII_WS:
            return ""
        return " "

    return _WS_RUN.sub(repl, s)


# --- text walking --------------------------------------------------------------------------------

_BREAK = "\n"


def _segments(root: Element, skip: frozenset[Element] | set[Element] = frozenset(), *,
              keep_empty_cells: bool = False) -> list[str]:
    """The text of `root` split at block boundaries and <br>: one entry per paragraph/cell/line.

    Elements in `skip` are left out (their tail text is kept). With keep_empty_cells, an
    empty td/th/dd still yields "" so label/value pairing in metadata tables stays aligned.
    """
    out: list[str] = []
    buf: list[str] = []

    def flush(force: bool = False) -> None:
        text = _collapse("".join(buf)) if buf else ""
        buf.clear()
        if text or force:
            out.append(text)

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            if event == "end" and el.tail:
                buf.append(el.tail)
            continue
        if event == "start":
            if el in skip:
                walker.skip_subtree()
                flush()
                continue
            if tag == "pre":  # preformatted: its line breaks are the paragraphs
                flush()
                out.extend(x for x in map(_collapse, "".join(el.itertext()).split("\n")) if x)
                walker.skip_subtree()
                continue
            if tag == "br":
                buf.append(_BREAK)
                flush()
            elif tag in _BLOCK_TAGS:
                flush()
            if el.text:
                buf.append(el.text)
        else:
            if el in skip:
                pass
            elif tag in _BLOCK_TAGS:
                flush(force=keep_empty_cells and tag in _CELL_TAGS)
            if el is root:
                break
            if el.tail:
                buf.append(el.tail)
    flush()
    return out


def _cell_text(cell: Element) -> str:
    """A table cell's text on one line; inner paragraphs and <br> become (CJK-aware) spaces.

    Inline tags are unwrapped before tables are read, so every boundary between two text
    nodes here is a paragraph or a <br>: joining them with a line break is exact and fast.
    """
    n = len(cell)
    if n == 0:
        text = cell.text or ""
    elif n == 1 and len(cell[0]) == 0:  # <td><p>…</p></td>, <td>a<br>b</td>: skip the iterator
        child = cell[0]
        text = f"{cell.text or ''}\n{child.text or ''}\n{child.tail or ''}"
    else:
        text = "\n".join(cell.itertext())
    words = text.split()
    if len(words) <= 1:  # the common case: "0", "自然人", "" — no whitespace decisions to make
        return words[0] if words else ""
    return _collapse(text)


# --- <head> metadata -------------------------------------------------------------------------------

# TRS / Hanweb / 开普云 pages carry these in <head>; mapped onto the visible block's labels.
_HEAD_META_KEYS = {
    "articletitle": "标题",
    "pubdate": "发布日期",
    "firstpublishedtime": "发布日期",
    "publishdate": "发布日期",
    "contentsource": "来源",
}
_XP_HEAD_META = etree.XPath("//meta[@name][@content]")
_XP_TITLE = etree.XPath("//title")


def _head_meta(doc: Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in _XP_HEAD_META(doc):
        key = _HEAD_META_KEYS.get((el.get("name") or "").strip().lower())
        value = _collapse(el.get("content") or "")
        if key and value:
            meta.setdefault(key, value)
    return meta


def _head_title(doc: Element) -> str | None:
    for el in _XP_TITLE(doc):
        text = _collapse(_text(el))
        if text:
            return text
    return None


# --- the visible metadata block (索引号 block) ------------------------------------------------------

_KNOWN_LABELS = (
    "索引号", "信息索引号", "统一编号", "标题", "文件名称", "名称", "信息名称", "题名", "发布机构",
    "发文机关", "发文机构", "发文单位", "发布单位", "制发机关", "公开责任部门", "责任部门", "所属机构",
    "信息来源", "来源", "单位", "发布日期", "发布时间", "成文日期", "生成日期", "公开日期", "公开时间",
    "印发日期", "施行日期", "生效日期", "废止日期", "更新日期", "采集时间", "主题分类", "体裁分类",
    "组配分类", "服务对象分类", "信息分类", "信息类别", "分类", "主题词", "关键词", "关键字", "文号",
    "发文字号", "文件编号", "有效性", "时效", "效力状态", "公开方式", "公开范围", "公开形式",
    "公开时限", "内容概述", "内容概要", "摘要", "文件下载", "附件", "作者", "浏览次数", "访问次数",
)
_KNOWN = frozenset(_KNOWN_LABELS)
# Labels that look like metadata but are page chrome.
_CHROME_LABELS = frozenset({"当前位置", "您的位置", "你的位置", "您现在的位置", "所在位置", "分享到", "字号", "字体"})
_TITLE_KEYS = ("标题", "文件名称", "名称", "信息名称", "题名")

# Anchors: text nodes that can start a metadata block (simplified and traditional spellings).
_ANCHORS = (
    "索引号", "索引號", "发布机构", "發布機構", "发文机关", "發文機關", "成文日期", "发布日期", "發布日期",
    "公开日期", "公開日期", "生成日期", "文号", "文號", "主题分类", "主題分類", "采集时间", "採集時間",
    "标题", "標題", "发布时间", "發布時間",
)
# Labels may be spaced out for justification ("标　　题", "索 引 号").
_ANCHOR_RE = re.compile("|".join("[ \u3000\xa0]*".join(a) for a in _ANCHORS))
_META_MAX_CHARS = 2000
_META_SPARSE_FROM = 400
_META_SPARSE_RATIO = 100
_META_MAX_LEVELS = 8

_LABEL_STRIP = re.compile(r"[\s\u3000\xa0:：【】\[\]〔〕()（）<>《》·•*]+")
_KNOWN_ALT = "|".join(sorted((re.escape(x) for x in _KNOWN_LABELS), key=len, reverse=True))
_KNOWN_RE = re.compile(_KNOWN_ALT)
# "label：value" at the start of a unit; a label may be spaced out ("标　　题：").
_LEAD_PAIR = re.compile(
    r"^[【\[〔]?\s*((?:[\u3400-\u9fff][\s\u3000]*){2,8}?)[\s\u3000]*[】\]〕]?\s*[:：]\s*(.*)$", re.S
)
# Further known "label：" inside the same unit ("索引号：x  发布机构：y").
_INNER_LABEL = re.compile(r"(?:^|(?<=[\s\u3000|｜]))[【\[〔]?(" + _KNOWN_ALT + r")[】\]〕]?\s*[:：]")

def _simplified(text: str) -> str:
    """Traditional → simplified for labels (the shared converter, loaded on first need)."""
    if text.isascii() or text in _KNOWN:
        return text
    return to_simplified(text)


@lru_cache(maxsize=4096)
def _norm_label(raw: str) -> str:
    return _simplified(_LABEL_STRIP.sub("", raw))


def _split_unit(unit: str) -> list[tuple[str | None, str | None]]:
    """One unit → [(label, value)]; value None means "label alone, value comes next"."""
    m = _LEAD_PAIR.match(unit)
    if m is None:
        label = _norm_label(unit)
        if label in _KNOWN and len(unit) <= 12:
            return [(label, None)]
        return [(None, unit)]
    pairs: list[tuple[str | None, str | None]] = []
    first_label = _norm_label(m.group(1))
    rest = m.group(2)
    cuts = list(_INNER_LABEL.finditer(rest))
    prev_label, pos = first_label, 0
    for cut in cuts:
        pairs.append((prev_label, rest[pos : cut.start()].strip()))
        prev_label, pos = _norm_label(cut.group(1)), cut.end()
    # "索引号：" alone in its cell: the value is in the next cell.
    pairs.append((prev_label, rest[pos:].strip() or None))
    return pairs


def _pairs(units: Iterable[str]) -> tuple[list[tuple[str, str]], int, int]:
    """Pair labels with values across units; return (pairs, known-label count, characters covered)."""
    pairs: list[tuple[str, str]] = []
    covered = 0
    pending: str | None = None
    pending_len = 0
    for unit in units:
        for label, value in _split_unit(unit):
            if label is None:
                if pending is not None:
                    pairs.append((pending, value or ""))
                    covered += pending_len + len(value or "")
                    pending = None
                continue
            if pending is not None:
                pairs.append((pending, ""))
                covered += pending_len
                pending = None
            if value is None:
                pending, pending_len = label, len(label)
            else:
                pairs.append((label, value))
                covered += len(label) + len(value)
    if pending is not None:
        pairs.append((pending, ""))
        covered += pending_len
    known = len({label for label, _ in pairs if label in _KNOWN})
    return pairs, known, covered


def _meta_candidate(el: Element, squeezed: str) -> tuple[int, list[tuple[str, str]]] | None:
    """Score `el` (whose text without whitespace is `squeezed`) as a metadata block.

    Returns (known labels, pairs), or None if it is not one.
    """
    if len(squeezed) > _META_SPARSE_FROM and len(_KNOWN_RE.findall(squeezed)) * _META_SPARSE_RATIO < len(squeezed):
        return None  # a label every 100+ characters: prose or a whole page, not a metadata block
    units = _segments(el, keep_empty_cells=True)
    text_len = sum(len(u.replace(" ", "")) for u in units)
    if text_len == 0:
        return None
    pairs, known, covered = _pairs(units)
    if covered < 0.6 * text_len:
        return None  # mostly prose: a paragraph that merely mentions 索引号
    if known >= 2:
        return known, pairs
    if known == 1 and len(pairs) == 1 and pairs[0][1] and text_len <= 60:
        return 1, pairs  # a lone "发布日期：2020-01-31" line under the title
    return None


def _anchor_elements(body: Element) -> Iterator[Element]:
    """Elements whose own text (or a child's tail) holds a metadata label, in document order.

    A Python pass with one regex is cheaper here than XPath contains(): libxml2 spends
    ~0.5 ms per contains() on a Word-exported page, and there are twenty labels.
    """
    if not _ANCHOR_RE.search(_text(body)):
        return
    for el in body.iter():
        text = el.text
        if text and _ANCHOR_RE.search(text):
            yield el
        tail = el.tail
        if tail and _ANCHOR_RE.search(tail):
            parent = el.getparent()
            if parent is not None:
                yield parent


def _find_meta_blocks(body: Element) -> list[tuple[Element, list[tuple[str, str]]]]:
    """Locate metadata blocks from their label text and climb to the block that holds them all."""
    found: list[tuple[Element, list[tuple[str, str]]]] = []
    claimed: set[Element] = set()
    for el in list(_anchor_elements(body)):
        if not isinstance(el.tag, str) or el in claimed or any(a in claimed for a in el.iterancestors()):
            continue
        best: tuple[int, Element, list[tuple[str, str]]] | None = None
        cur = el
        for _ in range(_META_MAX_LEVELS):
            if cur is None or cur.tag in ("body", "html"):
                break
            squeezed = "".join(_text(cur).split())
            if len(squeezed) > _META_MAX_CHARS:
                break
            cand = _meta_candidate(cur, squeezed)
            if cand is None and best is not None:
                break  # the block ended one level down
            if cand is not None and (best is None or cand[0] > best[0]):
                best = (cand[0], cur, cand[1])
            cur = cur.getparent()
        if best is not None:
            _, block, pairs = best
            # An outer block swallows inner ones found earlier.
            found[:] = [(b, p) for b, p in found if block not in b.iterancestors()]
            claimed.add(block)
            found.append((block, pairs))
    return found


# --- content root ------------------------------------------------------------------------------------

# Known containers of the report body (extract/containers.py, shared with the crawler); a lower rank
# wins. Found with one attribute XPath and dict look-ups, not one XPath each.
_CONTENT_CLASSES = ranks("class")
_CONTENT_IDS = ranks("id")
_CONTENT_TAGS = ranks("tag")
_XP_CLASSES = etree.XPath("//body//@class")
_XP_IDS = etree.XPath("//body//@id")
_XP_CONTENT_TAGS = etree.XPath(" | ".join(f"//body//{tag}" for tag in _CONTENT_TAGS))
_XP_LINK_TEXT = etree.XPath(".//a//text()")
_SELECTOR_SHARE = 0.4
_DESCEND_SHARE = 0.75
# A numbered top-level heading of the report; its presence outside a child stops the descent.
_SECTION_MARK = re.compile(
    r"[一二三四五六七]\s*[、.．]\s*(?:总体情况|主动公开|收到和处理|政府信息公开行政复议|行政复议|"
    r"因政府信息公开|存在的主要问题|政府信息公开工作存在|其他需要报告)"
)
_REPORT_TABLE_WORDS = re.compile(r"第二十条|申请|复议|诉讼|行政许可|予以公开|本年")
_NUMBER_CELL = re.compile(r"^[+\-－]?\d+(?:\.\d+)?$")


def _weight(el: Element) -> int:
    """Non-link, non-ASCII characters under `el`: a cheap proxy for "Chinese prose here"."""
    text = _text(el)
    links = "".join(_XP_LINK_TEXT(el))
    return _non_ascii(text) - _non_ascii(links)


def _non_ascii(s: str) -> int:
    return len(s) - len(s.encode("ascii", "ignore")) - s.count("\xa0") - s.count("\u3000")


def _lca(a: Element, b: Element) -> Element:
    ancestors = {a, *a.iterancestors()}
    if b in ancestors:
        return b
    for anc in b.iterancestors():
        if anc in ancestors:
            return anc
    return a


def _content_root(body: Element) -> Element:
    """The element holding the report: a known container if it holds the text, else by density."""
    total = _weight(body)
    root: Element | None = None
    for matches in _content_candidates(body):
        weights = [(_weight(m), m) for m in matches]
        best_w, best = max(weights, key=lambda wm: wm[0])
        if best_w <= 0 or best_w < _SELECTOR_SHARE * total:
            continue
        root = best
        # The body split over several containers of the same kind: take their common ancestor.
        for w, m in weights:
            if m is not best and w >= 0.2 * best_w and best not in m.iterancestors():
                root = _lca(root, m)
        break
    if root is None:
        root = _descend(body)
    return _include_report_tables(body, root)


def _content_candidates(body: Element) -> list[list[Element]]:
    """Elements matching the known containers, grouped by priority (best group first)."""
    groups: dict[int, list[Element]] = {}
    # Class and id names rank in separate groups, so reading the two lists one after the other keeps
    # each group in document order. An element is fetched only for an attribute that names a container.
    for attr in _XP_CLASSES(body):
        tokens = attr.split()
        if _CONTENT_CLASSES.keys().isdisjoint(tokens):
            continue
        prio = min(p for t in tokens if (p := _CONTENT_CLASSES.get(t)) is not None)
        el = attr.getparent()
        if el not in groups.setdefault(prio, []):
            groups[prio].append(el)
    for attr in _XP_IDS(body):
        rank = _CONTENT_IDS.get(attr.strip())
        if rank is not None and (el := attr.getparent()) not in groups.setdefault(rank, []):
            groups[rank].append(el)
    for el in _XP_CONTENT_TAGS(body):
        groups.setdefault(_CONTENT_TAGS[el.tag], []).append(el)
    return [groups[p] for p in sorted(groups)]


def _descend(node: Element) -> Element:
    """From <body>, step into the child holding most of the prose while nothing essential is left out."""
    weight = _weight(node)
    while True:
        kids = [k for k in node if isinstance(k.tag, str)]
        if not kids:
            return node
        scored = [(_weight(k), k) for k in kids]
        best_w, best = max(scored, key=lambda wk: wk[0])
        if best_w < _DESCEND_SHARE * weight or (best.tag == "table" and _is_data_table(best) is not None):
            return node
        for _, k in scored:
            if k is best:
                continue
            text = _text(k)
            if _SECTION_MARK.search(text) or any(_is_report_table(t) for t in k.iter("table")):
                return node
        node, weight = best, best_w


def _is_report_table(table: Element) -> bool:
    grid = _is_data_table(table)
    if grid is None:
        return False
    numbers = sum(1 for row in grid for cell in row if _NUMBER_CELL.match(cell))
    return numbers >= 5 and _REPORT_TABLE_WORDS.search(_text(table)) is not None


def _include_report_tables(body: Element, root: Element) -> Element:
    """Widen the root if the report's own tables sit outside it (narrative and tables in sibling divs)."""
    inside = set(root.iter("table"))
    for table in body.iter("table"):
        if table not in inside and _is_report_table(table):
            root = _lca(root, table)
            inside = set(root.iter("table"))
    return root


# A link list item worth keeping: an attachment or the report itself.
_KEEP_LINK = re.compile(r"报告|年报|附件|\.(?:pdf|docx?|wps|ofd|xlsx?|zip|rar)\b", re.I)


def _drop_link_lists(root: Element) -> None:
    """Drop <li> items that are (almost) only a link: menus and "related articles" lists.

    Only matters when no container was recognised and the root is wide; inside a real
    article body list items are prose and are kept.
    """
    for li in list(root.iter("li")):
        text = "".join(_text(li).split())
        if not text or _KEEP_LINK.search(text):
            continue
        links = "".join("".join(_XP_LINK_TEXT(li)).split())
        if len(links) >= 0.7 * len(text):
            _drop(li)


# --- tables ----------------------------------------------------------------------------------------

_MAX_COLSPAN = 50
# A report's biggest table is ~30 rows × 12 columns; spans that would lay out more positions
# than this are hostile or broken markup (a staircase of rowspan=99999 grows quadratically).
_MAX_GRID_CELLS = 200_000
_SHORT_CELL = 80
_SHORT_SHARE = 0.6
_SPAN_NUMBER = re.compile(r"\d+")


def _span(value: str | None, limit: int) -> int:
    """Parse a rowspan/colspan attribute; missing, malformed, 0 or negative → 1 (0 handled by caller)."""
    if not value:
        return 1
    return max(1, min(_span_number(value), limit))


@lru_cache(maxsize=256)
def _span_number(value: str) -> int:
    """The number an attribute holds (`2`, ` 3 `, `4px`), or 1. Cached: a page repeats a few values."""
    m = _SPAN_NUMBER.search(value)
    return 1 if m is None else int(m.group())


def _table_rows(table: Element) -> list[list[Element]]:
    """The table's own rows (not those of nested tables); stray cells outside a <tr> form a row."""
    rows: list[list[Element]] = []
    stray: list[Element] = []

    def take(container: Element) -> None:
        for child in container:
            tag = child.tag
            if tag == "tr":
                if stray:
                    rows.append(stray.copy())
                    stray.clear()
                rows.append([c for c in child if c.tag in ("td", "th")])
            elif tag in ("td", "th"):
                stray.append(child)
            elif tag in ("thead", "tbody", "tfoot"):
                take(child)

    take(table)
    if stray:
        rows.append(stray)
    return rows


class GridTooLarge(ValueError):
    """The spans of a table would lay out more than _MAX_GRID_CELLS positions."""


def expand_grid(rows: list[list[tuple[str, str | None, str | None]]]) -> Grid:
    """Lay out cells given as (text, rowspan, colspan) on a grid, repeating spanned text.

    The standard occupancy algorithm: each cell goes to the first free column of its row and
    fills rowspan × colspan positions. rowspan is clamped to the rows left ("0" means "to the
    end", as in HTML5), colspan to 50; a position already taken keeps its first owner.
    Raises GridTooLarge rather than allocate more than _MAX_GRID_CELLS positions.
    """
    n = len(rows)
    budget = _MAX_GRID_CELLS
    grid: list[list[str | None]] = [[] for _ in range(n)]
    for r, cells in enumerate(rows):
        c = 0
        row = grid[r]
        for text, rowspan_attr, colspan_attr in cells:
            while c < len(row) and row[c] is not None:
                c += 1
            if rowspan_attr is None and colspan_attr is None:  # the common, unspanned cell
                if c < len(row):
                    row[c] = text
                else:
                    row.append(text)
                c += 1
                continue
            rows_left = n - r
            if rowspan_attr is not None and rowspan_attr.strip() == "0":
                rs = rows_left
            else:
                rs = _span(rowspan_attr, rows_left)
            cs = _span(colspan_attr, _MAX_COLSPAN)
            budget -= rs * (c + cs)
            if budget < 0:
                raise GridTooLarge(f"table spans would lay out more than {_MAX_GRID_CELLS:,} cells")
            for dr in range(rs):
                target = grid[r + dr]
                if len(target) < c + cs:
                    target.extend([None] * (c + cs - len(target)))
                for dc in range(cs):
                    if target[c + dc] is None:
                        target[c + dc] = text
            c += cs
    width = max((len(row) for row in grid), default=0)
    for row in grid:  # in place: most rows have no hole, and are already full width
        if None in row:
            row[:] = [cell if cell is not None else "" for cell in row]
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    return cast(Grid, grid)


def _is_data_table(table: Element) -> Grid | None:
    """The expanded grid if `table` is a data table, else None (layout, or too small to be data).

    A table that contains tables is layout; so is one whose cells are mostly long text
    (a page column, a paragraph in a frame). Data: ≥ 2 non-empty rows, ≥ 2 columns.
    """
    if table.find(".//table") is not None:
        return None
    rows = _table_rows(table)
    if len(rows) < 2:
        return None
    texts: list[list[tuple[str, str | None, str | None]]] = []
    lengths: list[int] = []
    for cells in rows:
        row: list[tuple[str, str | None, str | None]] = []
        for cell in cells:
            text = _cell_text(cell)
            row.append((text, cell.get("rowspan"), cell.get("colspan")))
            if text:
                lengths.append(len(text))
        texts.append(row)
    if not lengths:
        return None
    try:
        grid = expand_grid(texts)
    except GridTooLarge:
        return None  # not a table anyone can read; its text still reaches the narrative
    if not grid or len(grid[0]) < 2 or sum(1 for row in grid if any(row)) < 2:
        return None
    short = sum(1 for n in lengths if n <= _SHORT_CELL)
    if short < _SHORT_SHARE * len(lengths):
        return None
    return grid


# --- title -----------------------------------------------------------------------------------------

_TITLE_SPLIT = re.compile(r"\s+[-–—|｜_]+\s+|\s*(?:[|｜_]+|——|—|–|(?<!\d)-(?!\d))\s*")
_REPORTISH = re.compile(r"报告|年报|報告|年報")
_XP_TITLEISH = etree.XPath(
    ".//*[self::h1 or self::h2 or contains(@class, 'title') or contains(@class, 'Title') "
    "or contains(@id, 'title') or contains(@id, 'Title')]"
)
_MAX_TITLE = 120
# A first line that is the report's title: it ends with 报告/年报 (maybe a bracketed note).
_TITLE_LINE = re.compile(r"(?:报告|年报|報告|年報)(?:[（(][^）)]{0,20}[）)])?$")


def cut_site_suffix(title: str) -> str:
    """'…年度报告-沭阳县发改局' → '…年度报告' (also ' - ', '_', '|'): keep the part that names a report."""
    title = _collapse(title)
    parts = [p for p in (x.strip() for x in _TITLE_SPLIT.split(title)) if p]
    if len(parts) <= 1:
        return title
    for part in parts:
        if _REPORTISH.search(part):
            return part
    return max(parts, key=len)


def _title_near(root: Element, lines: list[str]) -> str | None:
    """An <h1> inside the content, a report-ish heading just before it, or a title-like first line."""
    for h1 in root.iter("h1"):
        text = _collapse(_text(h1))
        if 4 <= len(text) <= _MAX_TITLE:
            return text
    anc = root.getparent()
    for _ in range(3):
        if anc is None or anc.tag in ("body", "html"):
            break
        for el in _XP_TITLEISH(anc):
            if el is root or root in el.iterancestors():
                continue
            if el in root.iterancestors():
                continue
            text = _collapse(_text(el))
            if len(text) <= _MAX_TITLE and _REPORTISH.search(text):
                return text
        anc = anc.getparent()
    for line in lines[:5]:
        if len(line) <= 80 and _TITLE_LINE.search(line):
            return line
    return None


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


def _clean_lines(lines: Iterable[str]) -> list[str]:
    return [line for line in (_collapse(x) for x in lines) if line and not _is_chrome(line)]


def _cjk_len(lines: Iterable[str]) -> int:
    return sum(_non_ascii(line) for line in lines)


_TRAFILATURA_MIN_SHARE = 0.85
# Lines that belong to a table printed as paragraphs: numbers, and numbered row labels.
_DATA_LINE = re.compile(
    r"^(?:[\d.,，+\-－—/%％]+|[（(][一二三四五六七八九十]{1,3}[)）].{0,40}|\d{1,2}\s*[.．、].{0,40})$"
)


@lru_cache(maxsize=1)
def _trafilatura_settings() -> Any:
    """trafilatura's settings: tables off, fast, no comments, links, images, formatting or
    deduplication. Made once: making them reads the config parser's values each time, 70 µs."""
    from trafilatura.settings import Extractor

    return Extractor(fast=True, tables=False, comments=False, images=False, links=False, formatting=False,
                     dedup=False)


def _trafilatura_options(url: str | None) -> Any:
    """The settings for one page: a copy (6 µs) with the page's URL, equal to Extractor(url=url, …)."""
    options = copy.copy(_trafilatura_settings())
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")  # as Extractor(url=url) sets it
    return options


def _trafilatura_lines(root: Element, url: str | None) -> list[str] | None:
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
        out = trafilatura.extract(page, options=_trafilatura_options(url))
    except Exception:  # an optional refinement must never sink the page: the walk stands in
        return None
    if not out:
        return None
    return _clean_lines(out.split("\n"))


# --- the reader -------------------------------------------------------------------------------------


def read_html(
    data: bytes | str,
    *,
    content_type: str | None = None,
    url: str | None = None,
    narrative: Literal["trafilatura", "walk"] = "trafilatura",
) -> HtmlPage:
    """Read a report page (bytes as served, or already-decoded text).

    `url` is passed to trafilatura only. `narrative` picks how `text` is produced:
    "trafilatura" runs it (tables off, fast) on the content subtree and keeps the walk's lines
    it keeps, falling back to the whole lxml walk when it returns nothing or loses a heading,
    a table-as-text line or 15 % of the text (see `_choose`); "walk" is the lxml walk alone,
    3-4 ms cheaper per page.
    Raises ValueError for bytes that are clearly not a web page (PDF, Office, images, binary).
    """
    if isinstance(data, bytes):
        if looks_binary(data):
            kind = sniff_format(data) or "binary data"
            raise ValueError(f"not an HTML page: the bytes look like {kind}")
        text, _encoding = decode_bytes(data, content_type)
    else:
        text = data.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _XML_DECL.sub("", text, count=1)
    text = _BAD_CHARS.sub("", text)
    if not text.strip():
        return HtmlPage(title=None)
    if _ANY_TAG.search(text) is None:  # served as HTML but plain text: keep its lines
        return HtmlPage(title=None, text="\n".join(_clean_lines(text.split("\n"))))
    warnings: list[str] = []
    try:
        doc = etree.fromstring(text, parser=_PARSER)
        if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in _PARSER.error_log):
            # Nested deeper than libxml2 goes even with huge_tree (2048 levels): it stops building the tree
            # there and the rest of the page (tables, sections) is silently lost. Containers carry no
            # report structure, so they are dropped and the page read again.
            doc = etree.fromstring(_CONTAINER_TAG.sub("", text), parser=_PARSER)
            warnings.append("html: elements nested over 2048 deep; <div>/<span>-like containers were dropped "
                            "to read the page")
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return HtmlPage(title=None)
    if doc is None:
        return HtmlPage(title=None)

    meta = _head_meta(doc)
    head_title = _head_title(doc)
    etree.strip_elements(doc, *_JUNK_TAGS, "head", "title", "meta", with_tail=False)
    body = doc.find("body")
    if body is None:
        body = doc
    etree.strip_tags(body, *_INLINE_TAGS)  # links stay until the content root is chosen (link density)

    # The portal's own 索引号 block is applied last, so it wins over a saver's header or <head>.
    blocks = sorted(_find_meta_blocks(body), key=lambda bp: any(k == "索引号" for k, _ in bp[1]))
    for block, pairs in blocks:
        for label, value in pairs:
            if value and label not in _CHROME_LABELS:
                meta[label] = _collapse(value)
        if block.getparent() is not None:
            _drop(block)

    root = _content_root(body)
    _drop_link_lists(root)
    etree.strip_tags(root, "a")

    grids: list[Grid] = []
    data_tables: set[Element] = set()
    for table in root.iter("table"):
        if any(a in data_tables for a in table.iterancestors()):
            continue
        grid = _is_data_table(table)
        if grid is not None:
            grids.append(grid)
            data_tables.add(table)

    walk = _clean_lines(_segments(root, data_tables))
    title = next((cut_site_suffix(meta[k]) for k in _TITLE_KEYS if meta.get(k)), None)
    if title is None:
        title = _title_near(root, walk)
    if title is None and head_title:
        title = cut_site_suffix(head_title)

    lines = walk
    if narrative == "trafilatura" and walk:
        for table in data_tables:
            _drop(table)
        lines = _choose(walk, _trafilatura_lines(root, url))
    return HtmlPage(title=title or None, meta=meta, text="\n".join(lines), grids=grids, warnings=warnings)


def _choose(walk: list[str], traf: list[str] | None) -> list[str]:
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
