"""Every hand-checked gold report parses exactly: every cell, every section, every metadata field.

Scored with ../shared/tools/score_report.py itself, so a pass here is a pass by the project's scorer.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from extract import parse_report
from extract.model import Cell

from .shared import GOLD_SEEDS, SEEDS, need_shared, scorer

GOLD = sorted(GOLD_SEEDS.glob("*.json")) if GOLD_SEEDS.is_dir() else []


@pytest.mark.parametrize("gold_path", GOLD, ids=[p.stem for p in GOLD])
def test_seed_matches_gold(gold_path: Path) -> None:
    need_shared()
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    parsed = parse_report((SEEDS / f"{gold_path.stem}.txt").read_bytes()).to_dict()
    result = scorer().score(gold, parsed)
    assert result["wrong"] == [], "cells differ: (table, item/group, row, column), gold, parsed"
    assert result["extra"] == [], "cells the gold does not have"
    assert result["sections_ok"], result["sections"]
    assert all(result["meta"].values()), {k: (gold.get(k), parsed.get(k)) for k in result["meta"]}
    assert parsed["script"] == gold["script"]


def test_gold_is_present() -> None:
    """The parametrised test above must not silently test nothing."""
    need_shared()
    assert len(GOLD) >= 5


@pytest.mark.parametrize("gold_path", GOLD, ids=[p.stem for p in GOLD])
def test_seed_checks_hold(gold_path: Path) -> None:
    """The seeds' numbers add up (their gold has no failing cells), so every evaluated check is ok."""
    need_shared()
    parsed = parse_report((SEEDS / f"{gold_path.stem}.txt").read_bytes())
    assert {c.rule for c in parsed.checks} == {
        "requests.balance", "requests.outcomes_sum", "requests.columns_sum", "review_litigation.group_sum"}
    assert all(c.ok for c in parsed.checks), [c.detail for c in parsed.checks if not c.ok]


@pytest.mark.parametrize("gold_path", GOLD, ids=[p.stem for p in GOLD])
def test_every_cell_has_every_field(gold_path: Path) -> None:
    """The requests reader builds cells without Cell.__init__ (for speed): each field must still be set,
    so a field added to Cell and forgotten there fails here, not in a reader of the archive."""
    need_shared()
    report = parse_report((SEEDS / f"{gold_path.stem}.txt").read_bytes())
    names = [f.name for f in fields(Cell)]
    cells = [c for table in report.tables.values() for c in table]
    assert cells
    for cell in cells:
        for name in names:
            getattr(cell, name)  # AttributeError on a slot never set
        assert cell == Cell(*(getattr(cell, n) for n in names))
