"""The current reports and the figures the findings read, loaded once per findings pass.

Why one load: at 100,000 reports the pass must read each table once, in bulk, not per report.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from archive.findings.agencies import agency_key

CellKey = tuple[str, str, str, str]  # tbl, part, row, col
# The cells findings compare; the rest of a table is read only in aggregate (zero_tables).
_WANTED_CELLS = """
(c.tbl = 'requests' AND c.row IN ('new', 'carried_over', 'carried_forward', 'total'))
OR (c.tbl = 'active_disclosure' AND c.row IN ('regulations', 'normative_documents', 'licensing', 'penalty'))
OR (c.tbl = 'review_litigation' AND c.col = 'total')"""


@dataclass
class Current:
    """A current report as findings see it."""

    id: str
    report_key: str
    agency: str | None
    key: str | None  # agency_key()
    year: int | None
    published: str | None
    page_published: str | None  # what the list/portal page said
    first_seen: str | None  # first sighting of any version of this report (its page's first fetch)
    template: str | None
    province: str | None
    level: str | None  # the register's 省级 | 地市级 | 县级 | 乡镇(街道)
    register_kind: str | None  # the register's 人民政府 | 办公厅(室) | 部门 | 派出机构 | 其他
    page_url: str | None
    host: str | None
    cell_count: int
    cells: dict[CellKey, float | None] = field(default_factory=dict)
    requests_cells: int = 0
    requests_nonzero: int = 0

    def value(self, tbl: str, part: str, row: str, col: str) -> float | None:
        return self.cells.get((tbl, part, row, col))

    def has(self, tbl: str, part: str, row: str, col: str) -> bool:
        return (tbl, part, row, col) in self.cells


@dataclass
class Snapshot:
    reports: dict[str, Current]
    as_of: date
    # (agency key, year) → the report that stands for it (the most cells, then the lowest id)
    by_agency_year: dict[tuple[str, int], Current] = field(default_factory=dict)

    def previous(self, report: Current) -> Current | None:
        if report.key is None or report.year is None:
            return None
        return self.by_agency_year.get((report.key, report.year - 1))


def as_of_date(conn: sqlite3.Connection) -> date:
    """The day the archive last looked at the portals (its newest fetch; for `nianbao add`, the newest
    file's time): 'missing' and 'late' are judged as of then, so the findings do not change with the day
    they are recomputed (rebuild keeps the fetch log)."""
    for sql in ("SELECT max(fetched_at) FROM fetches", "SELECT max(last_seen) FROM report_sources"):
        row = conn.execute(sql).fetchone()
        if row and row[0]:
            return date.fromisoformat(row[0][:10])
    return date.today()


def load(conn: sqlite3.Connection, as_of: date | None = None) -> Snapshot:
    reports: dict[str, Current] = {}
    for row in conn.execute(
            "SELECT r.id, r.report_key, r.agency, r.year, r.published, r.template, r.province, r.level, "
            "r.page_url, r.host, r.cells, s.hints, r.agency_id, r.agency_kind, "
            "(SELECT min(min(x.first_seen, coalesce(d.first_fetched_at, x.first_seen))) FROM report_sources x "
            " LEFT JOIN documents d ON d.sha256 = json_extract(x.documents, '$[0]') "
            " WHERE x.report_key = r.report_key) "
            "FROM reports r LEFT JOIN report_sources s ON s.id = r.id WHERE r.is_current = 1"):
        hints: dict[str, Any] = json.loads(row[11] or "{}")
        agency_id, register_kind, first_seen = row[12], row[13], row[14]
        rep = Current(id=row[0], report_key=row[1], agency=row[2], key=None, year=row[3], published=row[4],
                      page_published=hints.get("published"), first_seen=first_seen, template=row[5],
                      province=row[6], level=row[7], register_kind=register_kind, page_url=row[8], host=row[9],
                      cell_count=row[10] or 0)
        rep.key = agency_key({"agency": rep.agency, "agency_id": agency_id})
        reports[rep.id] = rep
    keys: dict[CellKey, CellKey] = {}  # one tuple per cell key, shared by every report (memory at 100,000)
    for rid, tbl, part, r, col, value in conn.execute(
            f"SELECT c.report_id, c.tbl, c.part, c.row, c.col, c.value FROM cells c WHERE {_WANTED_CELLS}"):
        if (holder := reports.get(rid)) is not None:
            key = (tbl, part, r, col)
            holder.cells[keys.setdefault(key, key)] = value
    for rid, n, nonzero in conn.execute(
            "SELECT report_id, count(*), sum(value IS NOT NULL AND value != 0) FROM cells "
            "WHERE tbl = 'requests' GROUP BY report_id"):
        if (holder := reports.get(rid)) is not None:
            holder.requests_cells, holder.requests_nonzero = n, nonzero or 0
    snap = Snapshot(reports, as_of or as_of_date(conn))
    groups: dict[tuple[str, int], list[Current]] = defaultdict(list)
    for rep in reports.values():
        if rep.key is not None and rep.year is not None:
            groups[(rep.key, rep.year)].append(rep)
    snap.by_agency_year = {k: min(v, key=lambda r: (-r.cell_count, r.id)) for k, v in groups.items()}
    return snap
