"""The crawler against the six fixture portals F1-F6 (crawler/testing/portals), served on loopback.

One full crawl of all six is shared by the per-portal checks (recall, precision, years, agencies,
attachments), the politeness checks (robots, User-Agent, per-host concurrency, challenges), the
incremental re-run (only changed pages come back with a body) and the kill-and-resume test.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler.run import command, crawl, spawn
from crawler.testing.server import PORTAL_NAMES, PortalServer, serve_portals
from crawler.urls import canonical_url
from tests.walker_alone import WALKER_ALONE_CANNOT

pytestmark = [pytest.mark.timeout(300), pytest.mark.e2e, pytest.mark.xdist_group("crawl_portals")]  # one crawl
SCALE = 0.5  # server delays x0.5: the 6 s slow page takes 3 s, just over the 3 s test timeout… once


def run(server: PortalServer, db: Path, feed: Path | None = None, dialects: bool = True) -> Any:
    # F6 answers 429 above 5 requests/s: give its host the delay a polite crawler would use.
    settings: dict[str, Any] = {"DOWNLOAD_TIMEOUT": 2, "DOWNLOAD_SLOTS": {"www.f6-prov.gov.cn": {"delay": 0.25}},
                                "NIANBAO_DIALECTS": dialects}
    if feed:
        settings["FEEDS"] = {str(feed): {"format": "jsonlines", "overwrite": True}}
    stats = crawl(server.crawl_options(db, settings=settings))
    assert stats.returncode == 0, stats.stderr[-3000:]
    return stats


def sources(db: Path) -> list[dict[str, Any]]:
    """What the crawler handed to the archive: one row per report version (page URL, hints)."""
    con = sqlite3.connect(db)
    rows = con.execute("SELECT page_url, hints, documents FROM report_sources").fetchall()
    con.close()
    return [{"page_url": u, **json.loads(h), "documents": json.loads(d)} for u, h, d in rows]


def items(feed: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for line in feed.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        before = out.get(item["page_url"])
        # The one designed second emission: a page an aggregator's link reached first, asked again when its
        # own list names attachments the page alone did not (test_crawl_cli forces that order; here it is a
        # race the hub can win). Anything else twice is a bug.
        assert before is None or set(before["documents"]) < set(item["documents"]), f"emitted twice: {item['page_url']}"
        out[item["page_url"]] = item
    return out


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("crawl")
    with serve_portals(scale=SCALE) as server:
        stats = run(server, tmp / "a.db", tmp / "items.jl")
        yield {"server": server, "stats": stats, "db": tmp / "a.db", "items": items(tmp / "items.jl"),
               "requests": server.requests, "inflight": server.max_inflight, "tmp": tmp,
               "sources": sources(tmp / "a.db")}  # as the uninterrupted crawl left it (later tests add to the db)


def truth(name: str) -> dict[str, Any]:
    path = Path(__file__).resolve().parents[1] / "crawler" / "testing" / "portals" / name / "truth.json"
    return json.loads(path.read_text(encoding="utf-8"))


def assert_every_report_once(found: dict[str, dict[str, Any]], name: str) -> None:
    for report in truth(name)["reports"]:
        names = [canonical_url(u) for u in [report["canonical_url"], *report["alternates"]]]
        hits = [u for u in names if u in found]
        assert len(hits) == 1, f"{report['title']}: found as {hits}"
        item = found[hits[0]]
        assert item["year"] == report["report_year"], item
        assert item["agency"] == report["agency"], item
        assert item["format"] == report["format"], item
        assert sorted(item["attachments"]) == sorted(canonical_url(u) for u in report["attachment_urls"]), item


@pytest.mark.parametrize("name", PORTAL_NAMES)
def test_every_true_report_found_once_with_year_agency_attachments(first: Any, name: str) -> None:
    assert_every_report_once(first["items"], name)


def assert_no_decoy(crawl: dict[str, Any], name: str) -> None:
    archived = {s["page_url"] for s in sources(crawl["db"])}
    for decoy in truth(name)["decoys"]:
        assert canonical_url(decoy) not in crawl["items"]
        assert canonical_url(decoy) not in archived


@pytest.mark.parametrize("name", PORTAL_NAMES)
def test_no_decoy_emitted_or_archived(first: Any, name: str) -> None:
    assert_no_decoy(first, name)


def archived_reports(db: Path) -> tuple[Counter[str], set[str], set[str]]:
    """(archived page URLs with their counts, the true reports' URLs, their alternates)."""
    expected = {canonical_url(r["canonical_url"]) for n in PORTAL_NAMES for r in truth(n)["reports"]}
    alternates = {canonical_url(a) for n in PORTAL_NAMES for r in truth(n)["reports"] for a in r["alternates"]}
    return Counter(s["page_url"] for s in sources(db)), expected, alternates


def test_archive_holds_exactly_the_true_reports(first: Any) -> None:
    """Precision over everything: the archive has one source per true report and nothing else."""
    archived, expected, alternates = archived_reports(first["db"])
    assert all(v == 1 for v in archived.values()), archived.most_common(3)
    assert set(archived) <= expected | alternates
    assert len(archived) == len(expected)


# --- the generic walker alone (NIANBAO_DIALECTS=false): what a portal of an unknown family gets ----------

# F2 and F3 are the F1-F6 families the walker alone cannot page (tests/walker_alone.py says why); F4's shell
# it reads: its script's $.getJSON call names the API.


@pytest.fixture(scope="module")
def walker_only(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("walker")
    with serve_portals(scale=SCALE) as server:
        stats = run(server, tmp / "w.db", tmp / "items.jl", dialects=False)
        yield {"stats": stats, "db": tmp / "w.db", "items": items(tmp / "items.jl"), "requests": server.requests,
               "server": server}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=WALKER_ALONE_CANNOT[n]))
                                  if n in WALKER_ALONE_CANNOT else n for n in PORTAL_NAMES])
def test_walker_alone_finds_every_true_report_once(walker_only: Any, name: str) -> None:
    assert_every_report_once(walker_only["items"], name)


@pytest.mark.parametrize("name", PORTAL_NAMES)
def test_walker_alone_no_decoy(walker_only: Any, name: str) -> None:
    assert_no_decoy(walker_only, name)


def test_walker_alone_archives_only_true_reports_within_robots_and_scope(walker_only: Any) -> None:
    archived, expected, alternates = archived_reports(walker_only["db"])
    assert all(v == 1 for v in archived.values()) and set(archived) <= expected | alternates
    never = truth("F5")["never_requested"]
    requests = walker_only["requests"]
    assert not [r for r in requests if r.target in never or r.target.startswith("/search/")]
    assert not {r.host for r in requests} - set(walker_only["server"].host_map)


def test_coverage_says_how_each_portal_was_paged(first: Any, walker_only: Any) -> None:
    """The crawl's coverage: with dialects, F1 paged by `trs`, F5 by `xxgkml`; the walker alone pages F1
    from its script pager, F4 through the API its script calls and F5 by 下一页, and records F5's 下一页
    that loops onto its own page."""
    on, off = first["stats"].coverage, walker_only["stats"].coverage
    assert set(on["www.f1-district.gov.cn"]["found_by"]) == {"trs"}
    assert set(on["xxgk.f5-county.gov.cn"]["found_by"]) == {"xxgkml"}
    assert set(off["www.f1-district.gov.cn"]["found_by"]) == {"script_pager"}
    assert set(off["xxgk.f5-county.gov.cn"]["found_by"]) == {"next_text"}
    assert set(on["www.f4-fj.gov.cn"]["found_by"]) == {"fjapi"} and set(off["www.f4-fj.gov.cn"]["found_by"]) == {
        "script_api"}
    assert off["xxgk.f5-county.gov.cn"]["stops"].get("loop", 0) >= 1
    for cov in (on, off):
        f1 = cov["www.f1-district.gov.cn"]
        assert f1["list_pages"] >= 4 and f1["reports"] >= len(truth("F1")["reports"]) and f1["capped"] == []


def test_gbk_portal_decoded_with_gbk_only_characters(first: Any) -> None:
    probe = truth("F1")["encoding_probe"]
    item = first["items"][canonical_url(probe["url"])]
    assert item["title"] == probe["title"] and "鄜" in item["title"]


def test_robots_user_agent_and_per_host_concurrency(first: Any) -> None:
    requests = first["requests"]
    assert all("NianbaoArchiveBot" in r.user_agent and "+http" in r.user_agent for r in requests)
    by_host: dict[str, list[str]] = {}
    for r in requests:
        by_host.setdefault(r.host, []).append(r.target)
    for host, targets in by_host.items():
        assert targets[0] == "/robots.txt", (host, targets[:3])
    never = truth("F5")["never_requested"]
    assert not [r for r in requests if r.target in never or r.target.startswith("/search/")]
    assert max(first["inflight"].values()) <= 2, first["inflight"]
    assert not {r.host for r in requests} - set(first["server"].host_map)  # out-of-scope hosts never asked


def test_dead_links_soft_404_and_redirect_home_are_not_reports(first: Any) -> None:
    hosts = first["stats"].hosts
    assert hosts["xxgk.f5-county.gov.cn"].get("soft_404") == 1
    assert hosts["www.f5-county.gov.cn"].get("redirect_home") == 1
    assert hosts["www.f1-district.gov.cn"].get("list_end_404") == 1  # index_2.html, then index_3 still read
    assert hosts["www.f6-prov.gov.cn"].get("http_404") == 1  # the dead department link


def test_slow_and_flaky_pages_retried_and_finished(first: Any) -> None:
    t = truth("F4")
    targets = Counter(r.target for r in first["requests"] if r.host == "www.f4-fj.gov.cn")
    for path in t["slow"] + t["flaky"]:
        assert targets[path] >= 2, (path, targets[path])


def test_challenges_recorded_as_blocked_not_bypassed(first: Any) -> None:
    con = sqlite3.connect(first["db"])
    blocked = dict(con.execute("SELECT host, reason FROM blocked").fetchall())
    con.close()
    for expect in truth("F6")["blocked"]:
        assert expect["reason"] in blocked[expect["host"]]
    assert "www.f6-prov.gov.cn" not in blocked  # an ordinary Set-Cookie is honoured, like any HTTP client
    walled = [r for r in first["requests"] if r.host == "www.f6-walled.gov.cn" and r.target != "/robots.txt"]
    assert len(walled) <= 1 or all(r.status == 412 for r in walled)


def test_every_response_body_is_in_the_raw_archive(first: Any) -> None:
    """Reports, and also the 404 pages, challenge pages and 500s: what the portal answered is evidence."""
    from archive.raw import RawStore
    from archive.store import default_raw_root

    raw = RawStore(default_raw_root(first["db"]))
    con = sqlite3.connect(first["db"])
    fetched = con.execute("SELECT count(*) FROM fetches").fetchone()[0]
    rows = con.execute("SELECT status, sha256 FROM fetches WHERE status != 304").fetchall()
    con.close()
    served = sum(1 for r in first["requests"] if r.status < 300 or r.status >= 400)
    with_body = {(r.status, r.size > 0) for r in first["requests"]}
    assert {404, 412, 500} <= {status for status, _sha in rows}
    assert all(sha and raw.has(sha) for status, sha in rows if (status, True) in with_body and status != 302), \
        [status for status, sha in rows if not sha]
    challenge = [raw.get(sha) for status, sha in rows if status == 412]
    assert challenge and all(b"document.cookie" in body for body in challenge)
    assert fetched >= served * 0.95  # every answered request is logged (a few robots 404s aside)


def test_second_run_fetches_only_what_changed(first: Any, tmp_path: Path) -> None:
    """Re-run on the same archive after one new report appears: only the changed list page and the
    new report come back with a body; the rest are 304s (or POST list calls, which cannot be conditional,
    or challenge pages, which are never replayed as content)."""
    site = first["server"].site
    host = "www.f1-district.gov.cn"
    key = (host, "GET", "/xxgk/xxgknb/index.html")
    listing = site.routes[key].body.decode("gbk")
    new_url = "/xxgk/xxgknb/202502/t20250210_3001002.html"
    title = "鄜城区教育局2024年政府信息公开工作年度报告"
    listing = listing.replace('<ul>', f'<ul><li><a href="./202502/t20250210_3001002.html">{title}</a>'
                                      '<span>2025-02-10</span></li>', 1)
    site.routes[key].body = listing.encode("gbk")
    body = (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}"></head><body>'
            '<div class="TRS_Editor"><p>本报告中使用数据统计期限为2024年1月1日至2024年12月31日。</p></div>'
            "</body></html>")
    site.add(host, new_url, body.encode(), headers=[("Content-Type", "text/html; charset=utf-8")])
    with serve_portals(site=site, scale=SCALE) as server:
        stats = run(server, first["db"], tmp_path / "again.jl")
        requests = server.requests
    walls = {b["host"] for b in truth("F6")["blocked"]}  # a stored challenge page is asked again, live
    full = [r for r in requests if r.method == "GET" and r.status == 200 and r.host not in walls]
    assert sorted((r.host, r.target) for r in full) == sorted([(host, "/xxgk/xxgknb/index.html"), (host, new_url)])
    assert stats.not_modified > 50
    again = items(tmp_path / "again.jl")
    assert again[canonical_url(f"http://{host}{new_url}")]["year"] == 2024
    # the archive gained one report and duplicated none
    urls = Counter(s["page_url"] for s in sources(first["db"]))
    assert all(v == 1 for v in urls.values())


def test_killed_crawl_resumes_to_the_same_result(first: Any, tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    with serve_portals(scale=SCALE) as server:
        cmd = command(server.crawl_options(db, settings={"DOWNLOAD_TIMEOUT": 2,
                                                        "DOWNLOAD_SLOTS": {"www.f6-prov.gov.cn": {"delay": 0.25}}}))
        child = spawn(cmd, stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
        deadline = time.monotonic() + 60
        while len(server.requests) < 120 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert child.poll() is None, "the crawl finished before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        partial = {s["page_url"] for s in sources(db)}
        run(server, db)
    def outcome(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted((s["page_url"], s["title"], s["year"], s["agency"], tuple(s["documents"])) for s in rows)

    assert len(partial) < len(sources(db))
    assert outcome(sources(db)) == outcome(first["sources"]), "resumed == uninterrupted, documents included"
