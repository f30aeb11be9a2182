"""`nianbao merge`: put archives crawled on several machines (`nianbao crawl --shard K/N`) into one.

Why replay and not a table copy: the parsed tables are derived, and one report may have been found by
two machines (an aggregator on one links a portal crawled by the other). Merging copies what was
fetched — raw bytes, the fetch log, documents' provenance, blocked hosts, registry bodies — and hands every
(page, documents) pair to `Archive.replay`, exactly as `nianbao rebuild` does: the same report
becomes one report, with versions ordered by when they were first seen, whichever machine saw it, and
a page one machine saw without its attachments yields to the other machine's fuller copy.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from archive.lock import WriterLock
from archive.raw import RawStore
from archive.rebuild import copy_table
from archive.store import Archive, default_raw_root


def merge(db_path: str | Path, sources: Iterable[str | Path], *,
          progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Merge each source archive into the one at db_path (created when missing). Returns counts."""
    counts = {"files": 0, "fetches": 0, "sources": 0, "reports": 0, "failed": 0}
    with Archive(db_path) as into:
        found: list[Row] = []
        for src_path in map(Path, sources):
            if not src_path.is_file():
                raise FileNotFoundError(f"no archive at {src_path}")
            if src_path.resolve() == into.db_path.resolve():
                raise ValueError(f"{src_path} is the archive being merged into")
            with WriterLock(src_path):  # no crawl writes the source while it is read
                found += _copy_fetched(into, src_path, counts)
        # In the order first seen, whichever machine saw it; a page seen without its attachments on one
        # machine and with them on another is one version (Archive._same_publication).
        rows = sorted(found, key=lambda r: (r[3] or "", r[0]))
        for n, (page_url, docs, hints, first_seen, last_seen) in enumerate(rows, start=1):
            outcome = into.replay(docs, page_url=page_url, hints=hints, first_seen=first_seen, last_seen=last_seen)
            counts["sources"] += 1
            counts["failed" if outcome.status == "failed" else "reports"] += 1
            if progress:
                progress(n, len(rows))
        counts["flags"] = into.refresh_findings()
    return counts


Row = tuple[str, list[str], dict[str, object], str, str]  # page_url, documents, hints, first_seen, last_seen


def _copy_fetched(into: Archive, src_path: Path, counts: dict[str, int]) -> list[Row]:
    """Raw bytes, documents' provenance, the fetch log, blocked hosts and registry bodies of src_path into `into`;
    returns src_path's (page, documents) rows to replay."""
    raw = RawStore(default_raw_root(src_path))
    src = sqlite3.connect(src_path)
    try:
        for sha, url, final_url, ctype, size, first, last in src.execute(
                "SELECT sha256, url, final_url, content_type, size, first_fetched_at, last_fetched_at FROM documents"):
            if not raw.has(sha):
                continue  # a row without bytes (a source copied without its -raw folder): nothing to keep
            if not into.raw.has(sha):
                into.raw.put(raw.get(sha))
                counts["files"] += 1
            with into.db.conn:
                for when in {first, last} - {None}:
                    into.record_document(sha, url=url, final_url=final_url, content_type=ctype, size=size,
                                         fetched_at=when)
        with into.db.conn:  # a fetch's id is a hash of the exchange: the same one twice is one row
            counts["fetches"] += copy_table(src, into, "fetches")
        for host, reason, url, _at, _times in src.execute("SELECT host, reason, url, blocked_at, times FROM blocked"):
            into.mark_blocked(host, reason, url)
        if src.execute("SELECT 1 FROM sqlite_master WHERE name = 'registry_bodies'").fetchone():  # older parts lack it
            into.register_bodies({"name": portal, "region_code": code} for code, portals in src.execute(
                "SELECT region_code, portals FROM registry_bodies") for portal in json.loads(portals or "[]") or [""])
        rows: list[Row] = []
        for page_url, documents, hints, first_seen, last_seen in src.execute(
                "SELECT page_url, documents, hints, first_seen, last_seen FROM report_sources "
                "ORDER BY first_seen, rowid"):
            docs = [d for d in json.loads(documents) if into.raw.has(d)]
            if docs:
                rows.append((page_url, docs, json.loads(hints or "{}"), first_seen, last_seen))
        return rows
    finally:
        src.close()
