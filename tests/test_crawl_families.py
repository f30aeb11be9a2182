"""The crawler against all seventeen fixture portals (F1-F6 and the list families F7-F17), twice: with
the per-portal dialects on, and with them off (`NIANBAO_DIALECTS=false`: the generic list walker alone).

One crawl per mode serves every check of that mode (module-scoped, as in tests/test_crawl_portals.py).
Per portal and mode: every true report exactly once with its year, agency, format and attachments; no
decoy; nothing robots.txt forbids; no host out of scope asked or emitted.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.run import crawl
from crawler.testing.server import ALL_PORTALS, serve_portals
from crawler.urls import canonical_url
from tests.walker_alone import WALKER_ALONE_CANNOT

# Two crawls of all seventeen fixture portals (one per mode), made once on one xdist worker.
pytestmark = [pytest.mark.timeout(400), pytest.mark.e2e, pytest.mark.xdist_group("crawl_families")]
SCALE = 0.5
MODES = {"dialects": {}, "no-dialects": {"NIANBAO_DIALECTS": False}}


@pytest.fixture(scope="module", params=list(MODES))
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp(f"families-{request.param}")
    settings: dict[str, Any] = {"DOWNLOAD_TIMEOUT": 2, "DOWNLOAD_SLOTS": {"www.f6-prov.gov.cn": {"delay": 0.25}},
                                "FEEDS": {str(tmp / "items.jl"): {"format": "jsonlines", "overwrite": True}},
                                **MODES[request.param]}
    with serve_portals(ALL_PORTALS, scale=SCALE) as server:
        stats = crawl(server.crawl_options(tmp / "a.db", settings=settings))
        assert stats.returncode == 0, stats.stderr[-3000:]
        lines = (tmp / "items.jl").read_text(encoding="utf-8").splitlines()
        con = sqlite3.connect(tmp / "a.db")
        archived = [row[0] for row in con.execute("SELECT page_url FROM report_sources")]
        con.close()
        yield {"mode": request.param, "items": [json.loads(line) for line in lines], "archived": archived,
               "requests": server.requests, "hosts": set(server.host_map), "truths": server.site.truths}


def found(crawled: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in crawled["items"]:
        out.setdefault(item["page_url"], []).append(item)
    return out


def expected(crawled: Any) -> set[str]:
    return {canonical_url(u) for t in crawled["truths"].values() for r in t["reports"]
            for u in [r["canonical_url"], *r["alternates"]]}


@pytest.mark.parametrize("name", ALL_PORTALS)
def test_every_true_report_exactly_once_with_year_and_agency(crawled: Any, name: str,
                                                            request: pytest.FixtureRequest) -> None:
    if crawled["mode"] == "no-dialects" and name in WALKER_ALONE_CANNOT:
        request.applymarker(pytest.mark.xfail(strict=True, reason=WALKER_ALONE_CANNOT[name]))
    items = found(crawled)
    missing, wrong = [], []
    for report in crawled["truths"][name]["reports"]:
        names = [canonical_url(u) for u in [report["canonical_url"], *report["alternates"]]]
        hits = [item for u in names for item in items.get(u, [])]
        if len(hits) != 1:
            missing.append(f"{report['title']} ({report['canonical_url']}): emitted {len(hits)} times")
        elif (hits[0]["year"], hits[0]["agency"]) != (report["report_year"], report["agency"]):
            wrong.append(f"{report['title']}: year {hits[0]['year']}, agency {hits[0]['agency']}")
    assert not missing and not wrong, [crawled["mode"], *missing, *wrong]


@pytest.mark.parametrize("name", ALL_PORTALS)
def test_every_true_report_with_its_format_and_attachments(crawled: Any, name: str) -> None:
    items = found(crawled)
    wrong = []
    for report in crawled["truths"][name]["reports"]:
        names = [canonical_url(u) for u in [report["canonical_url"], *report["alternates"]]]
        hits = [item for u in names for item in items.get(u, [])]
        if len(hits) != 1:
            continue  # counted by the test above
        want = sorted(canonical_url(u) for u in report["attachment_urls"])
        if hits[0]["format"] != report["format"] or sorted(hits[0]["attachments"]) != want:
            wrong.append(f"{report['title']}: {hits[0]['format']} {hits[0]['attachments']}")
    assert not wrong, [crawled["mode"], *wrong]


@pytest.mark.parametrize("name", ALL_PORTALS)
def test_no_decoy_and_nothing_but_true_reports_emitted(crawled: Any, name: str) -> None:
    t = crawled["truths"][name]
    emitted = set(found(crawled)) | set(crawled["archived"])
    assert not emitted & {canonical_url(d) for d in t["decoys"]}, crawled["mode"]
    own = {u for u in emitted if urlsplit(u).hostname in t["hosts"]}
    assert own <= expected(crawled), [crawled["mode"], *sorted(own - expected(crawled))]


@pytest.mark.parametrize("name", ALL_PORTALS)
def test_nothing_robots_forbids_and_nothing_out_of_scope_asked(crawled: Any, name: str) -> None:
    t = crawled["truths"][name]
    forbidden = set(t.get("robots_disallowed", []))
    asked = {f"http://{r.host}{r.target}" for r in crawled["requests"]}
    assert not asked & forbidden, crawled["mode"]
    assert not [r for r in crawled["requests"] if r.target in t.get("never_requested", [])]
    off = {urlsplit(u).hostname for u in t.get("out_of_scope", [])}
    assert not {r.host for r in crawled["requests"]} & off
    assert not {r.host for r in crawled["requests"]} - crawled["hosts"]
    for host in t["hosts"]:
        targets = [r.target for r in crawled["requests"] if r.host == host]
        assert not targets or targets[0] == "/robots.txt", (host, targets[:3])
