"""Lists drawn by script that only a browser reads: a loopback portal whose 年报 columns fill themselves by
script in ways the walker cannot read statically, crawled with Debian's Chromium (crawler/browser.py).

Checked: the rendered rows and the data API the page called (then fetched without the browser, page by
page); the page's requests held to robots.txt and scope; a list that never fills, a data call that hangs
and a browser that will not start are each recorded per host while the crawl goes on.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from crawler.run import crawl
from crawler.testing.server import Site, serve_portals

HOST = "www.br1.gov.cn"
HTML = [("Content-Type", "text/html; charset=utf-8")]
JSON = [("Content-Type", "application/json;charset=UTF-8")]
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None,
                                 reason="Debian's chromium is not installed (scripts/apt-packages.txt lists it)"),
              pytest.mark.timeout(300), pytest.mark.e2e]  # Chromium, and a loopback crawl


def report(n: int) -> tuple[str, str]:
    return f"/nb/2025/t2025_{n}.html", f"渤海县{n}号局2024年政府信息公开工作年度报告"


def _site() -> Site:
    site = Site()

    def html(path: str, body: str, **options: Any) -> None:
        site.add(HOST, path, f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode(),
                 headers=HTML, **options)

    site.add(HOST, "/robots.txt", b"User-agent: *\nDisallow: /private/\n", headers=[("Content-Type", "text/plain")])
    html("/", '<a href="/nb/index.html">政府信息公开年报</a> <a href="/nb2/index.html">部门年度报告</a> '
              '<a href="/nb3/index.html">乡镇年度报告</a> <a href="/nb4/index.html">街道年度报告</a>')
    # A list its script builds with parts.join(): no URL to read without running it.
    html("/nb/index.html", '<ul id="list"></ul><script>var parts = ["", "api", "list"];\n'
         "function show(page) { fetch(parts.join('/') + '?page=' + page).then(function (r) { return r.json(); })"
         ".then(function (d) { document.getElementById('list').innerHTML = d.items.map(function (a) {"
         " return '<li><a href=\"' + a.href + '\">' + a.title + '</a></li>'; }).join(''); }); }\n"
         "fetch('/private/track?from=nb'); fetch('http://www.evil-cdn.com/x.json');"
         "var img = document.createElement('img'); img.src = '/logo.png'; document.body.appendChild(img);\n"
         "show(1);</script>")
    for page, numbers in ((1, (1, 2, 3)), (2, (4,))):
        items = [{"href": report(n)[0], "title": report(n)[1]} for n in numbers] + [
            {"href": f"/nb/news_{page}.html", "title": "渤海县召开政务公开工作会议"}]
        site.add(HOST, f"/api/list?page={page}", json.dumps({"items": items, "pages": 2}).encode(), headers=JSON)
    site.add(HOST, "/private/track?from=nb", b"{}", headers=JSON)
    site.add(HOST, "/logo.png", b"\x89PNG", headers=[("Content-Type", "image/png")])
    # A list that never fills, and one whose data call hangs past the browser timeout.
    html("/nb2/index.html", '<ul id="l2"></ul><script>document.getElementById("l2").innerHTML = "";</script>')
    html("/nb4/index.html", '<ul id="l4"></ul><script>var api = ["/api", "slow"].join("/");\n'
         "fetch(api).then(function (r) { return r.text(); }).then(function (t) {"
         " document.getElementById('l4').innerHTML = t; });</script>")
    site.add(HOST, "/api/slow", b"<li>never in time</li>", headers=HTML, delay_first=8)
    # An ordinary column: the crawl goes on beside the browser's troubles.
    html("/nb3/index.html", f'<ul><li><a href="{report(5)[0]}">{report(5)[1]}</a><span>2025-01-05</span></li></ul>')
    for n in range(1, 6):
        path, title = report(n)
        html(path, f'<meta name="ArticleTitle" content="{title}"><div class="TRS_Editor"><p>{title}</p>'
                   "<p>本报告中使用数据统计期限为2024年1月1日至2024年12月31日。</p></div>")
    return site


def _busy_site(parts: int, throttled: int | None = None) -> Site:
    """A column page that fires `parts` data calls at once (and loads scripts and images), each answer slow
    and holding one report row, beside an ordinary column whose reports Scrapy fetches meanwhile. The data
    call `throttled`, if given, answers 429 with Retry-After: 2."""
    site = Site()

    def html(path: str, body: str, **options: Any) -> None:
        site.add(HOST, path, f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode(),
                 headers=HTML, **options)

    site.add(HOST, "/robots.txt", b"User-agent: *\nAllow: /\n", headers=[("Content-Type", "text/plain")])
    html("/", '<a href="/nb/index.html">政府信息公开年报</a> <a href="/nb3/index.html">部门年度报告</a>')
    scripts = "".join(f'<script src="/js/part{k}.js"></script>' for k in range(1, 4))
    images = "".join(f'<img src="/img/{k}.png">' for k in range(1, 6))
    html("/nb/index.html", f'{scripts}{images}<ul id="list"></ul><script>var parts = ["", "api", "part"];\n'
         f"for (var k = 1; k <= {parts}; k++) {{ fetch(parts.join('/') + '/' + k + '.json')"
         ".then(function (r) { return r.json(); }).then(function (d) { document.getElementById('list').innerHTML +="
         " d.items.map(function (a) { return '<li><a href=\"' + a.href + '\">' + a.title + '</a></li>'; }).join('');"
         " }); }</script>")
    for k in range(1, 4):
        site.add(HOST, f"/js/part{k}.js", b"var loaded = true;", headers=[("Content-Type", "application/javascript")],
                 delay=0.2)
    for k in range(1, 6):
        site.add(HOST, f"/img/{k}.png", b"\x89PNG", headers=[("Content-Type", "image/png")], delay=0.2)
    for k in range(1, parts + 1):
        items = [{"href": report(k)[0], "title": report(k)[1]}]
        if k == throttled:
            site.add(HOST, f"/api/part/{k}.json", b"too many requests", status=429,
                     headers=[("Retry-After", "2"), ("Content-Type", "text/plain")])
        else:
            site.add(HOST, f"/api/part/{k}.json", json.dumps({"items": items}).encode(), headers=JSON, delay=0.3)
    others = range(parts + 1, parts + 7)
    html("/nb3/index.html", "<ul>" + "".join(f'<li><a href="{report(n)[0]}">{report(n)[1]}</a><span>2025-01-05</span>'
                                             "</li>" for n in others) + "</ul>")
    for n in range(1, parts + 7):
        path, title = report(n)
        html(path, f'<meta name="ArticleTitle" content="{title}"><div class="TRS_Editor"><p>{title}</p>'
                   "<p>本报告中使用数据统计期限为2024年1月1日至2024年12月31日。</p></div>", delay=0.2)
    return site


def run(tmp: Path, entry: str = "/", site: Site | None = None, **settings: Any) -> tuple[Any, list[Any], set[str]]:
    with serve_portals(site=site or _site()) as server:
        stats = crawl(server.crawl_options(tmp / "b.db", [f"http://{HOST}{entry}"],
                                           settings={"NIANBAO_BROWSER_TIMEOUT": 4, "DOWNLOAD_TIMEOUT": 10, **settings}))
        requests = server.requests
        stats.hosts.setdefault(HOST, {})["max_inflight"] = server.max_inflight.get(HOST, 0)
    assert stats.returncode == 0, stats.stderr[-3000:]
    con = sqlite3.connect(tmp / "b.db")
    archived = {row[0] for row in con.execute("SELECT page_url FROM report_sources")}
    con.close()
    return stats, requests, archived


def test_a_script_drawn_list_is_rendered_and_its_api_walked_within_robots_and_scope(tmp_path: Path) -> None:
    stats, requests, archived = run(tmp_path)
    assert archived == {f"http://{HOST}{report(n)[0]}" for n in range(1, 6)}
    asked = {(r.host, r.target) for r in requests}
    assert (HOST, "/api/list?page=2") in asked, "page 2 of the API, found from the rendered page's own call"
    assert not [t for h, t in asked if t.startswith("/private/")], "robots.txt holds for the browser's requests"
    assert {h for h, _t in asked} == {HOST}, "nothing out of scope asked, by the browser either"
    assert (HOST, "/logo.png") not in asked, "images are not fetched"
    cov = stats.coverage[HOST]
    assert cov["found_by"]["browser"] == 2 and cov["found_by"]["script_api"] == 2
    assert cov["stops"]["browser_empty"] == 1, "the list that never fills"
    assert cov["stops"]["browser_failed"] == 1, "the one whose data call hangs past the timeout"
    host = stats.hosts[HOST]
    assert host.get("browser_refused:robots", 0) >= 1
    assert stats.hosts["www.evil-cdn.com"].get("browser_refused:out_of_scope", 0) >= 1


def test_a_browser_that_will_not_start_is_recorded_and_the_crawl_goes_on(tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    stats, _requests, archived = run(tmp_path, NIANBAO_BROWSER_EXECUTABLE=str(fake))
    assert f"http://{HOST}{report(5)[0]}" in archived, "the ordinary column is still crawled"
    assert stats.coverage[HOST]["stops"]["browser_failed"] == 3


def test_a_script_drawn_column_given_as_the_entry_is_rendered_too(tmp_path: Path) -> None:
    stats, _requests, archived = run(tmp_path, entry="/nb/index.html")
    assert archived == {f"http://{HOST}{report(n)[0]}" for n in range(1, 5)}
    assert stats.coverage[HOST]["found_by"] == {"browser": 1, "script_api": 2}


@pytest.mark.parametrize("cap", [2, 1])
def test_a_rendered_pages_requests_keep_to_the_per_host_cap_with_the_crawls_own(tmp_path: Path, cap: int) -> None:
    parts = 8
    stats, requests, archived = run(tmp_path, site=_busy_site(parts), CONCURRENT_REQUESTS_PER_DOMAIN=cap,
                                    NIANBAO_BROWSER_TIMEOUT=20)
    assert archived == {f"http://{HOST}{report(n)[0]}" for n in range(1, parts + 7)}, "every report still found"
    asked = [r.target for r in requests]
    assert sum(t.startswith("/api/part/") for t in asked) == parts and sum(t.startswith("/js/") for t in asked) == 3
    assert not [t for t in asked if t.startswith("/img/")], "images are not fetched"
    assert stats.coverage[HOST]["found_by"]["browser"] == 1
    assert stats.hosts[HOST]["max_inflight"] == cap, f"at most {cap} in flight to the host, browser's included"


def test_a_429_to_a_rendered_pages_request_pauses_the_host_for_everyone(tmp_path: Path) -> None:
    _stats, requests, archived = run(tmp_path, site=_busy_site(6, throttled=3), NIANBAO_BROWSER_TIMEOUT=20)
    assert archived == {f"http://{HOST}{report(n)[0]}" for n in (1, 2, 4, 5, 6, *range(7, 13))}
    throttled = next(r for r in requests if r.status == 429)
    during = [r.target for r in requests if throttled.started + 0.3 < r.started < throttled.started + 1.7]
    assert not during, "nothing asked of the host while it asked us to wait, by the browser or by Scrapy"
    assert [r for r in requests if r.started > throttled.started + 1.7], "the crawl went on after the pause"


@pytest.mark.parametrize(("entry", "renders"), [("/nb3/index.html", False), ("/nb/index.html", True)])
def test_the_driver_starts_only_when_a_page_needs_the_browser(tmp_path: Path, entry: str, renders: bool) -> None:
    stats, _requests, archived = run(tmp_path, entry=entry, LOG_LEVEL="INFO")
    assert archived, "the column's reports are archived either way"
    assert ("Starting download handler" in stats.stderr) is renders, "scrapy-playwright's driver start, logged"
    assert ("browser" in stats.coverage[HOST]["found_by"]) is renders


def test_a_rendered_pages_requests_keep_the_hosts_delay_with_the_crawls_own(tmp_path: Path) -> None:
    delay = 0.4
    _stats, requests, archived = run(tmp_path, site=_busy_site(4), DOWNLOAD_DELAY=delay, DOWNLOAD_DELAY_JITTER=0,
                                     NIANBAO_BROWSER_TIMEOUT=20)
    assert archived == {f"http://{HOST}{report(n)[0]}" for n in range(1, 11)}
    assert sum(r.target.startswith("/api/part/") for r in requests) == 4
    order = sorted(requests, key=lambda r: r.started)
    gaps = [(round(b.started - a.started, 3), b.target) for a, b in pairwise(order)]
    # arrival times: the browser's own latency (its first connection above all) shifts a request by ~0.1 s on a
    # loaded machine; without the delay, the page's requests arrive at once
    assert min(gaps)[0] > delay / 2, f"{delay} s between any two requests to the host, the browser's included: {gaps}"
