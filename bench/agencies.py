"""How well the agency register places real names: division codes right, wrong, left empty.

    .venv/bin/python bench/agencies.py [--gold tests/data/agencies-gold.tsv] [--verbose]

Reads the hand-checked list (name, GB/T 2260 code, level, kind, and the context a report would give:
its title and the portal's region code), runs the register (archive/agencies.py) on each name and prints
three figures over the codes: right (the same code, or empty where the list says nothing settles it),
wrong (a different code, or a code where the list has none), and empty (left empty where the list has
a code; each with the register's reason). Targets: right ≥ 98 %, wrong ≤ 0.5 %. Level and kind
agreement are printed too. Every wrong answer and every empty one is listed.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.agencies import identify

GOLD = Path(__file__).resolve().parents[1] / "tests" / "data" / "agencies-gold.tsv"


@dataclass(frozen=True)
class GoldRow:
    name: str
    code: str
    level: str
    kind: str
    title: str
    region_code: str
    source: str


def read_gold(path: Path = GOLD) -> list[GoldRow]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines: Iterator[str] = (line for line in fh if not line.startswith("#"))
        return [GoldRow(**row) for row in csv.DictReader(lines, delimiter="\t")]


@dataclass(frozen=True)
class Score:
    right: int
    wrong: list[tuple[GoldRow, str | None]]
    empty: list[tuple[GoldRow, str | None]]
    level_right: int
    kind_right: int
    total: int


def score(rows: list[GoldRow]) -> Score:
    """Run the register on every gold name with its context and compare."""
    right = level_right = kind_right = 0
    wrong: list[tuple[GoldRow, str | None]] = []
    empty: list[tuple[GoldRow, str | None]] = []
    for row in rows:
        agency = identify(row.name, title=row.title or None, region_code=row.region_code or None,
                          host="bench.example")
        code = agency.code if agency else None
        if (code or "") == row.code:
            right += 1
        elif code is None:
            empty.append((row, agency.reason if agency else "no name"))
        else:
            wrong.append((row, code))
        level_right += int(((agency.level if agency else None) or "") == row.level)
        kind_right += int((agency.kind if agency else None) == row.kind)
    return Score(right, wrong, empty, level_right, kind_right, len(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--verbose", action="store_true", help="Also list every name with its answer.")
    args = parser.parse_args()
    rows = read_gold(args.gold)
    start = time.perf_counter()
    result = score(rows)
    took = time.perf_counter() - start
    n = result.total
    print(f"agency register on {n} hand-checked names ({len({r.name for r in rows})} distinct) in {took:.2f}s")
    print(f"  codes right: {result.right}/{n} = {100 * result.right / n:.1f} %  (target >= 98 %)")
    print(f"  codes wrong: {len(result.wrong)}/{n} = {100 * len(result.wrong) / n:.1f} %  (target <= 0.5 %)")
    print(f"  codes empty: {len(result.empty)}/{n} = {100 * len(result.empty) / n:.1f} %  (each with its reason)")
    print(f"  level right: {result.level_right}/{n};  kind right: {result.kind_right}/{n}")
    for row, got in result.wrong:
        print(f"  WRONG {row.name} (title {row.title or '-'}, region {row.region_code or '-'}): {got}, "
              f"list says {row.code or 'empty'}")
    for row, reason in result.empty:
        print(f"  empty {row.name}: {reason} (list says {row.code})")
    if args.verbose:
        for row in rows:
            agency = identify(row.name, title=row.title or None, region_code=row.region_code or None)
            print(f"  {row.name}\t{agency.code if agency else None}\t{agency.level if agency else None}\t"
                  f"{agency.kind if agency else None}")


if __name__ == "__main__":
    main()
