"""The parsed page as text: an element's text, whitespace as a reader sees it, the walk into paragraphs.

Every other step (metadata block, content root, tables, title, narrative) reads the tree through
these, so that a line break inside Chinese text, a `<br>` or an empty table cell means the same
thing everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

Element = Any  # lxml.etree._Element; lxml ships no type stubs, so this stays honest rather than precise

# --- elements ------------------------------------------------------------------------------------

_XP_STRING = etree.XPath("string()", smart_strings=False)
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


def element_text(el: Element) -> str:
    """All text under `el` (its tail excluded), computed by libxml2."""
    return str(_XP_STRING(el))


def drop_element(el: Element) -> None:
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


def collapse_space(s: str) -> str:
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


def text_segments(root: Element, skip: frozenset[Element] | set[Element] = frozenset(), *,
              keep_empty_cells: bool = False) -> list[str]:
    """The text of `root` split at block boundaries and <br>: one entry per paragraph/cell/line.

    Elements in `skip` are left out (their tail text is kept). With keep_empty_cells, an
    empty td/th/dd still yields "" so label/value pairing in metadata tables stays aligned.
    """
    out: list[str] = []
    buf: list[str] = []

    def flush(force: bool = False) -> None:
        text = collapse_space("".join(buf)) if buf else ""
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
                out.extend(x for x in map(collapse_space, "".join(el.itertext()).split("\n")) if x)
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


def cell_text(cell: Element) -> str:
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
    return collapse_space(text)


def non_ascii_count(s: str) -> int:
    """Characters outside ASCII, not counting no-break and ideographic spaces: how much Chinese text."""
    return len(s) - len(s.encode("ascii", "ignore")) - s.count("\xa0") - s.count("\u3000")

