"""`nianbao export`: the archive back out as contract JSON lines or the key-figures CSV.

JSONL is one document per current report in the shape of ../shared/schema/REPORT-SCHEMA.md (plus our
`warnings`): the model rebuilt from the tables (`archive.rows.report_from_rows`) as its own `to_dict`
writes it, with `report_id`, `version`, `url`, `document` and `fetched_at` added, so a consumer needs
neither SQLite nor the parser. A report is counted once however many pages link it: both formats also
carry the agency register's view (`agency_id`, `agency_code`, `province`, `city`, `county`, `level`,
`agency_kind`) and every `sightings` of the report (URL, host, the list page that linked it, first and
last seen). JSONL's `agency` is the register's normalised name (the contract's reporting body without a
glued year or 图片版); `agency_as_printed` keeps the parser's reading.
JSONL also carries `flags`: the report's findings
(archive/findings/), each `{"code", "detail", "rule", "other_report_id"?, …evidence}`. The CSV has the key
figures and one `flag_<code>` column per finding code (how many findings of that code), plus `days_late`.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from archive.findings.model import FLAG_CODES
from archive.rows import report_from_rows

CONTRACT_KEYS = ("title", "agency", "year", "published", "template", "script", "sections", "tables", "checks",
                 "source", "warnings")
AGENCY_KEYS = ("agency_as_printed", "agency_id", "agency_code", "province", "city", "county", "level", "agency_kind")
SIGHTING_KEYS = ("url", "host", "listed_on", "first_seen", "last_seen", "same_document")


def sightings(conn: sqlite3.Connection, report_id: str) -> list[dict[str, Any]]:
    """Every place the report was seen (the report_sightings view), first seen first."""
    cur = conn.execute("SELECT page_url, host, listed_on, first_seen, last_seen, same_document FROM report_sightings "
                       "WHERE report_id = ? ORDER BY first_seen, page_url", [report_id])
    return [{**dict(zip(SIGHTING_KEYS, row, strict=True)), "same_document": bool(row[5])} for row in cur]


REPORT_SQL = "SELECT r.*, d.first_fetched_at FROM reports r LEFT JOIN documents d ON d.sha256 = r.document "


def report_documents(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Contract dicts for every current report, in a stable order (agency, year, id)."""
    conn.row_factory = sqlite3.Row
    for r in conn.execute(REPORT_SQL + "WHERE r.is_current = 1 ORDER BY r.agency, r.year, r.id").fetchall():
        yield _document(conn, r)


def report_document(conn: sqlite3.Connection, report_id: str) -> dict[str, Any] | None:
    """The contract dict of one report version (current or not), as the export writes it; None if unknown.
    Sets conn.row_factory to sqlite3.Row (a caller sharing the connection restores its own)."""
    conn.row_factory = sqlite3.Row
    r = conn.execute(REPORT_SQL + "WHERE r.id = ?", [report_id]).fetchone()
    return None if r is None else _document(conn, r)


def _document(conn: sqlite3.Connection, r: sqlite3.Row) -> dict[str, Any]:
    """One report row and its sections, cells, checks, sightings and flags as one contract dict: the
    model's own JSON (`Report.to_dict`) with the archive's fields after it."""
    rid = r["id"]
    report = report_from_rows(
        r,
        conn.execute("SELECT * FROM sections WHERE report_id = ? ORDER BY seq", [rid]),
        conn.execute("SELECT * FROM cells WHERE report_id = ? ORDER BY seq", [rid]),
        conn.execute("SELECT * FROM checks WHERE report_id = ? ORDER BY rowid", [rid]))
    return {
        **report.to_dict(),
        "report_id": rid, "version": r["version"], "url": r["page_url"], "document": r["document"],
        "fetched_at": r["first_fetched_at"],
        **{k: r[k] for k in AGENCY_KEYS}, "sightings": sightings(conn, rid),
        "flags": [_flag(f) for f in conn.execute(
            "SELECT code, detail, other_report_id, evidence FROM flags WHERE report_id = ? ORDER BY code, seq",
            [rid])],
    }


def _flag(row: sqlite3.Row) -> dict[str, Any]:
    out: dict[str, Any] = {"code": row["code"], "detail": row["detail"],
                           "rule": FLAG_CODES.get(row["code"], ("", ""))[1]}
    if row["other_report_id"]:
        out["other_report_id"] = row["other_report_id"]
    out.update(json.loads(row["evidence"] or "{}"))
    return out


def _csv_query() -> str:
    """The key-figures view with a count per finding code and the days late."""
    counts = ", ".join(f"coalesce(sum(g.code = '{code}'), 0) AS flag_{code}" for code in FLAG_CODES)
    return (f"SELECT f.*, {counts}, max(CASE WHEN g.code = 'late' THEN json_extract(g.evidence, '$.days_late') END) "
            "AS days_late FROM report_figures f LEFT JOIN flags g ON g.report_id = f.report_id "
            "GROUP BY f.report_id ORDER BY f.agency, f.year, f.report_id")


def export(db_path: str | Path, out: TextIO, fmt: str = "jsonl") -> int:
    """Write the export to out; returns how many records were written."""
    conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'flags'").fetchone() is None:
            # an archive from before the findings: none to export (the next add, crawl or rebuild makes them)
            conn.execute("CREATE TEMP TABLE flags (report_id, code, seq, detail, evidence, other_report_id)")
        if fmt == "jsonl":
            n = 0
            for doc in report_documents(conn):
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
                n += 1
            return n
        if fmt == "csv":
            cur = conn.execute(_csv_query())
            writer = csv.writer(out)
            writer.writerow([*(d[0] for d in cur.description), "sightings"])
            n = 0
            for row in cur.fetchall():  # sightings: the URLs, first seen first, in one cell
                writer.writerow([*row, " ".join(s["url"] for s in sightings(conn, row[0]))])
                n += 1
            return n
        raise ValueError(f"unknown export format {fmt!r} (jsonl or csv)")
    finally:
        conn.close()
