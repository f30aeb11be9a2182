"""XLS/XLSX attachments that carry a report's tables → grids (python-calamine).

A spreadsheet holds the tables, sometimes a title row and headings; merged cells are expanded
(their text repeated over the range) like HTML spans. Rows with a single filled cell are the
sheet's prose (title, 一、… headings, notes) and go to the narrative; every sheet is a grid.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from importlib.metadata import version
from typing import Any

from .document import Grid, ReadDocument
from .model import ParseError, Source
from .safezip import SafeZip

MAX_ROWS = 2000
MAX_COLS = 64


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _sheet_grid(sheet: Any) -> Grid:
    rows = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS)
    grid = [[_text(v) for v in row[:MAX_COLS]] for row in rows[:MAX_ROWS]]
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
        if not (0 <= r0 < len(grid) and 0 <= c0 < MAX_COLS):
            continue
        text = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, MAX_COLS - 1) + 1):
                if c < len(grid[r]) and not grid[r][c]:
                    grid[r][c] = text
    return [row for row in grid if any(row)]


def read_sheets(data: bytes, *, zipped: bool) -> ReadDocument:
    """Read every sheet of an XLSX (`zipped`) or XLS workbook."""
    from python_calamine import CalamineWorkbook

    if zipped:  # inflate every part under the caps first: calamine would inflate a zip bomb whole
        z = SafeZip(data, "XLSX")
        for name in z.names:
            z.read(name)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = [_sheet_grid(book.get_sheet_by_index(i)) for i in range(min(len(book.sheet_names), 20))]
    except ParseError:
        raise
    except Exception as e:  # calamine raises its own error types for every kind of damage
        raise ParseError(f"damaged spreadsheet, not readable ({type(e).__name__}: {str(e)[:100]})") from e
    lines = [next(c for c in row if c) for g in grids for row in g if sum(1 for c in row if c) == 1]
    return ReadDocument("\n".join(lines), [g for g in grids if g],
                        Source("xlsx", f"python-calamine {version('python-calamine')}"))
