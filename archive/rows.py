"""A parsed Report as rows of the archive's derived tables (sections, cells, checks, FTS text), and back.

Pure functions: no database here, so the row shapes can be tested and reused by rebuild and bench.
`report_from_rows` is the inverse the export uses, so its JSON is the model's own `Report.to_dict`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol

from archive.cjk import segment
from extract.model import Cell, Check, Report, Section, Source


def cell_rows(report_id: str, report: Report) -> list[dict[str, Any]]:
    """Long-form cells; `part` is the item (active_disclosure) or group (review_litigation), else ''."""
    rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    seq = 0
    for tbl, cells in report.tables.items():
        for c in cells:
            part = c.item or c.group or ""
            key = (tbl, part, c.row or "", c.column)
            seq += 1
            rows[key] = {"report_id": report_id, "tbl": tbl, "part": part, "row": c.row or "", "col": c.column,
                         "value": c.value, "raw": c.raw, "seq": seq}
    return list(rows.values())


def section_rows(report_id: str, report: Report) -> list[dict[str, Any]]:
    return [
        {"id": f"{report_id}:{seq}", "report_id": report_id, "seq": seq, "number": s.number, "kind": s.kind,
         "heading": s.heading, "text": s.text}
        for seq, s in enumerate(report.sections, start=1)
    ]


def check_rows(report_id: str, report: Report) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for c in report.checks:
        rows[c.rule] = {"report_id": report_id, "rule": c.rule, "ok": int(c.ok), "detail": c.detail}
    return list(rows.values())


def check_cell_rows(report_id: str, report: Report) -> list[dict[str, Any]]:
    """The cells each failed check read (`Check.cells`), for the 数字对不上 query and the report page."""
    return [
        {"report_id": report_id, "rule": c.rule, "tbl": k[0], "part": k[1], "row": k[2], "col": k[3]}
        for c in report.checks if not c.ok
        for k in dict.fromkeys(c.cells)
    ]


def fts_report_row(title: str | None, agency: str | None, sections: list[dict[str, str]]) -> dict[str, str]:
    """The segmented text of a whole report: title, agency and every (already segmented) section."""
    body = "\n".join(f"{s['heading']}\n{s['text']}" for s in sections)
    return {"title": segment(title), "agency": segment(agency), "body": body}


def fts_section_row(section: dict[str, Any]) -> dict[str, str]:
    return {"heading": segment(section["heading"]), "text": segment(section["text"])}


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
