"""The contract's four consistency rules (勾稽关系), evaluated on whatever cells were read.

A rule whose cells are missing is left out rather than reported ok; a blank cell counts as missing
(a printed blank is not a zero). A failure is data for readers, never a reason to drop a report.
"""

from __future__ import annotations

import math
from operator import itemgetter

from . import codes
from .model import Cell, Check, Number

# What the rules read: the numbers of a table by (row or group, column), blank cells left out.
Figures = dict[tuple[str, str], Number]


class _Cells:
    """A fixed set of cell keys, and a C-level reader for their values (no Python loop per rule)."""

    __slots__ = ("keys", "read")

    def __init__(self, keys: tuple[tuple[str, str], ...]) -> None:
        self.keys = frozenset(keys)
        self.read = itemgetter(*keys)

    def values(self, figures: Figures) -> tuple[Number, ...] | None:
        """The figures in key order, or None when one is missing or blank."""
        return self.read(figures) if figures.keys() >= self.keys else None


_APPLICANTS = [c for c, _ in codes.REQUEST_COLUMNS if c != "total"]
_COLUMNS = [c for c, _ in codes.REQUEST_COLUMNS]
_REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
# The cells each rule reads, built once rather than for every report.
_BALANCE = {col: _Cells((("new", col), ("carried_over", col), ("total", col), ("carried_forward", col)))
            for col in _COLUMNS}
_ROW_PARTS: dict[str, _Cells] = {}
_GROUP_PARTS = {g: _Cells(tuple((g, c) for c in _REVIEW_PARTS)) for g, _label in codes.REVIEW_GROUPS}


def _row_parts(row: str) -> _Cells:
    cells = _ROW_PARTS.get(row)
    if cells is None:
        cells = _ROW_PARTS[row] = _Cells(tuple((row, c) for c in _APPLICANTS))
    return cells


def _eq(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, abs_tol=1e-6)  # counts are ints: equality is the common case


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def evaluate(template: str | None, tables: dict[str, list[Cell]]) -> list[Check]:
    requests = tables.get("requests", [])
    req: Figures = {(c.row or "", c.column): c.value for c in requests if c.value is not None}
    rev: Figures = {(c.group or "", c.column): c.value for c in tables.get("review_litigation", [])
                    if c.value is not None}
    out: list[Check] = []
    if req:
        rows = list(dict.fromkeys([c.row or "" for c in requests]))  # printed rows, blank ones too
        out += _balance(req)
        out += _outcomes_sum(template, req, rows)
        out += _columns_sum(req, rows)
    if rev:
        out += _group_sum(rev)
    return out


def _balance(req: Figures) -> list[Check]:
    bad: list[str] = []
    evaluated = 0
    for col in _COLUMNS:
        v = _BALANCE[col].values(req)
        if v is None:
            continue
        evaluated += 1
        if not _eq(v[0] + v[1], v[2] + v[3]):
            bad.append(f"{col}: {_fmt(v[0])}+{_fmt(v[1])} ≠ {_fmt(v[2])}+{_fmt(v[3])}")
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"new + carried_over = total + carried_forward in {evaluated} columns"
    return [Check("requests.balance", not bad, detail)]


_SPLIT_OTHER = tuple(c for c, _l, _g in codes.REQUEST_ROWS_OTHER_2021)
_OUTCOME_HEAD = tuple(c for c, _l, g in codes.REQUEST_ROWS_COMMON_HEAD if g is not None)
# Per column, the outcome cells of a report that prints （六） as one row, and of one that splits it.
_OUTCOMES = {
    split: {col: _Cells(tuple((r, col) for r in (*_OUTCOME_HEAD, *(_SPLIT_OTHER if split else ("other",)))))
            for col in _COLUMNS}
    for split in (False, True)
}


def _outcomes_sum(template: str | None, req: Figures, rows: list[str]) -> list[Check]:
    # A 2021 report either splits （六） into three rows or prints it as one.
    outcomes = _OUTCOMES[template == "2021" and any(r in rows for r in _SPLIT_OTHER)]
    bad: list[str] = []
    evaluated = 0
    for col in _COLUMNS:
        total = req.get(("total", col))
        parts = None if total is None else outcomes[col].values(req)
        if total is None or parts is None:
            continue
        evaluated += 1
        if not _eq(sum(parts), total):
            bad.append(f"{col}: outcomes sum to {_fmt(sum(parts))}, total printed {_fmt(total)}")
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"total = sum of outcome rows in {evaluated} columns"
    return [Check("requests.outcomes_sum", not bad, detail)]


def _columns_sum(req: Figures, rows: list[str]) -> list[Check]:
    bad: list[str] = []
    evaluated = 0
    for row in rows:
        total = req.get((row, "total"))
        parts = None if total is None else _row_parts(row).values(req)
        if total is None or parts is None:
            continue
        evaluated += 1
        if not _eq(sum(parts), total):
            bad.append(f"{row}: applicants sum to {_fmt(sum(parts))}, total printed {_fmt(total)}")
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"total column = sum of the six applicant columns in {evaluated} rows"
    return [Check("requests.columns_sum", not bad, detail)]


def _group_sum(rev: Figures) -> list[Check]:
    bad: list[str] = []
    evaluated = 0
    for group, _label in codes.REVIEW_GROUPS:
        total = rev.get((group, "total"))
        parts = _GROUP_PARTS[group].values(rev)
        if total is None or parts is None:
            continue
        evaluated += 1
        if not _eq(sum(parts), total):
            bad.append(f"{group}: {'+'.join(_fmt(p) for p in parts)} = {_fmt(sum(parts))}, total printed {_fmt(total)}")
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"total = upheld + corrected + other + pending in {evaluated} groups"
    return [Check("review_litigation.group_sum", not bad, detail)]
