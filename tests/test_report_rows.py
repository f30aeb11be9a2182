"""A Report turned into the archive's rows and back is the same Report: the export writes the model's own
JSON (`Report.to_dict`) from the rows, so the contract's shape has one home (extract/model.py)."""

from __future__ import annotations

import json
import random

import pytest

from archive.rows import cell_rows, check_rows, report_from_rows, section_rows
from extract import parse_report, parse_text
from extract.model import Report
from tests import reportgen
from tests.shared import SEEDS, need_shared
from tests.test_printed import both_other_report


def _report_row(report: Report) -> dict[str, object]:
    """The fields of a `reports` row that come from the parse (archive/store.py writes the same)."""
    return {"title": report.title, "agency": report.agency, "year": report.year, "published": report.published,
            "template": report.template, "script": report.script, "source_format": report.source.format,
            "reader": report.source.reader, "ocr": int(report.source.ocr),
            "warnings": json.dumps(report.warnings, ensure_ascii=False)}


def _round_trip(report: Report) -> Report:
    return report_from_rows(_report_row(report), section_rows("r", report), cell_rows("r", report),
                            check_rows("r", report))


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else [])
def test_seed_reports_round_trip(seed: str) -> None:
    need_shared()
    report = parse_report((SEEDS / seed).read_bytes())
    assert _round_trip(report).to_dict() == report.to_dict()


@pytest.mark.parametrize("n", range(10))
def test_generated_reports_round_trip(n: int) -> None:
    rng = random.Random(n)
    rendered = reportgen.sample(rng, consistent=n % 2 == 0)
    report = parse_report(rendered.data, content_type=rendered.content_type)
    assert _round_trip(report).to_dict() == report.to_dict()


def test_every_part_of_a_cell_key_comes_back() -> None:
    report = parse_text(both_other_report())
    back = _round_trip(report)
    assert [(c.item, c.group, c.row, c.column) for cells in back.tables.values() for c in cells] == \
        [(c.item, c.group, c.row, c.column) for cells in report.tables.values() for c in cells]
