"""The archive database's shape, declared once: tables, full-text indexes, views, label tables.

`ensure_db_shape(db)` applies it idempotently (CREATE … IF NOT EXISTS, views re-created, label
rows upserted), so opening any archive, old or new, brings it to this shape.

Provenance tables (kept by `nianbao rebuild`): documents (the fetch-side columns), fetches,
report_sources, blocked. Derived tables (re-made from the raw bytes by the parser): reports,
sections, cells, checks, agencies, the parse columns of documents and both FTS indexes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from extract import codes

# Bump when the DDL changes in a way old databases need `nianbao rebuild` for (what CREATE … IF NOT
# EXISTS and re-created views cannot bring them to); every open compares it with the file's own.
SCHEMA_VERSION = 1


class ArchiveVersionError(Exception):
    """An archive file this code cannot open as it is: older (rebuild it), newer, or not an archive."""


def stored_schema_version(conn: sqlite3.Connection) -> int | None:
    """The file's `archive_meta.schema_version`; None for a new, empty file."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return None
    if "archive_meta" not in tables:
        if "reports" in tables and "documents" in tables:
            return 0  # written before versions were stamped
        raise ArchiveVersionError("not a Nianbao archive: an SQLite file with other tables")
    row = conn.execute("SELECT value FROM archive_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def check_schema_version(conn: sqlite3.Connection, name: str | Path) -> None:
    """Refuse, saying what to do, an archive whose shape this code does not write."""
    try:
        found = stored_schema_version(conn)
    except ArchiveVersionError as exc:
        raise ArchiveVersionError(f"{name}: {exc}") from None
    if found is None or found == SCHEMA_VERSION:
        return
    if found < SCHEMA_VERSION:
        raise ArchiveVersionError(
            f"{name}: archive of schema version {found}, this nianbao writes version {SCHEMA_VERSION}: run "
            f"`nianbao rebuild --db {name}` to re-make it from its raw files (fetch log and raw files are kept)")
    raise ArchiveVersionError(f"{name}: archive of schema version {found}, newer than this nianbao's "
                              f"{SCHEMA_VERSION}: upgrade nianbao to open it")


def check_archive_file(path: str | Path) -> None:
    """check_schema_version for a file a command only reads (serve, export); a missing file passes."""
    path = Path(path)
    if not path.is_file():
        return
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        check_schema_version(conn, path)
    finally:
        conn.close()

TABLES_SQL = """
CREATE TABLE IF NOT EXISTS documents (
    sha256 TEXT PRIMARY KEY,          -- of the raw bytes; the blob is raw/<sha[:2]>/<sha>
    url TEXT,                         -- first URL it was fetched from (file:// for `nianbao add`)
    final_url TEXT,                   -- after redirects
    content_type TEXT,                -- from the response headers, as sent
    size INTEGER,                     -- bytes
    first_fetched_at TEXT,            -- ISO-8601 UTC
    last_fetched_at TEXT,
    format TEXT,                      -- what the parser read it as: html, pdf, docx, text, …
    reader TEXT,                      -- parser reader and version
    ocr INTEGER,
    parse_status TEXT,                -- ok | failed | NULL (never offered to the parser)
    parse_error TEXT,                 -- the parser's one-line reason when failed
    cells INTEGER                     -- table cells read when ok
);
CREATE TABLE IF NOT EXISTS fetches (
    id TEXT PRIMARY KEY,              -- sha1 of method, url, fetched_at, sha256
    url TEXT NOT NULL,
    final_url TEXT,
    status INTEGER,
    method TEXT,
    referer TEXT,
    headers TEXT,                     -- JSON list of [name, value] as received
    sha256 TEXT REFERENCES documents(sha256),
    fetched_at TEXT,
    etag TEXT,
    last_modified TEXT,
    content_type TEXT
);
CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url, fetched_at);
CREATE TABLE IF NOT EXISTS report_sources (
    id TEXT PRIMARY KEY,              -- = reports.id of the version these documents make
    report_key TEXT NOT NULL,         -- sha1 of the canonical page URL: one report across versions
    page_url TEXT NOT NULL,
    documents TEXT NOT NULL,          -- JSON list of sha256, page first
    hints TEXT,                       -- JSON of what the list page said (title, year, agency, …)
    first_seen TEXT,
    last_seen TEXT
);
CREATE INDEX IF NOT EXISTS report_sources_key ON report_sources(report_key);
-- a report re-posted under another URL is found by its page's bytes (crawler/pipelines.py), not by a scan
CREATE INDEX IF NOT EXISTS report_sources_page ON report_sources(json_extract(documents, '$[0]'));
CREATE TABLE IF NOT EXISTS blocked (
    host TEXT PRIMARY KEY,
    reason TEXT,
    url TEXT,
    blocked_at TEXT,
    times INTEGER
);
CREATE TABLE IF NOT EXISTS agencies (
    name TEXT PRIMARY KEY,            -- 发布机关 as the report names it
    region_code TEXT,
    province TEXT,
    level TEXT,
    host TEXT,
    reports INTEGER,                  -- current reports
    first_year INTEGER,
    last_year INTEGER
);
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY,              -- one report version: sha1 of report_key and its documents
    report_key TEXT NOT NULL,
    version INTEGER NOT NULL,         -- 1, 2, … in the order changed bytes were found
    is_current INTEGER NOT NULL,      -- 1 for the version now published
    agency TEXT REFERENCES agencies(name),
    year INTEGER,                     -- the year the report covers
    title TEXT,
    published TEXT,                   -- YYYY-MM-DD
    template TEXT,                    -- 2019 | 2021
    script TEXT,                      -- simplified | traditional
    province TEXT,
    level TEXT,
    region_code TEXT,
    host TEXT,
    page_url TEXT,
    document TEXT REFERENCES documents(sha256),  -- the document the data was read from
    documents TEXT,                   -- JSON list of every document of this version
    source_format TEXT,
    reader TEXT,
    ocr INTEGER,
    parser_version TEXT,
    sections INTEGER,
    cells INTEGER,
    checks_failed INTEGER,
    warnings TEXT,                    -- JSON list: where the parser fell back
    first_seen TEXT
);
CREATE INDEX IF NOT EXISTS reports_key ON reports(report_key);
CREATE INDEX IF NOT EXISTS reports_current ON reports(is_current, year);
CREATE INDEX IF NOT EXISTS reports_agency ON reports(agency, year);
CREATE TABLE IF NOT EXISTS sections (
    id TEXT PRIMARY KEY,              -- report id:seq
    report_id TEXT NOT NULL REFERENCES reports(id),
    seq INTEGER NOT NULL,
    number INTEGER,                   -- as printed: 一 → 1
    kind TEXT REFERENCES section_kinds(code),
    heading TEXT,
    text TEXT
);
CREATE INDEX IF NOT EXISTS sections_report ON sections(report_id, seq);
CREATE TABLE IF NOT EXISTS cells (
    report_id TEXT NOT NULL REFERENCES reports(id),
    tbl TEXT NOT NULL REFERENCES table_labels(code),
    part TEXT NOT NULL REFERENCES part_labels(code),   -- item (active_disclosure) or group (review_litigation), else ''
    row TEXT NOT NULL REFERENCES row_labels(code),     -- '' in review_litigation
    col TEXT NOT NULL REFERENCES column_labels(code),
    value NUMERIC,                    -- NULL when printed blank, /, —, 无; money in 万元
    raw TEXT,                         -- as printed
    seq INTEGER,                      -- order in the parsed report (export gives cells back in it)
    PRIMARY KEY (report_id, tbl, part, row, col)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checks (
    report_id TEXT NOT NULL REFERENCES reports(id),
    rule TEXT NOT NULL REFERENCES check_rules(code),
    ok INTEGER NOT NULL,
    detail TEXT,
    PRIMARY KEY (report_id, rule)
);
CREATE INDEX IF NOT EXISTS checks_failed ON checks(ok, rule);
CREATE TABLE IF NOT EXISTS check_cells (      -- the cells a failed check read (archive/checkcells.py)
    report_id TEXT NOT NULL REFERENCES reports(id),
    rule TEXT NOT NULL,
    tbl TEXT NOT NULL,
    part TEXT NOT NULL,
    row TEXT NOT NULL,
    col TEXT NOT NULL,
    PRIMARY KEY (report_id, rule, tbl, part, row, col)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS table_labels (code TEXT PRIMARY KEY, label TEXT, ord INTEGER);
CREATE TABLE IF NOT EXISTS part_labels (code TEXT PRIMARY KEY, tbl TEXT, label TEXT, ord INTEGER);
CREATE TABLE IF NOT EXISTS row_labels (
    code TEXT PRIMARY KEY, tbl TEXT, label TEXT, numbering TEXT, parent TEXT, parent_label TEXT, ord INTEGER
);
CREATE TABLE IF NOT EXISTS column_labels (code TEXT PRIMARY KEY, tbl TEXT, label TEXT, ord INTEGER);
CREATE TABLE IF NOT EXISTS section_kinds (code TEXT PRIMARY KEY, label TEXT, ord INTEGER);
CREATE TABLE IF NOT EXISTS check_rules (code TEXT PRIMARY KEY, tbl TEXT, label TEXT, ord INTEGER);
CREATE TABLE IF NOT EXISTS provinces (code TEXT PRIMARY KEY, name TEXT);
CREATE TABLE IF NOT EXISTS archive_meta (key TEXT PRIMARY KEY, value TEXT);
"""

# Standalone FTS5 tables over pre-segmented text (see archive/cjk.py); rowid = the row's rowid.
FTS_SQL = """
CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5(title, agency, body, tokenize='unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS sections_fts USING fts5(heading, text, tokenize='unicode61');
"""


def _cell_sum(condition: str) -> str:
    return f"sum(CASE WHEN {condition} THEN c.value END)"


# One row per current report: the figures people ask for first.
VIEWS: dict[str, str] = {
    "report_figures": f"""
SELECT r.id AS report_id, r.agency, r.year, r.province, r.level, r.template, r.title,
  {_cell_sum("c.tbl = 'requests' AND c.row = 'new' AND c.col = 'total'")} AS requests_new,
  {_cell_sum("c.tbl = 'requests' AND c.row = 'carried_over' AND c.col = 'total'")} AS requests_carried_over,
  {_cell_sum("c.tbl = 'requests' AND c.row = 'total' AND c.col = 'total'")} AS requests_handled,
  {_cell_sum("c.tbl = 'requests' AND c.row = 'granted' AND c.col = 'total'")} AS granted,
  {_cell_sum("c.tbl = 'requests' AND c.row = 'partly_granted' AND c.col = 'total'")} AS partly_granted,
  {_cell_sum("c.tbl = 'requests' AND c.row LIKE 'denied%' AND c.col = 'total'")} AS denied,
  {_cell_sum("c.tbl = 'requests' AND c.row LIKE 'unable%' AND c.col = 'total'")} AS unable,
  {_cell_sum("c.tbl = 'requests' AND c.row LIKE 'refused%' AND c.col = 'total'")} AS not_processed,
  {_cell_sum("c.tbl = 'review_litigation' AND c.part = 'review' AND c.col = 'total'")} AS reviews,
  {_cell_sum("c.tbl = 'review_litigation' AND c.part LIKE 'litigation%' AND c.col = 'total'")} AS lawsuits,
  {_cell_sum("c.tbl = 'active_disclosure' AND c.row = 'licensing' AND c.col = 'decisions'")} AS licences,
  {_cell_sum("c.tbl = 'active_disclosure' AND c.row = 'penalty' AND c.col = 'decisions'")} AS penalties,
  {_cell_sum("c.tbl = 'active_disclosure' AND c.row = 'fees' AND c.col = 'amount'")} AS fees_wan_yuan,
  r.checks_failed
FROM reports r LEFT JOIN cells c ON c.report_id = r.id
WHERE r.is_current = 1
GROUP BY r.id""",
    "agency_years": """
SELECT agency, year, province, level, count(*) AS reports,
  sum(requests_new) AS requests_new, sum(requests_handled) AS requests_handled,
  sum(granted) AS granted, sum(denied) AS denied, sum(reviews) AS reviews, sum(lawsuits) AS lawsuits,
  sum(licences) AS licences, sum(penalties) AS penalties, sum(fees_wan_yuan) AS fees_wan_yuan,
  sum(checks_failed) AS checks_failed
FROM report_figures
WHERE agency IS NOT NULL
GROUP BY agency, year""",
    "failed_checks": """
SELECT k.report_id, r.agency, r.year, r.province, k.rule, l.label AS rule_label, k.detail
FROM checks k JOIN reports r ON r.id = k.report_id JOIN check_rules l ON l.code = k.rule
WHERE k.ok = 0 AND r.is_current = 1""",
}

CHECK_RULE_LABELS: dict[str, tuple[str, str]] = {
    "requests.balance": ("requests", "本年新收 + 上年结转 = 总计 + 结转下年度继续办理（各列）"),
    "requests.outcomes_sum": ("requests", "总计 = 各项办理结果之和（各列）"),
    "requests.columns_sum": ("requests", "总计列 = 六类申请人之和（各行）"),
    "review_litigation.group_sum": ("review_litigation", "总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结（各组）"),
}

TABLE_LABELS = {
    "active_disclosure": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}


def _label_rows() -> dict[str, list[dict[str, object]]]:
    """Every code of extract/codes.py with its official Chinese label, for lookups and labels."""
    rows: dict[str, dict[str, dict[str, object]]] = {
        "table_labels": {}, "part_labels": {}, "row_labels": {}, "column_labels": {},
        "section_kinds": {}, "check_rules": {}, "provinces": {},
    }
    for n, (code, label) in enumerate(TABLE_LABELS.items()):
        rows["table_labels"][code] = {"code": code, "label": label, "ord": n}
    for n, (code, label) in enumerate(codes.ITEM_LABELS.items()):
        rows["part_labels"][code] = {"code": code, "tbl": "active_disclosure", "label": label, "ord": n}
    for n, (code, label) in enumerate(codes.REVIEW_GROUPS):
        full = label if code == "review" else f"{codes.LITIGATION_PARENT_LABEL}·{label}"
        rows["part_labels"][code] = {"code": code, "tbl": "review_litigation", "label": full, "ord": 10 + n}
    rows["part_labels"][""] = {"code": "", "tbl": "requests", "label": "", "ord": 99}
    order = 0
    for template in codes.TEMPLATES:
        for active in codes.ACTIVE_ROWS[template]:
            rows["row_labels"].setdefault(active.row, {
                "code": active.row, "tbl": "active_disclosure", "label": active.label, "numbering": None,
                "parent": active.item, "parent_label": codes.ITEM_LABELS[active.item], "ord": order})
            order += 1
        for code, label, group in codes.REQUEST_ROWS[template]:
            rows["row_labels"].setdefault(code, {
                "code": code, "tbl": "requests", "label": label, "numbering": codes.REQUEST_ROW_NUMBERING.get(code),
                "parent": group, "parent_label": codes.REQUEST_GROUPS.get(group or ""), "ord": 100 + order})
            order += 1
    rows["row_labels"][""] = {"code": "", "tbl": "review_litigation", "label": "", "numbering": None,
                              "parent": None, "parent_label": None, "ord": 999}
    for n, (code, label) in enumerate(codes.ACTIVE_COLUMN_LABELS.items()):
        if code == "amount":
            fee, buy = label.replace("（万元）", ""), codes.PROCUREMENT_AMOUNT_LABEL.replace("（万元）", "")
            label = f"金额（万元）：{fee}或{buy}"
        rows["column_labels"][code] = {"code": code, "tbl": "active_disclosure", "label": label, "ord": n}
    for n, (code, label) in enumerate(codes.REQUEST_COLUMNS):
        rows["column_labels"][code] = {"code": code, "tbl": "requests", "label": label, "ord": 20 + n}
    for n, (code, label) in enumerate(codes.REVIEW_COLUMNS):
        rows["column_labels"].setdefault(code, {"code": code, "tbl": "review_litigation", "label": label,
                                                "ord": 40 + n})
    for n, (code, label) in enumerate(codes.SECTION_KINDS):
        rows["section_kinds"][code] = {"code": code, "label": label, "ord": n}
    rows["section_kinds"][codes.EXTRA_SECTION_KIND] = {"code": codes.EXTRA_SECTION_KIND, "label": "其他部分",
                                                       "ord": len(codes.SECTION_KINDS)}
    for n, (code, (tbl, label)) in enumerate(CHECK_RULE_LABELS.items()):
        rows["check_rules"][code] = {"code": code, "tbl": tbl, "label": label, "ord": n}
    from archive.regions import PROVINCES

    for code, name in PROVINCES.items():
        rows["provinces"][code] = {"code": code, "name": name}
    return {table: list(by_code.values()) for table, by_code in rows.items()}


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Bring db to this module's shape; safe to run on every open (it changes nothing the second time).
    A file of another schema version is refused first (ArchiveVersionError), never half-converted."""
    main_file = next((row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main"), "")
    check_schema_version(db.conn, main_file or "archive")
    db.conn.execute("PRAGMA foreign_keys = OFF")  # labels for '' codes are rows, but blanks need no label
    db.executescript(TABLES_SQL + FTS_SQL)
    for name, sql in VIEWS.items():
        existing = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [name]).fetchone()
        wanted = f"CREATE VIEW {name} AS{sql}"
        if existing is None or existing[0] != wanted:
            with db.conn:
                db.execute(f"DROP VIEW IF EXISTS {name}")
                db.execute(wanted)
    for table, rows in _label_rows().items():
        pk = "code"
        db[table].upsert_all(rows, pk=pk)  # type: ignore[union-attr]
    db["archive_meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")  # type: ignore[union-attr]
