"""The archive: raw bytes in a RawStore, what was fetched and parsed in one SQLite database.

The crawler codes against the public methods of `Archive` below (`crawler/` imports `archive`, never
the reverse): `record_fetch` / `record_failures` (every exchange, every body by SHA-256; cookies and
credentials redacted, archive/private.py), `validators` / `last_ok` (conditional GETs),
`page_archived_elsewhere`, `parsed_already` (a crawl parsing ahead skips what is archived), `add_report`,
`mark_blocked` and `register_bodies`; `rebuild` and `merge` use `replay` and `record_document`. One
writer at a time (archive/lock.py: ArchiveBusy).

add_report: `documents` are sha256s of the report page and its attachments (page first). Each is parsed
with extract.parse_report in a worker process (archive/workers.py); the parse with the most table cells
wins; every failure (a limit or a crash of the worker included) is kept on its document row
(parse_status / parse_error), so an unreadable file is still archived with its reason.
Hints from the list page fill only what the parse lacks. The same canonical page_url with other bytes
is a new version: the old one is kept and `page_current` moves to the version seen last.

A report is one agency's publication for one year, not a URL (archive/identity.py): every row is a
sighting, and `is_current` marks the one row each publication counts — among the documents its pages
show now, the newest published. The agency is placed and identified by the register
(archive/agencies.py), never by the portal that hosted the page.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import sqlite_utils

from archive import rows as rowmaker
from archive.agencies import Agency, identify, registry_body
from archive.cjk import segment
from archive.identity import publication_key
from archive.lock import WriterLock
from archive.private import redact_headers
from archive.raw import RawStore, sha256_hex
from archive.schema import ensure_db_shape
from archive.workers import Outcome, ParsePool, shared_pool
from extract.model import Report

HINT_KEYS = ("title", "year", "agency", "published", "region_code", "level", "host")
# What makes a row part of a report (agency register view and year); shared by every sighting of a document.
IDENTITY_COLUMNS = ("agency", "agency_id", "agency_code", "province", "city", "county", "level", "agency_kind",
                    "agency_parent", "place_evidence", "place_reason", "year", "publication", "unresolved")


@dataclass(frozen=True)
class Fetch:
    """One HTTP exchange as the crawler saw it."""

    url: str
    final_url: str
    status: int | None  # None: no HTTP answer at all (see error)
    headers: list[tuple[str, str]]  # as received; stored with cookies and credentials redacted
    body: bytes
    fetched_at: str  # ISO-8601 UTC
    method: str = "GET"
    referer: str | None = None
    error: str | None = None  # why the crawler got no usable answer or gave up (crawler/failures.py)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


@dataclass(frozen=True)
class ReportOutcome:
    """What add_report did. status: new | new_version | unchanged | reparsed | failed (nothing parsed)."""

    status: Literal["new", "new_version", "unchanged", "reparsed", "failed"]
    report_key: str
    report_id: str | None = None
    version: int | None = None
    is_current: bool = False
    document: str | None = None
    errors: dict[str, str] = field(default_factory=dict)


def now_iso() -> str:
    """UTC to the microsecond: "seen last" decides which version is current, even within one second."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def report_page_url(url: str) -> str:
    """The page URL that names a report across versions: no fragment, no surrounding blanks. (The crawler's
    `crawler.urls.canonical_url` goes further, for dedupe: scheme, host and gkmlpt forms folded.)"""
    return urllib.parse.urldefrag(url.strip())[0]


def report_key(page_url: str) -> str:
    return hashlib.sha1(report_page_url(page_url).encode("utf-8")).hexdigest()[:16]


def version_id(key: str, documents: list[str]) -> str:
    """The same page and the same bytes (attachments in any order) are the same version."""
    ordered = [documents[0], *sorted(documents[1:])]
    return hashlib.sha1("|".join([key, *ordered]).encode("ascii")).hexdigest()[:16]


def fetch_id(fetch: Fetch, sha: str) -> str:
    """The fetches row's key: one exchange (or failure) of one URL at one moment."""
    return hashlib.sha1("\n".join([fetch.method, fetch.url, fetch.fetched_at, sha, str(fetch.status)])
                        .encode("utf-8")).hexdigest()


def default_raw_root(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.parent / f"{p.stem}-raw"


@dataclass
class _Parsed:
    sha: str
    report: Report
    derived: rowmaker.Derived | None = None  # derived by the parse worker, else by _store_report


@dataclass
class _Batch:
    commit_every: int
    reports: int = 0
    agencies: set[str] = field(default_factory=set)  # whose register rows wait for the batch's end


class Archive:
    """The archive at db_path (created when missing) with its raw store (default: <db dir>/<db stem>-raw/)."""

    def __init__(self, db_path: str | Path, raw_root: str | Path | None = None) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = WriterLock(self.db_path).acquire()  # ArchiveBusy while a crawl, add or rebuild writes
        self.raw = RawStore(raw_root if raw_root is not None else default_raw_root(self.db_path))
        try:
            self._open()
        except BaseException:
            self.lock.release()
            raise

    def _open(self) -> None:
        self.db = sqlite_utils.Database(self.db_path)
        self.db.conn.execute("PRAGMA journal_mode = WAL")
        self.db.conn.execute("PRAGMA synchronous = NORMAL")
        # Report ids are hashes, so cells land all over their B-tree: with SQLite's 2 MB default cache a
        # large build slows down as the file grows (bench/search.py: 21 → 13 reports/s by 40,000).
        self.db.conn.execute("PRAGMA cache_size = -131072")  # 128 MB
        ensure_db_shape(self.db)

    # --- context manager -------------------------------------------------------------------

    def close(self) -> None:
        """Leave one self-contained file (no -wal beside it): Datasette serves it immutable. With another
        connection still open the switch cannot happen; that one's close will checkpoint instead."""
        with contextlib.suppress(sqlite3.OperationalError):
            self.db.conn.execute("PRAGMA journal_mode = DELETE")
        self.db.conn.close()
        self.lock.release()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- fetches -----------------------------------------------------------------------------

    def record_fetch(self, fetch: Fetch) -> str:
        """Keep the exchange and every body it carried: a 404 page, a 412 challenge or a 500 is evidence
        of what the portal answered (and goes into the WARC export) as much as a report is. Each body gets
        a documents row; only the crawler's report items are ever offered to the parser. Returns the
        body's sha256; for a 304, that of the last 200 of the URL (the unchanged document)."""
        sha = sha256_hex(fetch.body)
        stored = bool(fetch.body) and fetch.status != 304
        if fetch.status == 304:
            last = self.last_ok(fetch.url)
            if last is not None:
                sha = last[0]
        ctype = fetch.header("content-type")
        with self.db.conn:
            if stored:
                self.raw.put(fetch.body)
                self.record_document(sha, url=fetch.url, final_url=fetch.final_url, content_type=ctype,
                                      size=len(fetch.body), fetched_at=fetch.fetched_at)
            self._upsert("fetches", {
                "id": fetch_id(fetch, sha), "url": fetch.url, "final_url": fetch.final_url, "status": fetch.status,
                "method": fetch.method, "referer": fetch.referer,
                "headers": json.dumps([list(h) for h in redact_headers(fetch.headers)], ensure_ascii=False),
                "sha256": sha if stored or fetch.status == 304 else None, "fetched_at": fetch.fetched_at,
                "etag": fetch.header("etag"), "last_modified": fetch.header("last-modified"), "content_type": ctype,
                "error": fetch.error,
            }, pk="id")
        return sha

    def record_failures(self, fetches: list[Fetch]) -> None:
        """Fetches that brought no body (`error` says why), in one transaction: a host whose time budget
        runs out drops thousands of requests at once, and record_fetch's upsert costs 2 ms a row."""
        empty = sha256_hex(b"")
        rows = [(fetch_id(f, empty), f.url, f.final_url, f.status, f.method, f.referer,
                 json.dumps([list(h) for h in redact_headers(f.headers)], ensure_ascii=False), f.fetched_at,
                 f.header("etag"), f.header("last-modified"), f.header("content-type"), f.error) for f in fetches]
        with self.db.conn:
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO fetches (id, url, final_url, status, method, referer, headers, fetched_at, "
                "etag, last_modified, content_type, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def record_document(self, sha: str, *, url: str, final_url: str, content_type: str | None, size: int,
                        fetched_at: str) -> None:
        """A document's row, seen at fetched_at: first and last fetched widen, the earliest sighting names it.
        record_fetch calls it for every body; merge for the documents of another archive."""
        old = self.db.execute(
            "SELECT first_fetched_at, last_fetched_at, url, final_url, content_type FROM documents WHERE sha256 = ?",
            [sha]).fetchone()
        row: dict[str, Any] = {"sha256": sha, "size": size}
        if old is None:
            row.update(url=url, final_url=final_url, content_type=content_type, first_fetched_at=fetched_at,
                       last_fetched_at=fetched_at)
        else:
            first, last = old[0] or fetched_at, old[1] or fetched_at
            row.update(first_fetched_at=min(first, fetched_at), last_fetched_at=max(last, fetched_at))
            if fetched_at < first:  # the earliest sighting names the document
                row.update(url=url, final_url=final_url, content_type=content_type)
        self._upsert("documents", row, pk="sha256")

    def last_ok(self, url: str) -> tuple[str, str | None, str | None] | None:
        """(sha256, ETag, Last-Modified) of the last 200 for url; None if it never answered 200."""
        row = self.db.execute(
            "SELECT sha256, etag, last_modified FROM fetches WHERE url = ? AND status = 200 "
            "ORDER BY fetched_at DESC LIMIT 1", [url]).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) of the last 200 for url, for a conditional GET; None if never fetched."""
        last = self.last_ok(url)
        return (last[1], last[2]) if last else None

    def mark_blocked(self, host: str, reason: str, url: str) -> None:
        """A host that refused us (412 challenge, 403, 429 storm): kept so a reader sees the gap."""
        old = self.db.execute("SELECT times FROM blocked WHERE host = ?", [host]).fetchone()
        with self.db.conn:
            self._upsert("blocked", {
                "host": host, "reason": reason, "url": url, "blocked_at": now_iso(),
                "times": (old[0] or 0) + 1 if old else 1}, pk="host")

    # --- reports -----------------------------------------------------------------------------

    _batch: _Batch | None = None

    @contextlib.contextmanager
    def batch(self, *, commit_every: int = 500) -> Iterator[None]:
        """Many reports in a row (a rebuild, writing a file nobody reads until it is swapped in): each report
        is a savepoint, not a commit of its own; a commit every `commit_every` reports keeps the WAL short;
        the register's rows of the agencies touched are refreshed once at the end, not after each report
        (they depend on the reports alone). On an exception the reports not yet committed are rolled back
        and the register is brought up to those that were."""
        if self._batch is not None:
            raise RuntimeError("a batch is open already")
        conn = self.db.conn
        conn.commit()
        batch = self._batch = _Batch(commit_every)
        conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            conn.rollback()
            with contextlib.suppress(sqlite3.Error), conn:  # the register of what the batch did commit
                self._refresh_agencies(batch.agencies)
            raise
        else:
            with conn:
                self._refresh_agencies(batch.agencies)
        finally:
            self._batch = None

    @contextlib.contextmanager
    def _report_transaction(self) -> Iterator[None]:
        """One report's writes, all or nothing: a transaction, or within a batch a savepoint."""
        if self._batch is None:
            with self.db.conn:
                yield
            return
        conn = self.db.conn
        conn.execute("SAVEPOINT report")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO report")
            conn.execute("RELEASE report")
            raise
        conn.execute("RELEASE report")
        self._batch.reports += 1
        if self._batch.reports % self._batch.commit_every == 0:
            conn.commit()
            conn.execute("BEGIN")

    def add_report(self, documents: list[str], *, page_url: str, title: str | None = None, year: int | None = None,
                   agency: str | None = None, published: str | None = None, region_code: str | None = None,
                   level: str | None = None, host: str | None = None) -> ReportOutcome:
        """Parse a report's documents and store the best parse as a version of the report at page_url."""
        hints = {"title": title, "year": year, "agency": agency, "published": published,
                 "region_code": region_code, "level": level, "host": host}
        now = now_iso()
        return self._add(documents, page_url, hints, first_seen=now, last_seen=now)

    def replay(self, documents: list[str], *, page_url: str, hints: Mapping[str, Any], first_seen: str,
               last_seen: str) -> ReportOutcome:
        """add_report for a report seen before: by this archive before `rebuild`, or by another machine's
        archive being merged. It keeps the hints and sighting times first recorded, so versions keep their
        order; a version already here widens to the earlier first and the later last sighting."""
        return self._add(documents, page_url, dict(hints), first_seen=first_seen, last_seen=last_seen)

    def _add(self, documents: list[str], page_url: str, hints: dict[str, Any], *, first_seen: str,
             last_seen: str) -> ReportOutcome:
        if not documents:
            raise ValueError("add_report needs at least one document (the page)")
        documents = list(dict.fromkeys(documents))
        for sha in documents:
            if not self.raw.has(sha):
                raise KeyError(f"no raw document {sha} in {self.raw.root}; record_fetch it first")
        page_url = report_page_url(page_url)
        key = report_key(page_url)
        vid = version_id(key, documents)
        hints = {k: hints.get(k) for k in HINT_KEYS}
        from extract import PARSER_VERSION

        with self._report_transaction():
            touched = self._publications_under(key)
            fuller, earlier = self._same_publication(key, vid, documents, last_seen)
            if fuller is not None:  # these documents are a part of a version archived already
                return fuller
            if earlier is not None:  # they replace a part archived before: seen since then
                first_seen = min(first_seen, earlier)
            old_src = self.db.execute("SELECT first_seen, last_seen FROM report_sources WHERE id = ?",
                                      [vid]).fetchone()
            if old_src is not None:
                first_seen = min(old_src[0], first_seen)
                last_seen = max(old_src[1], last_seen)
            self._upsert("report_sources", {
                "id": vid, "report_key": key, "page_url": page_url, "documents": json.dumps(documents),
                "hints": json.dumps(hints, ensure_ascii=False, sort_keys=True), "first_seen": first_seen,
                "last_seen": last_seen}, pk="id")
            existing = self.db.execute("SELECT version, parser_version FROM reports WHERE id = ?", [vid]).fetchone()
            if existing is not None and existing[1] == PARSER_VERSION:
                self._refresh_current(key, touched)
                return ReportOutcome("unchanged", key, vid, existing[0], self._counted(vid), self._document_of(vid))
            parsed, errors = self._parse_all(documents)
            if parsed is None:
                self._refresh_current(key, touched)
                return ReportOutcome("failed", key, errors=errors)
            status: Literal["new", "new_version", "reparsed"]
            if existing is not None:
                version, status = int(existing[0]), "reparsed"
            else:
                top = self.db.execute("SELECT max(version) FROM reports WHERE report_key = ?", [key]).fetchone()[0]
                version = (top or 0) + 1
                status = "new_version" if top else "new"
            self._store_report(vid, key, version, page_url, documents, parsed, hints, first_seen)
            touched |= self._settle_document(vid)
            self._refresh_current(key, touched)
            counted = self._counted(vid)
        return ReportOutcome(status, key, vid, version, counted, parsed.sha, errors)

    def parsed_already(self, documents: list[str], page_url: str) -> bool:
        """Whether add_report would store these documents without parsing them (this very version is
        archived by the current parser): a caller parsing ahead (the crawl) then submits nothing."""
        from extract import PARSER_VERSION

        vid = version_id(report_key(page_url), list(dict.fromkeys(documents)))
        row = self.db.execute("SELECT parser_version FROM reports WHERE id = ?", [vid]).fetchone()
        return row is not None and row[0] == PARSER_VERSION

    def page_archived_elsewhere(self, sha: str, page_url: str) -> str | None:
        """The page URL under which a report with these very page bytes is archived already, other than
        page_url (the same report re-posted under another column): uses the index on the first document."""
        row = self.db.execute("SELECT page_url FROM report_sources WHERE json_extract(documents, '$[0]') = ? "
                              "AND page_url != ? LIMIT 1", [sha, report_page_url(page_url)]).fetchone()
        return str(row[0]) if row else None

    def _same_publication(self, key: str, vid: str, documents: list[str],
                          seen: str) -> tuple[ReportOutcome | None, str | None]:
        """Versions are changed bytes, not fetches that saw more or less of the same publication. A page
        reached through an aggregator's link comes without the attachments its own list names: when
        the page bytes are the same, the smaller set of documents is that publication seen less
        completely. Adding a subset of an archived version changes nothing (returned: `unchanged`);
        adding a superset replaces the archived subset, which is deleted (returned: when it was first seen)."""
        mine = set(documents)
        earlier: str | None = None
        for other, other_docs, other_first in self.db.execute(
                "SELECT id, documents, first_seen FROM report_sources WHERE report_key = ? AND id != ? "
                "AND json_extract(documents, '$[0]') = ?", [key, vid, documents[0]]).fetchall():
            theirs = set(json.loads(other_docs))
            if mine < theirs:
                self.db.execute("UPDATE report_sources SET last_seen = max(last_seen, ?) WHERE id = ?",
                                [seen, other])
                row = self.db.execute("SELECT version, is_current FROM reports WHERE id = ?", [other]).fetchone()
                return ReportOutcome("unchanged", key, other, row[0] if row else None, bool(row and row[1]),
                                     self._document_of(other)), None
            if theirs < mine:
                self._delete_derived(other)
                self.db.execute("DELETE FROM reports WHERE id = ?", [other])
                self.db.execute("DELETE FROM report_sources WHERE id = ?", [other])
                earlier = min(earlier or other_first, other_first)
        return None, earlier

    def _document_of(self, vid: str) -> str | None:
        row = self.db.execute("SELECT document FROM reports WHERE id = ?", [vid]).fetchone()
        return row[0] if row else None

    # Documents are parsed in worker processes with limits (archive/workers.py): a caller that parses
    # ahead (rebuild, add with --jobs) sets its own pool; otherwise the process's shared worker parses.
    parse_pool: ParsePool | None = None

    def parse_args(self, sha: str) -> tuple[str | None, str | None]:
        """(content type, URL) a document is parsed with; a document put straight into the raw store
        gets its documents row now."""
        row = self.db.execute("SELECT content_type, final_url, url FROM documents WHERE sha256 = ?",
                              [sha]).fetchone()
        if row is None:
            self.record_document(sha, url="", final_url="", content_type=None, size=len(self.raw.get(sha)),
                                  fetched_at=now_iso())
            return None, None
        return row[0], row[1] or row[2] or None

    def _pool(self) -> ParsePool:
        return self.parse_pool or shared_pool()

    def parse_ahead(self, sha: str) -> tuple[str, str | None, str | None]:
        """Start parsing a document now (in parallel with storing earlier ones, with a pool of N workers);
        returns the key that `_parse_all` will ask for (forget it with parse_pool.forget if it never does)."""
        content_type, url = self.parse_args(sha)
        key = (sha, content_type, url)
        pool = self._pool()
        if key not in pool:  # submitted already: not again
            pool.submit(key, path=self.raw.path(sha), content_type=content_type, url=url)
        return key

    def _parse_one(self, sha: str) -> Outcome:
        return self._pool().result(self.parse_ahead(sha))

    def _parse_all(self, documents: list[str]) -> tuple[_Parsed | None, dict[str, str]]:
        """Parse every document; keep each outcome on its row; the most cells wins (the page on ties)."""
        best: _Parsed | None = None
        errors: dict[str, str] = {}
        for sha in documents:
            outcome = self._parse_one(sha)
            report = outcome.report
            if report is None:
                errors[sha] = outcome.error or "not a report"
                self._set_parse(sha, "failed", " ".join(errors[sha].split())[:500], None, None, None, None)
                continue
            self._set_parse(sha, "ok", None, report.source.format, report.source.reader, int(report.source.ocr),
                            report.cell_count)
            if best is None or report.cell_count > best.report.cell_count:
                best = _Parsed(sha, report, outcome.derived)
        return best, errors

    def _set_parse(self, sha: str, status: str, error: str | None, fmt: str | None, reader: str | None,
                   ocr: int | None, cells: int | None) -> None:
        """A document's parse columns: how its last parse went."""
        self.db.conn.execute("UPDATE documents SET parse_status = ?, parse_error = ?, format = ?, reader = ?, ocr = ?, "
                             "cells = ? WHERE sha256 = ?", [status, error, fmt, reader, ocr, cells, sha])

    def _store_report(self, vid: str, key: str, version: int, page_url: str, documents: list[str],
                      parsed: _Parsed, hints: dict[str, Any], first_seen: str) -> None:
        from extract import PARSER_VERSION

        r, derived = parsed.report, parsed.derived or rowmaker.derive(parsed.report)
        title = r.title or hints["title"]
        agency = r.agency or hints["agency"]
        year = r.year if r.year is not None else hints["year"]
        published = r.published or hints["published"]
        host = hints["host"] or urllib.parse.urlsplit(page_url).hostname
        context = "\n".join(f"{s.heading}\n{s.text}" for s in r.sections)[:8000]
        body = identify(agency, title=title, text=context, region_code=hints["region_code"], host=host)
        publication, unresolved = publication_key(body.id if body else None, year, derived.content_key)
        self._delete_derived(vid)
        self._upsert("reports", {
            "id": vid, "report_key": key, "version": version, "is_current": 0, "page_current": 0,
            "agency": body.name if body else None, "agency_as_printed": agency, "agency_id": body.id if body else None,
            "agency_code": body.code if body else None, "city": body.city if body else None,
            "county": body.county if body else None, "agency_kind": body.kind if body else None,
            "agency_parent": body.parent if body else None, "place_evidence": body.evidence if body else None,
            "place_reason": body.reason if body else None, "content_key": derived.content_key,
            "figures_key": derived.figures_key, "publication": publication, "unresolved": unresolved, "year": year,
            "title": title, "published": published, "template": r.template, "script": r.script,
            "province": body.province if body else None, "level": body.level if body else None,
            "region_code": hints["region_code"], "host": host, "page_url": page_url, "document": parsed.sha,
            "documents": json.dumps(documents), "source_format": r.source.format, "reader": r.source.reader,
            "ocr": int(r.source.ocr), "parser_version": PARSER_VERSION, "sections": len(r.sections),
            "cells": r.cell_count, "checks_failed": sum(1 for c in r.checks if not c.ok),
            "warnings": json.dumps(r.warnings, ensure_ascii=False), "first_seen": first_seen}, pk="id")
        conn = self.db.conn
        _insert(conn, "sections", ("id", "report_id", *rowmaker.SECTION_COLUMNS),
                [(f"{vid}:{row[0]}", vid, *row) for row in derived.sections])
        _insert(conn, "cells", ("report_id", *rowmaker.CELL_COLUMNS), [(vid, *row) for row in derived.cells])
        _insert(conn, "checks", ("report_id", *rowmaker.CHECK_COLUMNS), [(vid, *row) for row in derived.checks])
        _insert(conn, "check_cells", ("report_id", *rowmaker.CHECK_CELL_COLUMNS),
                [(vid, *row) for row in derived.check_cells])
        rowid = conn.execute("SELECT rowid FROM reports WHERE id = ?", [vid]).fetchone()[0]
        conn.execute("INSERT INTO reports_fts(rowid, title, agency, body) VALUES (?, ?, ?, ?)",
                     [rowid, segment(title), segment(body.name if body else None),
                      rowmaker.fts_body(derived.fts_sections)])
        srowids = [row[0] for row in conn.execute("SELECT rowid FROM sections WHERE report_id = ? ORDER BY seq",
                                                  [vid]).fetchall()]
        conn.executemany("INSERT INTO sections_fts(rowid, heading, text) VALUES (?, ?, ?)",
                         [(sid, *seg) for sid, seg in zip(srowids, derived.fts_sections, strict=True)])

    def _upsert(self, table: str, row: Mapping[str, Any], *, pk: str) -> None:
        """sqlite-utils' upsert (insert, or update the columns given) as one statement: its own upsert
        reads the table's columns on every call, which was a fifth of the writer's time in a rebuild."""
        columns = list(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != pk)
        self.db.conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                             f"ON CONFLICT({pk}) DO UPDATE SET {updates}", [row[c] for c in columns])

    def _delete_derived(self, vid: str) -> None:
        """A version being re-parsed loses its old derived rows first (cells that vanished must go)."""
        self.db.execute("DELETE FROM sections_fts WHERE rowid IN (SELECT rowid FROM sections WHERE report_id = ?)",
                        [vid])
        self.db.execute("DELETE FROM reports_fts WHERE rowid IN (SELECT rowid FROM reports WHERE id = ?)", [vid])
        for table in ("sections", "cells", "checks", "check_cells"):
            self.db.execute(f"DELETE FROM {table} WHERE report_id = ?", [vid])

    def _settle_document(self, vid: str) -> set[str]:
        """One document is one report wherever it was seen: every sighting of it takes the agency and year
        of its first sighting that names both (else of its first sighting), so a copy on an aggregator
        whose hints differ never makes a second report. Returns the publications rows moved out of."""
        rows = self.db.execute(
            "SELECT id, publication, unresolved IS NULL AS resolved, first_seen FROM reports WHERE content_key = "
            "(SELECT content_key FROM reports WHERE id = ?) ORDER BY NOT (unresolved IS NULL), first_seen, id",
            [vid]).fetchall()
        if len(rows) < 2:
            return set()
        namer = rows[0][0]
        moved = {r[1] for r in rows if r[1] != rows[0][1]}
        if moved:
            self.db.execute(f"UPDATE reports SET ({', '.join(IDENTITY_COLUMNS)}) = (SELECT "
                            f"{', '.join('n.' + c for c in IDENTITY_COLUMNS)} FROM reports n WHERE n.id = ?) "
                            "WHERE content_key = (SELECT content_key FROM reports WHERE id = ?) AND id != ?",
                            [namer, namer, namer])
        return moved

    def _publications_under(self, key: str) -> set[str]:
        return {p for (p,) in self.db.execute("SELECT DISTINCT publication FROM reports WHERE report_key = ?",
                                              [key]).fetchall() if p}

    def _counted(self, vid: str) -> bool:
        """A version is current when its page shows it now and its document is the one counted for its
        publication (any of that document's sightings may be the row counted)."""
        row = self.db.execute(
            "SELECT r.page_current = 1 AND EXISTS (SELECT 1 FROM reports c WHERE c.publication = r.publication "
            "AND c.content_key = r.content_key AND c.is_current = 1) FROM reports r WHERE r.id = ?", [vid]).fetchone()
        return bool(row and row[0])

    def _refresh_current(self, key: str, touched: set[str]) -> None:
        """A page shows the version whose bytes were seen last (then the newest); then every publication
        this page was or is part of picks again which row it counts."""
        row = self.db.execute(
            "SELECT r.id FROM reports r JOIN report_sources s ON s.id = r.id WHERE r.report_key = ? "
            "ORDER BY s.last_seen DESC, r.version DESC LIMIT 1", [key]).fetchone()
        if row is not None:
            self.db.execute("UPDATE reports SET page_current = (id = ?) WHERE report_key = ? "
                            "AND page_current IS NOT (id = ?)", [row[0], key, row[0]])
        agencies: set[str] = set()
        for publication in sorted(touched | self._publications_under(key)):
            agencies |= self._refresh_publication(publication)
        if self._batch is not None:  # once, when the batch ends
            self._batch.agencies |= agencies
        else:
            self._refresh_agencies(agencies)

    def _refresh_agencies(self, agency_ids: set[str]) -> None:
        for agency_id in sorted(agency_ids):
            self._refresh_agency(agency_id)

    def _refresh_publication(self, publication: str) -> set[str]:
        """One row counted per publication (agency and year): among the documents its pages show now, the
        newest published (undated ones by when first seen), then one not read by OCR, then the one seen
        last; of that document's sightings, the first seen. Returns the agency ids involved."""
        rows = self.db.execute(
            "SELECT r.id, r.content_key, r.published, r.first_seen, s.last_seen, r.agency_id, r.page_current, "
            "r.is_current, r.ocr FROM reports r JOIN report_sources s ON s.id = r.id WHERE r.publication = ?",
            [publication]).fetchall()
        agencies = {r[5] for r in rows if r[5]}
        documents: dict[str, list[Any]] = {}
        for r in rows:
            if r[6]:
                documents.setdefault(r[1], []).append(r)

        def rank(sightings: list[Any]) -> tuple[str, bool, str]:
            dates = [s[2] for s in sightings if s[2]]
            return (min(dates) if dates else min(s[3] or "" for s in sightings)[:10],
                    not any(s[8] for s in sightings),  # of one date, a text rendition before a scan read by OCR
                    max(s[4] or "" for s in sightings))

        chosen: str | None = None
        if documents:
            best = max(documents, key=lambda c: (*rank(documents[c]), c))
            chosen = min(documents[best], key=lambda s: (s[3] or "", s[0]))[0]
        if {r[0] for r in rows if r[7]} != ({chosen} if chosen else set()):
            self.db.execute("UPDATE reports SET is_current = (id IS ?) WHERE publication = ?", [chosen, publication])
        return agencies

    def _refresh_agency(self, agency_id: str) -> None:
        """The register's row for one body, from its current reports (the latest names its place)."""
        row = self.db.execute(
            "SELECT count(*), min(year), max(year) FROM reports WHERE agency_id = ? AND +is_current = 1",
            [agency_id]).fetchone()
        if not row[0]:
            self._refresh_registry_body(agency_id)
            return
        latest = self.db.execute(
            "SELECT agency, agency_code, province, city, county, level, agency_kind, agency_parent, place_evidence, "
            "place_reason FROM reports WHERE agency_id = ? AND +is_current = 1 ORDER BY year IS NULL, year DESC, id "
            "LIMIT 1", [agency_id]).fetchone()
        printed = [p for (p,) in self.db.execute(
            "SELECT DISTINCT agency_as_printed FROM reports WHERE agency_id = ? ORDER BY 1", [agency_id]) if p]
        hosts = [h for (h,) in self.db.execute(
            "SELECT DISTINCT host FROM reports WHERE agency_id = ? ORDER BY 1", [agency_id]) if h]
        self._upsert("agencies", {
            "id": agency_id, **dict(zip(("name", "code", "province", "city", "county", "level", "kind", "parent",
                                         "evidence", "reason"), latest, strict=True)),
            "aliases": json.dumps(printed, ensure_ascii=False), "hosts": json.dumps(hosts),
            "reports": row[0], "first_year": row[1], "last_year": row[2]}, pk="id")

    def register_bodies(self, entries: Iterable[Mapping[str, Any]]) -> int:
        """The governments registry portals belong to (plain dicts: name, region_code, entry) become register
        rows before any report names them, under the id a report naming them will get. Returns how many
        bodies; entries with no known region code name no government and are skipped."""
        bodies: dict[str, tuple[Agency, list[str]]] = {}
        for entry in entries:
            body = registry_body(entry.get("region_code"))
            if body is not None:
                bodies.setdefault(body.id, (body, []))[1].append(str(entry.get("name") or entry.get("entry") or ""))
        with self.db.conn:
            for agency_id, (body, portals) in bodies.items():
                old = self.db.execute("SELECT portals FROM registry_bodies WHERE id = ?", [agency_id]).fetchone()
                known = json.loads(old[0]) if old and old[0] else []
                self._upsert("registry_bodies", {
                    "id": agency_id, "name": body.name, "region_code": body.code,
                    "portals": json.dumps(sorted({*known, *filter(None, portals)}), ensure_ascii=False),
                    "registered_at": now_iso()}, pk="id")
                self._refresh_agency(agency_id)
        return len(bodies)

    def refresh_registry_bodies(self) -> None:
        """Every registry body's register row (after a rebuild replayed the reports)."""
        with self.db.conn:
            for (agency_id,) in self.db.execute("SELECT id FROM registry_bodies ORDER BY id").fetchall():
                self._refresh_agency(agency_id)

    def _refresh_registry_body(self, agency_id: str) -> None:
        """A body with no current report: kept (reports 0) when the registry names it, else dropped."""
        known = self.db.execute("SELECT region_code FROM registry_bodies WHERE id = ?", [agency_id]).fetchone()
        body = registry_body(known[0]) if known else None
        if body is None or body.id != agency_id:
            self.db.execute("DELETE FROM agencies WHERE id = ?", [agency_id])
            return
        self._upsert("agencies", {
            "id": agency_id, "name": body.name, "code": body.code, "province": body.province, "city": body.city,
            "county": body.county, "level": body.level, "kind": body.kind, "parent": body.parent,
            "evidence": body.evidence, "reason": body.reason, "aliases": "[]", "hosts": "[]",
            "reports": 0, "first_year": None, "last_year": None}, pk="id")

    # --- findings ----------------------------------------------------------------------------

    def refresh_findings(self) -> int:
        """Recompute the findings (archive/findings/) over the whole archive; returns how many flags.
        Called once at the end of add, crawl, merge and rebuild, not per report: copies and continuity
        compare reports with each other."""
        from archive.findings.run import refresh

        return len(refresh(self.db.conn).flags)


def _insert(conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Derived rows of one report, freshly deleted: a plain executemany (sqlite-utils' insert_all inspects
    every value and was half of the time spent storing a report)."""
    if rows:
        conn.executemany(f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) "
                         f"VALUES ({', '.join('?' * len(columns))})", rows)
