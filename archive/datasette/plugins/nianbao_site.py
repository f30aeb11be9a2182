"""The archive's Datasette plugin: Chinese full-text search, highlighted snippets, report pages, raw files.

* `escape_fts` is replaced (trylast, so after Datasette's own) by archive.cjk.fts_query: the table
  search box then asks the per-character index for phrases, like the canned `search` query does.
* `nianbao_fts(q)` and `unsegment(text)` for canned queries.
* snippets are escaped, then only the <mark> highlighting is let through.
* /-/report/<db>/<id>: one report with its sections and the three tables as printed;
  /-/report/<db>/<id>.json: the same report as the export's contract JSON (archive/export.py).
* /-/raw/<db>/<sha256>: the archived file, sandboxed (no script of a saved page runs on this site).
* one request cannot take gigabytes: every connection refuses values over MAX_VALUE_BYTES (SQLite's
  own length limit, so randomblob, zeroblob, printf widths, replace, group_concat, `||` all stop
  there at once) and a query result over MAX_RESULT_BYTES of text (counted row by row as Datasette
  fetches them); both answer with a clear error instead.
* /-/compare/<db>/<id>/<other>: two reports side by side, the evidence of a continuity or copy finding.
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from typing import Any
from urllib.parse import urlsplit

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from archive.cjk import fts_query, unsegment
from archive.datasette import layout
from archive.datasette.report_text import check_detail_zh, note_zh
from archive.datasette.zh import unquote_url
from archive.export import report_document
from archive.raw import RawStore, is_sha256
from archive.store import default_raw_root
from extract import printed

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
# `SELECT hex(randomblob(300000000))` took 600 MB and 14 s in one SQLite call (no time limit can stop
# it), and one such request drove the server to 5.4 GB. The longest value an archive holds is a
# report's indexed text (tens of KB; the parser refuses inputs over 32 MB): 16 MB is far above it.
MAX_VALUE_BYTES = 16 * 1024 * 1024
MAX_RESULT_BYTES = 32 * 1024 * 1024  # text and blobs in one query's rows (1000 rows at most on this site)


class ResultTooLarge(sqlite3.DataError):
    """A query's rows carry more than MAX_RESULT_BYTES: refused like an SQL error (Datasette shows it)."""


def _size(value: object) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


def sized_rows(limit: int) -> Any:
    """A row factory making Datasette's sqlite3.Row rows that stops a cursor past `limit` bytes."""
    seen: weakref.WeakKeyDictionary[sqlite3.Cursor, int] = weakref.WeakKeyDictionary()

    def factory(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> sqlite3.Row:
        total = seen.get(cursor, 0) + sum(map(_size, row))
        if total > limit:
            raise ResultTooLarge(f"query result too large: over {limit // (1024 * 1024)} MB; "
                                 "ask for fewer rows or columns, or download a table with ?_stream=1")
        seen[cursor] = total
        return sqlite3.Row(cursor, row)

    return factory


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    conn.create_function("nianbao_fts", 1, fts_query, deterministic=True)
    conn.create_function("unsegment", 1, unsegment, deterministic=True)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)  # "string or blob too big" past it
    conn.row_factory = sized_rows(MAX_RESULT_BYTES)  # after Datasette set sqlite3.Row (hooks run last)


def highlight(value: str) -> Markup:
    """Escape everything, then restore exactly the <mark> pairs snippet() put in (line breaks between
    sections become spaces: a snippet is one line of context)."""
    text = str(escape(" ".join(value.split())))
    return Markup(text.replace(str(escape(MARK_OPEN)), MARK_OPEN).replace(str(escape(MARK_CLOSE)), MARK_CLOSE))


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Markup | None:
    if column == "snippet" and isinstance(value, str):
        return highlight(value)
    if isinstance(value, str) and len(value) == 16 and (
            column == "report_id" or (table == "reports" and column == "id")):
        url = datasette.urls.path(f"/-/report/{database}/{value}")
        return Markup(f'<a href="{escape(url)}">{escape(value)}</a>')
    return None


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/report/(?P<database>[^/]+)/(?P<report_id>[0-9a-f]{16})$", report_page),
        (r"^/-/report/(?P<database>[^/]+)/(?P<report_id>[0-9a-f]{16})\.json$", report_json),
        (r"^/-/raw/(?P<database>[^/]+)/(?P<sha>[0-9a-f]{64})$", raw_file),
        (r"^/-/compare/(?P<database>[^/]+)/(?P<report_id>[0-9a-f]{16})/(?P<other_id>[0-9a-f]{16})$", compare_page),
    ]


def _database(datasette: Any, name: str) -> Any:
    """An archive served by this site; Datasette's own `_internal` (and any database without the
    archive's tables) is not one: a clean 404, not an SQL error."""
    try:
        db = datasette.get_database(name)
    except KeyError:
        raise NotFound(f"no database {name}") from None
    if name.startswith("_") or getattr(db, "is_memory", False):
        raise NotFound(f"no archive {name}")
    return db


async def _archive_query(db: Any, sql: str, params: list[Any]) -> Any:
    try:
        return await db.execute(sql, params)
    except sqlite3.OperationalError as exc:  # a database served beside the archive, without its tables
        if "no such table" in str(exc):
            raise NotFound(f"no archive {db.name}") from None
        raise


def _raw_root(datasette: Any, name: str, db: Any) -> RawStore:
    roots = (datasette.plugin_config("nianbao") or {}).get("raw_roots", {})
    return RawStore(roots.get(name) or default_raw_root(db.path))


async def raw_file(datasette: Any, request: Any) -> Response:
    name, sha = request.url_vars["database"], request.url_vars["sha"]
    db = _database(datasette, name)
    row = (await _archive_query(db, "SELECT content_type, url FROM documents WHERE sha256 = ?", [sha])).first()
    store = _raw_root(datasette, name, db)
    if row is None or not is_sha256(sha) or not store.has(sha):
        raise NotFound("no such archived file")
    filename = (row["url"] or sha).rstrip("/").rsplit("/", 1)[-1] or sha
    return Response(
        store.get(sha), status=200, content_type=row["content_type"] or "application/octet-stream",
        headers={
            "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f"inline; filename*=UTF-8''{_quote(filename)}",
            "Cache-Control": "public, max-age=31536000, immutable",
        })


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


async def report_page(datasette: Any, request: Any) -> Response:
    name, report_id = request.url_vars["database"], request.url_vars["report_id"]
    db = _database(datasette, name)
    report = (await _archive_query(db, "SELECT * FROM reports WHERE id = ?", [report_id])).first()
    if report is None:
        raise NotFound("no such report")
    sections = [dict(r) for r in await db.execute(
        "SELECT s.seq, s.number, s.kind, s.heading, s.text, k.label AS kind_label FROM sections s "
        "LEFT JOIN section_kinds k ON k.code = s.kind WHERE report_id = ? ORDER BY seq", [report_id])]
    cell_rows = [dict(r) for r in await db.execute(
        "SELECT tbl, part, row, col, value, raw FROM cells WHERE report_id = ?", [report_id])]
    checks = [dict(r) for r in await db.execute(
        "SELECT c.rule, c.ok, c.detail, l.label FROM checks c LEFT JOIN check_rules l ON l.code = c.rule "
        "WHERE report_id = ? ORDER BY l.ord", [report_id])]
    bad = [tuple(r) for r in await db.execute(
        "SELECT tbl, part, row, col FROM check_cells WHERE report_id = ?", [report_id])]
    versions = [dict(r) for r in await db.execute(
        "SELECT id, version, coalesce(page_current, is_current) AS is_current, first_seen FROM reports "
        "WHERE report_key = ? ORDER BY version",
        [report["report_key"]])]
    sightings = [dict(r) for r in await db.execute(  # every URL its report was seen under (issue 15)
        "SELECT sighting_id, page_url, host, listed_on, first_seen, last_seen, same_document FROM report_sightings "
        "WHERE report_id IN (SELECT id FROM reports WHERE publication = ? AND is_current = 1) ORDER BY first_seen",
        [report["publication"]])]
    documents = [dict(r) for r in await db.execute(
        "SELECT sha256, url, content_type, size, parse_status, parse_error, format FROM documents "
        "WHERE sha256 IN (SELECT value FROM json_each(?))", [report["documents"]])]
    order = json.loads(report["documents"] or "[]")
    documents.sort(key=lambda d: order.index(d["sha256"]) if d["sha256"] in order else len(order))
    await _fetched_for(db, report["page_url"], documents)
    for section in sections:
        section["paragraphs"] = [line.strip() for line in (section["text"] or "").splitlines() if line.strip()]
    for check in checks:
        check["detail_zh"], check["detail_known"] = check_detail_zh(check["rule"], check["detail"])
    notes = [dict(zip(("text", "known", "original"), (*note_zh(w), w), strict=True))
             for w in json.loads(report["warnings"] or "[]")]
    cells = layout.Cells(cell_rows, bad)
    grids = {"active_disclosure": layout.active_grid(cells, report["template"]),
             "requests": layout.requests_grid(cells, report["template"]),
             "review_litigation": layout.review_grid(cells)}
    tables = [(name, printed.TABLE_TITLES[name], grid) for name, grid in grids.items()]
    context = {
        "database": name, "report": dict(report), "sections": sections, "checks": checks,
        "tables": [t for t in tables if cells.has(t[0])], "bars": layout.outcome_bars(cells) if cells.has("requests")
        else [], "versions": versions, "documents": documents, "sightings": sightings,
        "notes": notes, "flags": await _flags(db, report_id),
    }
    html = await datasette.render_template("nianbao_report.html", context, request=request)
    return Response.html(html)


async def _fetched_for(db: Any, page_url: str | None, documents: list[dict[str, Any]]) -> None:
    """Give each document the URL it was fetched from for THIS report (`documents.url` is the first URL those
    bytes were ever fetched from, maybe another host's copy): the report's page itself, else a fetch of those
    bytes that this page linked to (its referer), else one on the page's host; and that URL's file name,
    percent-decoded, to show."""
    page_host = urlsplit(page_url or "").netloc
    fetches: dict[str, list[dict[str, Any]]] = {}
    if documents and await db.table_exists("fetches"):
        for row in await db.execute(
                "SELECT sha256, url, final_url, referer FROM fetches WHERE sha256 IN (SELECT value FROM json_each(?)) "
                "ORDER BY fetched_at", [json.dumps([d["sha256"] for d in documents])]):
            fetches.setdefault(row["sha256"], []).append(dict(row))
    for n, doc in enumerate(documents):
        seen = fetches.get(doc["sha256"], [])
        chosen = (
            (page_url if n == 0 and page_url and any(page_url in (f["url"], f["final_url"]) for f in seen) else None)
            or next((f["final_url"] or f["url"] for f in seen if page_url and f["referer"] == page_url), None)
            or next((f["final_url"] or f["url"] for f in seen
                     if page_host and urlsplit(f["final_url"] or f["url"]).netloc == page_host), None)
            or (page_url if n == 0 and page_url and not seen else None)
            or doc["url"] or doc["sha256"])
        doc["fetched_url"] = chosen
        doc["name"] = file_name(chosen)


def file_name(url: str) -> str:
    """The last part of a URL's path (the host for a site's root page), percent-decoded."""
    parts = urlsplit(url)
    return unquote_url(parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.netloc or url)


async def report_json(datasette: Any, request: Any) -> Response:
    """One report in the contract's shape plus its provenance, exactly as `nianbao export` writes it."""
    name, report_id = request.url_vars["database"], request.url_vars["report_id"]
    db = _database(datasette, name)
    if not await db.table_exists("reports") or not await db.table_exists("flags"):
        raise NotFound(f"no archive {name}")  # an archive from before the findings: `nianbao rebuild` it

    def one(conn: sqlite3.Connection) -> dict[str, Any] | None:
        factory = conn.row_factory  # the size-capped rows of prepare_connection, put back for Datasette
        try:
            return report_document(conn, report_id)
        finally:
            conn.row_factory = factory

    doc = await db.execute_fn(one)
    if doc is None:
        raise NotFound("no such report")
    return Response(json.dumps(doc, ensure_ascii=False), content_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{report_id}.json"'})


async def _flags(db: Any, report_id: str) -> list[dict[str, Any]]:
    """The report's findings with their evidence decoded (an archive from before the findings has none)."""
    if not await db.table_exists("flags"):
        return []
    rows = [dict(r) for r in await db.execute(
        "SELECT f.code, f.seq, f.detail, f.evidence, f.other_report_id, l.label, l.rule FROM flags f "
        "LEFT JOIN flag_codes l ON l.code = f.code WHERE f.report_id = ? ORDER BY l.ord, f.seq", [report_id])]
    for row in rows:
        row["evidence"] = json.loads(row["evidence"] or "{}")
    return rows


COMPARED_ROWS = (("requests", "", "carried_over"), ("requests", "", "carried_forward"), ("requests", "", "new"),
                 ("requests", "", "total"), ("active_disclosure", "20.1", "regulations"),
                 ("active_disclosure", "20.1", "normative_documents"))


async def compare_page(datasette: Any, request: Any) -> Response:
    """Two reports side by side: the rows continuity reads, then every section by kind."""
    name = request.url_vars["database"]
    db = _database(datasette, name)
    ids = [request.url_vars["report_id"], request.url_vars["other_id"]]
    reports = []
    for rid in ids:
        row = (await db.execute("SELECT id, agency, agency_id, year, title, template FROM reports WHERE id = ?",
                                [rid])).first()
        if row is None:
            raise NotFound("no such report")
        reports.append(dict(row))
    sections: dict[str, list[list[dict[str, Any]]]] = {}
    for n, rid in enumerate(ids):
        for s in await db.execute("SELECT seq, number, kind, heading, text FROM sections WHERE report_id = ? "
                                  "ORDER BY seq", [rid]):
            sections.setdefault(s["kind"] or "", [[], []])[n].append(dict(s))
    cells: dict[tuple[str, str, str, str], list[Any]] = {}
    for n, rid in enumerate(ids):
        for c in await db.execute("SELECT tbl, part, row, col, raw, value FROM cells WHERE report_id = ?", [rid]):
            if (c["tbl"], c["part"], c["row"]) in COMPARED_ROWS:
                cells.setdefault((c["tbl"], c["part"], c["row"], c["col"]), [None, None])[n] = c["raw"]
    labels = {r["code"]: r["label"] for r in await db.execute("SELECT code, label FROM row_labels")}
    columns = {r["code"]: r["label"] for r in await db.execute("SELECT code, label FROM column_labels")}
    rows = [{"label": f"{labels.get(k[2], k[2])} · {columns.get(k[3], k[3])}", "values": v}
            for k, v in sorted(cells.items(), key=lambda kv: (COMPARED_ROWS.index(kv[0][:3]), kv[0][3]))]
    context = {"database": name, "reports": reports, "rows": rows, "sections": sections,
               "focus": request.args.get("section")}
    return Response.html(await datasette.render_template("nianbao_compare.html", context, request=request))
