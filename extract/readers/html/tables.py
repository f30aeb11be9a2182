"""The page's data tables → grids with rowspan/colspan expanded (the text repeated at every position).

The table reader downstream names a value by the header and row-label cells around it, so every
label must be present at every position it covers. Layout tables (tables of tables, long prose
cells) are not data; spans that would lay out an absurd grid are refused, not allocated.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import cast

from ..document import Grid
from .text import Element, cell_text

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


def data_grid(table: Element) -> Grid | None:
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
            text = cell_text(cell)
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

