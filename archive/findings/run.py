"""The findings pass: read the archive's current reports once, compute every finding, replace the
`flags` and `coverage` tables in one transaction. Run at the end of add, crawl, merge and rebuild.

Findings are derived data like cells and checks: recomputed from the archive, never edited by hand, and
the same after `nianbao rebuild` (they are judged as of the archive's newest fetch, not today).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any

from archive.findings import copies, tables, timeliness, versions
from archive.findings.deadlines import Deadlines
from archive.findings.model import Flag
from archive.findings.narrative import Statement, statements
from archive.findings.snapshot import Snapshot, load


@dataclass
class Findings:
    flags: list[Flag] = field(default_factory=list)
    coverage: list[dict[str, Any]] = field(default_factory=list)
    as_of: date | None = None


SectionRow = tuple[str, int, int | None, str | None, str | None, str | None]  # report, seq, number, kind, heading, text


def _sections(conn: sqlite3.Connection, snap: Snapshot) -> Iterator[list[SectionRow]]:
    """The sections of the current reports, one agency at a time. Reports are ordered in memory and their
    sections read by the (report_id, seq) index: ORDER BY agency over the sections themselves made
    SQLite sort every section's text."""
    order = sorted(snap.reports.values(), key=lambda r: (r.key or "", r.id))
    for _key, reports in groupby(order, key=lambda r: r.key or f"?{r.id}"):
        yield [(rid, *row) for rid in (r.id for r in reports) for row in conn.execute(
            "SELECT seq, number, kind, heading, text FROM sections WHERE report_id = ? ORDER BY seq", [rid])]


def compute(conn: sqlite3.Connection, *, as_of: date | None = None, rules: Deadlines | None = None) -> Findings:
    snap: Snapshot = load(conn, as_of)
    rules = rules or Deadlines.load()
    out = Findings(as_of=snap.as_of)
    watched = timeliness.host_watch_start(conn)
    judged = {rid: timeliness.judge(rep, rules, watched) for rid, rep in snap.reports.items()}
    for t in judged.values():
        if (f := timeliness.flag(t)) is not None:
            out.flags.append(f)
    out.coverage = timeliness.coverage(snap, judged, rules)
    for rep in snap.reports.values():
        for check in (tables.continuity_requests, tables.continuity_active):
            if (f := check(rep, snap)) is not None:
                out.flags.append(f)

    # Pass 1 over the text: what the narrative states, and which sentences are everyone's stock.
    said: dict[str, list[tuple[str, Statement]]] = {}
    stock = copies.StockSentences()
    for rows in _sections(conn, snap):
        hashes: list[int] = []
        for rid, _seq, _number, kind, _heading, text in rows:
            rep = snap.reports[rid]
            found = statements(text or "", rep.year)
            if found:
                said.setdefault(rid, []).extend((kind or "", st) for st in found)
            hashes.extend(copies.stock_hash(s) for s in copies.sentences(text or ""))
        stock.add_agency(hashes)
    stock.finish()
    for rid, rep in snap.reports.items():
        out.flags.extend(tables.narrative_mismatches(rep, said.get(rid, [])))
        if (f := tables.zero_tables(rep, said.get(rid, []))) is not None:
            out.flags.append(f)

    # Pass 2: each long-enough section's own text, then the copies among them.
    owns: list[copies.Own] = []
    for rows in _sections(conn, snap):
        for rid, seq, number, kind, heading, text in rows:
            if not text or len(text) < copies.MIN_CHARS:
                continue
            own = copies.own_text(text, stock)
            if len(own) >= copies.MIN_CHARS:
                owns.append(copies.Own(snap.reports[rid], seq, number, kind or "", heading, own))
    out.flags.extend(copies.find_copies(owns, snap))
    out.flags.extend(versions.edited(conn, snap))
    out.flags.extend(versions.taken_down(conn, snap))
    out.flags.sort(key=lambda f: (f.report_id, f.code, f.detail))
    return out


def flag_rows(flags: list[Flag]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    seq: dict[tuple[str, str], int] = {}
    for f in flags:
        n = seq[(f.report_id, f.code)] = seq.get((f.report_id, f.code), 0) + 1
        rows.append((f.report_id, f.code, n, f.detail, json.dumps(f.evidence, ensure_ascii=False, sort_keys=True),
                     f.other_report_id))
    return rows


def refresh(conn: sqlite3.Connection, *, as_of: date | None = None) -> Findings:
    """Recompute the findings and store them (flags, coverage, the as-of day in archive_meta)."""
    found = compute(conn, as_of=as_of)
    with conn:
        conn.execute("DELETE FROM flags")
        conn.executemany("INSERT INTO flags (report_id, code, seq, detail, evidence, other_report_id) "
                         "VALUES (?, ?, ?, ?, ?, ?)", flag_rows(found.flags))
        conn.execute("DELETE FROM coverage")
        cols = ("agency_key", "agency", "year", "province", "agency_kind", "status", "deadline", "report_id",
                "published", "date_source", "days_late")
        conn.executemany(f"INSERT INTO coverage ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                         [tuple(row[c] for c in cols) for row in found.coverage])
        assert found.as_of is not None
        for key, value in (("findings_as_of", found.as_of.isoformat()),
                           ("findings_year", str(found.as_of.year - 1))):
            conn.execute("INSERT OR REPLACE INTO archive_meta (key, value) VALUES (?, ?)", [key, value])
    return found


__all__ = ["Findings", "compute", "refresh"]
