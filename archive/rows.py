"""A parsed Report as rows of the archive's derived tables (sections, cells, checks, FTS text), and back.

Pure functions: no database here, so the row shapes can be tested, and a parse worker can derive a
report's rows beside its parse (`derive`; the package's lazy imports keep sqlite-utils out of a worker).
`report_from_rows` is the inverse the export uses, so its JSON is the model's own `Report.to_dict`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from archive.cjk import segment
from archive.identity import content_key, figures_key
from extract.model import Cell, Check, Report, Section, Source

# Each derived table's columns after `report_id` (sections: after `id, report_id`), in insert order.
SECTION_COLUMNS = ("seq", "number", "kind", "heading", "text")
CELL_COLUMNS = ("tbl", "part", "row", "col", "value", "raw", "seq")
CHECK_COLUMNS = ("rule", "ok", "detail")
CHECK_CELL_COLUMNS = ("rule", "tbl", "part", "row", "col")

Row = tuple[Any, ...]


def cell_tuples(report: Report) -> list[Row]:
    """Long-form cells; `part` is the item (active_disclosure) or group (review_litigation), else ''.
    A cell printed twice under the same labels keeps its last value and its first place."""
    rows: dict[tuple[str, str, str, str], Row] = {}
    seq = 0
    for tbl, cells in report.tables.items():
        for c in cells:
            part = c.item or c.group or ""
            key = (tbl, part, c.row or "", c.column)
            seq += 1
            rows[key] = (tbl, part, c.row or "", c.column, c.value, c.raw, seq)
    return list(rows.values())


def section_tuples(report: Report) -> list[Row]:
    return [(seq, s.number, s.kind, s.heading, s.text) for seq, s in enumerate(report.sections, start=1)]


def check_tuples(report: Report) -> list[Row]:
    rows: dict[str, Row] = {}
    for c in report.checks:
        rows[c.rule] = (c.rule, int(c.ok), c.detail)
    return list(rows.values())


def check_cell_tuples(report: Report) -> list[Row]:
    """The cells each failed check read (`Check.cells`), for the 数字对不上 query and the report page."""
    return [(c.rule, *k) for c in report.checks if not c.ok for k in dict.fromkeys(c.cells)]


def _dicts(report_id: str, columns: tuple[str, ...], rows: list[Row]) -> list[dict[str, Any]]:
    return [{"report_id": report_id, **dict(zip(columns, row, strict=True))} for row in rows]


def cell_rows(report_id: str, report: Report) -> list[dict[str, Any]]:
    return _dicts(report_id, CELL_COLUMNS, cell_tuples(report))


def section_rows(report_id: str, report: Report) -> list[dict[str, Any]]:
    return [{"id": f"{report_id}:{row['seq']}", **row}
            for row in _dicts(report_id, SECTION_COLUMNS, section_tuples(report))]


def check_rows(report_id: str, report: Report) -> list[dict[str, Any]]:
    return _dicts(report_id, CHECK_COLUMNS, check_tuples(report))


def check_cell_rows(report_id: str, report: Report) -> list[dict[str, Any]]:
    return _dicts(report_id, CHECK_CELL_COLUMNS, check_cell_tuples(report))


def fts_body(sections: list[tuple[str, str]]) -> str:
    """The whole report's indexed body: every (already segmented) section's heading and text."""
    return "\n".join(f"{heading}\n{text}" for heading, text in sections)


@dataclass(frozen=True)
class Derived:
    """What storing a report needs that depends on the report alone, in the column order of the inserts.

    Why: the archive has one writer, and on a machine of N cores it is the part that does not divide by N
    (bench/rebuild.py). So a parse worker derives these beside the parse (archive/workers.py) and the
    writer only adds the report id and writes them; a report parsed elsewhere is derived by the writer."""

    content_key: str
    figures_key: str
    sections: list[Row]
    cells: list[Row]
    checks: list[Row]
    check_cells: list[Row]
    fts_sections: list[tuple[str, str]]  # (heading, text) of each section, segmented, in `sections` order


def derive(report: Report) -> Derived:
    return Derived(content_key=content_key(report), figures_key=figures_key(report),
                   sections=section_tuples(report), cells=cell_tuples(report), checks=check_tuples(report),
                   check_cells=check_cell_tuples(report),
                   fts_sections=[(segment(s.heading), segment(s.text)) for s in report.sections])


class Fields(Protocol):
    """A row read by column name: a dict, or the sqlite3.Row the export reads."""

    def __getitem__(self, key: str, /) -> Any: ...


def report_from_rows(report: Fields, sections: Iterable[Fields], cells: Iterable[Fields],
                     checks: Iterable[Fields]) -> Report:
    """The Report a `reports` row and its sections, cells (in `seq` order) and checks were made from."""
    out = Report(
        title=report["title"], agency=report["agency"], year=report["year"], published=report["published"],
        template=report["template"], script=report["script"],
        sections=[Section(s["number"], s["kind"], s["heading"], s["text"]) for s in sections],
        checks=[Check(k["rule"], bool(k["ok"]), k["detail"]) for k in checks],
        source=Source(report["source_format"], report["reader"], bool(report["ocr"])),
        warnings=json.loads(report["warnings"] or "[]"),
    )
    for c in cells:
        part = c["part"] or None
        out.tables.setdefault(c["tbl"], []).append(Cell(
            c["row"] or None, c["col"], c["value"], c["raw"],
            item=part if c["tbl"] == "active_disclosure" else None,
            group=part if c["tbl"] == "review_litigation" else None))
    return out
