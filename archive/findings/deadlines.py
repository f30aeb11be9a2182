"""Publication deadlines (条例 第四十九条) and the editable per-province rule table (deadlines.tsv)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from archive.findings.agencies import AgencyKind

RULES_FILE = Path(__file__).with_name("deadlines.tsv")
# The two the 条例 fixes nationally: a province's table cannot move them.
STATUTORY: dict[str, str] = {"department": "01-31", "government": "03-31"}


@dataclass(frozen=True)
class Deadlines:
    """(province or '*', kind) → MM-DD of the year after the one covered."""

    rules: dict[tuple[str, str], str]

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> Deadlines:
        rules: dict[tuple[str, str], str] = {}
        with path.open(encoding="utf-8") as fh:
            lines = [line for line in fh if line.strip() and not line.startswith("#")]
        for row in csv.DictReader(lines, delimiter="\t"):
            month_day = row["deadline"].strip()
            date(2001, int(month_day[:2]), int(month_day[3:]))  # a bad row fails here, with its value
            rules[(row["province"].strip(), row["kind"].strip())] = month_day
        for kind in ("department", "government", "township", "other"):
            if ("*", kind) not in rules and kind not in STATUTORY:
                raise ValueError(f"{path}: no default (*) deadline for {kind}")
        return cls(rules)

    def rule(self, kind: AgencyKind, province: str | None) -> tuple[str, str]:
        """(MM-DD, where it comes from) for a body of this kind in this province."""
        if kind in STATUTORY:
            return STATUTORY[kind], "条例第四十九条"
        if province and (province, kind) in self.rules:
            return self.rules[(province, kind)], f"{province}规定 (deadlines.tsv)"
        return self.rules[("*", kind)], "默认规则 (deadlines.tsv)"

    def deadline(self, year: int, kind: AgencyKind, province: str | None) -> tuple[date, str]:
        """The last day a report covering `year` may be published on time."""
        month_day, source = self.rule(kind, province)
        return date(year + 1, int(month_day[:2]), int(month_day[3:])), source
