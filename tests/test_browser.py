"""A reader's path through the demo in headless Chromium: search 复议, open a report, see its tables and charts.

The site is the README's main command for real: `nianbao demo --no-serve` crawls the fixture portals
and archives the samples, then `nianbao serve` serves that file (tests/demo_site.py, built once per run
with tests/test_site_browser.py). Uses Debian's chromium
(scripts/apt-packages.txt), driven by the locked playwright; screenshots go to test-artifacts/browser/
(gitignored) so a failing CI run can be looked at.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from tests.demo_site import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DemoSite, needs_chromium

pytestmark = [needs_chromium, pytest.mark.timeout(600), pytest.mark.e2e, pytest.mark.xdist_group("demo_site")]


@pytest.fixture(scope="module")
def base_url(demo_site: DemoSite) -> str:
    assert "current reports from" in demo_site.build_log and "crawl finished" in demo_site.build_log
    finished = next(line for line in demo_site.build_log.splitlines() if "crawl finished" in line)
    # only the two challenge walls: the demo is polite enough that F6's throttle never blocks it
    assert finished.endswith("not bypassed): www.f6-slider.gov.cn, www.f6-walled.gov.cn"), finished
    _each_report_counted_once(demo_site.db)
    return demo_site.url


def _each_report_counted_once(db: Path) -> None:
    """The demo links one PDF from several pages and portals: no agency has two current reports for a
    year, and the dashboard's total is the sum over distinct documents (issue 15)."""
    import sqlite3

    con = sqlite3.connect(db)
    try:
        twice = con.execute("SELECT agency_id, year FROM reports WHERE is_current AND agency_id IS NOT NULL "
                            "GROUP BY agency_id, year HAVING count(*) > 1").fetchall()
        total = con.execute("SELECT coalesce(sum(requests_new), 0) FROM report_figures").fetchone()[0]
        by_document = con.execute(
            "SELECT coalesce(sum(n), 0) FROM (SELECT DISTINCT r.document, c.value AS n FROM reports r "
            "JOIN cells c ON c.report_id = r.id AND c.tbl = 'requests' AND c.row = 'new' AND c.col = 'total' "
            "WHERE r.page_current = 1)").fetchone()[0]
        huaian = con.execute("SELECT agency, requests_new FROM report_figures WHERE agency_code LIKE '3208%' "
                             "AND year = 2024 ORDER BY agency").fetchall()
    finally:
        con.close()
    assert twice == [] and total == by_document > 0
    assert huaian == [("淮安市人民政府", 3119), ("淮安市洪泽区人民政府", 95)], "each counted once, in 江苏省"


def test_search_open_report_see_tables_and_charts(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            page.goto(f"{base_url}/nianbao/search")
            page.fill("input[name=q]", "复议")
            page.keyboard.press("Enter")
            page.wait_for_url("**q=*")
            marks = page.locator("table.rows-and-columns mark")
            expect(marks.first).to_have_text("复议")
            page.screenshot(path=str(ARTIFACTS / "1-search.png"), full_page=True)

            page.locator("table.rows-and-columns td.col-report_id a").first.click()
            page.wait_for_url("**/-/report/**")
            expect(page.locator("#table-requests")).to_be_visible()
            expect(page.locator("#table-requests")).to_contain_text("本年新收政府信息公开申请数量")
            expect(page.locator("#outcomes-chart svg rect").first).to_be_visible()
            expect(page.locator("a.raw-link").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "2-report.png"), full_page=True)

            # a report the crawl found links back to its portal page
            with urllib.request.urlopen(f"{base_url}/nianbao/reports.json?_shape=array&_col=id"
                                        "&page_url__startswith=http://&is_current=1&_size=1") as got:
                crawled = json.loads(got.read())[0]["id"]
            page.goto(f"{base_url}/-/report/nianbao/{crawled}")
            expect(page.locator("#source-link")).to_have_attribute("href", re.compile(r"^http://[a-z0-9.-]+\.gov\.cn/"))
            expect(page.locator("#table-requests")).to_be_visible()

            page.goto(f"{base_url}/-/dashboards/nianbao")
            cards = page.locator(".dashboard-card")
            expect(cards.first).to_be_visible()
            for n in range(cards.count()):  # every chart drawn (vega canvas/svg, or a metric's number)
                expect(cards.nth(n).locator(".dashboard-card-chart")).not_to_be_empty()
            expect(page.locator(".dashboard-card-chart canvas, .dashboard-card-chart svg").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "3-dashboard.png"), full_page=True)
            boxes = [cards.nth(n).bounding_box() for n in range(cards.count())]
            assert all(boxes) and len(boxes) >= 6
            for i, a in enumerate(boxes):  # laid out in a grid, not piled on each other
                for b in boxes[i + 1:]:
                    assert a and b
                    overlap_x = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
                    overlap_y = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
                    assert overlap_x <= 1 or overlap_y <= 1, (a, b)
        finally:
            browser.close()
