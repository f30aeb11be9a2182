"""The parsed-report contract as dataclasses that serialise to exactly the JSON of REPORT-SCHEMA.md."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Number = int | float
Template = Literal["2019", "2021"]
SourceFormat = Literal["html", "pdf", "docx", "doc", "wps", "ofd", "xlsx", "image", "text"]


class ParseError(ValueError):
    """The input is not a report we can read (empty, binary, not a report); the message says why."""


@dataclass(slots=True)
class Cell:
    """One table cell. `item` only in active_disclosure, `group` only in review_litigation (which has no row)."""

    row: str | None
    column: str
    value: Number | None
    raw: str | None
    item: str | None = None
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.item is not None:
            out["item"] = self.item
        if self.group is not None:
            out["group"] = self.group
        if self.row is not None:
            out["row"] = self.row
        out["column"] = self.column
        out["value"] = self.value
        out["raw"] = self.raw
        return out

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.item or self.group or "", self.row or "", self.column)


@dataclass(slots=True)
class Section:
    number: int
    kind: str
    heading: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "heading": self.heading, "text": self.text}


CellKey = tuple[str, str, str, str]  # (table, item or group or "", row or "", column), as the archive keys cells


@dataclass(slots=True)
class Check:
    """One rule's verdict. `cells` are the keys of the cells its failing comparisons read (none when it
    holds), so a reader can be shown the numbers that do not add up; they are not part of the contract's
    JSON, and two checks with the same verdict are equal whichever cells they name."""

    rule: str
    ok: bool
    detail: str
    cells: tuple[CellKey, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "ok": self.ok, "detail": self.detail}


@dataclass(slots=True)
class Source:
    format: SourceFormat
    reader: str
    ocr: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "reader": self.reader, "ocr": self.ocr}


@dataclass(slots=True)
class Report:
    """One parsed report. `warnings` is our addition to the contract: where the parser fell back
    (official order instead of labels, a row it could not align), it says so here."""

    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: str | None = None
    template: Template | None = None
    script: Literal["simplified", "traditional"] = "simplified"
    sections: list[Section] = field(default_factory=list)
    tables: dict[str, list[Cell]] = field(
        default_factory=lambda: {"active_disclosure": [], "requests": [], "review_litigation": []}
    )
    checks: list[Check] = field(default_factory=list)
    source: Source = field(default_factory=lambda: Source("text", "nianbao-text"))
    warnings: list[str] = field(default_factory=list)

    @property
    def cell_count(self) -> int:
        return sum(len(cells) for cells in self.tables.values())

    def cell(self, table: str, row: str | None, column: str, *, item: str | None = None,
             group: str | None = None) -> Cell | None:
        """The cell at those codes, or None: handy for readers and tests."""
        for c in self.tables.get(table, ()):
            if c.row == row and c.column == column and (item is None or c.item == item) \
                    and (group is None or c.group == group):
                return c
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published": self.published,
            "template": self.template,
            "script": self.script,
            "sections": [s.to_dict() for s in self.sections],
            "tables": {name: [c.to_dict() for c in cells] for name, cells in self.tables.items()},
            "checks": [c.to_dict() for c in self.checks],
            "source": self.source.to_dict(),
            "warnings": list(self.warnings),
        }

    def to_json(self, *, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
