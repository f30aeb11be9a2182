"""A reader's path through the site in headless Chromium: search 复议, open a report, see its tables and charts.

Uses Debian's chromium (scripts/apt-packages.txt), driven by the locked playwright; screenshots go to
test-artifacts/browser/ (gitignored) so a failing CI run can be looked at.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.datasette.config import make_datasette
from tests.archive_db import build

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None,
                                reason="Debian's chromium is not installed (scripts/apt-packages.txt lists it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    built = build(tmp_path_factory.mktemp("browser"), generated=12)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(make_datasette(built.db).app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_search_open_report_see_tables_and_charts(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
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
