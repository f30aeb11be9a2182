"""The published site through Datasette's test client: metadata, canned queries, report page, raw files."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from archive.datasette.config import load_config, make_datasette
from tests.archive_db import build, fetch

HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    built = build(tmp_path_factory.mktemp("site"), generated=12)
    # a report whose text carries markup: the page must show it, never run it
    page = (
        "测试局2020年政府信息公开工作年度报告\n一、总体情况\n本局" + HOSTILE + "依法公开。\n"
        "二、主动公开政府信息情况\n无。\n三、收到和处理政府信息公开申请情况\n本年新收申请1件。\n"
    ).encode()
    with Archive(built.db) as archive:
        url = "http://www.hostile.gov.cn/nb.html"
        sha = archive.record_fetch(fetch(url, page, "text/plain; charset=utf-8"))
        outcome = archive.add_report([sha], page_url=url)
        # a report that says neither which year it covers nor when it was published
        yearless = ("无年度测试局政府信息公开工作年度报告\n一、总体情况\n本局依法公开政府信息。\n"
                    "三、收到和处理政府信息公开申请情况\n本年新收申请2件。\n").encode()
        url = "http://www.yearless.gov.cn/nb.html"
        sha = archive.record_fetch(fetch(url, yearless, "text/plain; charset=utf-8"))
        no_year = archive.add_report([sha], page_url=url)
    hostile = outcome.report_id
    return {"built": built, "ds": make_datasette(built.db), "hostile": hostile, "no_year": no_year.report_id}


def get(ds: Any, path: str) -> Any:
    async def go() -> Any:
        return await ds.client.get(path)

    return asyncio.run(go())


def test_config_merges_the_two_blocks_and_renames_the_database(tmp_path: Path) -> None:
    metadata, settings = load_config("archive2025")
    assert settings["sql_time_limit_ms"] > 0
    tables = metadata["databases"]["archive2025"]["tables"]
    assert tables["reports"]["fts_table"] == "reports_fts" and "description" in tables["reports"]
    assert tables["row_labels"]["hidden"] is True
    charts = metadata["plugins"]["datasette-dashboards"]["archive2025"]["charts"]
    assert {c["db"] for c in charts.values() if "db" in c} == {"archive2025"}
    assert "nianbao" not in metadata["databases"]


def test_every_table_and_column_is_described(site: dict[str, Any]) -> None:
    metadata, _ = load_config("nianbao")
    described = metadata["databases"]["nianbao"]["tables"]
    conn = sqlite3.connect(site["built"].db)
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE '%fts%' "
        "AND name NOT LIKE 'sqlite_%'")]
    assert not [n for n in names if "description" not in described.get(n, {})]
    for table in names:  # hidden helper tables too: they open from a link, and CSV users read them
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        assert set(columns) <= set(described[table].get("columns", {})), (table, set(columns) - set(
            described[table].get("columns", {})))


def test_served_read_only(site: dict[str, Any]) -> None:
    dbs = get(site["ds"], "/-/databases.json").json()
    mine = next(d for d in dbs if d["name"] == "nianbao")
    assert mine["is_mutable"] is False
    settings = get(site["ds"], "/-/settings.json").json()
    assert settings["sql_time_limit_ms"] <= 5000
    response = get(site["ds"], "/nianbao.json?sql=insert+into+reports(id)+values('x')")
    assert response.status_code == 400


@pytest.mark.parametrize("path", [
    "/nianbao/search.json?q=公开", "/nianbao/search_sections.json?q=复议", "/nianbao/mismatched.json",
    "/nianbao/top_requested.json", "/nianbao/missing_year.json",
    "/nianbao/report_figures.json", "/nianbao/agency_years.json", "/nianbao/failed_checks.json",
    "/nianbao/reports.json?_facet=province&_facet=year", "/-/dashboards/nianbao",
])
def test_pages_and_queries_answer(site: dict[str, Any], path: str) -> None:
    response = get(site["ds"], path)
    assert response.status_code == 200, response.text[:300]


def test_mismatched_lists_failed_checks_with_their_cells(site: dict[str, Any]) -> None:
    rows = get(site["ds"], "/nianbao/mismatched.json?_shape=array").json()
    conn = sqlite3.connect(site["built"].db)
    failed = conn.execute("SELECT count(*) FROM failed_checks").fetchone()[0]
    assert len(rows) == failed > 0
    assert all(r["cells"] and "=" in r["cells"] for r in rows)


def test_top_requested_ranks_agencies_by_new_requests(site: dict[str, Any]) -> None:
    rows = get(site["ds"], "/nianbao/top_requested.json?_shape=array").json()
    conn = sqlite3.connect(site["built"].db)
    expect = conn.execute("SELECT agency, sum(requests_new) FROM report_figures WHERE agency IS NOT NULL "
                          "GROUP BY agency").fetchall()
    assert len(rows) == len(expect) > 5
    assert {(r["agency"], r["requests_new"]) for r in rows} == set(expect)
    ranked = [r["requests_new"] for r in rows if r["requests_new"] is not None]
    assert ranked == sorted(ranked, reverse=True) and ranked[0] > 0


def test_missing_year_lists_exactly_the_reports_without_one(site: dict[str, Any]) -> None:
    rows = get(site["ds"], "/nianbao/missing_year.json?_shape=array").json()
    assert [r["report_id"] for r in rows] == [site["no_year"]]


def test_agency_over_years(site: dict[str, Any]) -> None:
    conn = sqlite3.connect(site["built"].db)
    agency, years = conn.execute("SELECT agency, count(*) FROM agency_years GROUP BY agency "
                                 "ORDER BY count(*) DESC, agency LIMIT 1").fetchone()
    rows = get(site["ds"], f"/nianbao/agency_over_years.json?agency={agency}&_shape=array").json()
    assert len(rows) == years and [r["year"] for r in rows] == sorted(r["year"] for r in rows)


def test_csv_download_of_a_table_streams_every_row(site: dict[str, Any]) -> None:
    response = get(site["ds"], "/nianbao/cells.csv?_stream=1&_size=max")
    rows = list(csv.reader(io.StringIO(response.text)))
    conn = sqlite3.connect(site["built"].db)
    assert len(rows) - 1 == conn.execute("SELECT count(*) FROM cells").fetchone()[0]


def test_report_page_lays_out_the_tables_and_marks_failed_checks(site: dict[str, Any]) -> None:
    conn = sqlite3.connect(site["built"].db)
    rid, n_bad = conn.execute("SELECT report_id, count(DISTINCT tbl || '/' || part || '/' || row || '/' || col) "
                              "FROM check_cells GROUP BY report_id LIMIT 1").fetchone()
    html = get(site["ds"], f"/-/report/nianbao/{rid}").text
    assert 'id="table-requests"' in html and "本年新收政府信息公开申请数量" in html and "申请人情况" in html
    assert html.count('class="bad"') == n_bad > 0 and 'class="failed"' in html
    assert 'id="outcomes-chart"' in html and "<rect" in html
    assert f"/-/raw/nianbao/{conn.execute('SELECT document FROM reports WHERE id = ?', [rid]).fetchone()[0]}" in html
    ok_rid = conn.execute("SELECT id FROM reports WHERE checks_failed = 0 AND cells > 0 LIMIT 1").fetchone()[0]
    assert 'class="bad"' not in get(site["ds"], f"/-/report/nianbao/{ok_rid}").text
    assert get(site["ds"], "/-/report/nianbao/0000000000000000").status_code == 404


def test_report_text_is_escaped(site: dict[str, Any]) -> None:
    html = get(site["ds"], f"/-/report/nianbao/{site['hostile']}").text
    assert HOSTILE not in html and "&lt;script&gt;" in html
    rows = get(site["ds"], "/nianbao/search.json?q=依法公开&_shape=array").json()
    assert any(r["report_id"] == site["hostile"] for r in rows)
    page = get(site["ds"], "/nianbao/search?q=依法公开").text
    assert "<mark>" in page and HOSTILE not in page


def test_raw_files_are_served_sandboxed(site: dict[str, Any]) -> None:
    conn = sqlite3.connect(site["built"].db)
    sha, ctype = conn.execute("SELECT sha256, content_type FROM documents LIMIT 1").fetchone()
    response = get(site["ds"], f"/-/raw/nianbao/{sha}")
    assert response.status_code == 200
    assert response.content == (site["built"].raw / sha[:2] / sha).read_bytes()
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["content-type"].startswith(ctype.split(";")[0])
    assert get(site["ds"], f"/-/raw/nianbao/{'0' * 64}").status_code == 404
