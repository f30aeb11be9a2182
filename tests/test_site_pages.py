"""The site's own pages (issue 17): the home page, agency pages and their search, the readable report list,
the Chinese 404, and a footer that names the same contact page as the crawler's User-Agent.

The archive is the demo's samples (`samples/`, added as `nianbao add` adds them): 上海市人民政府办公厅 published
for 2019 (a portal page, 2019 format) and 2025 (markdown, 2021 format), and 上海市科委 for 2024 — two
bodies under one parent, so the agency page has years side by side and a sibling.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from archive.datasette.config import METADATA_YML, make_datasette
from archive.datasette.plugins.nianbao_pages import search_path
from archive.project import CRAWLER_CONTACT_URL, REPOSITORY_URL
from nianbao.archive_cmd import add_files

pytestmark = pytest.mark.timeout(180)
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ("shanghai-office-2019.html", "shanghai-office-2025.md", "shanghai-kewei-2024.md", "shuyang-2025.txt")
OFFICE = "上海市人民政府办公厅"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("pages") / "nianbao.db"
    results = add_files(db, [ROOT / "samples" / name for name in SAMPLES])
    assert all(status != "failed" for _path, status, _message in results), results
    return db


@pytest.fixture(scope="module")
def ds(archive: Path) -> Any:
    return make_datasette(archive)


def get(ds: Any, path: str, status: int = 200) -> Any:
    async def go() -> Any:
        return await ds.client.get(path)

    response = asyncio.run(go())
    assert response.status_code == status, (path, response.status_code)
    return response


def text(html: str) -> str:
    """The visible text, one space between pieces (scripts and styles left out)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def one(archive: Path, sql: str, *params: Any) -> Any:
    con = sqlite3.connect(archive)
    try:
        return con.execute(sql, params).fetchone()
    finally:
        con.close()


def test_agency_page_lays_the_years_side_by_side_with_figures_checks_and_links(ds: Any, archive: Path) -> None:
    agency_id, parent = one(archive, "SELECT id, parent FROM agencies WHERE name = ?", OFFICE)
    html = get(ds, f"/-/agency/nianbao/{agency_id}").text
    years = re.search(r'<table class="nb-years" id="agency-years">(.*?)</table>', html, re.S)
    assert years, "the year-by-year table"
    shown = [int(y) for y in re.findall(r'<th scope="col" class="year-(\d{4})">', years.group(1))]
    assert shown == sorted(shown) and {2019, 2025} <= set(shown)
    status = re.search(r"<th scope=\"row\">发布情况</th>(.*?)</tr>", years.group(1), re.S)
    assert status and status.group(1).count("未见报告") == len(shown) - 2  # the years between: missing
    for year in (2019, 2025):  # every current report is linked, with its figure as the view sums it
        report_id, new = one(archive, "SELECT report_id, requests_new FROM report_figures WHERE agency_id = ? "
                                      "AND year = ?", agency_id, year)
        assert f'/-/report/nianbao/{report_id}"' in html
        assert f"report_id={report_id}" in html  # its sightings
        row = re.search(r'<tr class="fig-requests_new">(.*?)</tr>', years.group(1), re.S)
        assert row and f"<td>{new:,}</td>" in row.group(1), (year, new)
    assert "勾稽关系" in years.group(1) and ("✓" in years.group(1) or "✗" in years.group(1))
    assert re.search(r'<figure id="chart-requests_new">.*?<rect ', html, re.S), "a chart over the years"
    assert re.search(r"\.nb-meta td, \.nb-years td \{[^}]*white-space: normal", html), "no pre-wrap gaps"
    assert parent == "上海市人民政府" and "上海市人民政府" in text(html)
    sibling = one(archive, "SELECT id FROM agencies WHERE name = '上海市科委'")[0]
    siblings = re.search(r'<ul id="agency-siblings">(.*?)</ul>', html, re.S)
    assert siblings and f"/-/agency/nianbao/{sibling}" in siblings.group(1)


def test_a_parent_without_reports_is_named_not_linked(ds: Any, archive: Path) -> None:
    """上海市人民政府 has no report here: its name is shown, and said to have none, rather than a dead link."""
    agency_id = one(archive, "SELECT id FROM agencies WHERE name = ?", OFFICE)[0]
    parent = re.search(r'id="agency-parent">(.*?)</td>', get(ds, f"/-/agency/nianbao/{agency_id}").text, re.S)
    assert parent and "上海市人民政府" in parent.group(1) and "<a " not in parent.group(1) and "尚无" in parent.group(1)


def test_agency_search_finds_by_any_printed_form_and_one_match_goes_to_it(ds: Any, archive: Path) -> None:
    agency_id = one(archive, "SELECT id FROM agencies WHERE name = ?", OFFICE)[0]
    several = get(ds, "/-/agency/nianbao?agency=上海市").text
    assert f"/-/agency/nianbao/{agency_id}" in several and "上海市科委" in several
    single = get(ds, "/-/agency/nianbao?agency=办公厅", status=302)
    assert single.headers["location"].endswith(f"/-/agency/nianbao/{agency_id}")
    suggestions = get(ds, "/-/agency/nianbao.json?agency=科委").json()
    assert [s["name"] for s in suggestions] == ["上海市科委"]
    assert "没有找到" in get(ds, "/-/agency/nianbao?agency=火星省").text


def test_every_page_can_reach_an_agency_and_names_link_to_it(ds: Any, archive: Path) -> None:
    agency_id, report_id = one(archive, "SELECT agency_id, id FROM reports WHERE agency = ? AND year = 2025", OFFICE)
    report = get(ds, f"/-/report/nianbao/{report_id}").text
    assert f'id="agency-link" href="/-/agency/nianbao/{agency_id}"' in report
    for page in ("/", f"/-/report/nianbao/{report_id}", "/nianbao/report_list", "/nianbao/reports"):
        assert 'class="nb-agency-form" action="/-/agency/nianbao"' in get(ds, page).text, page
    listing = get(ds, "/nianbao/report_list").text
    assert f'<a href="/-/agency/nianbao/{agency_id}">{OFFICE}</a>' in listing
    assert f'<a href="/-/report/nianbao/{report_id}">' in listing  # the title links to the report page


def test_report_list_is_readable_and_faceted(ds: Any) -> None:
    got = get(ds, "/nianbao/report_list.json?_shape=objects&_size=50").json()
    assert set(got["columns"]) >= {"title", "agency", "year", "province", "level", "flags", "failed_checks"}
    assert "warnings" not in got["columns"] and "documents" not in got["columns"]
    assert {row["title"] for row in got["rows"]} >= {"2025年上海市人民政府办公厅政府信息公开工作年度报告"}
    assert set(got["facet_results"]) >= {"province", "level", "year", "template", "flags"}


def test_home_page_has_coverage_latest_reports_analyses_and_citation(ds: Any, archive: Path) -> None:
    html = get(ds, "/").text
    coverage = re.search(r'<table class="nb-cover" id="coverage">(.*?)</table>', html, re.S)
    assert coverage
    shanghai = re.search(r"<tr><th scope=\"row\">上海市</th>(.*?)</tr>", coverage.group(1), re.S)
    assert shanghai, "a row per province"
    counted = one(archive, "SELECT count(*) FROM reports WHERE is_current = 1 AND province = '上海市'")[0]
    assert shanghai.group(1).rstrip().endswith(f"<td>{counted}</td>")
    latest = re.search(r'<ol class="nb-latest" id="latest-reports">(.*?)</ol>', html, re.S)
    newest = one(archive, "SELECT id FROM reports WHERE is_current = 1 ORDER BY published DESC LIMIT 1")[0]
    assert latest and latest.group(1).index(newest) < 200
    assert f'action="{search_path("nianbao")}"' in html and 'id="analyses"' in html
    assert "上海" in get(ds, f"{search_path('nianbao')}?q=政府信息公开").text  # the box leads to real results
    assert "/nianbao/mismatched" in html
    assert "如何引用" in html and "/-/dashboards/nianbao" in html


@pytest.mark.parametrize("path", ["/no-such-page", "/nianbao/no_such_table", "/-/report/nianbao/0000000000000000",
                                  "/-/agency/nianbao/000000000000"])
def test_not_found_is_chinese_with_navigation_and_status_404(ds: Any, path: str) -> None:
    html = get(ds, path, status=404).text
    assert "页面未找到" in html and 'lang="zh-CN"' in html
    nav = re.search(r'<ul id="not-found-nav">(.*?)</ul>', html, re.S)
    assert nav and 'href="/"' in nav.group(1) and "/-/agency/nianbao" in nav.group(1)
    assert "Error 404" not in html
    assert get(ds, path + ".json" if not path.endswith(".json") else path, status=404).headers[
        "content-type"].startswith("application/json")


def test_footer_links_the_repository_and_the_contact_page_the_crawler_names(ds: Any) -> None:
    from crawler import settings

    assert f"+{CRAWLER_CONTACT_URL};" in settings.USER_AGENT
    assert CRAWLER_CONTACT_URL.startswith(REPOSITORY_URL)
    assert yaml.safe_load(METADATA_YML.read_text(encoding="utf-8"))["about_url"] == REPOSITORY_URL
    for path in ("/", "/nianbao/reports", "/no-such-page"):
        html = get(ds, path, status=404 if path == "/no-such-page" else 200).text
        assert f'id="footer-repository" href="{REPOSITORY_URL}"' in html, path
        assert f'id="footer-contact" href="{CRAWLER_CONTACT_URL}"' in html, path
        assert "Powered by" not in html and "Data license" not in html, path


def test_reports_table_leaves_json_columns_out_until_asked(ds: Any, archive: Path) -> None:
    html = get(ds, "/nianbao/reports").text
    assert 'class="col-warnings' not in html and 'class="col-documents' not in html
    assert 'class="col-title' in html and 'class="col-agency' in html and "显示全部列" in html
    report_id = one(archive, "SELECT id FROM reports WHERE agency = ? AND year = 2019", OFFICE)[0]
    assert f'<a href="/-/report/nianbao/{report_id}">' in html  # titles link to the report page
    assert 'class="col-warnings' in get(ds, "/nianbao/reports?_nb_all=1").text
    assert 'class="col-warnings' in get(ds, "/nianbao/reports?_col=warnings").text
    assert "warnings" in get(ds, "/nianbao/reports.json").json()["columns"]  # exports keep every column
    assert 'class="col-raw' in get(ds, "/nianbao/cells").text  # other tables untouched


def test_database_page_is_chinese_and_starts_from_the_readable_pages(ds: Any) -> None:
    html = get(ds, "/nianbao").text
    for label in ("自定义 SQL 查询", 'value="运行 SQL"', "分析查询", "数据表", "视图", "下载整个 SQLite 数据库"):
        assert label in html, label
    for english in ("Custom SQL query", 'value="Run SQL"', '"queries">Queries', '"tables">Tables', '"views">Views',
                    "Download SQLite DB"):
        assert english not in html, english
    start = re.search(r'<p id="db-start">(.*?)</p>', html, re.S)
    assert start and "/nianbao/report_list" in start.group(1) and "/-/agency/nianbao" in start.group(1)


def test_agency_page_as_json_carries_what_the_page_shows(ds: Any, archive: Path) -> None:
    agency_id = one(archive, "SELECT id FROM agencies WHERE name = ?", OFFICE)[0]
    html = get(ds, f"/-/agency/nianbao/{agency_id}").text
    assert f'id="agency-json" href="/-/agency/nianbao/{agency_id}.json"' in html
    response = get(ds, f"/-/agency/nianbao/{agency_id}.json")
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert data["agency"]["id"] == agency_id and data["agency"]["name"] == OFFICE
    assert data["page_url"] == f"/-/agency/nianbao/{agency_id}"
    shown = [int(y) for y in re.findall(r'<th scope="col" class="year-(\d{4})">', html)]
    assert [y["year"] for y in data["years"]] == shown
    for year in data["years"]:  # each year's figures as the view sums them, its status as the page words it
        view = one(archive, "SELECT requests_new, status FROM agency_years WHERE agency_id = ? AND year = ?",
                   agency_id, year["year"])
        assert (year["requests_new"], year["status"]) == view
        assert year["status_label"] in text(html)
        for report in year["reports"]:
            assert report["report_url"] == f"/-/report/nianbao/{report['id']}" and report["report_url"] in html
            assert report["sightings_url"] in html.replace("&amp;", "&")
            rules = one(archive, "SELECT group_concat(rule) FROM checks WHERE report_id = ?", report["id"])[0]
            assert {c["rule"] for c in report["checks"]} == set((rules or "").split(",")) - {""}
    reported = {r["id"] for y in data["years"] for r in y["reports"]}
    current = one(archive, "SELECT group_concat(id) FROM reports WHERE agency_id = ? AND is_current = 1 "
                           "AND year IS NOT NULL", agency_id)[0].split(",")
    assert reported == set(current) and len(reported) >= 2
    sibling = one(archive, "SELECT id FROM agencies WHERE name = '上海市科委'")[0]
    assert [s["agency_url"] for s in data["siblings"] if s["id"] == sibling] == [f"/-/agency/nianbao/{sibling}"]
    assert data["parent"]["name"] == "上海市人民政府" and "agency_url" not in data["parent"]
    assert {f["column"] for f in data["figures"]} >= {"requests_new", "reviews", "lawsuits"}
    get(ds, "/-/agency/nianbao/000000000000.json", status=404)
