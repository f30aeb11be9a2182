"""Fixed-layout pages (PDF, OFD, OCR'd scans) → narrative lines and table grids.

Every fixed-layout format comes down to the same two things: words with their boxes, and the
ruling lines the tables are drawn with. Cells are the boxes the ruling lines enclose (the
intersection method of pdfplumber, reused on any format's lines); a cell spanning several grid
columns or rows has its text repeated at every position it covers, as the HTML reader does, so
the label-based grid reader sees every label everywhere it applies. Words outside tables become
narrative lines in reading order, with page furniture (page numbers) dropped.

A table that runs on over a page break comes back as one grid: repeated header rows are dropped,
a merged label cell cut by the break is put together again (`（四）无` + `法提供`), and a row cut in
two (label on both pages, numbers on one) is one row again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

from ..tables.values import is_value_text

Grid = list[list[str]]

_SNAP = 3.0  # points: ruling lines this close are the same line (double borders, rounding)
_EDGE_TOL = 3.0  # how close a table edge must be to the page's top/bottom content to count as cut
_MAX_TABLE_CELLS = 20_000
# `- 3 -`, `— 3 —`, `第3页`, `第 3 页 共 6 页`, `3/6`, a bare number: page numbers in a margin.
_FURNITURE = re.compile(
    r"^\s*(?:[-—–－~]*\s*\d{1,4}\s*[-—–－~]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$"
)
_MARGIN_SHARE = 0.12  # furniture lives in the top and bottom 12% of a page
# A label that starts a new row or group: `一、` `（四）` `1.` `2、` `(3)`.
_MARKER = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|\d+\s*[、.．])"
)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass(frozen=True, slots=True)
class Word:
    """A run of text and its box, in page units with the origin at the top left."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Rule:
    """A ruling line segment (or a thin filled rectangle drawn as one)."""

    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class Page:
    """One page's words and ruling lines."""

    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


@dataclass(slots=True)
class _Cell:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str = ""


@dataclass(slots=True)
class _Table:
    cells: list[_Cell]
    page: int

    @property
    def x0(self) -> float:
        return min(c.x0 for c in self.cells)

    @property
    def x1(self) -> float:
        return max(c.x1 for c in self.cells)

    @property
    def top(self) -> float:
        return min(c.top for c in self.cells)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.cells)


@dataclass(slots=True)
class _Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


# --- text ------------------------------------------------------------------------------------------


def join_words(parts: Iterable[str]) -> str:
    """Join text pieces on one line: no space between CJK characters, one between Latin words or numbers."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(p[0])):
            out += " "
        out += p
    return out


def _lines(words: Sequence[Word]) -> list[_Line]:
    """Words grouped into visual lines (overlapping vertically), each sorted left to right."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if rows:
            last = rows[-1]
            top = min(x.top for x in last)
            bottom = max(x.bottom for x in last)
            mid = (w.top + w.bottom) / 2
            if top <= mid <= bottom or (w.top < bottom and w.bottom - w.top > 0
                                        and (min(bottom, w.bottom) - max(top, w.top)) / (w.bottom - w.top) > 0.5):
                last.append(w)
                continue
        rows.append([w])
    out = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        sizes = sorted(w.bottom - w.top for w in row)
        out.append(_Line(join_words(w.text for w in row), row[0].x0, min(w.top for w in row),
                         max(w.x1 for w in row), max(w.bottom for w in row), sizes[len(sizes) // 2]))
    return [line for line in out if line.text]


def _cell_text(words: Sequence[Word]) -> str:
    """A cell's text: its lines joined, vertical text (one character a line) included."""
    return join_words(line.text for line in _lines(words))


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Visual lines → paragraphs: a line that runs to the right margin continues on the next
    unless that one is indented (a new paragraph) or a heading-like line."""
    if not lines:
        return []
    right = max(line.x1 for line in lines)
    left = min(line.x0 for line in lines)
    out: list[str] = []
    joinable = False
    for line in lines:
        starts_flush = line.x0 <= left + 0.6 * line.size
        if out and joinable and starts_flush and not _MARKER.match(line.text):
            out[-1] = join_words((out[-1], line.text))
        else:
            out.append(line.text)
        joinable = line.x1 >= right - 1.5 * line.size
    return out


# --- tables ----------------------------------------------------------------------------------------


def _edges(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    for r in rules:
        w, h = r.x1 - r.x0, r.bottom - r.top
        if w >= h:
            y = (r.top + r.bottom) / 2
            edges.append({"x0": r.x0, "x1": r.x1, "top": y, "bottom": y, "width": w, "height": 0.0,
                          "orientation": "h"})
        else:
            x = (r.x0 + r.x1) / 2
            edges.append({"x0": x, "x1": x, "top": r.top, "bottom": r.bottom, "width": 0.0, "height": h,
                          "orientation": "v"})
    return edges


def _close(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Draw the border a page break left open: where two or more vertical rules end at the same
    height with no horizontal rule there (a table cut at the bottom of a page, or continued at the
    top of the next), add that rule, so the cut row still encloses cells."""
    hs = [e for e in edges if e["orientation"] == "h"]
    vs = [e for e in edges if e["orientation"] == "v"]

    def crossed(x: float, y: float) -> bool:
        return any(abs(h["top"] - y) <= _SNAP and h["x0"] - _SNAP <= x <= h["x1"] + _SNAP for h in hs)

    added: list[dict[str, Any]] = []
    for end in ("top", "bottom"):
        loose = sorted((v[end], v["x0"]) for v in vs if not crossed(v["x0"], v[end]))
        group: list[tuple[float, float]] = []
        for point in [*loose, (float("inf"), 0.0)]:
            if group and point[0] - group[-1][0] > _SNAP:
                y = max(p[0] for p in group) if end == "bottom" else min(p[0] for p in group)
                # A rule drawn only part of the way along the same border is extended to the loose ends.
                xs = [p[1] for p in group]
                xs += [x for h in hs if abs(h["top"] - y) <= _SNAP for x in (h["x0"], h["x1"])]
                if len(xs) >= 2:
                    x0, x1 = min(xs), max(xs)
                    added.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0.0,
                                  "orientation": "h"})
                group = []
            group.append(point)
    return edges + added


def _find_tables(page: Page, number: int) -> list[_Table]:
    """Tables as boxes enclosed by ruling lines; a frame of one column (a boxed paragraph) is no table."""
    edges = [e for e in _edges(page.rules) if max(e["width"], e["height"]) >= 3]
    if not edges:
        return []
    merged = merge_edges(_close(merge_edges(edges, _SNAP, _SNAP, _SNAP, _SNAP)), _SNAP, _SNAP, _SNAP, _SNAP)
    boxes = cells_to_tables(intersections_to_cells(edges_to_intersections(merged, _SNAP, _SNAP)))
    tables = []
    for cells in boxes:
        if len(cells) > _MAX_TABLE_CELLS:
            continue
        if len(_bounds(c[0] for c in cells)) < 2:  # one row is fine: the last row, carried over a page
            continue
        tables.append(_Table([_Cell(float(c[0]), float(c[1]), float(c[2]), float(c[3])) for c in cells], number))
    return tables


def _bounds(values: Iterable[float], tol: float = 2.5) -> list[float]:
    """Distinct coordinates, those within `tol` of each other counted once."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(bounds: list[float], v: float) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - v))


def _fill_cells(table: _Table, words: list[Word]) -> list[Word]:
    """Put each word into the cell that holds its centre; return the words outside the table."""
    inside: dict[int, list[Word]] = {}
    rest = []
    x0, x1, top, bottom = table.x0, table.x1, table.top, table.bottom
    for w in words:
        cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
        if not (x0 <= cx <= x1 and top <= cy <= bottom):
            rest.append(w)
            continue
        for i, c in enumerate(table.cells):
            if c.x0 <= cx <= c.x1 and c.top <= cy <= c.bottom:
                inside.setdefault(i, []).append(w)
                break
        else:
            rest.append(w)
    for i, ws in inside.items():
        table.cells[i].text = _cell_text(ws)
    return rest


def to_grid(cells: Sequence[_Cell]) -> Grid:
    """Cells with boxes → a grid, a spanning cell's text repeated at every position it covers."""
    xs = _bounds([c.x0 for c in cells] + [c.x1 for c in cells])
    ys = _bounds([c.top for c in cells] + [c.bottom for c in cells])
    grid = [[""] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for c in cells:
        c0, c1 = _index(xs, c.x0), _index(xs, c.x1)
        r0, r1 = _index(ys, c.top), _index(ys, c.bottom)
        for r in range(r0, max(r1, r0 + 1)):
            for k in range(c0, max(c1, c0 + 1)):
                if r < len(grid) and k < len(grid[r]) and not grid[r][k]:
                    grid[r][k] = c.text
    return [row for row in grid if any(row)]


def _is_number(text: str) -> bool:
    t = text.strip()
    return bool(t) and is_value_text(t) and any(ch.isdigit() for ch in t)


def _spans_rows(cell: _Cell, ys: list[float]) -> bool:
    return any(cell.top + 1 < y < cell.bottom - 1 for y in ys)


def _drop_repeated_header(first: _Table, second: _Table) -> None:
    """Header rows printed again at the top of the next page are dropped from the second part."""
    g1, g2 = to_grid(first.cells), to_grid(second.cells)
    ys = _bounds([c.top for c in second.cells] + [c.bottom for c in second.cells])
    k = 0
    while k < min(len(g1), len(g2), len(ys) - 1) and g1[k] == g2[k] and not any(_is_number(t) for t in g2[k]):
        k += 1
    if k and k < len(ys) - 1:
        cut = ys[k]
        second.cells = [c for c in second.cells if c.top >= cut - 1]


def _join(first: _Table, second: _Table) -> _Table:
    """Stack `second` (the next page's part) under `first`, mending cells cut by the page break."""
    _drop_repeated_header(first, second)
    shift = first.bottom - second.top
    xs = _bounds([c.x0 for c in first.cells] + [c.x1 for c in first.cells])

    def snap(x: float) -> float:  # the same column edge, drawn (or scanned) a point or two off
        near = min(xs, key=lambda b: abs(b - x))
        return near if abs(near - x) <= 2 * _EDGE_TOL else x

    moved = [replace(c, x0=snap(c.x0), x1=snap(c.x1), top=c.top + shift, bottom=c.bottom + shift)
             for c in second.cells]
    seam = first.bottom
    ys_first = _bounds([c.top for c in first.cells] + [c.bottom for c in first.cells])
    ys_second = _bounds([c.top for c in moved] + [c.bottom for c in moved])
    above = [c for c in first.cells if abs(c.bottom - seam) <= _EDGE_TOL]
    below = [c for c in moved if abs(c.top - seam) <= _EDGE_TOL]
    pairs: list[tuple[_Cell, _Cell]] = []
    for b in below:
        for a in above:
            if abs(a.x0 - b.x0) <= _EDGE_TOL and abs(a.x1 - b.x1) <= _EDGE_TOL:
                pairs.append((a, b))
                break
    # A row cut in two: no column has a number on both sides, and no label below starts a new row.
    split_row = bool(pairs) and len(pairs) == len(below) and not any(
        _is_number(a.text) and _is_number(b.text) for a, b in pairs
    ) and not any(_MARKER.match(b.text) for _a, b in pairs) and any(not b.text for _a, b in pairs)
    merged: dict[int, _Cell] = {}
    for a, b in pairs:
        if not split_row:
            if _is_number(a.text) or _is_number(b.text):
                continue
            group = _spans_rows(a, ys_first) or _spans_rows(b, ys_second)
            if b.text and (_MARKER.match(b.text) or not group):
                continue
        merged[id(a)] = _Cell(a.x0, a.top, a.x1, b.bottom, join_words((a.text, b.text)))
        merged[id(b)] = merged[id(a)]
    cells: list[_Cell] = []
    seen: set[int] = set()
    for c in [*first.cells, *moved]:
        m = merged.get(id(c))
        if m is None:
            cells.append(c)
        elif id(m) not in seen:
            seen.add(id(m))
            cells.append(m)
    return _Table(cells, first.page)


# --- pages -----------------------------------------------------------------------------------------


def _is_furniture(line: _Line, page: Page) -> bool:
    in_margin = line.bottom < page.height * _MARGIN_SHARE or line.top > page.height * (1 - _MARGIN_SHARE)
    return in_margin and _FURNITURE.match(line.text) is not None


def lay_out(pages: Sequence[Page]) -> tuple[str, list[Grid]]:
    """Narrative text (one paragraph a line) and table grids of a fixed-layout document."""
    # Per page: the tables, and the narrative lines outside them, in reading order.
    items: list[list[tuple[float, _Table | _Line]]] = []
    for number, page in enumerate(pages):
        words = page.words
        tables = _find_tables(page, number)
        for t in tables:
            words = _fill_cells(t, words)
        tables = [t for t in tables if any(c.text for c in t.cells)]
        page_items: list[tuple[float, _Table | _Line]] = [(t.top, t) for t in tables]
        page_items += [(line.top, line) for line in _lines(words) if not _is_furniture(line, page)]
        page_items.sort(key=lambda it: it[0])
        items.append(page_items)

    out_text: list[str] = []
    grids: list[Grid] = []
    pending: _Table | None = None  # a table that ends its page: it may go on on the next one
    lines: list[_Line] = []  # narrative since the last table: a paragraph may go on over a page break
    for page_items in items:
        for i, (_top, item) in enumerate(page_items):
            if isinstance(item, _Table):
                if pending is not None and i == 0 and abs(pending.x0 - item.x0) <= 6 and abs(pending.x1 - item.x1) <= 6:
                    item = _join(pending, item)
                    pending = None
                if pending is not None:
                    grids.append(to_grid(pending.cells))
                    pending = None
                out_text.extend(_paragraphs(lines))
                lines = []
                if i == len(page_items) - 1:
                    pending = item
                else:
                    grids.append(to_grid(item.cells))
            else:
                if pending is not None:
                    grids.append(to_grid(pending.cells))
                    pending = None
                lines.append(item)
    out_text.extend(_paragraphs(lines))
    if pending is not None:
        grids.append(to_grid(pending.cells))
    return "\n".join(out_text), [g for g in grids if g]
