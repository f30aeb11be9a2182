"""The contract's four consistency rules (勾稽关系), evaluated on whatever cells were read.

A rule whose cells are missing is left out rather than reported ok; a blank cell counts as missing
(a printed blank is not a zero). A failure is data for readers, never a reason to drop a report.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from operator import itemgetter

from . import codes
from .model import Cell, CellKey, Check, Number

# What the rules read: a table's numbers by row (or group) and column, blank cells left out.
Figures = dict[str, dict[str, Number]]


def _figures(cells: list[Cell], *, by_group: bool = False) -> tuple[Figures, list[str]]:
    """(figures, every row or group printed, in order, blank ones too)."""
    out: Figures = {}  # every row printed, in order; rows with no figure are dropped at the end
    last: str | None = None
    row: dict[str, Number] = {}
    for c in cells:  # the readers place a row at a time: the row changes only between runs
        key = (c.group if by_group else c.row) or ""
        if key != last:
            row = out.setdefault(key, {})
            last = key
        value = c.value
        if value is not None:
            row[c.column] = value
    return {k: v for k, v in out.items() if v}, list(out)


_APPLICANTS = tuple(c for c, _ in codes.REQUEST_COLUMNS if c != "total")
_HAS_APPLICANTS = frozenset(_APPLICANTS)
_APPLICANT_VALUES = itemgetter(*_APPLICANTS)  # one C-level read of a row's six applicant columns
_COLUMNS = [c for c, _ in codes.REQUEST_COLUMNS]
_REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
_HAS_REVIEW_PARTS = frozenset(_REVIEW_PARTS)
_REVIEW_VALUES = itemgetter(*_REVIEW_PARTS)
_NO_FIGURES: dict[str, Number] = {}


def _eq(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, abs_tol=1e-6)  # counts are ints: equality is the common case


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _requests_keys(rows: Iterable[str], columns: Iterable[str]) -> list[CellKey]:
    """The keys of the requests cells at those rows × columns (requests cells have no item or group)."""
    return [("requests", "", row, col) for row in rows for col in columns]


def evaluate(template: str | None, tables: dict[str, list[Cell]]) -> list[Check]:
    requests = tables.get("requests", [])
    req, rows = _figures(requests)
    rev, _groups = _figures(tables.get("review_litigation", []), by_group=True)
    out: list[Check] = []
    if req:
        out += _balance(req)
        out += _outcomes_sum(template, req, rows)
        out += _columns_sum(req, rows)
    if rev:
        out += _group_sum(rev)
    return out


def _balance(req: Figures) -> list[Check]:
    new, carried_over, total, carried_forward = (req.get(r, _NO_FIGURES) for r in _BALANCE_ROWS)
    bad: list[str] = []
    keys: list[CellKey] = []
    evaluated = 0
    for col in _COLUMNS:
        a, b, c, d = new.get(col), carried_over.get(col), total.get(col), carried_forward.get(col)
        if a is None or b is None or c is None or d is None:
            continue
        evaluated += 1
        if not _eq(a + b, c + d):
            bad.append(f"{col}: {_fmt(a)}+{_fmt(b)} ≠ {_fmt(c)}+{_fmt(d)}")
            keys += _requests_keys(_BALANCE_ROWS, (col,))
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"new + carried_over = total + carried_forward in {evaluated} columns"
    return [Check("requests.balance", not bad, detail, tuple(keys))]


_BALANCE_ROWS = ("new", "carried_over", "total", "carried_forward")


_SPLIT_OTHER = tuple(c for c, _l, _g in codes.REQUEST_ROWS_OTHER_2021)
_OUTCOME_HEAD = tuple(c for c, _l, g in codes.REQUEST_ROWS_COMMON_HEAD if g is not None)
# The outcome rows of a report that prints （六） as one row, and of one that splits it.
_OUTCOME_ROWS = {False: (*_OUTCOME_HEAD, "other"), True: (*_OUTCOME_HEAD, *_SPLIT_OTHER)}


def _outcomes_sum(template: str | None, req: Figures, rows: list[str]) -> list[Check]:
    # A 2021 report either splits （六） into three rows or prints it as one.
    outcome_rows = _OUTCOME_ROWS[template == "2021" and any(r in rows for r in _SPLIT_OTHER)]
    parts_rows = [req.get(r) for r in outcome_rows]
    totals = req.get("total")
    if totals is None or None in parts_rows:
        return []  # a whole row blank or missing: no column can be checked
    bad: list[str] = []
    keys: list[CellKey] = []
    evaluated = 0
    for col in _COLUMNS:
        total = totals.get(col)
        if total is None:
            continue
        parts = [r.get(col) for r in parts_rows]  # type: ignore[union-attr]  # no None row left
        if None in parts:
            continue
        evaluated += 1
        got = sum(parts)  # type: ignore[arg-type]  # no None left
        if not _eq(got, total):
            bad.append(f"{col}: outcomes sum to {_fmt(got)}, total printed {_fmt(total)}")
            keys += _requests_keys((*outcome_rows, "total"), (col,))
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"total = sum of outcome rows in {evaluated} columns"
    return [Check("requests.outcomes_sum", not bad, detail, tuple(keys))]


def _columns_sum(req: Figures, rows: list[str]) -> list[Check]:
    bad: list[str] = []
    keys: list[CellKey] = []
    evaluated = 0
    for row in rows:
        figures = req.get(row)
        if figures is None or "total" not in figures or not figures.keys() >= _HAS_APPLICANTS:
            continue
        total = figures["total"]
        got = sum(_APPLICANT_VALUES(figures))
        evaluated += 1
        if not _eq(got, total):
            bad.append(f"{row}: applicants sum to {_fmt(got)}, total printed {_fmt(total)}")
            keys += _requests_keys((row,), _COLUMNS)
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"total column = sum of the six applicant columns in {evaluated} rows"
    return [Check("requests.columns_sum", not bad, detail, tuple(keys))]


def _group_sum(rev: Figures) -> list[Check]:
    bad: list[str] = []
    keys: list[CellKey] = []
    evaluated = 0
    for group, _label in codes.REVIEW_GROUPS:
        figures = rev.get(group)
        if figures is None or "total" not in figures or not figures.keys() >= _HAS_REVIEW_PARTS:
            continue
        total = figures["total"]
        parts = _REVIEW_VALUES(figures)
        evaluated += 1
        if not _eq(sum(parts), total):
            bad.append(f"{group}: {'+'.join(_fmt(p) for p in parts)} = {_fmt(sum(parts))}, total printed {_fmt(total)}")
            keys += [("review_litigation", group, "", col) for col in (*_REVIEW_PARTS, "total")]
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"total = upheld + corrected + other + pending in {evaluated} groups"
    return [Check("review_litigation.group_sum", not bad, detail, tuple(keys))]
