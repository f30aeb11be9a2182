"""The three statistical tables read from report text, aligned by their printed labels.

Each reader walks the slots of its region: label slots accumulate until values arrive, the
accumulated label names the row (matched against the official labels), and the values that
follow are placed in the columns that the table's header names, in the header's printed order.
Where a copy lost its header labels the official order is used and a warning says so; a row whose
number of values does not fit its columns is left out with a warning, never shifted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from operator import itemgetter

from .. import codes
from ..model import Cell, Number
from ..normalize import fold, label_key
from . import labels
from .slots import KIND, LINE, TEXT, Slot, slot_raw
from .values import KNOWN_VALUES, parse_value

_new = object.__new__  # builds a Cell without its __init__: see read_requests
OFFICIAL_REQUEST_COLUMNS = tuple(c for c, _ in codes.REQUEST_COLUMNS)
OFFICIAL_REVIEW_COLUMNS = tuple((g, c) for g, _ in codes.REVIEW_GROUPS for c, _ in codes.REVIEW_COLUMNS)

# Header words that only one template prints: evidence for recognising the format by its labels.
_TEMPLATE_WORDS = {
    "made": "2019", "published": "2019", "total_published": "2019", "previous_items": "2019",
    "change": "2019", "items": "2019", "issued": "2021", "repealed": "2021", "in_force": "2021",
}
_TEMPLATE_ROWS = {
    "other_services": "2019", "procurement": "2019", "other_no_correction": "2021",
    "other_no_fee": "2021", "other_other": "2021",
}


@dataclass(slots=True)
class TableRead:
    """What one reader found: cells (before the template filter), warnings, evidence, lines used."""

    table: str
    cells: dict[tuple[str, str, str], Cell] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    evidence: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))  # template → votes
    lines: set[int] = field(default_factory=set)

    def add(self, key: tuple[str, str, str], cell: Cell) -> None:
        """Place a cell under its key (item or group, row, column), given by the caller: the readers
        know it already, and Cell.key costs a property call per cell. A second cell under the same
        key is reported, and the first one kept."""
        if self.cells.setdefault(key, cell) is not cell:
            self.warnings.append(f"{self.table}: {'/'.join(k for k in key if k)} printed twice; "
                                 "the first one is kept")

    def merge(self, other: TableRead) -> None:
        for cell in other.cells.values():
            self.cells.setdefault(cell.key, cell)
        self.warnings.extend(other.warnings)
        for template, votes in other.evidence.items():
            self.evidence[template] += votes
        self.lines |= other.lines


def drop_label_line_padding(label_line: int, vals: list[Slot]) -> list[Slot]:
    """Blank cells on the label's own line are padding when the numbers start on a later line.

    `总计 | ||||||` followed by a row of numbers on the next line: those empties pad the header.
    On a row printed on one line (`label | | 0 | 0`) an empty after the label is a real blank."""
    i = 0
    while i < len(vals) and vals[i][LINE] == label_line and vals[i][KIND] == "empty":
        i += 1
    if i and i < len(vals) and vals[i][LINE] != label_line and any(v[KIND] == "value" for v in vals[i:]):
        return vals[i:]
    return vals  # (a row of blanks followed by the next row's leading empties keeps its blanks)


def fit_values(vals: list[Slot], n: int, *, right_aligned: bool = False) -> list[Slot] | None:
    """The n cells of a row from the slots after its label, or None when they cannot be placed.

    Empty slots are real blank cells only where the layout kept them; surplus empties at either
    end are padding from merged cells. A row short of values in a layout that drops blanks has
    lost the position of its blank cells, so it cannot be placed.
    """
    if right_aligned and vals and vals[-1][LINE] != vals[0][LINE]:
        # A full-width row is one line; empties after it open the next row (its spanned labels).
        # (Slots all on one line, the usual row, have nothing after that line to drop.)
        end = max((v[LINE] for v in vals if v[KIND] == "value"), default=vals[0][LINE])
        if vals[-1][LINE] > end:
            vals = [v for v in vals if v[LINE] <= end]
    if len(vals) == n:
        return vals  # the common case: exactly one slot per column
    if right_aligned and len(vals) >= n and all(v[KIND] == "empty" for v in vals[:-n]):
        return vals[-n:]  # full-width rows: spanned label cells pad the left
    if len(vals) >= n and all(v[KIND] == "empty" for v in vals[n:]):
        return vals[:n]
    lead = 0
    while lead < len(vals) and vals[lead][KIND] == "empty":
        lead += 1
    core = vals[lead:]
    if len(core) >= n and all(v[KIND] == "empty" for v in core[n:]):
        return core[:n]
    filled = [v for v in vals if v[KIND] == "value"]
    if len(filled) == n:
        return filled
    return None


_TEXT_OF = itemgetter(TEXT)
_LINE_OF = itemgetter(LINE)


def _grid_like(slots: list[Slot]) -> bool:
    return bool(getattr(slots, "grid_like", False))


def _raw(slot: Slot) -> str:
    """The folded text of a value cell (what parse_value reads)."""
    return slot[TEXT] if slot[KIND] == "value" else ""


def _rows(slots: list[Slot], match: labels.RowMatcher) -> Iterable[tuple[str, str, list[Slot], list[Slot]]]:
    """(row code or "" when unrecognised, label text, label slots, value slots) per labelled run."""
    pending: list[Slot] = []
    current: tuple[str, str, list[Slot], list[Slot]] | None = None
    vals: list[Slot] = []
    for slot in slots:
        if slot[KIND] == "label":
            if current is not None:
                yield current
                current = None
            pending.append(slot)
        elif pending:
            text = pending[0][TEXT] if len(pending) == 1 else "".join(map(_TEXT_OF, pending))
            hit = match(text)
            vals = [slot]
            current = (hit[0] if hit else "", text, pending, vals)
            pending = []
        elif current is not None:
            vals.append(slot)
    if current is not None:
        yield current


def _header_text(slots: list[Slot], *, narrative: int = 40) -> tuple[str, list[Slot]]:
    """The labels printed before the first number: the header plus the first row's label.

    A long label (a sentence of narrative before the table) restarts the header, so that words
    like 自然人 in a paragraph above the table are not read as column labels.
    """
    head: list[Slot] = []
    for s in slots:
        if s[KIND] == "value":
            break
        if s[KIND] == "label":
            if len(s[TEXT]) > narrative and len(label_key(s[TEXT])) > narrative:
                head = []
            else:
                head.append(s)
    return "".join(map(_TEXT_OF, head)), head


# Every requests row in printed order (both templates): rows must come in this order.
_REQUEST_ORDER = {code: i for i, (code, _l, _g) in enumerate(
    (*codes.REQUEST_ROWS_COMMON_HEAD, codes.REQUEST_ROW_OTHER_2019, *codes.REQUEST_ROWS_OTHER_2021,
     *codes.REQUEST_ROWS_TAIL))}


def read_requests(slots: list[Slot]) -> TableRead:
    """三、收到和处理政府信息公开申请情况 from its region's slots."""
    out = TableRead("requests")
    if not slots:
        return out
    header, head_slots = _header_text(slots)
    order = labels.request_column_order(header)
    if order is None:
        order = OFFICIAL_REQUEST_COLUMNS
        found = labels.dedupe_adjacent([c for _p, c, _w in labels.scan(header, "requests")])
        out.warnings.append("requests: column labels incomplete (found " + (", ".join(found) or "none")
                            + "); the official column order was assumed")
    last = -1
    right = _grid_like(slots)
    for row, label, label_slots, vals in _rows(slots, labels.match_request_row):
        has_values = False
        for v in vals:
            if v[KIND] == "value":
                has_values = True
                break
        if last < 0 and not has_values and row != "new":
            # header cells (其他, 总计) and their padding, before the first row of numbers; 一、本年新收
            # is the first row itself, and may be printed all blank
            continue
        if not row:
            if has_values:
                out.warnings.append(f"requests: unrecognised row label {label[-30:]!r}; its numbers were left out")
            continue
        if _REQUEST_ORDER[row] <= last:
            if has_values:
                out.warnings.append(f"requests: row {row} ({label[-20:]!r}) out of the printed order; left out")
            continue
        cells = fit_values(drop_label_line_padding(label_slots[-1][LINE], vals), len(order), right_aligned=right)
        if cells is None:
            if has_values:
                n_vals = sum(1 for v in vals if v[KIND] == "value")
                out.warnings.append(f"requests: row {row} has {n_vals} values for {len(order)} columns; "
                                    "left out rather than guessed")
            continue
        last = _REQUEST_ORDER[row]
        placed = out.cells
        for column, (kind, text, _line, printed) in zip(order, cells, strict=True):
            if kind != "value":
                value: Number | None = None
                raw = ""
            else:
                raw = text if printed is None else printed
                value, ok = KNOWN_VALUES.get(text) or parse_value(text)  # mostly known: no parse
                if not ok:
                    out.warnings.append(f"requests: {row}/{column} value {text!r} not understood")
            # Cell(row, column, value, raw), built without calling Cell.__init__: a Python frame
            # per cell was a third of what a cell costs, and this table has ~180 of them, seven in
            # ten of a report's cells (the other tables keep the constructor). Every field is set:
            # a Cell made this way equals one from the constructor (tests/test_gold.py checks).
            cell = _new(Cell)
            cell.row = row
            cell.column = column
            cell.value = value
            cell.raw = raw
            cell.item = cell.group = None
            placed["", row, column] = cell  # each row comes once: no check
        out.lines.add(label_slots[-1][LINE])
        out.lines.add(cells[-1][LINE])
        if row in _TEMPLATE_ROWS:
            out.evidence[_TEMPLATE_ROWS[row]] += 3
        if row == "carried_forward":
            break
    if out.cells:
        out.lines.update(map(_LINE_OF, head_slots))
    return out


def read_review(slots: list[Slot]) -> TableRead:
    """四、行政复议、行政诉讼情况: a header naming 3 groups × 5 columns over one row of 15 numbers."""
    out = TableRead("review_litigation")
    # The header starts at the first short label naming a group or a column: narrative before it
    # (long sentences that mention 行政复议) is not header.
    start = next((i for i, s in enumerate(slots)
                  if s[KIND] == "label" and len(label_key(s[TEXT])) <= 12 and labels.scan(s[TEXT], "review")), None)
    if start is None:
        return out
    body = slots[start:]
    header, head_slots = _header_text(body)
    first_value = next((i for i, s in enumerate(body) if s[KIND] == "value"), None)
    if first_value is None:
        return out
    # The row starts after the last header label: empties before the first number may be blank cells.
    last_label = max(i for i in range(first_value) if body[i][KIND] == "label")
    vals: list[Slot] = []
    for s in body[last_label + 1:]:
        if s[KIND] == "label":
            break
        vals.append(s)
    vals = drop_label_line_padding(body[last_label][LINE], vals)
    if not any(v[KIND] == "value" for v in vals):
        return out
    order = labels.review_column_order(header)
    if order is None:
        order = OFFICIAL_REVIEW_COLUMNS
        out.warnings.append("review_litigation: group/column labels incomplete; the official order "
                            "(review, direct suit, suit after review × upheld, corrected, other, pending, "
                            "total) was assumed")
    cells = fit_values(vals, len(order), right_aligned=_grid_like(slots))
    if cells is None:
        n_vals = sum(1 for v in vals if v[KIND] == "value")
        out.warnings.append(f"review_litigation: {n_vals} values for {len(order)} columns; left out rather "
                            "than guessed")
        return out
    for (group, column), slot in zip(order, cells, strict=True):
        value, ok = KNOWN_VALUES.get(slot[TEXT]) or parse_value(_raw(slot))
        if not ok:
            out.warnings.append(f"review_litigation: {group}/{column} value {slot[TEXT]!r} not understood")
        out.add((group, "", column), Cell(None, column, value, slot_raw(slot), None, group))
    out.lines.update(map(_LINE_OF, head_slots), map(_LINE_OF, cells))
    return out


def active_row_columns(row: str, found: list[str], n: int) -> tuple[list[str] | None, bool]:
    """The columns of an active-disclosure row: (columns, assumed_official_order).

    The header's labels decide. Where some are lost (`本年新` twice), a template whose columns for
    this row agree with every label still present, in order, supplies the rest.
    """
    if len(found) == n:
        return found, False
    columns = _template_columns(row, tuple(found), n)
    return (list(columns), True) if columns is not None else (None, False)


@lru_cache(maxsize=1024)
def _template_columns(row: str, found: tuple[str, ...], n: int) -> tuple[str, ...] | None:
    """The one template column list of width n for this row that holds `found` in order, or None."""
    options: list[tuple[str, ...]] = []
    for template in codes.TEMPLATES:
        for r in codes.ACTIVE_ROWS[template]:
            if r.row == row and len(r.columns) == n and _is_subsequence(list(found), r.columns) \
                    and r.columns not in options:
                options.append(r.columns)
    return options[0] if len(options) == 1 else None


def _is_subsequence(small: list[str], big: tuple[str, ...]) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def _header_padding(block: list[Slot]) -> int:
    """Empty cells closing the block's 信息内容 header line: a block narrower than the table it
    shares (第二十条第（八）项 has two columns, 第（一）项 three) pads every row on the right."""
    line = next((s[LINE] for s in block if s[KIND] == "label" and "信息内容" in s[TEXT]), None)
    if line is None:
        return 0
    cells = [s for s in block if s[LINE] == line]
    pad = 0
    while pad < len(cells) and cells[-1 - pad][KIND] == "empty":
        pad += 1
    return pad


def read_active(slots: list[Slot]) -> TableRead:
    """二、主动公开政府信息情况: blocks headed 第二十条第（X）项, each with its own column header."""
    out = TableRead("active_disclosure")
    # Each block runs from its 第二十条 label to the next one (only a label holds those words).
    starts = [i for i, text in enumerate(map(_TEXT_OF, slots)) if "第二十条" in text]
    if not starts:
        return out
    starts.append(len(slots))
    right = _grid_like(slots)
    for start, end in pairwise(starts):
        block = slots[start:end]
        header, _ = _header_text(block)
        hits = labels.scan(header, "active")
        found = labels.dedupe_adjacent([c for _p, c, _w in hits])
        for _p, code, word in hits:
            if code in _TEMPLATE_WORDS:
                out.evidence[_TEMPLATE_WORDS[code]] += 2
            elif word in ("本年处理决定", "收费金额"):
                out.evidence["2021"] += 2
        unit_yuan = declares_yuan(header)
        pad = _header_padding(block) if right else 0
        for row, label, label_slots, vals in _rows(block, labels.match_active_row):
            if not row:
                if any(v[KIND] == "value" for v in vals):
                    out.warnings.append(f"active_disclosure: unrecognised row label {label[:30]!r}; "
                                        "its numbers were left out")
                continue
            if row in _TEMPLATE_ROWS:
                out.evidence[_TEMPLATE_ROWS[row]] += 2
            vals = drop_label_line_padding(label_slots[-1][LINE], vals)
            if pad and len(vals) > pad and all(v[KIND] == "empty" for v in vals[-pad:]):
                vals = vals[:-pad]  # the block is narrower than the table: its rows pad on the right
            n = _active_value_count(vals, row, found)
            columns, assumed = active_row_columns(row, found, n) if n else (None, False)
            cells = fit_values(vals, n, right_aligned=right) if columns else None
            if columns is None or cells is None:
                out.warnings.append(f"active_disclosure: row {row} could not be aligned with its column "
                                    f"labels ({', '.join(found) or 'none'})")
                continue
            if assumed:
                out.warnings.append(f"active_disclosure: row {row}: column labels lost, official order "
                                    f"assumed ({', '.join(columns)})")
            item = _ITEM_OF[row]
            for column, slot in zip(columns, cells, strict=True):
                money = column in codes.MONEY_COLUMNS
                value, ok = (None if money else KNOWN_VALUES.get(slot[TEXT])) \
                    or parse_value(_raw(slot), money=money, unit_yuan=money and unit_yuan)
                if not ok:
                    out.warnings.append(f"active_disclosure: {row}/{column} value {slot[TEXT]!r} not understood")
                out.add((item, row, column), Cell(row, column, value, slot_raw(slot), item))
            out.lines.update(map(_LINE_OF, label_slots), map(_LINE_OF, cells))
        out.lines.add(block[0][LINE])
    return out


def _active_value_count(vals: list[Slot], row: str, found: list[str]) -> int:
    """How many cells this row has: the header's count when it has one, else the non-empty values."""
    if found and fit_values(vals, len(found)) is not None:
        return len(found)
    widths = _ROW_WIDTHS[row]
    filled = sum(1 for v in vals if v[KIND] == "value")
    if filled in widths:
        return filled
    for w in widths:
        if fit_values(vals, w) is not None:
            return w
    return 0


# Per active-disclosure row: its widths in either template (widest first) and its item.
_ROW_WIDTHS: dict[str, tuple[int, ...]] = {}
_ITEM_OF: dict[str, str] = {}
for _template in codes.TEMPLATES:
    for _r in codes.ACTIVE_ROWS[_template]:
        _ROW_WIDTHS[_r.row] = tuple(sorted({*_ROW_WIDTHS.get(_r.row, ()), len(_r.columns)}, reverse=True))
        _ITEM_OF.setdefault(_r.row, _r.item)


def item_of(row: str) -> str:
    """The item (主动公开 block) an active-disclosure row belongs to."""
    return _ITEM_OF[row]


@lru_cache(maxsize=1024)
def declares_yuan(header: str) -> bool:
    """A money column headed in 元 (not 万元): bare numbers under it are yuan."""
    h = fold(header)
    return ("(元)" in h or "单位:元" in h or "单位：元" in h) and "万元" not in h
