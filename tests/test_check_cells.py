"""A failed check names the cells it read (`Check.cells`), and the archive's check_cells rows are those.

The archive once parsed the keys back out of the human-readable `detail` (archive/checkcells.py). That
reading is kept here as the oracle the new rows must equal, on the seeds and on generated reports whose
numbers do not add up, so the move from the detail string to the keys changed no row.
"""

from __future__ import annotations

import random

import pytest

from archive.rows import check_cell_rows
from extract import codes, parse_report, parse_text
from extract.checks import evaluate
from extract.model import Report
from tests import reportgen
from tests.shared import SEEDS, need_shared
from tests.test_printed import both_other_report

CellKey = tuple[str, str, str, str]
_OUTCOME_ROWS = [*sorted(codes.OUTCOME_ROWS), "total"]


def _from_detail(rule: str, detail: str) -> list[CellKey]:
    """The keys as the archive read them from a failed check's detail: the names before each colon."""
    out: list[CellKey] = []
    for part in detail.split(";"):
        name, sep, _rest = part.strip().partition(":")
        name = name.strip()
        if not (sep and name):
            continue
        if rule == "requests.balance":
            out += [("requests", "", row, name) for row in ("new", "carried_over", "total", "carried_forward")]
        elif rule == "requests.outcomes_sum":
            out += [("requests", "", row, name) for row in _OUTCOME_ROWS]
        elif rule == "requests.columns_sum":
            out += [("requests", "", name, col) for col, _l in codes.REQUEST_COLUMNS]
        elif rule == "review_litigation.group_sum":
            out += [("review_litigation", name, "", col) for col, _l in codes.REVIEW_COLUMNS]
    return out


def _old_rows(report: Report) -> set[tuple[str, ...]]:
    present = {(tbl, c.item or c.group or "", c.row or "", c.column) for tbl, cells in report.tables.items()
               for c in cells}
    return {("r", c.rule, *k) for c in report.checks if not c.ok for k in _from_detail(c.rule, c.detail)
            if k in present}


def _new_rows(report: Report) -> set[tuple[str, ...]]:
    rows = check_cell_rows("r", report)
    assert len(rows) == len({tuple(r.values()) for r in rows}), "a key named twice would break the primary key"
    return {(r["report_id"], r["rule"], r["tbl"], r["part"], r["row"], r["col"]) for r in rows}


def _failing(report: Report) -> Report:
    """The same report with one figure of each table changed, so every rule that was evaluated fails."""
    for name in ("requests", "review_litigation"):
        for cell in report.tables[name]:
            if cell.value is not None and cell.column == "total":
                cell.value += 1
                break
    report.checks = evaluate(report.template, report.tables)
    return report


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else [])
def test_seed_check_cells_are_unchanged(seed: str) -> None:
    need_shared()
    report = parse_report((SEEDS / seed).read_bytes())
    assert _new_rows(report) == _old_rows(report)
    broken = _failing(report)
    assert any(not c.ok for c in broken.checks)
    assert _new_rows(broken) == _old_rows(broken) != set()


@pytest.mark.parametrize("n", range(24))
def test_generated_inconsistent_report_check_cells_are_unchanged(n: int) -> None:
    rng = random.Random(n)
    rendered = reportgen.sample(rng, consistent=False)
    report = parse_report(rendered.data, content_type=rendered.content_type)
    assert any(not c.ok for c in report.checks)
    assert _new_rows(report) == _old_rows(report)


def test_a_check_that_holds_names_no_cells() -> None:
    rendered = reportgen.sample(random.Random(7), consistent=True)
    report = parse_report(rendered.data, content_type=rendered.content_type)
    assert report.checks and all(c.ok and c.cells == () for c in report.checks)


def test_cells_stay_out_of_the_contract_json() -> None:
    rendered = reportgen.sample(random.Random(3), consistent=False)
    report = parse_report(rendered.data, content_type=rendered.content_type)
    failed = [c for c in report.checks if not c.ok]
    assert failed and all(c.cells for c in failed)
    assert all(set(c.to_dict()) == {"rule", "ok", "detail"} for c in report.checks)


def test_a_2021_report_printing_other_beside_its_split_rows_names_the_rows_the_rule_added() -> None:
    """The one place the keys differ from the detail's reading: the rule adds the split rows, so the
    printed （六）其他处理 row (not read) is no longer marked, where the detail's reading marked every
    outcome row of either template."""
    report = parse_text(both_other_report())
    total = report.cell("requests", "total", "total")
    assert total is not None and total.value == 7
    total.value = 8
    report.checks = evaluate(report.template, report.tables)
    outcomes = {k for c in report.checks if c.rule == "requests.outcomes_sum" and not c.ok for k in c.cells}
    assert ("requests", "", "other_other", "total") in outcomes
    assert ("requests", "", "other", "total") not in outcomes
    assert ("r", "requests.outcomes_sum", "requests", "", "other", "total") in _old_rows(report)
