"""The contract's four consistency rules (勾稽关系), evaluated on whatever cells were read.

A rule whose cells are missing is left out rather than reported ok; a blank cell counts as missing
(a printed blank is not a zero). A failure is data for readers, never a reason to drop a report.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from . import codes
from .model import Cell, Check, Number

_APPLICANTS = [c for c, _ in codes.REQUEST_COLUMNS if c != "total"]
_COLUMNS = [c for c, _ in codes.REQUEST_COLUMNS]
_REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
# The cell keys each rule reads, built once rather than for every report.
_BALANCE_KEYS = {col: (("new", col), ("carried_over", col), ("total", col), ("carried_forward", col))
                 for col in _COLUMNS}
_ROW_KEYS: dict[str, tuple[tuple[str, str], ...]] = {}


def _row_keys(row: str) -> tuple[tuple[str, str], ...]:
    keys = _ROW_KEYS.get(row)
    if keys is None:
        keys = _ROW_KEYS[row] = tuple((row, c) for c in _APPLICANTS)
    return keys


def _eq(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, abs_tol=1e-6)  # counts are ints: equality is the common case


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def evaluate(template: str | None, tables: dict[str, list[Cell]]) -> list[Check]:
    req: dict[tuple[str, str], Number | None] = {
        (c.row or "", c.column): c.value for c in tables.get("requests", [])
    }
    rev: dict[tuple[str, str], Number | None] = {
        (c.group or "", c.column): c.value for c in tables.get("review_litigation", [])
    }
    out: list[Check] = []
    if req:
        out += _balance(req)
        out += _outcomes_sum(template, req)
        out += _columns_sum(req)
    if rev:
        out += _group_sum(rev)
    return out


def _values(table: dict[tuple[str, str], Number | None], keys: Iterable[tuple[str, str]]) -> list[Number] | None:
    """The values at those keys, or None as soon as one is missing or blank."""
    get = table.get
    vals = [get(k) for k in keys]
    return None if None in vals else vals  # type: ignore[return-value]  # no None left


def _balance(req: dict[tuple[str, str], Number | None]) -> list[Check]:
    bad: list[str] = []
    evaluated = 0
    for col in _COLUMNS:
        v = _values(req, _BALANCE_KEYS[col])
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
_OUTCOME_KEYS = {
    split: {col: tuple((r, col) for r in (*_OUTCOME_HEAD, *(_SPLIT_OTHER if split else ("other",))))
            for col in _COLUMNS}
    for split in (False, True)
}


def _outcome_keys(template: str | None, req: dict[tuple[str, str], Number | None]
                  ) -> dict[str, tuple[tuple[str, str], ...]]:
    # A 2021 report either splits （六） into three rows or prints it as one.
    split = template == "2021" and any((r, c) in req for r in _SPLIT_OTHER for c in _COLUMNS)
    return _OUTCOME_KEYS[split]


def _outcomes_sum(template: str | None, req: dict[tuple[str, str], Number | None]) -> list[Check]:
    keys = _outcome_keys(template, req)
    bad: list[str] = []
    evaluated = 0
    for col in _COLUMNS:
        total = req.get(("total", col))
        parts = None if total is None else _values(req, keys[col])
        if total is None or parts is None:
            continue
        evaluated += 1
        if not _eq(sum(parts), total):
            bad.append(f"{col}: outcomes sum to {_fmt(sum(parts))}, total printed {_fmt(total)}")
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"total = sum of outcome rows in {evaluated} columns"
    return [Check("requests.outcomes_sum", not bad, detail)]


def _columns_sum(req: dict[tuple[str, str], Number | None]) -> list[Check]:
    rows = dict.fromkeys([r for r, _c in req])
    bad: list[str] = []
    evaluated = 0
    for row in rows:
        total = req.get((row, "total"))
        parts = None if total is None else _values(req, _row_keys(row))
        if total is None or parts is None:
            continue
        evaluated += 1
        if not _eq(sum(parts), total):
            bad.append(f"{row}: applicants sum to {_fmt(sum(parts))}, total printed {_fmt(total)}")
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"total column = sum of the six applicant columns in {evaluated} rows"
    return [Check("requests.columns_sum", not bad, detail)]


def _group_sum(rev: dict[tuple[str, str], Number | None]) -> list[Check]:
    bad: list[str] = []
    evaluated = 0
    for group, _label in codes.REVIEW_GROUPS:
        total = rev.get((group, "total"))
        parts = _values(rev, [(group, c) for c in _REVIEW_PARTS])
        if total is None or parts is None:
            continue
        evaluated += 1
        if not _eq(sum(parts), total):
            bad.append(f"{group}: {'+'.join(_fmt(p) for p in parts)} = {_fmt(sum(parts))}, total printed {_fmt(total)}")
    if not evaluated:
        return []
    detail = "; ".join(bad) if bad else f"total = upheld + corrected + other + pending in {evaluated} groups"
    return [Check("review_litigation.group_sum", not bad, detail)]
