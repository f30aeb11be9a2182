"""The portal's metadata: the `<head>` meta tags and the visible 索引号 block (发布机构, 成文日期 …).

The visible block is found from its label text and climbed to the element that holds all its
label/value pairs, whatever markup the CMS used (a table, a definition list, spans in a div); it is
dropped from the page once read, so its labels never reach the narrative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from lxml import etree

from ...script import to_simplified
from .text import Element, collapse_space, element_text, text_segments

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


def head_meta(doc: Element) -> dict[str, str]:
    """The `<head>` meta tags a CMS fills (ArticleTitle, PubDate …), under the visible block's labels."""
    meta: dict[str, str] = {}
    for el in _XP_HEAD_META(doc):
        key = _HEAD_META_KEYS.get((el.get("name") or "").strip().lower())
        value = collapse_space(el.get("content") or "")
        if key and value:
            meta.setdefault(key, value)
    return meta


def head_title(doc: Element) -> str | None:
    """The page's `<title>`: the last resort for the report's title (it usually carries the site's name)."""
    for el in _XP_TITLE(doc):
        text = collapse_space(element_text(el))
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
CHROME_LABELS = frozenset({"当前位置", "您的位置", "你的位置", "您现在的位置", "所在位置", "分享到", "字号", "字体"})
TITLE_KEYS = ("标题", "文件名称", "名称", "信息名称", "题名")

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
    units = text_segments(el, keep_empty_cells=True)
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
    if not _ANCHOR_RE.search(element_text(body)):
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


def find_meta_blocks(body: Element) -> list[tuple[Element, list[tuple[str, str]]]]:
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
            squeezed = "".join(element_text(cur).split())
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

