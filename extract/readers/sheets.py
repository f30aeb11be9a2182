"""XLS/XLSX attachments that carry a report's tables → grids (python-calamine).

A spreadsheet holds the tables, sometimes a title row and headings; merged cells are expanded
(their text repeated over the range) like HTML spans. Rows with a single filled cell are the
sheet's prose (title, 一、… headings, notes) and go to the narrative; every sheet is a grid.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from importlib.metadata import version
from typing import Any

from ..model import ParseError, Source
from .document import Grid, ReadDocument
from .limits import CAPS
from .safezip import SafeZip

MAX_ROWS = 2000
MAX_COLS = 64
_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^":]+)(?::([^"]+))?"')
# A cell with content (a `<c …>` element that is not empty, `<c …/>`): calamine keeps only these.
_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([^"]+)"[^>]*(?<!/)>')


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


def _ref(ref: bytes) -> tuple[int, int]:
    """`XFD1048576` → (row 1048576, column 16384)."""
    m = _CELL_REF.fullmatch(ref)
    if m is None:
        return 1, 1
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ch - 64
    return int(m.group(2)), col


def check_extent(name: str, xml: bytes) -> None:
    """Refuse a worksheet whose declared range or whose cells span more than CAPS.sheet_cells, before
    calamine sizes a dense grid for it: cells at A1 and XFD1048576 (a 1.5 KB file) make it allocate
    512 GB and abort the process."""
    spans: list[tuple[int, int, int, int]] = []
    dim = _DIMENSION.search(xml)
    if dim is not None:
        (r0, c0), (r1, c1) = _ref(dim.group(1)), _ref(dim.group(2) or dim.group(1))
        spans.append((r0, c0, r1, c1))
    rows: list[int] = []
    cols: list[int] = []
    for m in _CELL.finditer(xml):
        r, c = _ref(m.group(1))
        rows.append(r)
        cols.append(c)
    if rows:
        spans.append((min(rows), min(cols), max(rows), max(cols)))
    for r0, c0, r1, c1 in spans:
        cells = (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)
        if cells > CAPS.sheet_cells:
            raise ParseError(f"worksheet {name.rsplit('/', 1)[-1]} spans {cells:,} cells "
                             f"({abs(r1 - r0) + 1:,} rows × {abs(c1 - c0) + 1:,} columns), far more than a "
                             "report's tables; refused")


def read_sheets(data: bytes, *, zipped: bool) -> ReadDocument:
    """Read every sheet of an XLSX (`zipped`) or XLS workbook."""
    from python_calamine import CalamineWorkbook

    if zipped:  # inflate every part under the caps first: calamine would inflate a zip bomb whole
        z = SafeZip(data, "XLSX")
        for name in z.names:
            part = z.read(name)
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                check_extent(name, part)
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
