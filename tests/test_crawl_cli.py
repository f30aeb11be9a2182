"""`nianbao crawl` as an operator runs it: progress and the per-host summary on stderr, the archive filled;
loopback addresses refused (recorded, counted, exit 3) unless --allow-private-hosts; a pagination trap
ends at the per-column cap."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.options import LOOPBACK_SETTINGS
from crawler.testing.server import Site, serve_portals
from crawler.urls import canonical_url

pytestmark = pytest.mark.timeout(300)
ROOT = Path(__file__).resolve().parents[1]
HTML = [("Content-Type", "text/html; charset=utf-8")]


def nianbao_crawl(*args: str) -> subprocess.CompletedProcess[str]:
    """`nianbao crawl` with the loopback settings first, so that a test's own `--set` (the last one
    given wins) overrides them: a test asking for DOWNLOAD_TIMEOUT=10 gets 10 s, not the default 3 s."""
    sets = [f"--set={k}={json.dumps(v)}" for k, v in {**LOOPBACK_SETTINGS, "LOG_LEVEL": "ERROR"}.items()]
    return subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", *sets, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=240)


@pytest.mark.e2e  # a loopback crawl
def test_crawl_command_archives_a_portal_and_summarises_each_host(tmp_path: Path) -> None:
    db = tmp_path / "f3.db"
    with serve_portals(("F3",)) as server:
        done = nianbao_crawl(*server.entries(), "--db", str(db), "--allow-private-hosts",
                             "--host-map", json.dumps(server.host_map))
        truth = server.site.truths["F3"]
    assert done.returncode == 0, done.stderr[-2000:]
    assert "[nianbao]" in done.stderr and "finished (finished)" in done.stderr
    summary = [line for line in done.stderr.splitlines() if line.startswith("www.f3-gd.gov.cn")]
    assert len(summary) == 1 and int(summary[0].split()[2]) == len(truth["reports"])  # host pages reports …
    con = sqlite3.connect(db)
    archived = {row[0] for row in con.execute("SELECT page_url FROM report_sources")}
    con.close()
    assert archived == {canonical_url(r["canonical_url"]) for r in truth["reports"]}


@pytest.mark.e2e  # a loopback crawl
def test_loopback_is_refused_without_allow_private_hosts(tmp_path: Path) -> None:
    with serve_portals(("F3",)) as server:
        entry = f"http://127.0.0.1:{server.port}/gkmlpt/index"
        done = nianbao_crawl(entry, "--db", str(tmp_path / "x.db"), "--set=NIANBAO_SCOPE_HOSTS=[\"127.0.0.1\"]")
        asked = server.requests
        allowed = nianbao_crawl(entry, "--db", str(tmp_path / "y.db"), "--set=NIANBAO_SCOPE_HOSTS=[\"127.0.0.1\"]",
                                "--allow-private-hosts")
        asked_when_allowed = server.requests
    # refused, and said so: counted in the summary, a row in `fetches`, exit 3 (incomplete), not "errors 0"
    assert done.returncode == 3 and allowed.returncode == 0, done.stderr[-2000:] + allowed.stderr[-2000:]
    assert "refused private 1" in done.stderr and "INCOMPLETE (exit 3): 1 private addresses refused" in done.stderr
    con = sqlite3.connect(tmp_path / "x.db")
    rows = con.execute("SELECT url, status, error FROM fetches").fetchall()
    con.close()
    assert rows == [(entry, None, "private address: 127.0.0.1 is a private address (--allow-private-hosts to "
                                  "fetch it)")]
    assert asked == [], "nothing may reach a private address unless the operator allows it"
    assert asked_when_allowed, "the same crawl with --allow-private-hosts does reach it (so the flag refused it)"


def _trap_site(pages: int) -> Site:
    """A column whose JS pager claims `pages` pages and whose every page exists: a pagination trap."""
    site, host = Site(), "www.trap.gov.cn"
    site.add(host, "/robots.txt", b"User-agent: *\nAllow: /\n", headers=[("Content-Type", "text/plain")])
    for p in range(pages):
        name = "index.html" if p == 0 else f"index_{p}.html"
        row = (f'<li><a href="./2025{p % 12 + 1:02d}/t2025_{p}.html">第{p}号通知</a><span>2025-01-01</span></li>')
        body = (f"<html><body><ul>{row}</ul><script>var currentPage = {p};//所在页从0开始\n"
                f"var countPage = {pages}//共多少页\ncreatePageHTML({pages}, {p}, \"index\", \"html\");</script>"
                "</body></html>")
        site.add(host, f"/xxgk/xxgknb/{name}", body.encode(), headers=HTML)
    return site


@pytest.mark.e2e  # a loopback crawl
@pytest.mark.parametrize("dialects", [True, False])
def test_a_pagination_trap_ends_at_the_list_page_cap(tmp_path: Path, dialects: bool) -> None:
    """Paged by the TRS dialect or by the generic walker alone, the trap stops at the cap, and the
    coverage report names the column that ended there."""
    column = "http://www.trap.gov.cn/xxgk/xxgknb/index.html"
    with serve_portals(site=_trap_site(400)) as server:
        done = nianbao_crawl(column, "--db", str(tmp_path / "t.db"), "--allow-private-hosts", "--host-map",
                             json.dumps(server.host_map), "--set=NIANBAO_MAX_LIST_PAGES=12",
                             f"--set=NIANBAO_DIALECTS={json.dumps(dialects)}")
        lists = [r for r in server.requests if r.target.startswith("/xxgk/xxgknb/index")]
    assert done.returncode == 0, done.stderr[-2000:]
    assert 1 < len(lists) <= 12
    coverage = done.stderr[done.stderr.index("list coverage:"):].splitlines()
    row = next(line for line in coverage if "www.trap.gov.cn" in line)
    assert row.split()[1] == str(len(lists)) and ("trs" if dialects else "script_pager") in row and "cap 1" in row
    assert f"    at the cap: {column}" in coverage


@pytest.mark.e2e  # a loopback crawl
def test_without_validators_an_unchanged_list_spares_its_reports(tmp_path: Path) -> None:
    """A portal that sends no ETag/Last-Modified: the second run fetches the list pages again, sees the
    same bytes, and takes the reports under them from the archive (the list-page comparison)."""
    db = tmp_path / "nv.db"
    with serve_portals(("F1",), validators=False) as server:
        args = (*server.entries(), "--db", str(db), "--allow-private-hosts", "--host-map", json.dumps(server.host_map))
        first = nianbao_crawl(*args)
        reports = {urlsplit(r["canonical_url"]).path for r in server.site.truths["F1"]["reports"]}
        asked_first = {r.target for r in server.requests}
        server.clear_log()
        second = nianbao_crawl(*args)
        asked_second = [r for r in server.requests if r.target != "/robots.txt"]
    assert first.returncode == 0 and second.returncode == 0, second.stderr[-2000:]
    assert reports <= asked_first
    assert not reports & {r.target for r in asked_second}, "reports under unchanged lists are not fetched again"
    assert any("/xxgk/xxgknb/index" in r.target for r in asked_second), "the list pages are"
    assert not [r for r in asked_second if r.conditional], "no validators were ever sent"
    con = sqlite3.connect(db)
    versions = con.execute("SELECT count(*), count(DISTINCT page_url) FROM report_sources").fetchone()
    con.close()
    assert versions[0] == versions[1] == len(server.site.truths["F1"]["reports"])


@pytest.mark.e2e  # a loopback crawl
def test_a_throttling_host_gets_retry_after_and_the_crawl_still_finishes(tmp_path: Path) -> None:
    """F6 answers 429 with Retry-After above 3 requests/s: the crawler waits that long before asking
    the same URL again, slows the whole host down, and still archives every F6 report."""
    with serve_portals(("F6",), rate_limit={"per_second": 3, "penalty": 1}) as server:
        truth = server.site.truths["F6"]
        own = [r for r in truth["reports"] if urlsplit(r["canonical_url"]).hostname == "www.f6-prov.gov.cn"]
        done = nianbao_crawl(truth["entry"], "--db", str(tmp_path / "f6.db"), "--allow-private-hosts",
                             "--host-map", json.dumps(server.host_map), "--set=NIANBAO_RETRY_MAX_WAIT=10")
        log = [r for r in server.requests if r.host == "www.f6-prov.gov.cn"]
    assert done.returncode == 0, done.stderr[-2000:]
    throttled = [(i, r) for i, r in enumerate(log) if r.status == 429]
    assert throttled, "the test must make the host throttle"
    for i, r in throttled:
        again = next((a for a in log[i + 1:] if a.target == r.target), None)
        assert again is not None and again.started - r.started >= 1 - 0.05, (r.target, again)
        # the host slowed down: after the one request already on its way, none within Retry-After
        soon = [a for a in log[i + 1:] if a.started - r.started < 0.95]
        assert len(soon) <= 2, [a.target for a in soon]
    con = sqlite3.connect(tmp_path / "f6.db")
    archived = {row[0] for row in con.execute("SELECT page_url FROM report_sources")}
    blocked = {row[0] for row in con.execute("SELECT host FROM blocked")}
    con.close()
    assert "www.f6-prov.gov.cn" not in blocked
    assert {canonical_url(r["canonical_url"]) for r in own} <= archived


@pytest.mark.e2e  # a loopback crawl
def test_two_machines_crawl_a_share_each_and_merge_into_the_archive_of_one(tmp_path: Path) -> None:
    """`--shard 1/2` and `--shard 2/2` split the entry points by host; `nianbao merge` puts the two
    archives together: every true report once, as an unsharded crawl would have it."""
    from crawler.testing.server import PORTAL_NAMES

    with serve_portals(scale=0.5) as server:
        common = ("--allow-private-hosts", "--host-map", json.dumps(server.host_map),
                  '--set=DOWNLOAD_SLOTS={"www.f6-prov.gov.cn": {"delay": 0.25}}', "--set=DOWNLOAD_TIMEOUT=2")
        shares = []
        for k in (1, 2):
            db = tmp_path / f"machine{k}.db"
            done = nianbao_crawl(*server.entries(), "--db", str(db), "--shard", f"{k}/2", *common)
            assert done.returncode == 0, done.stderr[-2000:]
            shares.append(db)
        one = nianbao_crawl(*server.entries(), "--db", str(tmp_path / "one.db"), *common)
        assert one.returncode == 0, one.stderr[-2000:]
        truths = server.site.truths
    merged = subprocess.run([sys.executable, "-m", "nianbao.cli", "merge", *map(str, shares), "--db",
                             str(tmp_path / "all.db")], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert merged.returncode == 0, merged.stderr[-2000:]
    expected = {canonical_url(r["canonical_url"]) for n in PORTAL_NAMES for r in truths[n]["reports"]}
    alternates = {canonical_url(a) for n in PORTAL_NAMES for r in truths[n]["reports"] for a in r["alternates"]}

    def pages(db: Path) -> list[str]:
        con = sqlite3.connect(db)
        try:
            return [row[0] for row in con.execute("SELECT page_url FROM report_sources")]
        finally:
            con.close()

    each = [set(pages(db)) for db in shares]
    assert each[0] and each[1] and each[0] != each[1], "each machine crawled a share"
    together = pages(tmp_path / "all.db")
    assert len(together) == len(set(together)), "a report found by both machines is one report"
    assert set(together) <= expected | alternates and len(together) == len(expected)

    def current(db: Path) -> tuple[list[tuple[object, ...]], set[str]]:
        con = sqlite3.connect(db)
        try:
            # the counted row of a report seen under several URLs is its first sighting, which depends on
            # which machine fetched it first: compare the reports, the URLs are compared above
            reports = con.execute("SELECT title, year, agency, cells FROM reports WHERE is_current "
                                  "ORDER BY agency, year, title").fetchall()
            return reports, {row[0] for row in con.execute("SELECT host FROM blocked")}
        finally:
            con.close()

    assert set(together) == set(pages(tmp_path / "one.db"))
    assert current(tmp_path / "all.db") == current(tmp_path / "one.db"), "as one machine would have it"
    assert {b["host"] for b in truths["F6"]["blocked"]} <= current(tmp_path / "all.db")[1]


def test_shard_needs_k_of_n(tmp_path: Path) -> None:
    done = nianbao_crawl("http://www.x.gov.cn/", "--db", str(tmp_path / "x.db"), "--shard", "3/2")
    assert done.returncode == 2 and "give K/N" in done.stderr


@pytest.mark.e2e  # a loopback crawl
def test_a_report_reached_first_through_an_aggregator_still_gets_its_attachments(tmp_path: Path) -> None:
    """F6's hub links an F4 report page; only F4's list API names that report's PDF and OFD. With F4's
    list slow, the hub's link arrives first: the page is asked again when the list names more, and the
    archive keeps one version with every document, not the page alone."""
    from crawler.testing.server import load_portals

    site = load_portals(("F4", "F6"))
    # The hub's link reaches the page in well under a second; the list answers after 5 s, inside the 10 s
    # DOWNLOAD_TIMEOUT given below (a list slower than the timeout would be retried, never answered).
    site.routes[("www.f4-fj.gov.cn", "GET", "/fjdzapp/data?channelid=1377&prepage=5&page=1")].options["delay"] = 5
    page = "http://www.f4-fj.gov.cn/zwgk/zfxxgkndbg/202603/t20260302_2192645.htm"
    want = next(r for r in site.truths["F4"]["reports"] if canonical_url(r["canonical_url"]) == canonical_url(page))
    with serve_portals(site=site) as server:
        done = nianbao_crawl(server.site.truths["F6"]["entry"], server.site.truths["F4"]["entry"], "--db",
                             str(tmp_path / "a.db"), "--allow-private-hosts", "--host-map",
                             json.dumps(server.host_map), "--set=DOWNLOAD_TIMEOUT=10",
                             '--set=DOWNLOAD_SLOTS={"www.f6-prov.gov.cn": {"delay": 0.25}}')
        hub_first = [r.target for r in server.requests if r.target.endswith("t20260302_2192645.htm")]
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(hub_first) == 2, "asked once from the hub, once more when the list named its files"
    con = sqlite3.connect(tmp_path / "a.db")
    rows = con.execute("SELECT documents FROM report_sources WHERE page_url = ?", [canonical_url(page)]).fetchall()
    con.close()
    assert len(rows) == 1 and len(json.loads(rows[0][0])) == 1 + len(want["attachment_urls"])
