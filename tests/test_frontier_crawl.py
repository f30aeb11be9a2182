"""Workers on one Redis frontier crawl the fixture portals into part archives; `nianbao merge` of the parts
equals a one-machine crawl, also when a worker is SIGKILLed (restarted, or not), and no host ever has
more than 2 requests in flight across the workers (the fixture server's own counters say so)."""

from __future__ import annotations

import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.run import command, crawl, spawn
from crawler.testing.redisd import RedisServer, running_redis, running_redis_cluster
from crawler.testing.server import PortalServer, Site, serve_portals

# Every test but the first starts loopback crawls (and a redis-server): e2e, on one xdist worker.
pytestmark = [pytest.mark.timeout(400), pytest.mark.xdist_group("frontier_crawl")]
ROOT = Path(__file__).resolve().parents[1]
SCALE = 0.5
# As tests/test_crawl_portals.py: F6 throttles above 5 requests/s, so its host gets a polite delay.
SETTINGS: dict[str, Any] = {"DOWNLOAD_TIMEOUT": 2, "DOWNLOAD_SLOTS": {"www.f6-prov.gov.cn": {"delay": 0.25}},
                            "NIANBAO_FRONTIER_LEASE": 2.0}


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


@pytest.fixture(scope="module")
def one_machine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: the same portals crawled by one process without a frontier."""
    db = tmp_path_factory.mktemp("one") / "one.db"
    with serve_portals(scale=SCALE) as server:
        stats = crawl(server.crawl_options(db, settings=SETTINGS))
    assert stats.returncode == 0, stats.stderr[-3000:]
    return db


def worker(server: PortalServer, redis_url: str, db: Path, name: str, settings: dict[str, Any] | None = None,
           entries: list[str] | None = None) -> subprocess.Popen[str]:
    cmd = command(server.crawl_options(db, entries, settings={**SETTINGS, **(settings or {})}, frontier=redis_url,
                                       worker_id=name))
    log = open(db.with_suffix(".log"), "w")  # noqa: SIM115 - the child owns it
    return spawn(cmd, stdout=log, stderr=subprocess.STDOUT)


def finish(*children: subprocess.Popen[str]) -> None:
    for child in children:
        assert child.wait(timeout=300) == 0


def merge(parts: list[Path], into: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "merge", *map(str, parts), "--db", str(into)],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]


def outcome(db: Path) -> dict[str, Any]:
    """What a reader of the archive sees: current reports with their cells and documents, blocked hosts."""
    con = sqlite3.connect(db)
    try:
        # one row counted per report; which of its URLs is that row is its first sighting, which depends on
        # which worker fetched it first: the URLs are compared as `sources`, the counted reports without them
        reports = con.execute("SELECT title, year, agency, document, cells FROM reports WHERE is_current "
                              "ORDER BY agency, year, title, document").fetchall()
        sources = [row[0] for row in con.execute("SELECT page_url FROM report_sources")]
        documents = dict(con.execute("SELECT sha256, parse_status FROM documents").fetchall())
        blocked = {row[0] for row in con.execute("SELECT host FROM blocked")}
    finally:
        con.close()
    return {"reports": reports, "sources": sorted(sources), "blocked": blocked, "documents": documents}


def reports_in(db: Path) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(db)
    try:
        return int(con.execute("SELECT count(*) FROM report_sources").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def assert_same(merged: Path, one_machine: Path) -> None:
    got, want = outcome(merged), outcome(one_machine)
    assert len(got["sources"]) == len(set(got["sources"])), "a report found by two workers is one report"
    assert got["sources"] == want["sources"]
    assert got["reports"] == want["reports"], "the same reports, cells and documents as one machine's crawl"
    assert got["documents"] == want["documents"], "the same archived files, read the same way"
    assert got["blocked"] == want["blocked"]


def test_scrapy_2_19_has_no_start_requests_so_the_frontier_uses_async_start() -> None:
    """scrapy-redis' RedisSpider feeds itself through `start_requests`, which Scrapy 2.19 no longer calls; the
    frontier keeps scrapy-redis' scheduler and dupefilter and takes the spider's `async def start()`."""
    import scrapy
    from scrapy_redis.dupefilter import RFPDupeFilter
    from scrapy_redis.scheduler import Scheduler
    from scrapy_redis.spiders import RedisMixin

    from crawler.frontier_scheduler import FrontierScheduler
    from crawler.spiders.portals import PortalsSpider

    assert not hasattr(scrapy.Spider, "start_requests") and "start_requests" in vars(RedisMixin)
    assert "start" in vars(PortalsSpider) and issubclass(FrontierScheduler, Scheduler)
    assert RFPDupeFilter.request_fingerprint  # the seen-set's fingerprints (used by enqueue_request)


@pytest.mark.e2e  # loopback crawls
def test_two_workers_one_late_merge_into_the_one_machine_archive(redis_server: RedisServer, one_machine: Path,
                                                                tmp_path: Path) -> None:
    """Worker 2 starts after worker 1 is well under way and still takes work at once; the entry pages
    are asked once for both (start requests are queued once per crawl); the merge equals one machine."""
    from crawler.frontier import Frontier

    Frontier(redis_server.url).clear()
    parts = [tmp_path / "w1.db", tmp_path / "w2.db"]
    with serve_portals(scale=SCALE) as server:
        first = worker(server, redis_server.url, parts[0], "w1")
        deadline = time.monotonic() + 60
        while len(server.requests) < 25 and time.monotonic() < deadline:
            time.sleep(0.05)
        late = len(server.requests)
        second = worker(server, redis_server.url, parts[1], "w2")
        finish(first, second)
        requests, inflight = server.requests, server.max_inflight
        entries = server.entries()
        walls = {b["host"] for b in server.site.truths["F6"]["blocked"]}
    assert late >= 25
    assert all(reports_in(db) for db in parts), "both workers archived reports"
    for entry in entries:
        target = entry.split("/", 3)[3] if entry.count("/") >= 3 else ""
        host = entry.split("/")[2]
        asked = [r for r in requests if r.host == host and r.target == "/" + target and r.status != 304]
        assert len(asked) <= 1, (entry, asked)
    assert max(inflight.values()) <= 2, inflight
    state = Frontier(redis_server.url).status()
    assert state.finished and not state.workers and not state.leased
    assert set(state.blocked) == walls, "a host blocked by one worker is blocked for all"
    merge(parts, tmp_path / "all.db")
    assert_same(tmp_path / "all.db", one_machine)


@pytest.mark.e2e  # loopback crawls
@pytest.mark.parametrize("restart", [True, False], ids=["restarted", "not-restarted"])
def test_a_killed_worker_loses_nothing(redis_server: RedisServer, one_machine: Path, tmp_path: Path,
                                       restart: bool) -> None:
    """SIGKILL one of two workers at a random point. Restarted under its id, it takes back what it had
    taken; not restarted, its lease runs out and the other worker does it. Either way the merge equals
    the one-machine crawl."""
    from crawler.frontier import Frontier

    Frontier(redis_server.url).clear()
    seed = random.randrange(1 << 30)
    kill_at = random.Random(seed).randint(20, 110)
    parts = [tmp_path / "w1.db", tmp_path / "w2.db"]
    with serve_portals(scale=SCALE) as server:
        first = worker(server, redis_server.url, parts[0], "w1")
        second = worker(server, redis_server.url, parts[1], "w2")
        deadline = time.monotonic() + 90
        while len(server.requests) < kill_at and time.monotonic() < deadline and second.poll() is None:
            time.sleep(0.02)
        assert second.poll() is None, f"worker 2 finished before the kill (seed {seed})"
        os.kill(second.pid, signal.SIGKILL)
        second.wait()
        children = [first]
        if restart:
            children.append(worker(server, redis_server.url, parts[1], "w2"))
        finish(*children)
        inflight = server.max_inflight
    assert max(inflight.values()) <= 2, inflight
    merge([p for p in parts if p.exists()], tmp_path / "all.db")
    assert_same(tmp_path / "all.db", one_machine)


@pytest.mark.e2e  # loopback crawls, three Redis Cluster nodes
def test_two_workers_on_a_redis_cluster_merge_into_the_one_machine_archive(one_machine: Path, tmp_path: Path) -> None:
    """The same crawl with the frontier on a Redis Cluster of three nodes: the crawl's keys share one hash
    slot, so its scripts run where their keys are, and the workers talk to the cluster with its client."""
    from crawler.frontier import Frontier

    parts = [tmp_path / "w1.db", tmp_path / "w2.db"]
    with running_redis_cluster() as cluster, serve_portals(scale=SCALE) as server:
        children = [worker(server, cluster.url, part, f"w{k}") for k, part in enumerate(parts, start=1)]
        finish(*children)
        inflight = server.max_inflight
        state = Frontier(cluster.url).status()
    assert all(reports_in(db) for db in parts), "both workers archived reports"
    assert max(inflight.values()) <= 2, inflight
    assert state.finished and not state.workers and not state.leased
    merge(parts, tmp_path / "all.db")
    assert_same(tmp_path / "all.db", one_machine)


# One host and two workers: a turn of half a second, so that both hold the host in turn during the test.
TURN = {"NIANBAO_FRONTIER_HOST_TURN": 0.5, "NIANBAO_FRONTIER_LEASE": 1.0}


def _one_host_site(pages: int) -> Site:
    """One host with `pages` report pages, each answered slowly: with two workers free to ask it at once,
    4 requests would be in flight; the host lease keeps it at 2."""
    from bench.crawl import report_page

    site, host = Site(), "www.busy.gov.cn"
    html = [("Content-Type", "text/html; charset=utf-8")]
    site.add(host, "/robots.txt", b"User-agent: *\nAllow: /\n", headers=[("Content-Type", "text/plain")])
    rows = []
    for n in range(pages):
        path = f"/xxgk/xxgknb/202501/t20250120_{n:03d}.html"
        site.add(host, path, report_page(f"忙碌区第{n:02d}局", 2024, n), headers=html, delay=0.3)
        rows.append(f'<li><a href="{path}">忙碌区第{n:02d}局2024年政府信息公开工作年度报告</a>'
                    "<span>2025-01-20</span></li>")
    site.add(host, "/xxgk/xxgknb/index.html", f"<html><body><ul>{''.join(rows)}</ul></body></html>".encode(),
             headers=html)
    return site


@pytest.mark.e2e  # loopback crawls
def test_at_most_two_in_flight_per_host_and_its_delay_across_workers(redis_server: RedisServer,
                                                                     tmp_path: Path) -> None:
    from crawler.frontier import Frontier

    Frontier(redis_server.url).clear()
    entry = ["http://www.busy.gov.cn/xxgk/xxgknb/index.html"]
    with serve_portals(site=_one_host_site(24)) as server:
        children = [worker(server, redis_server.url, tmp_path / f"w{k}.db", f"w{k}", TURN, entries=entry)
                    for k in (1, 2)]
        finish(*children)
        inflight = server.max_inflight["www.busy.gov.cn"]
        pages = [r for r in server.requests if r.target.startswith("/xxgk/xxgknb/2025")]
    assert inflight == 2, "the cap is reached, and never passed, with two workers on one host"
    assert len(pages) == 24
    parts = [reports_in(tmp_path / f"w{k}.db") for k in (1, 2)]
    assert sum(parts) == 24 and all(parts), f"both workers had the host in turn: {parts}"


@pytest.mark.e2e  # loopback crawls
def test_a_delay_holds_across_workers(redis_server: RedisServer, tmp_path: Path) -> None:
    """A delay of 0.3 s on the host: consecutive requests to it, whichever worker sent them, start at
    least that far apart (the lease hands the host over with its next allowed time)."""
    from crawler.frontier import Frontier

    Frontier(redis_server.url).clear()
    entry = ["http://www.busy.gov.cn/xxgk/xxgknb/index.html"]
    site = _one_host_site(8)
    for route in site.routes.values():
        route.options.pop("delay", None)
    slots = {"DOWNLOAD_SLOTS": {"www.busy.gov.cn": {"delay": 0.3}}, **TURN}
    with serve_portals(site=site) as server:
        children = [worker(server, redis_server.url, tmp_path / f"w{k}.db", f"w{k}", slots, entries=entry)
                    for k in (1, 2)]
        finish(*children)
        starts = sorted(r.started for r in server.requests if r.target != "/robots.txt")
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 9 and min(gaps) >= 0.3 - 0.02, gaps
    parts = [reports_in(tmp_path / f"w{k}.db") for k in (1, 2)]
    assert sum(parts) == 8 and all(parts), f"both workers had the host in turn: {parts}"


@pytest.mark.e2e  # loopback crawls
def test_retry_after_holds_across_workers(redis_server: RedisServer, tmp_path: Path) -> None:
    """F6 answers 429 with Retry-After above 3 requests/s. Two workers taking its host in turns (half a
    second each): after a 429, no request to the host starts within Retry-After from either worker, except
    the ones already on their way, and every F6 report is still archived by one of them."""
    from urllib.parse import urlsplit

    from crawler.frontier import Frontier
    from crawler.urls import canonical_url

    Frontier(redis_server.url).clear()
    host = "www.f6-prov.gov.cn"
    settings = {**TURN, "NIANBAO_RETRY_MAX_WAIT": 10, "DOWNLOAD_SLOTS": {}}
    with serve_portals(("F6",), rate_limit={"per_second": 3, "penalty": 1}) as server:
        truth = server.site.truths["F6"]
        children = [worker(server, redis_server.url, tmp_path / f"w{k}.db", f"w{k}", settings,
                           entries=[truth["entry"]]) for k in (1, 2)]
        finish(*children)
        log = [r for r in server.requests if r.host == host]
    throttled = [(i, r) for i, r in enumerate(log) if r.status == 429]
    assert throttled, "the test must make the host throttle"
    for i, r in throttled:
        soon = [a for a in log[i + 1:] if a.started - r.started < 0.95]
        assert len(soon) <= 2, [a.target for a in soon]
    parts = [tmp_path / f"w{k}.db" for k in (1, 2)]
    archived: set[str] = set()
    for db in parts:
        con = sqlite3.connect(db)
        archived |= {row[0] for row in con.execute("SELECT page_url FROM report_sources")}
        con.close()
    own = {canonical_url(r["canonical_url"]) for r in truth["reports"] if urlsplit(r["canonical_url"]).hostname == host}
    assert own <= archived


@pytest.mark.e2e  # loopback crawls
def test_demo_with_two_workers_starts_and_stops_its_own_redis(tmp_path: Path) -> None:
    """`nianbao demo --workers 2 --no-serve`: a redis-server of its own, two workers' parts, merged into the demo
    archive with every true report of the fixture portals once; the redis-server is gone afterwards."""
    import re

    import redis

    from crawler.testing.server import PORTAL_NAMES, load_portals
    from crawler.urls import canonical_url

    db = tmp_path / "demo.db"
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "demo", "--workers", "2", "--no-serve", "--db",
                           str(db)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    url = re.search(r"redis-server on (redis://\S+);", done.stderr)
    assert url, done.stderr[:500]
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(url.group(1), socket_connect_timeout=1).ping()
    parts = sorted((tmp_path / "demo-parts").glob("part-*.db"))
    assert len(parts) == 2 and all(reports_in(p) for p in parts)
    truths = load_portals().truths
    expected = {canonical_url(r["canonical_url"]) for n in PORTAL_NAMES for r in truths[n]["reports"]}
    crawled = {s for s in outcome(db)["sources"] if s.startswith("http")}
    assert crawled == expected
