"""Findings read from the tables: year-to-year continuity, numbers the narrative contradicts, empty tables.

Blank cells: a printed blank stands for 0 in these templates, so a blank meets a 0; a cell the report
does not print at all is never compared.
"""

from __future__ import annotations

from typing import Any

from archive.findings.model import Flag
from archive.findings.narrative import FIGURES, Statement
from archive.findings.snapshot import Current, Snapshot
from extract import codes

REQUEST_COLUMNS = tuple(code for code, _label in codes.REQUEST_COLUMNS)
ACTIVE_ROWS = {"regulations": "规章", "normative_documents": "行政规范性文件"}


def _n(value: float | None) -> float:
    return 0 if value is None else value


def _fmt(value: float | None) -> str:
    if value is None:
        return "空白"
    return str(int(value)) if float(value).is_integer() else str(value)


def continuity_requests(rep: Current, snap: Snapshot) -> Flag | None:
    """Last year's 结转下年度继续办理 must come back as this year's 上年结转, column by column."""
    prev = snap.previous(rep)
    if prev is None:
        return None
    diffs: list[dict[str, Any]] = []
    for col in REQUEST_COLUMNS:
        key_prev, key_this = ("requests", "", "carried_forward", col), ("requests", "", "carried_over", col)
        if key_prev not in prev.cells or key_this not in rep.cells:
            continue
        before, now = prev.cells[key_prev], rep.cells[key_this]
        if _n(before) != _n(now):
            diffs.append({"column": col, "previous_carried_forward": before, "carried_over": now,
                          "cells": [f"{prev.id}:requests/carried_forward/{col}",
                                    f"{rep.id}:requests/carried_over/{col}"]})
    if not diffs:
        return None
    text = "; ".join(f"{d['column']}: {prev.year}年结转下年度 {_fmt(d['previous_carried_forward'])} ≠ "
                     f"{rep.year}年上年结转 {_fmt(d['carried_over'])}" for d in diffs)
    return Flag(rep.id, "continuity_requests", text,
                {"previous_year": prev.year, "columns": diffs}, other_report_id=prev.id)


def continuity_active(rep: Current, snap: Snapshot) -> Flag | None:
    """2021 format, two years running: 现行有效(上年) + 本年制发 − 本年废止 = 现行有效(本年)."""
    prev = snap.previous(rep)
    if prev is None or rep.template != "2021" or prev.template != "2021":
        return None
    diffs: list[dict[str, Any]] = []
    for row in ACTIVE_ROWS:
        keys = {c: ("active_disclosure", "20.1", row, c) for c in ("issued", "repealed", "in_force")}
        if keys["in_force"] not in prev.cells or not all(k in rep.cells for k in keys.values()):
            continue
        before = prev.cells[keys["in_force"]]
        issued, repealed, now = (rep.cells[keys[c]] for c in ("issued", "repealed", "in_force"))
        expected = _n(before) + _n(issued) - _n(repealed)
        if expected != _n(now):
            diffs.append({"row": row, "previous_in_force": before, "issued": issued, "repealed": repealed,
                          "in_force": now, "expected": expected,
                          "cells": [f"{prev.id}:active_disclosure/20.1/{row}/in_force",
                                    *(f"{rep.id}:active_disclosure/20.1/{row}/{c}"
                                      for c in ("issued", "repealed", "in_force"))]})
    if not diffs:
        return None
    text = "; ".join(f"{ACTIVE_ROWS[d['row']]}: {_fmt(d['previous_in_force'])} + {_fmt(d['issued'])} − "
                     f"{_fmt(d['repealed'])} = {_fmt(d['expected'])} ≠ 现行有效 {_fmt(d['in_force'])}" for d in diffs)
    return Flag(rep.id, "continuity_active", text, {"previous_year": prev.year, "rows": diffs},
                other_report_id=prev.id)


def table_value(rep: Current, figure: str) -> tuple[float | None, bool]:
    """(the table's number for a narrative figure, whether the table prints it)."""
    if figure == "requests_new":
        key = ("requests", "", "new", "total")
        return rep.cells.get(key), key in rep.cells
    if figure == "reviews":
        key = ("review_litigation", "review", "", "total")
        return rep.cells.get(key), key in rep.cells
    if figure == "lawsuits":
        keys = [("review_litigation", g, "", "total") for g in ("litigation_direct", "litigation_after_review")]
        if not all(k in rep.cells for k in keys):
            return None, False
        return sum(_n(rep.cells[k]) for k in keys), True
    row, col = {"normative_documents_issued": ("normative_documents", "issued" if rep.template == "2021" else "made"),
                "licensing_decisions": ("licensing", "decisions"),
                "penalty_decisions": ("penalty", "decisions")}[figure]
    item = {"normative_documents": "20.1", "licensing": "20.5", "penalty": "20.6"}[row]
    key = ("active_disclosure", item, row, col)
    return rep.cells.get(key), key in rep.cells


def narrative_mismatches(rep: Current, said: list[tuple[str, Statement]]) -> list[Flag]:
    """A confident statement whose number differs from the table's (one flag per figure and number)."""
    out: list[Flag] = []
    seen: set[tuple[str, int]] = set()
    for section, st in said:
        if not st.confident or (st.figure, st.value) in seen:
            continue
        value, printed = table_value(rep, st.figure)
        if not printed or _n(value) == st.value:
            continue
        seen.add((st.figure, st.value))
        cell = FIGURES[st.figure][1]
        out.append(Flag(rep.id, "narrative_mismatch",
                        f"正文“{st.sentence}”说 {st.value}, 表格 {cell} 为 {_fmt(value)}",
                        {"figure": st.figure, "sentence": st.sentence, "section": section, "narrative": st.value,
                         "table": value, "cell": cell}))
    return out


def zero_tables(rep: Current, said: list[tuple[str, Statement]]) -> Flag | None:
    """Every requests cell 0 or blank while the narrative gives a positive number of requests."""
    if rep.requests_cells == 0 or rep.requests_nonzero:
        return None
    claim = next(((sec, st) for sec, st in said if st.figure == "requests_new" and st.value > 0), None)
    if claim is None:
        return None
    section, st = claim
    return Flag(rep.id, "zero_tables",
                f"申请情况表 {rep.requests_cells} 格全为0或空白, 正文却说“{st.sentence}”",
                {"requests_cells": rep.requests_cells, "sentence": st.sentence, "section": section,
                 "narrative": st.value})
