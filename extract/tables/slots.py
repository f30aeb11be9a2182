"""Report text → a stream of table slots (label, value or empty), whatever the text layout.

Text copies of tables come in a few layouts: cells between `|` (trafilatura, Markdown), one cell
per line, one cell per tab-indented line (Word's "save as text"), or a whole row on one line
separated by spaces. A slot is one cell as far as the layout lets us know it. Empty slots exist
only where the layout keeps empty cells (between pipes, a lone tab); elsewhere a blank cell has
vanished and nobody can say where it was, which the table parser reports rather than guesses.
"""

from __future__ import annotations

import re
from typing import Final, Literal, TypeVar

from ..normalize import join_cjk_spaces
from .labels import match_active_row, match_request_row
from .values import is_value_text

SlotKind = Literal["label", "value", "empty"]


Slot = tuple[SlotKind, str, int, "str | None"]
"""One cell: (kind, text, line, printed). `text` is folded (what the parser reads); `printed` the
original where folding changed it, else None. A plain tuple, read with the field indices below: a
report makes hundreds of slots, and a tuple costs a fifth of a class instance to make and free."""
KIND: Final = 0
TEXT: Final = 1
LINE: Final = 2
PRINTED: Final = 3


def slot_raw(slot: Slot) -> str:
    """What a value cell printed (the contract's `raw`); "" for labels and empty cells."""
    kind, text, _line, printed = slot
    if kind != "value":
        return ""
    return text if printed is None else printed


class Slots(list[Slot]):
    """The slots of a region, and whether its rows are printed full width (`grid_like`).

    In grid-like text (Markdown, or every line opened by a pipe) spanned label cells print as empty
    cells on the left, so a row's values are its last cells; elsewhere padding trails."""

    grid_like: bool = False


_MD_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_WS = re.compile(r"[ \t]+")


# Cell texts repeat across a report and across reports (`0`, `—`, the official labels): their
# classification is looked up, not worked out again. Bounded so a long crawl cannot grow it forever.
_CACHE_LIMIT = 50_000
_T = TypeVar("_T")
_CELLS: dict[str, tuple[SlotKind, str]] = {}
_FREE: dict[str, tuple[tuple[SlotKind, str], ...]] = {}


def _remember(cache: dict[str, _T], key: str, value: _T) -> _T:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _classify(text: str) -> tuple[SlotKind, str]:
    """(kind, text) of one cell's text: stripped, and a label's CJK spaces closed up.

    Callers look in _CELLS first (`_CELLS.get(text) or _classify(text)`); this is the miss."""
    t = text.strip()
    if not t:
        return _remember(_CELLS, text, ("empty", ""))
    if (t.isdigit() and t.isascii()) or is_value_text(t):
        return _remember(_CELLS, text, ("value", t))
    return _remember(_CELLS, text, ("label", join_cjk_spaces(t) if " " in t else t))


def _split_free(text: str) -> tuple[tuple[SlotKind, str], ...]:
    """A line without cell separators: whitespace separates cells, but a label keeps its spaces.

    `一、本年新收政府信息公开申请数量 0 0 0` → one label then values; `商 业 企 业` → one label.
    Callers look in _FREE first; this is the miss.
    """
    out: list[tuple[SlotKind, str]] = []
    pending: list[str] = []
    for token in _WS.split(text.strip()):
        if not token:
            continue
        if is_value_text(token):
            if pending:
                out.append(("label", join_cjk_spaces(" ".join(pending))))
                pending = []
            out.append(("value", token))
        else:
            pending.append(token)
    if pending:
        out.append(("label", join_cjk_spaces(" ".join(pending))))
    return _remember(_FREE, text, tuple(out))


def _one_cell_per_line(lines: list[str], start: int, stop: int, joined: str) -> bool:
    """Text with one cell per line (no tabs, no rows of spaced values): there a blank cell prints
    as an empty line, so empty lines between values are cells. `joined`: lines[start:stop] joined."""
    if "\t" not in joined and " " not in joined:  # no line can be a row: its lines are its cells
        stripped = list(map(str.strip, lines[start:stop]))  # (counted in C: the common case of this layout)
        return len(stripped) - stripped.count("") >= 20
    cells = 0
    rows = 0
    most_rows = 0.05 * (stop - start)  # cells can be no more than the lines: past this, it is not
    for no in range(start, stop):
        line = lines[no]
        t = line.strip()
        if not t:
            continue
        if "\t" in line or (" " in t and any(kind == "value" for kind, _ in _FREE.get(t) or _split_free(t))):
            rows += 1
            if rows > most_rows:
                return False
        else:
            cells += 1
    return cells >= 20 and rows <= 0.05 * cells


def _is_value_line(lines: list[str], no: int) -> bool:
    line = lines[no]
    return (_CELLS.get(line) or _classify(line))[0] == "value"


def _blank_cell(lines: list[str], no: int, start: int, stop: int) -> bool:
    """An empty line is a blank cell when the cells around it are values (a row's run of values);
    between two label lines it only separates fragments of a label."""
    before = no - 1
    while before >= start and not lines[before].strip():
        before -= 1
    after = no + 1
    while after < len(lines) and not lines[after].strip():
        after += 1
    if after == len(lines):
        return False  # empty lines that end the text: a file cut short, or its final newline
    if (before >= start and _is_value_line(lines, before)) or (after < stop and _is_value_line(lines, after)):
        return True
    # A row label followed by nothing but empty lines: its cells are all blank (行政事业性收费 with no fee).
    return before >= start and _is_row_label(lines[before].strip())


def _is_row_label(text: str) -> bool:
    return match_active_row(text) is not None or match_request_row(text) is not None


def to_slots(lines: list[str], start: int = 0, end: int | None = None, printed: list[str] | None = None) -> Slots:
    """Slots of lines[start:end] (folded text), each tagged with its line number.

    `printed` is the text before folding, line for line: value slots on lines that folding changed
    keep what was printed (`１２` for `12`)."""
    out = Slots()
    stop = len(lines) if end is None else end
    # Markdown (and grid-like text) opens every row with a pipe, often ruled with |---|;
    # trafilatura ends each cell with a pipe, so there a line that starts with `|` starts with a
    # blank cell.
    joined = "".join(lines[start:stop])  # for C-level tests of the whole region
    piped = [lines[no].strip() for no in range(start, stop) if "|" in lines[no]] if "|" in joined else []
    markdown = any("-" in p and _MD_RULE.match(p) for p in piped) or (
        len(piped) >= 3 and sum(p[0] == "|" for p in piped) >= 0.9 * len(piped))
    out.grid_like = markdown
    blank_cells: bool | None = False if piped else None  # decided at the first empty line
    add = out.append
    cells = _CELLS
    for no in range(start, stop):
        raw = lines[no]
        if "|" in raw:
            if "-" in raw and _MD_RULE.match(raw):
                continue  # Markdown's |---|---| rule is not a row
            stripped = raw.strip()
            if stripped == "|":
                add(("empty", "", no, None))  # one blank cell on a line of its own: `|`
                continue
            parts = raw.split("|")
            if markdown and stripped[0] == "|":  # (never empty: it holds a pipe)
                parts = parts[1:]  # the pipe that opens a Markdown row
            if stripped[-1] == "|":
                parts = parts[:-1]
            first = len(out)
            for part in parts:
                kind, text = cells.get(part) or _classify(part)
                add((kind, text, no, None))
        elif "\t" in raw:
            # `\t0`: one indented cell, Word's usual line. (`in` on a slice: str.find with a start
            # offset parses its arguments the slow way, and this runs on most lines of Word text.)
            if raw[0] == "\t" and "\t" not in raw[1:]:
                kind, text = cells.get(raw) or _classify(raw)  # (the cell is the line, stripped)
                add((kind, text, no, None))
                if kind == "value" and printed is not None and printed[no] != raw:
                    _keep_printed(out, len(out) - 1, raw, printed[no])
                continue  # (only a value keeps its printed text)
            parts = raw.split("\t")
            if not parts[0].strip():
                parts = parts[1:]  # the indentation tab
            first = len(out)
            for part in parts:
                kind, text = cells.get(part) or _classify(part)
                add((kind, text, no, None))
        else:
            hit = None if " " in raw else cells.get(raw) or _classify(raw)
            if hit is not None and hit[0] != "empty":  # one cell per line: the common case
                add((hit[0], hit[1], no, None))
                if hit[0] == "value" and printed is not None and printed[no] != raw:
                    _keep_printed(out, len(out) - 1, raw, printed[no])
                continue
            if not raw.strip():
                if blank_cells is None:
                    blank_cells = _one_cell_per_line(lines, start, stop, joined)
                if blank_cells and _blank_cell(lines, no, start, stop):
                    add(("empty", "", no, None))
                continue
            # a line with spaces: a row of cells, or a label that keeps its spaces
            t = raw.strip()
            first = len(out)
            for kind, text in _FREE.get(t) or _split_free(t):
                add((kind, text, no, None))
        if printed is not None and printed[no] != raw:
            _keep_printed(out, first, raw, printed[no])
    return out


def _keep_printed(slots: list[Slot], first: int, folded: str, printed: str) -> None:
    """Give the value slots from `first` on (one line's) the text the line printed.

    fold() maps one character to one, so a value found at an offset of the folded line sits at
    the same offset of the printed line; values are searched left to right, each after the last.
    """
    cursor = 0
    for i in range(first, len(slots)):
        kind, text, line, _ = slots[i]
        if kind != "value":
            continue
        at = folded.find(text, cursor)
        if at < 0:
            continue
        cursor = at + len(text)
        slots[i] = (kind, text, line, printed[at:cursor])
