"""The three tables read from table grids (rowspan/colspan already expanded by the readers).

A grid keeps what text loses: every value sits in a known column, under a known stack of header
cells, beside a known stack of row-label cells. So each value column is named by its own header
stack (申请人情况 › 法人或其他组织 › 商业企业 → commercial) and each row by its label cells
(三、本年度办理结果 › （三）不予公开 › 1.属于国家秘密 → denied_state_secret); blanks stay blank.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import zip_longest

from .. import codes
from ..model import Cell
from ..normalize import fold
from . import labels
from .text import TableRead, active_row_columns, declares_yuan, item_of
from .values import KNOWN_VALUES, is_value_text, parse_value

Grid = list[list[str]]

_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("active_disclosure", ("第二十条",)),
    ("requests", ("申请人情况", "本年新收", "自然人")),
    ("review_litigation", ("行政复议", "行政诉讼", "结果维持")),
)


def _dedupe_join(cells: Sequence[str]) -> str:
    """Join a stack of cells, dropping the repeats that span expansion produced."""
    out: list[str] = []
    for c in cells:
        c = c.strip()
        if c and (not out or out[-1] != c):
            out.append(c)
    return " ".join(out)


class PrintedRow(list[str]):
    """A folded grid row that remembers the cells as printed (full-width digits), for `raw`."""

    printed: list[str]


def fold_row(row: list[str]) -> list[str]:
    """The row's cells folded (fold()); a PrintedRow, remembering the cells as printed, when that changed any."""
    # One fold() of the whole row, not one per cell: fold maps one character to one and never makes
    # or removes a \x1f, so the row splits back into the same cells (unless a cell holds one itself).
    if not row:
        return []
    joined = "\x1f".join(row)
    if joined.count("\x1f") == len(row) - 1:
        folded_joined = fold(joined)
        if folded_joined == joined:
            return list(row)
        folded = folded_joined.split("\x1f")
    else:
        folded = [fold(c) for c in row]
        if folded == row:
            return folded
    out = PrintedRow(folded)
    out.printed = row
    return out


def _printed(r: list[str], j: int) -> str:
    """Cell j of a folded row as it was printed."""
    p = getattr(r, "printed", r)
    return p[j].strip() if j < len(p) else ""


def _match_row(match: Callable[[str], tuple[str, float] | None], label: str, cells: Sequence[str]
               ) -> tuple[str, float] | None:
    """Match the joined label stack, else its last cell alone: a misprinted label
    (其他法律行政止公开) is judged against its own words, not diluted by the group above it."""
    hit = match(label)
    if hit is None:
        last = next((c for c in reversed(cells) if c.strip()), "")
        if last and last != label:
            hit = match(last)
    return hit


@lru_cache(maxsize=8192)
def _is_number(cell: str) -> bool:
    """Cached: a grid repeats the same few cells ("0", "", "/") thousands of times."""
    t = cell.strip()
    return bool(t) and is_value_text(t)


def split_by_table(grid: Grid) -> list[tuple[str, Grid]]:
    """A page may print several tables in one <table>: cut the rows where a new table's cue starts.

    The cues are Chinese words, which fold() leaves alone: the rows need no folding to be searched."""
    parts: list[tuple[str, Grid]] = []
    kind: str | None = None
    for row in grid:
        text = "".join(row)
        for name, cues in _CUES:
            if name != kind and any(c in text for c in cues):
                kind = name
                parts.append((name, []))
                break
        if parts:
            parts[-1][1].append(row)
    return parts


def _value_columns(rows: Grid) -> list[int]:
    """Columns that hold values: right of the label cells, numbers or blanks in every numeric row.

    A column may be blank all the way down (no company ever applied): it is still a column."""
    # Which cells are numbers, worked out once per cell (the checks below read them per column).
    flagged = [(r, flags) for r in rows if True in (flags := list(map(_is_number, r)))]
    if not flagged:
        return []
    numeric = [r for r, _ in flagged]
    width = max(map(len, rows))
    first = min(flags.index(True) for _, flags in flagged)
    # The first value column may be blank in every row (a review table with no 结果维持 anywhere):
    # a column empty in all numeric rows, left of the first number, is a value column too.
    while first > 0 and all(first - 1 < len(r) and not r[first - 1].strip() for r in numeric):
        first -= 1
    # Per column, the numeric rows that print a number or a blank there (a short row: neither).
    fits = [[number or not c.strip() for c, number in zip(r, flags, strict=True)] for r, flags in flagged]
    counts = [sum(column) for column in zip_longest(*fits, fillvalue=False)]
    return [j for j in range(first, min(width, len(counts))) if counts[j] >= 0.8 * len(numeric)]


def _blank_value_columns(block: Grid) -> list[int]:
    """Value columns of a block without a single number (行政事业性收费 with every cell blank): the
    cells right of a recognised row label that do not repeat it."""
    for r in block:
        if r and r[0].strip() and labels.match_active_row(r[0]) is not None:
            cols = [j for j in range(1, len(r)) if r[j] != r[0]]
            if cols and all(not r[j].strip() or is_value_text(r[j].strip()) for j in cols):
                return cols
    return []


def _distinct_columns(header: Grid, vcols: list[int]) -> list[int]:
    """Drop value columns that repeat their left neighbour's header: one cell spread by colspan."""
    out: list[int] = []
    for i, j in enumerate(vcols):
        text = _column_text(header, j)
        if i and text and text == _column_text(header, vcols[i - 1]):
            continue
        out.append(j)
    return out


def _header_rows(rows: Grid, match: Callable[[str], tuple[str, float] | None], first_value_col: int
                 ) -> tuple[Grid, Grid]:
    """Rows above the first labelled data row are the header."""
    for i, r in enumerate(rows):
        label = _dedupe_join(r[:first_value_col])
        if label and match(label) and any(_is_number(c) or not c.strip() for c in r[first_value_col:]):
            return rows[:i], rows[i:]
    return rows, []


def _column_text(header: Grid, j: int) -> str:
    """The header stack above column j; a soft line break inside a cell (`结果\n纠正`) is no gap."""
    return _dedupe_join([r[j].replace("\n", "") if j < len(r) else "" for r in header])


def _read_requests(rows: Grid, out: TableRead) -> None:
    vcols = _value_columns(rows)
    if not vcols:
        return
    header, body = _header_rows(rows, labels.match_request_row, vcols[0])
    vcols = _distinct_columns(header, vcols)
    names: dict[int, str] = {}
    for j in vcols:
        hits = [c for _p, c, _w in labels.scan(_column_text(header, j), "requests") if c != labels.PARENT]
        if hits and hits[-1] not in names.values():
            names[j] = hits[-1]
    if len(names) != len(codes.REQUEST_COLUMNS):
        if len(vcols) == len(codes.REQUEST_COLUMNS):
            names = dict(zip(vcols, [c for c, _ in codes.REQUEST_COLUMNS], strict=True))
            out.warnings.append("requests: column labels incomplete in the table header; the official "
                                "column order was assumed")
        else:
            out.warnings.append(f"requests: {len(vcols)} value columns, {len(names)} named; table left out")
            return
    for r in body:
        label = _dedupe_join(r[:vcols[0]])
        hit = _match_row(labels.match_request_row, label, r[:vcols[0]])
        if hit is None:
            if any(_is_number(r[j]) for j in vcols if j < len(r)):
                out.warnings.append(f"requests: unrecognised row label {label[-30:]!r}; its numbers were left out")
            continue
        row = hit[0]
        for j, column in names.items():
            raw = r[j].strip() if j < len(r) else ""
            value, ok = KNOWN_VALUES.get(raw) or parse_value(raw)  # mostly known: no parse
            if not ok:
                out.warnings.append(f"requests: {row}/{column} value {raw!r} not understood")
            out.add(("", row, column), Cell(row, column, value, _printed(r, j)))
        if row in ("other_no_correction", "other_no_fee", "other_other"):
            out.evidence["2021"] += 3


def _read_review(rows: Grid, out: TableRead) -> None:
    vcols = _value_columns(rows)
    if not vcols:
        return
    first_data = next(i for i, r in enumerate(rows) if any(_is_number(r[j]) for j in vcols if j < len(r)))
    header, body = rows[:first_data], rows[first_data:first_data + 1]
    names: dict[int, tuple[str, str]] = {}
    for j in vcols:
        hits = [c for _p, c, _w in labels.scan(_column_text(header, j), "review")]
        groups = [c[2:] for c in hits if c.startswith("g:")]
        columns = [c for c in hits if not c.startswith("g:") and c != labels.PARENT]
        if groups and columns and (groups[-1], columns[-1]) not in names.values():
            names[j] = (groups[-1], columns[-1])
    if len(names) != 15:
        if len(vcols) == 15:
            names = dict(zip(vcols, [(g, c) for g, _ in codes.REVIEW_GROUPS for c, _ in codes.REVIEW_COLUMNS],
                             strict=True))
            out.warnings.append("review_litigation: group/column labels incomplete in the table header; "
                                "the official order was assumed")
        else:
            out.warnings.append(f"review_litigation: {len(vcols)} value columns, {len(names)} named; "
                                "table left out")
            return
    for r in body:
        for j, (group, column) in names.items():
            raw = r[j].strip() if j < len(r) else ""
            value, ok = KNOWN_VALUES.get(raw) or parse_value(raw)  # mostly known: no parse
            if not ok:
                out.warnings.append(f"review_litigation: {group}/{column} value {raw!r} not understood")
            out.add((group, "", column), Cell(None, column, value, _printed(r, j), None, group))


def _read_active(rows: Grid, out: TableRead) -> None:
    blocks: list[Grid] = []
    for r in rows:
        if "第二十条" in "".join(r):  # (rows come folded; fold() never touches these characters anyway)
            blocks.append([])
        if blocks:
            blocks[-1].append(r)
    for block in blocks:
        vcols = _value_columns(block) or _blank_value_columns(block)
        if not vcols:
            continue
        header, body = _header_rows(block, labels.match_active_row, vcols[0])
        vcols = _distinct_columns(header, vcols)
        header_text = " ".join(_dedupe_join(r) for r in header)
        unit_yuan = declares_yuan(header_text)
        named: dict[int, str] = {}
        for j in vcols:
            hits = labels.scan(_column_text(header, j), "active")
            for _p, code, word in hits:
                if code in ("made", "published", "total_published", "previous_items", "change", "items"):
                    out.evidence["2019"] += 2
                elif code in ("issued", "repealed", "in_force") or word in ("本年处理决定", "收费金额"):
                    out.evidence["2021"] += 2
            if hits and hits[-1][1] not in named.values():
                named[j] = hits[-1][1]
        for r in body:
            label = _dedupe_join(r[:vcols[0]])
            hit = _match_row(labels.match_active_row, label, r[:vcols[0]])
            if hit is None:
                continue
            row = hit[0]
            if row in ("other_services", "procurement"):
                out.evidence["2019"] += 2
            cols = list(named.items())
            filled = [j for j in vcols if j < len(r) and r[j].strip()]
            if any(j not in named for j in filled):
                # Some value columns lost their labels: let the row's template columns fill them in.
                distinct = list(dict.fromkeys(r[j] for j in vcols if j < len(r)))
                columns, assumed = active_row_columns(row, list(named.values()), len(vcols))
                if columns is None:
                    out.warnings.append(f"active_disclosure: row {row} could not be aligned with its column "
                                        f"labels ({', '.join(named.values()) or 'none'}; values {distinct})")
                    continue
                cols = list(zip(vcols, columns, strict=True))
                if assumed:
                    out.warnings.append(f"active_disclosure: row {row}: column labels lost, official order "
                                        f"assumed ({', '.join(columns)})")
            for j, column in cols:
                raw = r[j].strip() if j < len(r) else ""
                money = column in codes.MONEY_COLUMNS
                value, ok = parse_value(raw, money=money, unit_yuan=money and unit_yuan)
                if not ok:
                    out.warnings.append(f"active_disclosure: {row}/{column} value {raw!r} not understood")
                item = item_of(row)
                out.add((item, row, column), Cell(row, column, value, _printed(r, j), item))


_GRID_READERS: dict[str, Callable[[Grid, TableRead], None]] = {
    "active_disclosure": _read_active, "requests": _read_requests, "review_litigation": _read_review,
}


def read_grids(grids: Sequence[Grid]) -> dict[str, TableRead]:
    """Every statistics table found in the page's grids, by table name."""
    out: dict[str, TableRead] = {}
    for grid in grids:
        folded = [fold_row(row) for row in grid]
        for name, rows in split_by_table(folded):
            read = TableRead(name)
            _GRID_READERS[name](rows, read)
            if name in out:
                out[name].merge(read)
            else:
                out[name] = read
    return out
