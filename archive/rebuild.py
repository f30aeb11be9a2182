"""`nianbao rebuild`: re-parse every archived document with the current parser into a fresh database.

Why a fresh file: the parser improves, and derived tables (reports, cells, FTS …) must never mix rows
from two parser versions. Provenance (documents' fetch columns, fetches, report_sources, blocked,
registry_bodies) is copied; everything else is re-made by `Archive.replay` of each add_report call in the order
first seen. The new file is written beside the old and swapped in with os.replace, so readers see the
old or the new database, never half of one. Documents are parsed in `jobs` worker processes (archive/workers.py),
ahead of the one writer that stores them in the original order. A running `nianbao serve` keeps the
old file open: restart it after.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from archive.lock import WriterLock, real_db_path
from archive.store import Archive, default_raw_root
from archive.workers import PIPELINE, Limits, ParsePool

PROVENANCE = {
    "fetches": None,
    "blocked": None,
    "registry_bodies": None,
    "documents": ["sha256", "url", "final_url", "content_type", "size", "first_fetched_at", "last_fetched_at"],
}


def copy_table(src: sqlite3.Connection, dst: Archive, table: str, columns: list[str] | None = None) -> int:
    """Rows of src's table (those columns, default all) into dst's, replacing rows with the same key."""
    cols = columns or [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
    if not cols:  # a table an older archive does not have yet (registry_bodies)
        return 0
    cur = src.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY rowid")
    n = 0
    while batch := cur.fetchmany(2000):
        dst.db.table(table).insert_all((dict(zip(cols, row, strict=True)) for row in batch), replace=True)
        n += len(batch)
    return n


def rebuild(db_path: str | Path, raw_root: str | Path | None = None, *,
            progress: Callable[[int, int], None] | None = None, jobs: int = 1,
            limits: Limits | None = None) -> dict[str, int]:
    """Rebuild db_path in place (atomically), parsing in `jobs` worker processes with `limits`.
    Returns counts: sources replayed, reports, failed."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"no archive at {db_path}")
    raw_root = Path(raw_root) if raw_root is not None else default_raw_root(db_path)
    with WriterLock(db_path), ParsePool(jobs, limits) as pool:  # no crawl or add may write the file being copied
        # the real file: a symlinked archive is rebuilt beside its target and stays a symlink
        return _rebuild(real_db_path(db_path), raw_root, progress, pool)


def _rebuild(db_path: Path, raw_root: Path, progress: Callable[[int, int], None] | None,
             pool: ParsePool) -> dict[str, int]:
    tmp = db_path.with_name(f".{db_path.name}.rebuild-{os.getpid()}")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    src = sqlite3.connect(db_path)  # not read-only: a WAL left by a writer must be readable
    counts = {"sources": 0, "reports": 0, "failed": 0, "flags": 0}
    try:
        sources = src.execute(
            "SELECT page_url, documents, hints, first_seen, last_seen FROM report_sources "
            "ORDER BY first_seen, rowid").fetchall()
        with Archive(tmp, raw_root=raw_root) as new, new.db.conn:
            for table, columns in PROVENANCE.items():
                copy_table(src, new, table, columns)
        with Archive(tmp, raw_root=raw_root) as new:
            new.parse_pool = pool
            ahead = _ParseAhead(new, pool, [json.loads(row[1]) for row in sources])
            with new.batch():  # the file is swapped in only when complete: no commit of its own per report
                for n, (page_url, documents, hints, first_seen, last_seen) in enumerate(sources):
                    ahead.fill(n)
                    outcome = new.replay(json.loads(documents), page_url=page_url, hints=json.loads(hints or "{}"),
                                         first_seen=first_seen, last_seen=last_seen)
                    ahead.done(n)
                    counts["sources"] += 1
                    counts["failed" if outcome.status == "failed" else "reports"] += 1
                    if progress:
                        progress(n + 1, len(sources))
            new.refresh_registry_bodies()  # registry bodies no replayed report named keep their row
            counts["flags"] = new.refresh_findings()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        # Fold any WAL back into the old file now: a WAL left beside the name would be replayed into
        # the new file swapped in under it.
        with contextlib.suppress(sqlite3.OperationalError):
            src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        src.close()
        Path(f"{tmp}.lock").unlink(missing_ok=True)
    os.replace(tmp, db_path)
    return counts


class _ParseAhead:
    """Keeps the pool's workers busy with the documents of the next sources while one source is stored:
    a window of three documents a worker (one parsing, one in its pipe, one queued; each named by its raw
    file, so the window holds paths and parsed reports, never the documents' bytes), so memory stays
    bounded and the writer keeps the order."""

    def __init__(self, archive: Archive, pool: ParsePool, documents: list[list[str]]) -> None:
        self.archive, self.pool, self.documents = archive, pool, documents
        self.next = 0
        self.keys: dict[int, list[object]] = {}

    def fill(self, current: int) -> None:
        window = (1 + PIPELINE) * self.pool.jobs  # every worker busy with one more in its pipe, and one queued
        while self.next < len(self.documents) and (self.next <= current or self.pool.in_flight < window):
            self.keys[self.next] = [self.archive.parse_ahead(sha) for sha in dict.fromkeys(self.documents[self.next])
                                    if self.archive.raw.has(sha)]
            self.next += 1

    def done(self, current: int) -> None:
        for key in self.keys.pop(current, []):  # not asked for (a subset of a version stored already)
            self.pool.forget(key)
