"""The archive database's shape, declared once: tables, full-text indexes, views, label tables.

`ensure_db_shape(db)` applies it idempotently (CREATE … IF NOT EXISTS, views re-created, label
rows upserted), so opening any archive, old or new, brings it to this shape.

Provenance tables (kept by `nianbao rebuild`): documents (the fetch-side columns), fetches,
report_sources, blocked, registry_bodies. Derived tables (re-made from the raw bytes by the parser): reports,
sections, cells, checks, agencies, the parse columns of documents and both FTS indexes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from extract import codes, printed

# Bump when the DDL changes in a way old databases need `nianbao rebuild` for (what CREATE … IF NOT
# EXISTS and re-created views cannot bring them to); every open compares it with the file's own.
SCHEMA_VERSION = 2


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
    url TEXT,                         -- first URL it was fetched from (local:<digest>/<name> for `nianbao add`)
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
    content_type TEXT,
    error TEXT                        -- a failed fetch: "kind: detail" (timeout, reset, cut-off body, dns, …)
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
-- the governments the portal registry (crawler/portals.yml) says its portals belong to: register rows
-- before any report names them (Archive.register_bodies)
CREATE TABLE IF NOT EXISTS registry_bodies (
    id TEXT PRIMARY KEY,              -- = agencies.id the register gives that body
    name TEXT,                        -- the government's name (安徽省人民政府)
    region_code TEXT,                 -- the portal's GB/T 2260 code
    portals TEXT,                     -- JSON list of the registry entries naming it
    registered_at TEXT
);
CREATE TABLE IF NOT EXISTS agencies (  -- the register (archive/agencies.py): one row per body with a current
                                       -- report, or named by the portal registry (reports 0)
    id TEXT PRIMARY KEY,              -- stable: sha1 of the normalised name and its division code
    name TEXT,                        -- normalised name (renamed bodies under their current name)
    code TEXT,                        -- GB/T 2260 division down to the county, from the name (never the portal)
    province TEXT,
    city TEXT,
    county TEXT,
    level TEXT,                       -- 省级 | 地市级 | 县级 | 乡镇(街道)
    kind TEXT,                        -- 人民政府 | 办公厅(室) | 部门 | 派出机构 | 其他
    parent TEXT,                      -- the government it answers to, by name
    evidence TEXT,                    -- what settled the place: name | title | report text | portal region code
    reason TEXT,                      -- why the place is empty (ambiguous, no division matches …)
    aliases TEXT,                     -- JSON list of every form the name was printed in
    hosts TEXT,                       -- JSON list of the hosts its reports were found on
    reports INTEGER,                  -- current reports
    first_year INTEGER,
    last_year INTEGER
);
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY,              -- one report version: sha1 of report_key and its documents
    report_key TEXT NOT NULL,
    version INTEGER NOT NULL,         -- 1, 2, … in the order changed bytes were found
    is_current INTEGER NOT NULL,      -- 1 for the one row counted for its publication (agency and year)
    page_current INTEGER,             -- 1 for the version its page shows now (seen last)
    agency TEXT,                      -- 发布机关, normalised (agencies.name)
    agency_as_printed TEXT,
    agency_id TEXT REFERENCES agencies(id),
    agency_code TEXT,                 -- the agency's GB/T 2260 division (not the portal's)
    city TEXT,
    county TEXT,
    agency_kind TEXT,
    agency_parent TEXT,
    place_evidence TEXT,              -- what settled the agency's place (agencies.evidence)
    place_reason TEXT,                -- why the agency's place is empty (agencies.reason)
    content_key TEXT,                 -- the document: same title, figures and text (archive/identity.py)
    figures_key TEXT,                 -- the table numbers alone: renditions share it, versions differ
    publication TEXT,                 -- agency_id:year, or unresolved:content_key
    unresolved TEXT,                  -- why the publication is unresolved (names no agency / no year)
    year INTEGER,                     -- the year the report covers
    title TEXT,
    published TEXT,                   -- YYYY-MM-DD
    template TEXT,                    -- 2019 | 2021
    script TEXT,                      -- simplified | traditional
    province TEXT,                    -- of the agency (agencies.province)
    level TEXT,                       -- of the agency (agencies.level)
    region_code TEXT,                 -- the portal's, as the crawler gave it (evidence, not the answer)
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
CREATE INDEX IF NOT EXISTS reports_publication ON reports(publication, content_key);
CREATE INDEX IF NOT EXISTS reports_agency_id ON reports(agency_id, year);
CREATE INDEX IF NOT EXISTS reports_content ON reports(content_key);
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
CREATE TABLE IF NOT EXISTS check_cells (      -- the cells a failed check read (extract Check.cells)
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
""" + """
-- Findings (archive/findings/): derived, recomputed whole by every add, crawl, merge and rebuild.
CREATE TABLE IF NOT EXISTS flags (
    report_id TEXT NOT NULL REFERENCES reports(id),   -- a current report
    code TEXT NOT NULL REFERENCES flag_codes(code),
    seq INTEGER NOT NULL,             -- 1, 2, … for several findings of one code on one report
    detail TEXT,                      -- one line a reader can check: the numbers, dates, the sentence
    evidence TEXT,                    -- JSON: the cells, sentences, dates and sections read
    other_report_id TEXT,             -- the report it was compared with (continuity, copies, versions)
    PRIMARY KEY (report_id, code, seq)
);
CREATE INDEX IF NOT EXISTS flags_code ON flags(code);
CREATE TABLE IF NOT EXISTS flag_codes (code TEXT PRIMARY KEY, label TEXT, rule TEXT, ord INTEGER);
CREATE TABLE IF NOT EXISTS coverage (  -- the coverage ledger: every agency that published, every year since
    agency_key TEXT NOT NULL,         -- archive/findings/agencies.py: agency_key()
    agency TEXT,
    year INTEGER NOT NULL,
    province TEXT,
    agency_kind TEXT,                 -- government | department | township | other (sets the deadline)
    status TEXT NOT NULL,             -- found | late | missing | not_due
    deadline TEXT,
    report_id TEXT,
    published TEXT,
    date_source TEXT,                 -- report | page | first_seen
    days_late INTEGER,
    PRIMARY KEY (agency_key, year)
);
"""

# Standalone FTS5 tables over pre-segmented text (see archive/cjk.py); rowid = the row's rowid.
FTS_SQL = """
CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5(title, agency, body, tokenize='unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS sections_fts USING fts5(heading, text, tokenize='unicode61');
"""


def _cell_sum(condition: str) -> str:
    return f"sum(CASE WHEN {condition} THEN c.value END)"


# Rates with their denominators (n); below MIN_N a rate is printed but marked not meaningful.
MIN_N = 5


def _rate(num: str, den: str, name: str, scale: int = 1) -> str:
    return (f"CASE WHEN {den} > 0 THEN round({scale}.0 * {num} / {den}, 4) END AS {name}, {den} AS {name}_n, "
            f"CASE WHEN coalesce({den}, 0) < {MIN_N} THEN 'n<{MIN_N}: not meaningful' END AS {name}_note")


def _rates(total: bool) -> str:
    """The rate columns over one report's figures, or (total) over the sums of a group's."""
    def v(name: str) -> str:
        return f"coalesce(sum({name}), 0)" if total else f"coalesce({name}, 0)"

    return ", ".join([
        _rate(f"({v('granted')} + {v('partly_granted')})", v("requests_handled"), "grant_rate"),
        _rate(v("not_held"), v("requests_handled"), "not_held_share"),
        _rate(v("reviews"), v("requests_new"), "reviews_per_1000", 1000),
        _rate(v("lawsuits"), v("requests_new"), "lawsuits_per_1000", 1000),
        _rate(v("reviews_corrected"), v("reviews_concluded"), "review_correction_rate"),
        _rate(v("lawsuits_corrected"), v("lawsuits_concluded"), "lawsuit_correction_rate"),
    ])


_RATE_INPUTS = f"""
  {_cell_sum("c.tbl = 'requests' AND c.row = 'new' AND c.col = 'total'")} AS requests_new,
  {_cell_sum("c.tbl = 'requests' AND c.row = 'total' AND c.col = 'total'")} AS requests_handled,
  {_cell_sum("c.tbl = 'requests' AND c.row = 'granted' AND c.col = 'total'")} AS granted,
  {_cell_sum("c.tbl = 'requests' AND c.row = 'partly_granted' AND c.col = 'total'")} AS partly_granted,
  {_cell_sum("c.tbl = 'requests' AND c.row = 'unable_not_held' AND c.col = 'total'")} AS not_held,
  {_cell_sum("c.tbl = 'review_litigation' AND c.part = 'review' AND c.col = 'total'")} AS reviews,
  {_cell_sum("c.tbl = 'review_litigation' AND c.part LIKE 'litigation%' AND c.col = 'total'")} AS lawsuits,
  {_cell_sum("c.tbl = 'review_litigation' AND c.part = 'review' AND c.col = 'corrected'")} AS reviews_corrected,
  {_cell_sum("c.tbl = 'review_litigation' AND c.part = 'review' AND c.col IN ('upheld', 'corrected', 'other')")}
    AS reviews_concluded,
  {_cell_sum("c.tbl = 'review_litigation' AND c.part LIKE 'litigation%' AND c.col = 'corrected'")}
    AS lawsuits_corrected,
  {_cell_sum("c.tbl = 'review_litigation' AND c.part LIKE 'litigation%' AND c.col IN ('upheld', 'corrected', 'other')")}
    AS lawsuits_concluded"""
_THIS_YEAR = "(SELECT CAST(value AS INTEGER) FROM archive_meta WHERE key = 'findings_year')"

FINDINGS_VIEWS: dict[str, str] = {
    # One row per current report: the rates and the n each is computed on.
    "report_rates": f"""
SELECT report_id, agency, year, province, level, {_rates(False)}
FROM (SELECT r.id AS report_id, r.agency, r.year, r.province, r.level, {_RATE_INPUTS}
      FROM reports r LEFT JOIN cells c ON c.report_id = r.id WHERE r.is_current = 1 GROUP BY r.id)""",
    # The same rates over every current report of a level and year (sums first, then the rate).
    "rates_by_level_year": f"""
SELECT level, year, count(*) AS reports, {_rates(True)}
FROM (SELECT r.id, r.level, r.year, {_RATE_INPUTS}
      FROM reports r LEFT JOIN cells c ON c.report_id = r.id WHERE r.is_current = 1 GROUP BY r.id)
GROUP BY level, year""",
    "report_flags": """
SELECT f.report_id, r.agency, r.year, r.province, r.level, f.code, l.label AS code_label, f.seq, f.detail,
  f.other_report_id, o.agency AS other_agency, o.year AS other_year, f.evidence, r.page_url
FROM flags f JOIN reports r ON r.id = f.report_id JOIN flag_codes l ON l.code = f.code
LEFT JOIN reports o ON o.id = f.other_report_id""",
    "province_freshness": f"""
SELECT r.province, max(s.last_seen) AS last_crawl, count(DISTINCT r.id) AS current_reports,
  sum(r.year = {_THIS_YEAR}) AS reports_this_year,
  (SELECT count(*) FROM coverage v WHERE v.province IS r.province AND v.year = {_THIS_YEAR}
     AND v.status = 'missing') AS missing_this_year,
  (SELECT count(*) FROM coverage v WHERE v.province IS r.province AND v.year = {_THIS_YEAR}
     AND v.status = 'late') AS late_this_year
FROM reports r LEFT JOIN report_sources s ON s.id = r.id
WHERE r.is_current = 1
GROUP BY r.province""",
    "province_years": """
SELECT province, year, count(*) AS agencies, sum(status IN ('found', 'late')) AS reports,
  sum(status = 'late') AS late, sum(status = 'missing') AS missing
FROM coverage GROUP BY province, year""",
}

# One row per current report: the figures people ask for first.
VIEWS: dict[str, str] = {
    "report_figures": f"""
SELECT r.id AS report_id, r.agency, r.year, r.agency_id, r.agency_code, r.province, r.city, r.county, r.level,
  r.agency_kind, r.template, r.title,
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
  r.checks_failed, r.page_url
FROM reports r LEFT JOIN cells c ON c.report_id = r.id
WHERE r.is_current = 1
GROUP BY r.id""",
    # The readable list of reports (issue 17): one line per current report, what a reader scans for; flags as
    # a JSON array of their Chinese labels (an array facet; empty when none), failed checks by their rule labels.
    "report_list": """
SELECT r.id AS report_id, r.title, r.agency, r.agency_id, r.year, r.province, r.level, r.template, r.published,
  (SELECT nullif(json_group_array(label), '[]') FROM (SELECT DISTINCT l.label FROM flags f
   JOIN flag_codes l ON l.code = f.code WHERE f.report_id = r.id ORDER BY l.ord)) AS flags,
  (SELECT group_concat(label, '；') FROM (SELECT l.label FROM checks k JOIN check_rules l ON l.code = k.rule
   WHERE k.report_id = r.id AND k.ok = 0 ORDER BY l.ord)) AS failed_checks,
  r.checks_failed, r.first_seen, r.page_url
FROM reports r
WHERE r.is_current = 1""",
    # The coverage ledger joined in: every year a body has published, with its figures and status, and
    # every year since that it has not (status missing, figures empty), as the findings pass judged them.
    "agency_years": """
WITH published AS (
  SELECT agency_id, year, agency_code, province, city, county, level, count(*) AS reports,
    sum(requests_new) AS requests_new, sum(requests_handled) AS requests_handled,
    sum(granted) AS granted, sum(denied) AS denied, sum(reviews) AS reviews, sum(lawsuits) AS lawsuits,
    sum(licences) AS licences, sum(penalties) AS penalties, sum(fees_wan_yuan) AS fees_wan_yuan,
    sum(checks_failed) AS checks_failed
  FROM report_figures WHERE agency_id IS NOT NULL GROUP BY agency_id, year
)
SELECT p.agency_id, (SELECT a.name FROM agencies a WHERE a.id = p.agency_id) AS agency, p.year, p.agency_code,
  p.province, p.city, p.county, p.level, p.reports, p.requests_new, p.requests_handled, p.granted, p.denied,
  p.reviews, p.lawsuits, p.licences, p.penalties, p.fees_wan_yuan, p.checks_failed,
  coalesce(c.status, 'found') AS status, c.deadline, c.days_late
FROM published p LEFT JOIN coverage c ON c.agency_key = p.agency_id AND c.year = p.year
UNION ALL
SELECT c.agency_key, coalesce(a.name, c.agency), c.year, a.code, coalesce(a.province, c.province), a.city,
  a.county, a.level, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.status, c.deadline, NULL
FROM coverage c LEFT JOIN agencies a ON a.id = c.agency_key
WHERE NOT EXISTS (SELECT 1 FROM published p WHERE p.agency_id = c.agency_key AND p.year = c.year)""",
    **FINDINGS_VIEWS,
    "failed_checks": """
SELECT k.report_id, r.agency, r.year, r.province, k.rule, l.label AS rule_label, k.detail
FROM checks k JOIN reports r ON r.id = k.report_id JOIN check_rules l ON l.code = k.rule
WHERE k.ok = 0 AND r.is_current = 1""",
    # Every place a current report was seen: each URL (any version) of its publication, with the list page
    # that linked it (the referer of its first fetch).
    "report_sightings": """
SELECT c.id AS report_id, c.agency, c.year, r.id AS sighting_id, r.page_url, r.host,
  (SELECT f.referer FROM fetches f WHERE f.url = r.page_url ORDER BY f.fetched_at LIMIT 1) AS listed_on,
  s.first_seen, s.last_seen, r.document, r.content_key = c.content_key AS same_document, r.version,
  r.page_current
FROM reports c JOIN reports r ON r.publication = c.publication JOIN report_sources s ON s.id = r.id
WHERE c.is_current = 1""",
    # Publications whose sightings are different documents: corrected versions or renditions (a 图片版 twin).
    "report_conflicts": """
SELECT r.publication, r.agency_id, max(r.agency) AS agency, r.year, r.content_key, max(r.is_current) AS is_current,
  min(r.published) AS published, count(*) AS sightings, min(r.page_url) AS page_url, max(r.title) AS title,
  r.figures_key,
  (SELECT CASE WHEN count(DISTINCT x.figures_key) = 1 THEN 'renditions' ELSE 'versions' END
   FROM reports x WHERE x.publication = r.publication) AS kind
FROM reports r
WHERE r.publication IN (SELECT publication FROM reports GROUP BY publication HAVING count(DISTINCT content_key) > 1)
GROUP BY r.publication, r.content_key""",
    # Documents that name no agency or no year: kept with their sightings, never merged by guesswork.
    "unresolved_reports": """
SELECT r.id AS report_id, r.unresolved AS reason, r.agency, r.year, r.title, r.page_url, r.published,
  (SELECT count(*) FROM reports x WHERE x.publication = r.publication) AS sightings
FROM reports r
WHERE r.is_current = 1 AND r.unresolved IS NOT NULL""",
    # Agencies the register could not place: the reason says why (ambiguous name, no division matches …).
    "unplaced_agencies": """
SELECT id AS agency_id, name, level, kind, reason, aliases, hosts, reports
FROM agencies WHERE code IS NULL""",
}

def _label_rows() -> dict[str, list[dict[str, object]]]:
    """Every code of extract/codes.py with its official Chinese label (as extract/printed.py prints it)."""
    rows: dict[str, dict[str, dict[str, object]]] = {
        "table_labels": {}, "part_labels": {}, "row_labels": {}, "column_labels": {},
        "section_kinds": {}, "check_rules": {}, "provinces": {}, "flag_codes": {},
    }
    for n, (code, label) in enumerate(printed.TABLE_TITLES.items()):
        rows["table_labels"][code] = {"code": code, "label": label, "ord": n}
    for n, (code, label) in enumerate(codes.ITEM_LABELS.items()):
        rows["part_labels"][code] = {"code": code, "tbl": "active_disclosure", "label": label, "ord": n}
    for n, (code, label) in enumerate(codes.REVIEW_GROUPS):
        full = label if code == "review" else f"{printed.LITIGATION_PARENT_LABEL}·{label}"
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
                "code": code, "tbl": "requests", "label": label, "numbering": printed.REQUEST_ROW_NUMBERING.get(code),
                "parent": group, "parent_label": codes.REQUEST_GROUPS.get(group or ""), "ord": 100 + order})
            order += 1
    rows["row_labels"][""] = {"code": "", "tbl": "review_litigation", "label": "", "numbering": None,
                              "parent": None, "parent_label": None, "ord": 999}
    for n, (code, label) in enumerate(codes.ACTIVE_COLUMN_LABELS.items()):
        if code == "amount":
            fee, buy = label.replace("（万元）", ""), printed.PROCUREMENT_AMOUNT_LABEL.replace("（万元）", "")
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
    for n, (code, (tbl, label)) in enumerate(printed.CHECK_RULE_LABELS.items()):
        rows["check_rules"][code] = {"code": code, "tbl": tbl, "label": label, "ord": n}
    from archive.findings.model import FLAG_CODES
    from archive.regions import PROVINCES

    for n, (code, (label, rule)) in enumerate(FLAG_CODES.items()):
        rows["flag_codes"][code] = {"code": code, "label": label, "rule": rule, "ord": n}

    for code, name in PROVINCES.items():
        rows["provinces"][code] = {"code": code, "name": name}
    return {table: list(by_code.values()) for table, by_code in rows.items()}


def _add_missing_columns(db: sqlite_utils.Database) -> None:
    """A column declared since the file was made is added in place (filled by `nianbao rebuild`): what
    CREATE … IF NOT EXISTS cannot do, and what needs no SCHEMA_VERSION bump."""
    import sqlite3

    declared = sqlite3.connect(":memory:")
    try:
        declared.executescript(TABLES_SQL)
        for (table,) in declared.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            have = {r[1] for r in db.execute(f"PRAGMA table_info([{table}])").fetchall()}
            if not have:
                continue
            for _cid, column, ctype, *_rest in declared.execute(f"PRAGMA table_info([{table}])").fetchall():
                if column not in have:
                    with db.conn:
                        db.execute(f"ALTER TABLE [{table}] ADD COLUMN [{column}] {ctype}")
    finally:
        declared.close()


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Bring db to this module's shape; safe to run on every open (it changes nothing the second time).
    A file of another schema version is refused first (ArchiveVersionError), never half-converted."""
    main_file = next((row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main"), "")
    check_schema_version(db.conn, main_file or "archive")
    db.conn.execute("PRAGMA foreign_keys = OFF")  # labels for '' codes are rows, but blanks need no label
    _add_missing_columns(db)
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
        db.table(table).upsert_all(rows, pk=pk)
    db.table("archive_meta").upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")
