"""The report's title: a metadata field, a heading of the content, or its first line; site suffixes cut."""

from __future__ import annotations

import re

from lxml import etree

from .text import Element, collapse_space, element_text

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
    title = collapse_space(title)
    parts = [p for p in (x.strip() for x in _TITLE_SPLIT.split(title)) if p]
    if len(parts) <= 1:
        return title
    for part in parts:
        if _REPORTISH.search(part):
            return part
    return max(parts, key=len)


def title_near(root: Element, lines: list[str]) -> str | None:
    """An <h1> inside the content, a report-ish heading just before it, or a title-like first line."""
    for h1 in root.iter("h1"):
        text = collapse_space(element_text(h1))
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
            text = collapse_space(element_text(el))
            if len(text) <= _MAX_TITLE and _REPORTISH.search(text):
                return text
        anc = anc.getparent()
    for line in lines[:5]:
        if len(line) <= 80 and _TITLE_LINE.search(line):
            return line
    return None

