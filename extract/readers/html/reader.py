"""`read_html`: one published report page → its title, metadata, narrative and data tables (`HtmlPage`).

Government portals wrap the report in site chrome (navigation, breadcrumb, share/print links,
footer with 网站标识码/ICP备案), a metadata block (索引号 / 发布机构 / 成文日期 …) and often
layout tables. The reader finds the content container first and works only inside it: that is
both more accurate and much cheaper than running a boilerplate remover over the whole page.

Tables come out as plain grids with rowspan/colspan expanded, so the table parser downstream
sees every label at every position it covers; the narrative comes out one paragraph per line,
without the tables, so the section splitter never sees table rows as headings. Each step lives in
its own module of this package; this one parses the page and runs them in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from ..decode import decode_bytes, looks_binary, sniff_format
from ..document import Grid
from .content import content_root, drop_link_lists
from .meta import CHROME_LABELS, TITLE_KEYS, find_meta_blocks, head_meta, head_title
from .narrative import choose_lines, clean_lines, trafilatura_lines
from .tables import data_grid
from .text import Element, collapse_space, drop_element, text_segments
from .title import cut_site_suffix, title_near


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
    a table-as-text line or 15 % of the text (see `narrative.choose_lines`); "walk" is the lxml walk alone,
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
        return HtmlPage(title=None, text="\n".join(clean_lines(text.split("\n"))))
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

    meta = head_meta(doc)
    page_title = head_title(doc)
    etree.strip_elements(doc, *_JUNK_TAGS, "head", "title", "meta", with_tail=False)
    body = doc.find("body")
    if body is None:
        body = doc
    etree.strip_tags(body, *_INLINE_TAGS)  # links stay until the content root is chosen (link density)

    # The portal's own 索引号 block is applied last, so it wins over a saver's header or <head>.
    blocks = sorted(find_meta_blocks(body), key=lambda bp: any(k == "索引号" for k, _ in bp[1]))
    for block, pairs in blocks:
        for label, value in pairs:
            if value and label not in CHROME_LABELS:
                meta[label] = collapse_space(value)
        if block.getparent() is not None:
            drop_element(block)

    root = content_root(body)
    drop_link_lists(root)
    etree.strip_tags(root, "a")

    grids: list[Grid] = []
    data_tables: set[Element] = set()
    for table in root.iter("table"):
        if any(a in data_tables for a in table.iterancestors()):
            continue
        grid = data_grid(table)
        if grid is not None:
            grids.append(grid)
            data_tables.add(table)

    walk = clean_lines(text_segments(root, data_tables))
    title = next((cut_site_suffix(meta[k]) for k in TITLE_KEYS if meta.get(k)), None)
    if title is None:
        title = title_near(root, walk)
    if title is None and page_title:
        title = cut_site_suffix(page_title)

    lines = walk
    if narrative == "trafilatura" and walk:
        for table in data_tables:
            drop_element(table)
        lines = choose_lines(walk, trafilatura_lines(root, url))
    return HtmlPage(title=title or None, meta=meta, text="\n".join(lines), grids=grids, warnings=warnings)
