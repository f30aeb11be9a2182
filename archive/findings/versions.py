"""`edited_after_publication` (a later version changes numbers or text) and `taken_down` (the page later
answered 404/410 or sent us to the home page, while the archive keeps the copy)."""

from __future__ import annotations

import itertools
import sqlite3
import urllib.parse
from collections import defaultdict
from typing import Any

from archive.findings.model import Flag
from archive.findings.snapshot import Snapshot

GONE = frozenset({404, 410})
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php",
                         "/default.html", "/default.htm"})


def _versions(conn: sqlite3.Connection, snap: Snapshot) -> dict[str, list[tuple[str, int, str | None]]]:
    """report_key → [(version id, version, first seen)] for reports with more than one version."""
    keys = {r.report_key for r in snap.reports.values()}
    out: dict[str, list[tuple[str, int, str | None]]] = defaultdict(list)
    for key, vid, version, seen in conn.execute(
            "SELECT r.report_key, r.id, r.version, s.first_seen FROM reports r "
            "LEFT JOIN report_sources s ON s.id = r.id WHERE r.report_key IN "
            "(SELECT report_key FROM reports GROUP BY report_key HAVING count(*) > 1) ORDER BY r.version"):
        if key in keys:
            out[key].append((vid, version, seen))
    return out


def _content(conn: sqlite3.Connection, vid: str) -> tuple[dict[tuple[str, str, str, str], Any], dict[str, str]]:
    cells = {(t, p, r, c): v for t, p, r, c, v in conn.execute(
        "SELECT tbl, part, row, col, value FROM cells WHERE report_id = ?", [vid])}
    sections = {f"{kind or 'section'}#{seq}": "".join((text or "").split()) for seq, kind, text in conn.execute(
        "SELECT seq, kind, text FROM sections WHERE report_id = ? ORDER BY seq", [vid])}
    return cells, sections


def edited(conn: sqlite3.Connection, snap: Snapshot) -> list[Flag]:
    """On the current version: each step between consecutive versions that changed cells or text."""
    current = {r.report_key: r for r in snap.reports.values()}
    flags: list[Flag] = []
    for key, versions in _versions(conn, snap).items():
        rep = current[key]
        changes: list[dict[str, Any]] = []
        for (old_id, old_v, old_seen), (new_id, new_v, new_seen) in itertools.pairwise(versions):
            old_cells, old_text = _content(conn, old_id)
            new_cells, new_text = _content(conn, new_id)
            cells = [{"cell": "/".join(k), "before": old_cells.get(k), "after": new_cells.get(k)}
                     for k in sorted(old_cells.keys() | new_cells.keys()) if old_cells.get(k) != new_cells.get(k)]
            sections = sorted(k for k in old_text.keys() | new_text.keys() if old_text.get(k) != new_text.get(k))
            if cells or sections:
                changes.append({"from_version": old_v, "to_version": new_v, "from_report_id": old_id,
                                "to_report_id": new_id, "from_seen": old_seen, "to_seen": new_seen,
                                "cells": cells, "sections": sections})
        if not changes:
            continue
        text = "; ".join(
            f"v{c['from_version']} ({(c['from_seen'] or '?')[:10]}) → "
            f"v{c['to_version']} ({(c['to_seen'] or '?')[:10]}): "
            + ", ".join([*(f"{x['cell']} {x['before']} → {x['after']}" for x in c["cells"][:5]),
                         *([f"…{len(c['cells']) - 5} more cells"] if len(c["cells"]) > 5 else []),
                         *(f"text of {s} changed" for s in c["sections"])])
            for c in changes)
        flags.append(Flag(rep.id, "edited_after_publication", text, {"changes": changes},
                          other_report_id=changes[0]["from_report_id"]))
    return flags


def _home(url: str | None, page_url: str) -> bool:
    if not url or url == page_url:
        return False
    parts = urllib.parse.urlsplit(url)
    return parts.path in _HOME_PATHS and not parts.query


def taken_down(conn: sqlite3.Connection, snap: Snapshot) -> list[Flag]:
    """The newest fetch of the report's page, after it was last seen, says it is gone."""
    flags: list[Flag] = []
    for rep in snap.reports.values():
        if not rep.page_url or not rep.page_url.startswith(("http://", "https://")):
            continue
        row = conn.execute("SELECT status, final_url, fetched_at FROM fetches WHERE url = ? "
                           "ORDER BY fetched_at DESC LIMIT 1", [rep.page_url]).fetchone()
        if row is None:
            continue
        status, final_url, fetched_at = row
        gone = status in GONE or (status is not None and status < 400 and _home(final_url, rep.page_url))
        last_ok = conn.execute("SELECT max(fetched_at) FROM fetches WHERE url = ? AND status = 200 "
                               "AND (final_url IS NULL OR final_url = url)", [rep.page_url]).fetchone()[0]
        if not gone or (last_ok and last_ok >= fetched_at):
            continue
        how = f"HTTP {status}" if status in GONE else f"跳转到首页 {final_url}"
        flags.append(Flag(rep.id, "taken_down",
                          f"{fetched_at[:10]} 再次抓取时 {how}; 上次可见 {(last_ok or '?')[:10]}; 本库保留原件",
                          {"checked_at": fetched_at, "status": status, "final_url": final_url,
                           "last_seen_ok": last_ok}))
    return flags
