"""The archive's storage rules: raw bytes by hash, fetch log, versions, hints, failures, rebuild, export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from archive import Archive, ArchiveVersionError, Fetch, RawStore
from archive.export import CONTRACT_KEYS, export
from archive.rebuild import rebuild
from extract import parse_report
from tests.archive_db import build, fetch
from tests.shared import SEEDS, need_shared

SEED = "001_40331eb6809e4e69"


def dump(db: Path, *, without: frozenset[str] = frozenset()) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (FTS shadow tables included), in a stable order; `without` names
    columns left out (the clock of a build)."""
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for name in names:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])") if r[1] not in without]
            rows = conn.execute(f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM [{name}]").fetchall()
            out[name] = sorted(rows, key=repr)
        out["views"] = sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall())
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    return build(tmp_path_factory.mktemp("archive"))


# --- raw store -----------------------------------------------------------------------------------

def test_raw_store_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    sha = store.put(b"report bytes")
    assert store.path(sha) == tmp_path / sha[:2] / sha
    assert store.put(b"report bytes") == sha and store.get(sha) == b"report bytes" and store.has(sha)
    assert list(store) == [sha]
    assert not list(tmp_path.rglob("*.tmp")), "a finished put leaves no temp file"
    with pytest.raises(KeyError):
        store.get("0" * 64)
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


# --- fetches -------------------------------------------------------------------------------------

def test_record_fetch_keeps_the_exchange_and_validators_come_from_the_last_200(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        url = "http://www.x.gov.cn/nb.html"
        first = Fetch(url, url, 200, [("Content-Type", "text/html"), ("ETag", '"v1"'),
                                      ("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")], b"<p>one</p>",
                      "2025-01-01T00:00:00Z")
        sha = archive.record_fetch(first)
        assert archive.raw.get(sha) == b"<p>one</p>"
        assert archive.validators(url) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
        not_modified = Fetch(url, url, 304, [("ETag", '"v1"')], b"", "2025-01-02T00:00:00Z")
        assert archive.record_fetch(not_modified) == sha, "a 304 answers with the unchanged document"
        missing = Fetch(url + "?x", url + "?x", 404, [], b"gone", "2025-01-02T00:00:00Z")
        gone = archive.record_fetch(missing)
        assert archive.raw.get(gone) == b"gone", "a 404 page is kept too: it is what the portal answered"
        assert archive.validators(url + "?x") is None
        assert archive.validators("http://never.gov.cn/") is None
        statuses = sorted(r[0] for r in archive.db.execute("SELECT status FROM fetches"))
        assert statuses == [200, 304, 404]
        assert archive.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 2, "a document per body"
        assert archive.db.execute("SELECT count(*) FROM fetches WHERE sha256 IS NULL").fetchone()[0] == 0
        headers = json.loads(archive.db.execute("SELECT headers FROM fetches WHERE status = 200").fetchone()[0])
        assert ["ETag", '"v1"'] in headers
        archive.mark_blocked("www.f6.gov.cn", "412 cookie challenge", "http://www.f6.gov.cn/")
        archive.mark_blocked("www.f6.gov.cn", "429", "http://www.f6.gov.cn/a")
        row = archive.db.execute("SELECT reason, times FROM blocked").fetchone()
        assert tuple(row) == ("429", 2)


# --- reports and versions ------------------------------------------------------------------------

def _seed_bytes(name: str = SEED) -> bytes:
    need_shared()
    return (SEEDS / f"{name}.txt").read_bytes()


def test_changed_bytes_make_a_new_version_and_current_moves(tmp_path: Path) -> None:
    url = "http://www.x.gov.cn/nb/1.html"
    v1_body = _seed_bytes()
    v2_body = v1_body.replace("发布日期".encode(), "发布时间".encode()) + "\n补充说明。\n".encode()
    with Archive(tmp_path / "a.db") as archive:
        s1 = archive.record_fetch(fetch(url, v1_body, "text/plain", "2025-01-01T00:00:00Z"))
        o1 = archive.add_report([s1], page_url=url)
        assert (o1.status, o1.version, o1.is_current) == ("new", 1, True)
        again = archive.add_report([s1], page_url=url + "#top")  # same page, same bytes
        assert (again.status, again.report_id) == ("unchanged", o1.report_id)
        s2 = archive.record_fetch(fetch(url, v2_body, "text/plain", "2025-02-01T00:00:00Z"))
        o2 = archive.add_report([s2], page_url=url)
        assert (o2.status, o2.version, o2.is_current) == ("new_version", 2, True)
        rows = archive.db.execute("SELECT version, is_current FROM reports ORDER BY version").fetchall()
        assert [tuple(r) for r in rows] == [(1, 0), (2, 1)], "the old version is kept, not current"
        back = archive.add_report([s1], page_url=url)  # the portal put the old bytes back
        assert back.report_id == o1.report_id and back.is_current
        rows = archive.db.execute("SELECT version, is_current FROM reports ORDER BY version").fetchall()
        assert [tuple(r) for r in rows] == [(1, 1), (2, 0)]
        assert archive.db.execute("SELECT reports FROM agencies").fetchone()[0] == 1


def test_hints_fill_only_what_the_parse_lacks(tmp_path: Path) -> None:
    need_shared()
    with Archive(tmp_path / "a.db") as archive:
        url = "http://www.x.gov.cn/nb/0.html"
        sha = archive.record_fetch(fetch(url, _seed_bytes("000_09886ce637bf6d9d"), "text/plain"))
        o = archive.add_report([sha], page_url=url, agency="某区国资委", year=1999, title="列表页标题",
                               region_code="230100", level="district")
        row = archive.db.execute("SELECT agency, year, title, region_code, host, province, place_reason FROM reports "
                                 "WHERE id = ?", [o.report_id]).fetchone()
        # seed 000 prints no title and no agency but says 2020: the parse wins where it has a value
        assert tuple(row[:5]) == ("某区国资委", 2020, "列表页标题", "230100", "www.x.gov.cn")
        # the portal's region code is kept as evidence, never taken for the agency's place
        assert row[5] is None and row[6]


def test_unreadable_documents_are_archived_with_their_reason(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        url = "http://www.x.gov.cn/nb/2.html"
        page = archive.record_fetch(fetch(url, "<html><body>详见附件</body></html>".encode(), "text/html"))
        junk = archive.record_fetch(fetch(url + ".bin", b"\x00\x01binary\x02" * 50, "application/octet-stream"))
        failed = archive.add_report([page, junk], page_url=url)
        assert failed.status == "failed" and failed.report_id is None and set(failed.errors) == {page, junk}
        rows = archive.db.execute("SELECT parse_status, parse_error FROM documents").fetchall()
        assert all(r[0] == "failed" and r[1] for r in rows)
        good = archive.record_fetch(fetch(url + ".txt", _seed_bytes(), "text/plain"))
        ok = archive.add_report([page, good], page_url=url)
        assert ok.status == "new" and ok.document == good, "the attachment that parses is the report's data"
        status = dict(archive.db.execute("SELECT sha256, parse_status FROM documents").fetchall())
        assert status[page] == "failed" and status[good] == "ok"
        assert archive.db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1


def test_replay_keeps_the_sighting_times_and_hints_it_is_given(tmp_path: Path) -> None:
    """What rebuild and merge hand back: a report seen before keeps when it was seen and its list-page
    hints; the same version replayed again (another machine saw it too) widens to both machines' times."""
    url = "http://www.x.gov.cn/nb/1.html"
    with Archive(tmp_path / "a.db") as archive:
        sha = archive.record_fetch(fetch(url, _seed_bytes(), "text/plain", "2024-03-01T00:00:00Z"))
        first = archive.replay([sha], page_url=url, hints={"region_code": "320117", "level": "county"},
                               first_seen="2024-03-01T00:00:00Z", last_seen="2024-06-01T00:00:00Z")
        again = archive.replay([sha], page_url=url, hints={"region_code": "320117", "level": "county"},
                               first_seen="2024-01-01T00:00:00Z", last_seen="2024-05-01T00:00:00Z")
        assert first.status == "new" and (again.status, again.report_id) == ("unchanged", first.report_id)
        row = archive.db.execute("SELECT first_seen, last_seen, hints FROM report_sources").fetchone()
        assert tuple(row[:2]) == ("2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z")
        assert json.loads(row[2])["region_code"] == "320117"
        assert archive.db.execute("SELECT region_code, first_seen FROM reports").fetchone() == (
            "320117", "2024-03-01T00:00:00Z"), "the report row keeps the first sighting it was stored with"


def test_add_report_refuses_bytes_it_never_stored(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive, pytest.raises(KeyError):
        archive.add_report(["a" * 64], page_url="http://x.gov.cn/")


# --- the built database --------------------------------------------------------------------------

def test_every_table_and_view_has_rows(built) -> None:
    conn = sqlite3.connect(built.db)
    for name in ("documents", "fetches", "report_sources", "reports", "sections", "cells", "checks", "check_cells",
                 "agencies", "report_figures", "agency_years", "failed_checks", "row_labels", "column_labels",
                 "part_labels", "table_labels", "section_kinds", "check_rules", "provinces"):
        assert conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] > 0, name
    assert conn.execute("SELECT count(*) FROM reports_fts").fetchone()[0] == \
        conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM sections_fts").fetchone()[0] == \
        conn.execute("SELECT count(*) FROM sections").fetchone()[0]
    # every code in cells has its Chinese label
    unlabeled = conn.execute(
        "SELECT count(*) FROM cells c LEFT JOIN row_labels r ON r.code = c.row "
        "LEFT JOIN column_labels k ON k.code = c.col WHERE r.code IS NULL OR k.code IS NULL").fetchone()[0]
    assert unlabeled == 0


def test_key_figures_match_the_parsed_cells(built) -> None:
    """report_figures is a pivot of cells: check it against the parser's own Report for every report."""
    conn = sqlite3.connect(built.db)
    conn.row_factory = sqlite3.Row
    store = RawStore(built.raw)
    for row in conn.execute("SELECT f.*, r.document FROM report_figures f JOIN reports r ON r.id = f.report_id"):
        report = parse_report(store.get(row["document"]), content_type=None)
        new = report.cell("requests", "new", "total")
        assert row["requests_new"] == (new.value if new else None)
        denied = [c.value for c in report.tables["requests"] if c.row and c.row.startswith("denied")
                  and c.column == "total" and c.value is not None]
        assert row["denied"] == (sum(denied) if denied else None)
        reviews = report.cell("review_litigation", None, "total", group="review")
        assert row["reviews"] == (reviews.value if reviews else None)
        assert row["checks_failed"] == sum(1 for c in report.checks if not c.ok)


def test_failed_checks_point_at_the_cells_they_read(built) -> None:
    conn = sqlite3.connect(built.db)
    failed = conn.execute("SELECT report_id, rule, detail FROM failed_checks").fetchall()
    assert failed, "the generated inconsistent reports must fail some checks"
    for report_id, rule, _detail in failed:
        n = conn.execute("SELECT count(*) FROM check_cells cc JOIN cells c USING (report_id, tbl, part, row, col) "
                         "WHERE cc.report_id = ? AND cc.rule = ?", [report_id, rule]).fetchone()[0]
        assert n > 0, (report_id, rule)


def test_building_twice_gives_the_same_database(built, tmp_path: Path) -> None:
    again = build(tmp_path)
    clock = frozenset({"first_seen", "last_seen"})  # when the build ran, not what it holds
    first, second = dump(built.db, without=clock), dump(again.db, without=clock)
    assert first.keys() == second.keys()
    for table in first:
        assert first[table] == second[table], table


def test_rebuild_equals_a_fresh_build_and_reopening_changes_nothing(built, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "nianbao.db"
    shutil.copy(built.db, copy)
    before = dump(copy)
    Archive(copy, raw_root=built.raw).close()  # ensure_db_shape on an existing archive is a no-op
    assert dump(copy) == before
    counts = rebuild(copy, built.raw)
    assert counts["reports"] == len(built.report_ids)
    assert dump(copy) == before
    assert not list(tmp_path.glob(".nianbao.db.rebuild-*")), "no temporary file left behind"


def test_export_jsonl_is_the_contract(built) -> None:
    out = io.StringIO()
    n = export(built.db, out, "jsonl")
    docs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == len(docs) == len(built.report_ids)
    store = RawStore(built.raw)
    for doc in docs:
        assert set(CONTRACT_KEYS) <= set(doc) and {"url", "fetched_at", "report_id"} <= set(doc)
        expected = parse_report(store.get(doc["document"])).to_dict()
        # what the parse said, except where a list-page hint filled a gap
        for key in CONTRACT_KEYS:
            if key in ("title", "agency", "year", "published") and expected[key] is None:
                continue
            assert doc[key] == expected[key], (doc["report_id"], key)


def test_export_csv_is_the_key_figures_view(built) -> None:
    out = io.StringIO()
    export(built.db, out, "csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == len(built.report_ids)
    assert {"report_id", "agency", "year", "requests_new", "denied", "reviews", "lawsuits"} <= set(rows[0])


# --- one writer at a time ----------------------------------------------------------------------

def test_one_writer_at_a_time_and_a_killed_writer_leaves_no_lock(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from archive import ArchiveBusy

    db = tmp_path / "a.db"
    with Archive(db), pytest.raises(ArchiveBusy, match=r"another nianbao process \(pid \d+\)"):
        Archive(db)
    Archive(db).close()  # free again once closed
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from archive import Archive; "
                               f"a = Archive({str(db)!r}); print('open', flush=True); time.sleep(60)"],
                              cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(ArchiveBusy, match=f"pid {holder.pid}"):
            Archive(db)
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 5
    while True:  # the kernel drops a dead process's flock
        try:
            Archive(db).close()
            break
        except ArchiveBusy:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_rebuild_and_crawl_refuse_an_archive_being_written(tmp_path: Path) -> None:
    import subprocess
    import sys

    from click.testing import CliRunner

    from nianbao.cli import main

    db = tmp_path / "a.db"
    with Archive(db):
        result = CliRunner().invoke(main, ["rebuild", "--db", str(db)])
        assert result.exit_code == 2 and "being written by another nianbao process" in result.stderr
        crawl = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", "--db", str(db), "http://www.x.gov.cn/"],
                               cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=60)
        assert crawl.returncode == 2 and "being written by another nianbao process" in crawl.stderr


def test_merging_is_idempotent_and_keeps_every_version(tmp_path: Path) -> None:
    from archive.merge import merge

    seed = _seed_bytes()
    url = "http://www.x.gov.cn/nb.html"
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    with Archive(a) as archive:  # machine a saw the report as first published
        archive.add_report([archive.record_fetch(Fetch(url, url, 200, [], seed, "2025-01-01T00:00:00Z"))], page_url=url)
    with Archive(b) as archive:  # machine b, later, a corrected version
        fixed = seed.replace("年度报告".encode(), "年度报告（更正）".encode(), 1)
        archive.add_report([archive.record_fetch(Fetch(url, url, 200, [], fixed, "2025-03-01T00:00:00Z"))],
                           page_url=url)
    into = tmp_path / "all.db"
    first = merge(into, [a, b])
    clock = frozenset({"first_seen", "last_seen"})
    before = dump(into, without=clock)
    again = merge(into, [a, b])
    assert first["reports"] == 2 and again["files"] == 0 and dump(into, without=clock) == before
    con = sqlite3.connect(into)
    versions = con.execute("SELECT version, is_current FROM reports ORDER BY version").fetchall()
    con.close()
    assert versions == [(1, 0), (2, 1)], "both versions kept; the one seen last is current"
    with pytest.raises(ValueError, match="being merged into"):
        merge(into, [into])


def test_a_page_seen_without_its_attachments_is_the_same_version(tmp_path: Path) -> None:
    """Versions are changed bytes, not fetches that saw more or less of one publication."""
    url = "http://www.x.gov.cn/nb.html"
    with Archive(tmp_path / "a.db") as archive:
        page = archive.record_fetch(Fetch(url, url, 200, [], _seed_bytes(), "2025-01-01T00:00:00Z"))
        pdf = archive.record_fetch(Fetch(url + ".pdf", url + ".pdf", 200, [], b"%PDF-1.4 not much",
                                         "2025-01-01T00:00:01Z"))
        alone = archive.add_report([page], page_url=url)
        full = archive.add_report([page, pdf], page_url=url)
        again = archive.add_report([page], page_url=url)
        rows = archive.db.execute("SELECT id, documents FROM report_sources").fetchall()
        versions = archive.db.execute("SELECT id, version, is_current FROM reports").fetchall()
    assert alone.status == "new" and full.status == "new" and again.status == "unchanged"
    assert [(r[0], json.loads(r[1])) for r in rows] == [(full.report_id, [page, pdf])]
    assert [tuple(v) for v in versions] == [(full.report_id, 1, 1)] and again.report_id == full.report_id


def test_an_archive_of_the_first_schema_is_refused_with_the_command_that_fixes_it(tmp_path: Path) -> None:
    """Schema 1 had no report identity and an agencies table keyed by name: no column added in place
    makes its reports one-per-publication, so it is refused, never half-converted, and says to rebuild."""
    old = tmp_path / "old.db"
    con = sqlite3.connect(old)
    con.executescript("""
        CREATE TABLE archive_meta (key TEXT PRIMARY KEY, value TEXT);
        INSERT INTO archive_meta VALUES ('schema_version', '1');
        CREATE TABLE documents (sha256 TEXT PRIMARY KEY, url TEXT);
        CREATE TABLE agencies (name TEXT PRIMARY KEY, region_code TEXT, province TEXT, level TEXT, host TEXT,
                               reports INTEGER, first_year INTEGER, last_year INTEGER);
        CREATE TABLE reports (id TEXT PRIMARY KEY, report_key TEXT NOT NULL, version INTEGER NOT NULL,
                              is_current INTEGER NOT NULL, agency TEXT REFERENCES agencies(name), year INTEGER,
                              province TEXT, level TEXT);
        INSERT INTO reports VALUES ('r1', 'k1', 1, 1, '某局', 2020, '北京市', 'county');
    """)
    con.close()
    with pytest.raises(ArchiveVersionError, match=r"schema version 1.*run `nianbao rebuild --db .*old\.db`"):
        Archive(old)
    con = sqlite3.connect(old)
    assert "agency_id" not in {r[1] for r in con.execute("PRAGMA table_info(reports)")}  # left as it was
    con.close()
