"""Where portals put a report's body: the known content containers, most specific first.

One list for the parser (html.py finds the narrative and the tables there, weighing the candidates)
and the crawler (crawler/page.py looks there for the text and the attachments of an article page), so
a container learnt from one portal serves both. TRS, 开普云/UCAP, Hanweb, Shanghai, gkmlpt …
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["class", "id", "tag"]

# (rank, kind, name): a lower rank wins; containers of equal rank are one group (html.py takes the
# common ancestor of a group's members when the body is split over several of them). A class name and
# an id never share a rank: html.py reads the two lists one after the other, in document order each.
CONTAINERS: tuple[tuple[int, Kind, str], ...] = (
    (0, "class", "TRS_Editor"),
    (1, "class", "trs_editor_view"),
    (2, "class", "TRS_UEDITOR"),
    (3, "class", "Custom_UnionStyle"),
    (4, "id", "UCAP-CONTENT"),
    (5, "tag", "ucapcontent"),
    (6, "id", "zoom"), (6, "id", "Zoom"), (6, "id", "zoomcon"), (6, "id", "ivs_content"),
    (7, "class", "Article_content"),
    (8, "class", "article-content"),
    (9, "class", "wzy_content"),
    (10, "class", "bt_content"),
    (11, "class", "article_con"),
    (12, "class", "pages_content"),
    (13, "class", "news_content"),
    (14, "class", "xxgk-content"),
    (15, "class", "article"),
    (16, "id", "content"),
    (17, "class", "content"),
    (18, "tag", "article"),
    (19, "tag", "main"),
)


def ranks(kind: Kind) -> dict[str, int]:
    """Name → rank of the containers of one kind (class names, ids or tag names)."""
    return {name: rank for rank, k, name in CONTAINERS if k == kind}


def css_selectors() -> tuple[str, ...]:
    """The containers as CSS selectors, best first (`.TRS_Editor`, `#zoom`, `article` …)."""
    prefix = {"class": ".", "id": "#", "tag": ""}
    return tuple(prefix[kind] + name for _rank, kind, name in sorted(CONTAINERS, key=lambda c: c[0]))
