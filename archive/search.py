"""Full-text search over the current reports: every match counted, filtered, sorted and paged.

One FTS5 query finds every matching current report with what the filters and facets need (year,
province, level, finding codes) and its bm25 score; filtering, facet counts, sorting and paging are
then done on that list, so the count, the facets and the pages always agree and each match is on
exactly one page. Details and snippets (archive/snippets.py) are read only for the page shown. Works on
any sqlite3 connection (the Datasette route runs it in a worker thread; tests call it directly).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from archive.cjk import SearchQuery
from archive.snippets import Snippet, choose

PER_PAGE = 20
# bm25 weights per reports_fts column: a word in the title or the agency's name says more than one in the body
WEIGHTS = (10.0, 5.0, 1.0)
SORTS = {"relevance": "相关度", "year_desc": "年份：新→旧", "year_asc": "年份：旧→新"}
CHECKS_FAILED = "checks_failed"  # the "has flag" filter's pseudo-code for a failed 勾稽关系 check
CHECKS_FAILED_LABEL = "表格数字对不上（勾稽关系未通过）"
FILTERS = ("province", "level", "year", "flag")


@dataclass(frozen=True)
class Filters:
    province: str | None = None
    level: str | None = None
    year: int | None = None
    flag: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(k, str(v)) for k in FILTERS if (v := getattr(self, k)) is not None]


@dataclass(frozen=True)
class Match:
    rowid: int
    report_id: str
    year: int | None
    province: str | None
    level: str | None
    flags: frozenset[str]
    score: float  # bm25 over title, agency and body (headings included): lower is better
    text_score: float = 0.0  # the best section's bm25 over its text alone (0: the words are only in headings)

    def passes(self, filters: Filters, skip: str | None = None) -> bool:
        return all((
            skip == "province" or filters.province is None or self.province == filters.province,
            skip == "level" or filters.level is None or self.level == filters.level,
            skip == "year" or filters.year is None or self.year == filters.year,
            skip == "flag" or filters.flag is None or filters.flag in self.flags,
        ))


@dataclass
class Facet:
    name: str
    options: list[tuple[str, str, int]]  # value, label, matches with the other filters applied


@dataclass
class Page:
    query: SearchQuery
    filters: Filters
    sort: str
    page: int
    pages: int
    total: int
    per_page: int = PER_PAGE
    results: list[dict[str, Any]] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone() is not None


def matches(conn: sqlite3.Connection, query: SearchQuery) -> list[Match]:
    """Every current report the query matches (unfiltered, unsorted)."""
    if not query.runnable:
        return []
    flags = ("(SELECT group_concat(DISTINCT f.code) FROM flags f WHERE f.report_id = r.id)"
             if _has_table(conn, "flags") else "NULL")
    # MATERIALIZED: the FTS query first, once (14 ms for 5,000 reports). Joined plainly, SQLite walks the
    # current reports and asks FTS5 about each rowid, bm25 included: 6.4 s.
    rows = conn.execute(
        f"WITH hit AS MATERIALIZED (SELECT rowid AS rid, bm25(reports_fts, {', '.join(map(str, WEIGHTS))}) AS score "
        "FROM reports_fts WHERE reports_fts MATCH ?) "
        f"SELECT r.rowid, r.id, r.year, r.province, r.level, r.checks_failed, {flags}, hit.score "
        "FROM hit JOIN reports r ON r.rowid = hit.rid WHERE r.is_current = 1", [query.fts()]).fetchall()
    in_text = _text_scores(conn, query)
    out = []
    for rowid, rid, year, province, level, failed, codes, score in rows:
        found = set((codes or "").split(",")) - {""}
        if failed:
            found.add(CHECKS_FAILED)
        out.append(Match(rowid, rid, year, province, level, frozenset(found), score, in_text.get(rid, 0.0)))
    return out


def _text_scores(conn: sqlite3.Connection, query: SearchQuery) -> dict[str, float]:
    """Per report, the best bm25 of a section's text for any of the query's phrases, headings weighing
    nothing: every report has the heading 政府信息公开行政复议、行政诉讼情况, so a report whose text never
    mentions 复议 must not rank above one that discusses it (whole-report bm25 favours short reports)."""
    scores: dict[str, float] = {}
    any_term = " OR ".join(f'"{p}"' for p in query.phrases)
    for rid, score in conn.execute(  # MATERIALIZED: bm25() only works in the FTS table's own query
            "WITH hit AS MATERIALIZED (SELECT rowid AS sid, bm25(sections_fts, 0.0, 1.0) AS score FROM sections_fts "
            "WHERE sections_fts MATCH ?) SELECT s.report_id, hit.score FROM hit JOIN sections s ON s.rowid = hit.sid",
            [any_term]).fetchall():
        scores[rid] = min(score, scores.get(rid, 0.0))
    return scores


def ordered(found: Sequence[Match], filters: Filters, sort: str) -> list[Match]:
    """The filtered matches in the order asked for; ties broken by the archive's row order, so pages
    never overlap or skip."""
    kept = [m for m in found if m.passes(filters)]
    if sort == "year_desc":
        return sorted(kept, key=lambda m: (m.year is None, -(m.year or 0), m.score, m.rowid))
    if sort == "year_asc":
        return sorted(kept, key=lambda m: (m.year is None, m.year or 0, m.score, m.rowid))
    return sorted(kept, key=lambda m: (m.text_score, m.score, -(m.year or 0), m.rowid))


def facets(conn: sqlite3.Connection, found: Sequence[Match], filters: Filters) -> list[Facet]:
    """Each filter's values among the matches, counted with the other filters applied (so choosing a
    province still lists the other provinces)."""
    labels = dict(conn.execute("SELECT code, label FROM flag_codes").fetchall()) if _has_table(
        conn, "flag_codes") else {}
    labels[CHECKS_FAILED] = CHECKS_FAILED_LABEL
    out = []
    for name in FILTERS:
        counts: Counter[str] = Counter()
        for m in found:
            if not m.passes(filters, skip=name):
                continue
            if name == "flag":
                counts.update(m.flags)
            else:
                value = getattr(m, name)
                if value is not None and value != "":
                    counts[str(value)] += 1
        chosen = getattr(filters, name)
        if chosen is not None and str(chosen) not in counts:
            counts[str(chosen)] = 0  # the reader's choice stays visible even when nothing matches it
        if name == "year":
            keys = sorted(counts, key=lambda v: -int(v) if v.lstrip("-").isdigit() else 0)
        elif name == "flag":
            order = list(labels)
            keys = sorted(counts, key=lambda v: order.index(v) if v in order else len(order))
        else:
            keys = sorted(counts, key=lambda v: (-counts[v], v))
        out.append(Facet(name, [(k, labels.get(k, k) if name == "flag" else k, counts[k]) for k in keys]))
    return out


DETAIL_COLUMNS = ("report_id", "agency", "year", "province", "level", "title", "published", "flags",
                  "checks_failed", "page_url")


def details(conn: sqlite3.Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The listed reports' columns, in the order of ids; flags as their Chinese labels."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    rows = {r[0]: dict(zip(DETAIL_COLUMNS, r, strict=False)) for r in conn.execute(
        f"SELECT id, agency, year, province, level, title, published, NULL, checks_failed, page_url "
        f"FROM reports WHERE id IN ({marks})", list(ids)).fetchall()}
    for row in rows.values():
        row["flags"] = []
    if _has_table(conn, "flags"):
        for rid, code, label in conn.execute(
                f"SELECT DISTINCT f.report_id, f.code, l.label FROM flags f LEFT JOIN flag_codes l ON l.code = f.code "
                f"WHERE f.report_id IN ({marks}) ORDER BY l.ord", list(ids)).fetchall():
            rows[rid]["flags"].append({"code": code, "label": label or code})
    for row in rows.values():
        if row["checks_failed"]:
            row["flags"].append({"code": CHECKS_FAILED, "label": CHECKS_FAILED_LABEL})
    return [rows[i] for i in ids if i in rows]


def snippets(conn: sqlite3.Connection, ids: Sequence[str], query: SearchQuery) -> dict[str, Snippet]:
    """A narrative sentence per report (archive/snippets.py), read from the sections holding a term."""
    if not ids or not query.phrases:
        return {}
    any_term = " OR ".join(f'"{p}"' for p in query.phrases)
    marks = ", ".join("?" * len(ids))
    sections: dict[str, list[tuple[str | None, str | None]]] = {i: [] for i in ids}
    for rid, heading, text in conn.execute(
            f"SELECT s.report_id, s.heading, s.text FROM sections s WHERE s.report_id IN ({marks}) AND s.rowid IN "
            "(SELECT rowid FROM sections_fts WHERE sections_fts MATCH ?) ORDER BY s.report_id, s.seq",
            [*ids, any_term]).fetchall():
        sections[rid].append((heading, text))
    return {rid: choose(found, query.must) for rid, found in sections.items()}


def search(conn: sqlite3.Connection, query: SearchQuery, filters: Filters = Filters(), sort: str = "relevance",
           page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of results with the total, the facets and each result's snippet."""
    sort = sort if sort in SORTS else "relevance"
    found = matches(conn, query)
    listed = ordered(found, filters, sort)
    pages = max(1, -(-len(listed) // per_page))
    page = min(max(1, page), pages)
    shown = [m.report_id for m in listed[(page - 1) * per_page:page * per_page]]
    results = details(conn, shown)
    cut = snippets(conn, shown, query)
    for row in results:
        snip = cut.get(row["report_id"]) or choose([], query.must)
        row.update(snippet=snip.html, snippet_section=snip.section, snippet_note=snip.note)
    return Page(query, filters, sort, page, pages, len(listed), per_page, results,
                facets(conn, found, filters) if query.runnable else [])


def every_match(conn: sqlite3.Connection, query: SearchQuery, filters: Filters, sort: str) -> list[str]:
    """The ids of every filtered match, in the page's order (for the download)."""
    return [m.report_id for m in ordered(matches(conn, query), filters, sort if sort in SORTS else "relevance")]


def chunks(ids: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
