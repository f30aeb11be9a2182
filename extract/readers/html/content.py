"""The content root: the element that holds the report, inside the portal's navigation and footer.

A known CMS container (TRS_Editor, UCAP-CONTENT, zoom …) wins when it holds the text; otherwise the
walk descends from <body> into the child with most of the prose. The report's own tables are taken
in even when they sit in a sibling of the narrative.
"""

from __future__ import annotations

import re

from lxml import etree

from ...containers import ranks
from .tables import data_grid
from .text import Element, drop_element, element_text, non_ascii_count

# --- content root ------------------------------------------------------------------------------------

# Known containers of the report body (extract/containers.py, shared with the crawler); a lower rank
# wins. Found with one attribute XPath and dict look-ups, not one XPath each.
CONTENT_CLASSES = ranks("class")
CONTENT_IDS = ranks("id")
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
    text = element_text(el)
    links = "".join(_XP_LINK_TEXT(el))
    return non_ascii_count(text) - non_ascii_count(links)


def _lca(a: Element, b: Element) -> Element:
    ancestors = {a, *a.iterancestors()}
    if b in ancestors:
        return b
    for anc in b.iterancestors():
        if anc in ancestors:
            return anc
    return a


def content_root(body: Element) -> Element:
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
        if CONTENT_CLASSES.keys().isdisjoint(tokens):
            continue
        prio = min(p for t in tokens if (p := CONTENT_CLASSES.get(t)) is not None)
        el = attr.getparent()
        if el not in groups.setdefault(prio, []):
            groups[prio].append(el)
    for attr in _XP_IDS(body):
        rank = CONTENT_IDS.get(attr.strip())
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
        if best_w < _DESCEND_SHARE * weight or (best.tag == "table" and data_grid(best) is not None):
            return node
        for _, k in scored:
            if k is best:
                continue
            text = element_text(k)
            if _SECTION_MARK.search(text) or any(_is_report_table(t) for t in k.iter("table")):
                return node
        node, weight = best, best_w


def _is_report_table(table: Element) -> bool:
    grid = data_grid(table)
    if grid is None:
        return False
    numbers = sum(1 for row in grid for cell in row if _NUMBER_CELL.match(cell))
    return numbers >= 5 and _REPORT_TABLE_WORDS.search(element_text(table)) is not None


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


def drop_link_lists(root: Element) -> None:
    """Drop <li> items that are (almost) only a link: menus and "related articles" lists.

    Only matters when no container was recognised and the root is wide; inside a real
    article body list items are prose and are kept.
    """
    for li in list(root.iter("li")):
        text = "".join(element_text(li).split())
        if not text or _KEEP_LINK.search(text):
            continue
        links = "".join("".join(_XP_LINK_TEXT(li)).split())
        if len(links) >= 0.7 * len(text):
            drop_element(li)

