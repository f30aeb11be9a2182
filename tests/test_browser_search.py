"""The search page in headless Chromium at a desk (1,400 px) and on a phone (390 px), over the demo archive.

A reader types 复议 OR 诉讼, sees the count the JSON gives, snippets with the words marked, pages on,
filters by province, finds the download link, and reads the message for a query of only -词; no
JavaScript error on the way and, at 390 px, nothing wider than the screen. Screenshots go to
test-artifacts/browser/.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser_site import ARGS, ARTIFACTS, CHROMIUM, MARKS, DemoSite, no_sideways_scroll, watch_console

pytestmark = MARKS
QUERY = "复议 OR 诉讼"


def _json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as got:
        return json.loads(got.read())


@pytest.mark.parametrize("width", [1400, 390])
def test_search_page_at_desk_and_phone_width(demo_site: DemoSite, width: int) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expected = _json(f"{demo_site.url}/-/search/nianbao.json?q={quote(QUERY)}")
    assert expected["total"] > expected["per_page"], "the demo must need a second page"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_default_timeout(15_000)
            errors = watch_console(page)
            page.goto(f"{demo_site.url}/-/search/nianbao")
            expect(page.locator("#search-help")).to_contain_text("复议 OR 诉讼")
            page.fill("input[name=q]", QUERY)
            page.keyboard.press("Enter")
            page.wait_for_url("**q=*")
            expect(page.locator("#search-total")).to_have_text(f"共 {expected['total']:,} 份报告")
            results = page.locator("li.nb-result")
            expect(results).to_have_count(expected["per_page"])
            marks = page.locator(".nb-snippet mark")
            expect(marks.first).to_have_text(re.compile("^(复议|诉讼)$"))
            for text in page.locator(".nb-snippet").all_inner_texts():
                assert "总体情况、主动公开" not in text, text
            no_sideways_scroll(page, width)
            page.screenshot(path=str(ARTIFACTS / f"search-{width}.png"), full_page=True)

            page.locator("#search-pager a[rel=next]").click()
            page.wait_for_url("**page=2*")
            second = {page.locator("li.nb-result").nth(n).get_attribute("data-report-id")
                      for n in range(page.locator("li.nb-result").count())}
            first = {r["report_id"] for r in expected["results"]}
            assert second and not second & first, "page 2 shows other reports than page 1"

            province = expected["facets"]["province"][0]
            page.select_option("#filter-province", province["value"])
            page.wait_for_url(re.compile(r"province="))
            expect(page.locator("#search-total")).to_have_text(f"共 {province['count']:,} 份报告")
            for meta in page.locator(".nb-meta").all_inner_texts():
                assert province["value"] in meta
            href = page.locator("#download-csv").get_attribute("href") or ""
            assert href.startswith("/-/search/nianbao.csv?") and "province=" in href
            no_sideways_scroll(page, width)

            page.goto(f"{demo_site.url}/-/search/nianbao?q={quote('-诉讼')}")
            expect(page.locator("#search-error")).to_contain_text("只有排除词")
            no_sideways_scroll(page, width)
            assert errors == [], errors
        finally:
            browser.close()
