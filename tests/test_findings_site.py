"""The findings on the site: the report page's flags and their evidence, the side-by-side page, the
canned queries and dashboard panels, and the rates with their n."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

import pytest

from archive.datasette.config import make_datasette
from tests.findings_archive import Spec, build
from tests.test_datasette import get
from tests.test_findings import DEPT, GOV, _carried, _passage

SENTENCE = "2022年，共收到政府信息公开申请9件。"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("findings-site") / "nianbao.db"
    copied = _passage(240, 5)
    granted = {("requests", "", r, c): v for r, v in (("new", 20), ("total", 20), ("granted", 12),
                                                      ("partly_granted", 3), ("unable_not_held", 5))
               for c in ("natural_person", "total")}
    ids = build(db, [
        Spec(DEPT, 2021, published=date(2022, 1, 10), cells=_carried(forward={"total": 4})),
        Spec(DEPT, 2022, published=date(2023, 2, 20), cells=_carried(over={"total": 1}),
             text={"overview": (SENTENCE,), "problems": (copied,)}),
        Spec(GOV, 2022, published=date(2023, 3, 1), cells=granted, text={"problems": (copied,)}),
        Spec("大竹县民政局", 2021, published=date(2022, 1, 5)),  # published once, then nothing for 2022
    ], as_of=date(2023, 6, 1))  # "this year" is then 2022
    return {"db": db, "ds": make_datasette(db), "ids": ids}


def test_report_page_shows_each_flag_with_its_evidence(site: dict[str, Any]) -> None:
    first, second, gov, _ = site["ids"]
    html = get(site["ds"], f"/-/report/nianbao/{second}").text
    flags = html[html.index('id="flags"'):html.index("</section>", html.index('id="flags"'))]
    for code in ("late", "continuity_requests", "narrative_mismatch", "copied_section"):
        assert f'class="flag-{code}"' in flags, code
    assert f"/-/compare/nianbao/{second}/{first}" in flags  # continuity: last year's report beside this one
    assert f"/-/compare/nianbao/{second}/{gov}?section=problems" in flags  # the copy
    assert f"“{SENTENCE}”" in flags and 'href="#kind-overview"' in flags
    assert 'id="kind-overview"' in html
    assert 'id="flags"' not in get(site["ds"], f"/-/report/nianbao/{site['ids'][3]}").text


def test_compare_page_puts_the_two_reports_side_by_side(site: dict[str, Any]) -> None:
    first, second, *_ = site["ids"]
    response = get(site["ds"], f"/-/compare/nianbao/{second}/{first}?section=problems")
    assert response.status_code == 200
    html = response.text
    assert f"/-/report/nianbao/{first}" in html and f"/-/report/nianbao/{second}" in html
    table = html[html.index('id="compare-cells"'):html.index("</table>", html.index('id="compare-cells"'))]
    assert "结转下年度继续办理" in table and "<td>4</td>" in table and "<td>1</td>" in table
    assert get(site["ds"], f"/-/compare/nianbao/{second}/{'0' * 16}").status_code == 404
    # section text is one paragraph per printed line, not pre-wrapped newlines that show as gaps
    assert ".nb-pair p { white-space: pre-wrap" not in html and "<p></p>" not in html


@pytest.mark.parametrize(("query", "expected"), [
    ("late_reports", 1), ("copied_sections", 2), ("narrative_mismatches", 1), ("missing_this_year", 1),
    ("rates_by_level", None),
])
def test_canned_queries(site: dict[str, Any], query: str, expected: int | None) -> None:
    response = get(site["ds"], f"/nianbao/{query}.json?_shape=array" + ("&province=" if query == "late_reports"
                                                                         else ""))
    assert response.status_code == 200, response.text[:300]
    if expected is not None:
        assert len(response.json()) == expected
    if query == "missing_this_year":
        assert response.json()[0]["agency"] == "大竹县民政局"


def test_dashboard_and_views_answer(site: dict[str, Any]) -> None:
    for path in ("/-/dashboards/nianbao", "/nianbao/report_flags.json", "/nianbao/coverage.json",
                 "/nianbao/province_freshness.json", "/nianbao/province_years.json", "/nianbao/report_rates.json"):
        assert get(site["ds"], path).status_code == 200, path


def test_rates_carry_their_n_and_say_when_it_is_too_small(site: dict[str, Any]) -> None:
    con = sqlite3.connect(site["db"])
    con.row_factory = sqlite3.Row
    gov = con.execute("SELECT * FROM report_rates WHERE report_id = ?", [site["ids"][2]]).fetchone()
    assert (gov["grant_rate"], gov["grant_rate_n"], gov["grant_rate_note"]) == (0.75, 20, None)
    assert (gov["not_held_share"], gov["reviews_per_1000_n"]) == (0.25, 20)
    quiet = con.execute("SELECT * FROM report_rates WHERE report_id = ?", [site["ids"][0]]).fetchone()
    assert quiet["grant_rate"] is None and quiet["grant_rate_n"] == 0
    assert quiet["grant_rate_note"] == "n<5: not meaningful"
    level = con.execute("SELECT * FROM rates_by_level_year WHERE year = 2022").fetchone()
    assert level["reports"] == 2 and level["grant_rate_n"] == 20


def test_province_freshness_counts_this_years_gaps(site: dict[str, Any]) -> None:
    con = sqlite3.connect(site["db"])
    row = con.execute("SELECT reports_this_year, missing_this_year, late_this_year FROM province_freshness "
                      "WHERE province = '四川省'").fetchone()
    assert row == (2, 1, 1)
    years = dict(((y, (r, late, m)) for y, r, late, m in con.execute(
        "SELECT year, reports, late, missing FROM province_years WHERE province = '四川省'")))
    assert years[2022] == (2, 1, 1)
