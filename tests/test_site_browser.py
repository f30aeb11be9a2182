"""Every page kind of the site in Chromium at 1,400 px and on a 390 px phone (issue 17): home, the report list,
a report, an agency, the agency search, the reports table, the database page, a side-by-side comparison,
a 404. Each asserts its content, that no JavaScript error reached the console, and that the page is no
wider than the window (no sideways scrolling); screenshots go to test-artifacts/browser/. The demo archive
is built and served once for these and tests/test_browser.py.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser_site import ARGS, ARTIFACTS, CHROMIUM, MARKS, DemoSite

pytestmark = MARKS
WIDTHS = (1400, 390)
AGENCY = "淮安市洪泽区人民政府"  # F1 and F2 publish it for 2023 and 2024, F3 and F6 link the same PDF


@dataclass
class Known:
    agency_id: str
    report_id: str  # its 2024 report
    years: list[int]
    pair: tuple[str, str, str]  # a report, the report a finding compared it with, the first one's agency id


@pytest.fixture(scope="module")
def known(demo_site: DemoSite) -> Known:
    con = sqlite3.connect(demo_site.db)
    try:
        agency_id = con.execute("SELECT id FROM agencies WHERE name = ?", [AGENCY]).fetchone()[0]
        years = [y for (y,) in con.execute("SELECT year FROM reports WHERE agency_id = ? AND is_current = 1 "
                                           "ORDER BY year", [agency_id])]
        report_id = con.execute("SELECT id FROM reports WHERE agency_id = ? AND is_current = 1 AND year = 2024",
                                [agency_id]).fetchone()[0]
        pair = con.execute("SELECT f.report_id, f.other_report_id, r.agency_id FROM flags f JOIN reports r "
                           "ON r.id = f.report_id WHERE f.other_report_id IS NOT NULL AND r.agency_id IS NOT NULL "
                           "ORDER BY f.report_id LIMIT 1").fetchone()
    finally:
        con.close()
    return Known(agency_id=agency_id, report_id=report_id, years=years, pair=tuple(pair))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def check_home(page: Any, known: Known) -> None:
    from playwright.sync_api import expect

    expect(page.locator("h1")).to_contain_text("政府信息公开年报库")
    expect(page.locator("#coverage")).to_contain_text("江苏省")
    expect(page.locator("#coverage td.heat-1, #coverage td.heat-2, #coverage td.heat-3, #coverage td.heat-4, "
                        "#coverage td.heat-5").first).to_be_visible()
    assert page.locator("#latest-reports li").count() == 10
    expect(page.locator("#analyses")).to_contain_text("数字对不上的报告")
    expect(page.locator("#how-to-cite")).to_be_visible()
    expect(page.locator("#home-search input[name=q]")).to_be_visible()


def check_report_list(page: Any, known: Known) -> None:
    from playwright.sync_api import expect

    table = page.locator("table.rows-and-columns")
    expect(table).to_contain_text(AGENCY)
    for facet in ("province", "level", "year", "template", "flags"):
        expect(page.locator(f".facet-info[data-column={facet}]")).to_be_visible()
    assert page.locator("td.col-warnings").count() == 0
    assert "[" not in " ".join(page.locator("td.col-flags").all_inner_texts())  # labels, not JSON
    link = page.locator(f'td.col-title a[href$="/-/report/nianbao/{known.report_id}"]')
    expect(link).to_have_count(1)


def check_report(page: Any, known: Known) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#table-requests")).to_contain_text("本年新收政府信息公开申请数量")
    expect(page.locator("#agency-link")).to_have_attribute("href", f"/-/agency/nianbao/{known.agency_id}")
    expect(page.locator("#sightings li").first).to_be_visible()


def check_agency(page: Any, known: Known) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#agency-name")).to_have_text(AGENCY)
    shown = [int(t) for t in page.locator("#agency-years thead th.year-2023, #agency-years thead th.year-2024")
             .all_inner_texts()]
    assert shown == [y for y in known.years if y in (2023, 2024)] == [2023, 2024]
    expect(page.locator("#agency-years tr.fig-requests_new")).to_contain_text("95")
    expect(page.locator("#chart-requests_new svg rect").first).to_be_visible()
    expect(page.locator(f'#agency-reports a[href$="/-/report/nianbao/{known.report_id}"]')).to_have_count(1)
    expect(page.locator("#agency-parent a")).to_have_text("淮安市人民政府")


def check_agency_search(page: Any, known: Known) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#agency-results")).to_contain_text(AGENCY)
    expect(page.locator("#agency-results")).to_contain_text("淮安市人民政府")


def check_reports_table(page: Any, known: Known) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".nb-hidden-columns")).to_contain_text("显示全部列")
    assert page.locator("td.col-warnings").count() == 0
    expect(page.locator("td.col-title a").first).to_have_attribute("href", re.compile(r"^/-/report/nianbao/"))


def check_database(page: Any, known: Known) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#db-start")).to_contain_text("报告列表")
    expect(page.locator("#queries")).to_contain_text("分析查询")


def check_compare(page: Any, known: Known) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#compare-cells")).to_be_visible()
    expect(page.locator(".agency-link").first).to_have_attribute("href", f"/-/agency/nianbao/{known.pair[2]}")


def check_not_found(page: Any, known: Known) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#not-found")).to_contain_text("页面未找到")
    expect(page.locator("#not-found-nav a").first).to_have_attribute("href", "/")


PAGES: dict[str, tuple[Callable[[Known], str], Callable[[Any, Known], None], int]] = {
    "home": (lambda k: "/", check_home, 200),
    "report-list": (lambda k: "/nianbao/report_list?province=江苏省", check_report_list, 200),
    "report": (lambda k: f"/-/report/nianbao/{k.report_id}", check_report, 200),
    "agency": (lambda k: f"/-/agency/nianbao/{k.agency_id}", check_agency, 200),
    "agency-search": (lambda k: "/-/agency/nianbao?agency=淮安", check_agency_search, 200),
    "reports-table": (lambda k: "/nianbao/reports?province=江苏省", check_reports_table, 200),
    "database": (lambda k: "/nianbao", check_database, 200),
    "compare": (lambda k: f"/-/compare/nianbao/{k.pair[0]}/{k.pair[1]}", check_compare, 200),
    "not-found": (lambda k: "/nianbao/no_such_table", check_not_found, 404),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_page_reads_right_without_errors_or_sideways_scroll(browser: Any, demo_site: DemoSite, known: Known,
                                                             kind: str, width: int) -> None:
    path, check, status = PAGES[kind]
    url = demo_site.url + path(known)
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text} @ {msg.location}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    try:
        page.set_default_timeout(15_000)
        response = page.goto(url)
        assert response is not None and response.status == status
        page.wait_for_load_state("networkidle")
        check(page, known)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"site-{kind}-{width}.png"), full_page=True)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{kind} is {scroll_width} px wide in a {width} px window"
    finally:
        page.close()
    if status == 404:  # Chromium reports the document's own 404 status as a console line; nothing else may
        errors = [e for e in errors if not (e.startswith("console: Failed to load resource: the server responded "
                                                         "with a status of 404") and f"'url': '{url}'" in e)]
    assert errors == []


def test_header_picker_suggests_agencies_as_one_types(browser: Any, demo_site: DemoSite, known: Known) -> None:
    """The header's datalist fills from /-/agency/<db>.json; submitting goes to the one agency that matches."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{demo_site.url}/-/report/nianbao/{known.report_id}")
        box = page.locator("header .nb-agency-form input[type=search]")
        box.fill("洪泽")
        page.wait_for_function("document.querySelectorAll('#nb-agencies option').length > 0")
        assert AGENCY in page.locator("#nb-agencies option").evaluate_all("os => os.map(o => o.value)")
        box.press("Enter")
        page.wait_for_url(f"**/-/agency/nianbao/{known.agency_id}")
    finally:
        page.close()
    assert errors == []
