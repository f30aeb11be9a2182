"""The resolver against the hand-checked list of real agency names (tests/data/agencies-gold.tsv).

bench/agencies.py prints the figures; this test holds the line: no code ever wrong, at least 98 % right.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from typing import Any

from archive.agencies import KINDS, LEVELS
from archive.divisions import table


@functools.cache
def _bench() -> Any:
    """bench/agencies.py (a script, not a package): its gold reader and scorer, shared with the test."""
    spec = importlib.util.spec_from_file_location("bench_agencies", Path(__file__).parents[1] / "bench" / "agencies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_gold_list_is_well_formed() -> None:
    rows = _bench().read_gold()
    assert len(rows) >= 300 and len({r.code[:2] for r in rows if r.code}) >= 31, "every province"
    assert {r.level for r in rows} >= set(LEVELS) and {r.kind for r in rows} >= set(KINDS) - {"其他"}
    assert all(r.code == "" or r.code in table() for r in rows), "codes of current divisions"
    assert sum(1 for r in rows if not r.code) >= 10, "ambiguous names nothing settles"


def test_the_resolver_places_the_gold_names() -> None:
    result = _bench().score(_bench().read_gold())
    assert result.wrong == [], "no code is ever guessed wrong"
    assert result.right >= 0.98 * result.total
    assert all(reason for _row, reason in result.empty), "every empty place says why"
