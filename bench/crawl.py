"""Crawl throughput and peak memory against a generated loopback portal set (200 hosts x 50 reports).

Each host is a TRS-style district portal: home → 年报 column → 2 list pages (JS pager) → 50 report
pages, with decoy rows. Politeness is relaxed for the benchmark (no delay, no AutoThrottle; still
robots.txt and at most 2 requests per host). Every response is recorded in a fresh archive and every
report handed to `add_report`, as in a real crawl. Prints pages/s and the crawl process's peak RSS.
With `--workers 1,2,4` the same site is crawled once per count by that many workers on a shared Redis
frontier (a redis-server of its own, cleared between runs), each into its own part archive, and the
pages/s are printed as ratios against one worker, all measured in the one run.
Usage: python bench/crawl.py [--hosts 200] [--reports 50] [--workers 1,2,4] [--families] [--startup 5]

Then (`--families` alone: only this) the mixed crawl: all seventeen stored fixture portals (F1-F6 and the list
families F7-F17 of crawler/testing/FAMILIES.md) at once, with the dialects on and then off
(`NIANBAO_DIALECTS=false`), and prints per portal the true reports found, the decoys emitted and the
requests it took, with the wall time of each run.

`--startup N` (only this): what the browser costs a crawl that renders nothing. One small host (home, a
column, one report) crawled N times with NIANBAO_BROWSER on and N times off, alternating; the median wall
time of each and whether Playwright's driver (a node process) was started.
"""

# ruff: noqa: E501 - page templates read better unbroken
from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.run import CrawlStats, crawl
from crawler.testing.server import ALL_PORTALS, PortalServer, Site, serve_portals
from crawler.urls import canonical_url

HTML = [("Content-Type", "text/html; charset=utf-8")]


def report_page(agency: str, year: int, n: int) -> bytes:
    paras = "".join(f"<p>{k}、{agency}{year}年第{k}项工作情况说明，共主动公开信息{n * 7 + k}条。</p>" for k in range(1, 30))
    return (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{agency}{year}年政府信息公开工作年度报告">'
            f'<meta name="PubDate" content="{year + 1}-01-20"></head><body><h1>{agency}{year}年政府信息公开工作年度报告</h1>'
            f'<div class="TRS_Editor"><p>本报告中使用数据统计期限为{year}年1月1日至{year}年12月31日。</p>'
            f"<p>一、总体情况</p>{paras}</div></body></html>").encode()


def build(hosts: int, reports: int) -> tuple[Site, list[str]]:
    site, entries = Site(), []
    per_page = 25
    pages = (reports + per_page - 1) // per_page
    for h in range(hosts):
        host = f"www.bench{h:03d}.gov.cn"
        base = f"http://{host}"
        entries.append(f"{base}/")
        site.add(host, "/robots.txt", b"User-agent: *\nAllow: /\n", headers=[("Content-Type", "text/plain")])
        site.add(host, "/", '<html><body><a href="/xxgk/xxgknb/index.html">政府信息公开年报</a></body></html>'.encode(),
                 headers=HTML)
        rows: list[str] = []
        for r in range(reports):
            agency = f"测试{h:03d}区第{r:02d}局"
            year = 2015 + r % 10
            path = f"/xxgk/xxgknb/{year + 1}01/t{year + 1}0120_{h:03d}{r:03d}.html"
            site.add(host, path, report_page(agency, year, r), headers=HTML)
            rows.append(f'<li><a href="{path}">{agency}{year}年政府信息公开工作年度报告</a><span>{year + 1}-01-20</span></li>')
            if r % 10 == 0:
                rows.append(f'<li><a href="/xw/{r}.html">一图读懂{agency}{year}年政府信息公开工作年度报告</a></li>')
        for p in range(pages):
            chunk = rows[p * (per_page + 3):(p + 1) * (per_page + 3)]
            pager = f'<script>createPageHTML({pages}, {p}, "index", "html");</script>'
            name = "index.html" if p == 0 else f"index_{p}.html"
            site.add(host, f"/xxgk/xxgknb/{name}", f"<html><body><ul>{''.join(chunk)}</ul>{pager}</body></html>".encode(),
                     headers=HTML)
    return site, entries


MODES: list[tuple[str, dict[str, object]]] = [
    ("dialects on", {}), ("dialects off", {"NIANBAO_DIALECTS": False}),
    # the same walk without the browser: the wall-time difference is what the rendered pages cost
    ("dialects off, no browser", {"NIANBAO_DIALECTS": False, "NIANBAO_BROWSER": False})]


def mixed() -> None:
    """One crawl of all seventeen fixture portals per mode; recall and precision per portal, and the share of
    list pages rendered in the browser with what a rendered page costs."""
    import json

    walls: dict[str, tuple[float, int]] = {}  # mode → (wall seconds, pages rendered)
    for mode, extra in MODES:
        with tempfile.TemporaryDirectory() as tmp, serve_portals(ALL_PORTALS, scale=0.5) as server:
            feed = Path(tmp) / "items.jl"
            settings = {"DOWNLOAD_TIMEOUT": 2, "DOWNLOAD_SLOTS": {"www.f6-prov.gov.cn": {"delay": 0.25}},
                        "FEEDS": {str(feed): {"format": "jsonlines"}}, **extra}
            start = time.monotonic()
            stats = crawl(server.crawl_options(Path(tmp) / "mixed.db", settings=settings))
            elapsed = time.monotonic() - start
            emitted = {json.loads(line)["page_url"] for line in feed.read_text(encoding="utf-8").splitlines()}
            requests = server.requests
            truths = server.site.truths
        print(f"mixed crawl, {mode}: {elapsed:.1f} s wall, {len(requests)} requests, {stats.reports} reports, "
              f"{stats.errors} errors, exit {stats.returncode}")
        total = found_all = 0
        for name in ALL_PORTALS:
            t = truths[name]
            found = sum(1 for r in t["reports"]
                        if {canonical_url(u) for u in [r["canonical_url"], *r["alternates"]]} & emitted)
            decoys = len({canonical_url(d) for d in t["decoys"]} & emitted)
            asked = sum(1 for r in requests if r.host in t["hosts"])
            total, found_all = total + len(t["reports"]), found_all + found
            print(f"  {name:>3}: {found}/{len(t['reports'])} reports, {decoys} decoys emitted, {asked} requests")
        print(f"  all: {found_all}/{total} true reports found")
        lists = sum(c["list_pages"] for c in stats.coverage.values())
        rendered = sum(c["found_by"].get("browser", 0) for c in stats.coverage.values())
        walls[mode] = (elapsed, rendered)
        print(f"  browser: {rendered} of {lists} list pages rendered ({rendered / max(lists, 1):.1%})")
    (with_browser, rendered), (without, _) = walls["dialects off"], walls["dialects off, no browser"]
    if rendered:
        print(f"browser cost, dialects off: {with_browser - without:+.1f} s wall for {rendered} rendered pages, "
              f"{(with_browser - without) / rendered:+.1f} s a page (the same crawl with and without the browser)")


SETTINGS = {"CONCURRENT_REQUESTS": 64, "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_TIMEOUT": 30,
            "NIANBAO_PROGRESS_INTERVAL": 10.0}


def distinct_reports(parts: list[Path]) -> tuple[int, int]:
    """(distinct report pages, report versions) over the part archives."""
    pages: list[str] = []
    for db in parts:
        con = sqlite3.connect(db)
        try:
            pages += [row[0] for row in con.execute("SELECT page_url FROM report_sources")]
        except sqlite3.OperationalError:  # a worker that archived nothing (it found no free host)
            pass
        finally:
            con.close()
    return len(set(pages)), len(pages)


def with_workers(site: Site, entries: list[str], counts: list[int], expected: int) -> None:
    """Crawl the site once per worker count on a shared frontier; print pages/s and the ratios to one worker."""
    from crawler.frontier import Frontier
    from crawler.testing.redisd import running_redis

    rates: dict[int, float] = {}
    with running_redis() as redis_server:
        for n in counts:
            Frontier(redis_server.url).clear()
            with tempfile.TemporaryDirectory() as tmp, serve_portals(site=site) as server:
                parts = [Path(tmp) / f"part-{k}.db" for k in range(1, n + 1)]
                results: dict[int, CrawlStats] = {}

                def run(k: int, url: str = redis_server.url, server: PortalServer = server,
                        parts: list[Path] = parts, results: dict[int, CrawlStats] = results) -> None:
                    results[k] = crawl(server.crawl_options(parts[k - 1], entries, settings=SETTINGS, frontier=url,
                                                            worker_id=f"bench-{k}"))

                start = time.monotonic()
                threads = [threading.Thread(target=run, args=(k,)) for k in range(1, n + 1)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                elapsed = time.monotonic() - start
                served, inflight = len(server.requests), max(server.max_inflight.values())
                distinct, versions = distinct_reports(parts)
            rates[n] = served / elapsed
            codes = sorted(r.returncode for r in results.values())
            print(f"  {n} worker(s): {elapsed:.1f} s wall, {served} requests served, {rates[n]:.0f} pages/s; "
                  f"{distinct}/{expected} reports archived ({versions - distinct} twice), at most {inflight} "
                  f"in flight per host, exits {codes}", flush=True)
            if distinct != expected or any(codes):
                for r in results.values():
                    print(r.stderr[-1500:], file=sys.stderr)
                sys.exit(1)
    base = rates[counts[0]]
    print("pages/s against " + f"{counts[0]} worker(s): " + ", ".join(f"{n} workers {rates[n] / base:.2f}x"
                                                                      for n in counts))


def startup(runs: int) -> None:
    """Median wall time of a crawl that needs no browser, with the browser switched on and off."""
    import statistics

    site, entries = build(1, 1)
    walls: dict[bool, list[float]] = {True: [], False: []}
    cpus: dict[bool, list[float]] = {True: [], False: []}  # CPU seconds of the crawl and its children (driver, browser)
    drivers: dict[bool, int] = {True: 0, False: 0}
    with serve_portals(site=site) as server:
        for k in range(2 * runs):
            on = k % 2 == 0
            with tempfile.TemporaryDirectory() as tmp:
                start, used = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
                stats = crawl(entries, Path(tmp) / "s.db", allow_private_hosts=True, host_map=server.host_map,
                              settings={"NIANBAO_BROWSER": on, "LOG_LEVEL": "INFO"})
                walls[on].append(time.monotonic() - start)
                now = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[on].append(now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime)
            if stats.returncode or stats.reports != 1:
                print(stats.stderr[-2000:], file=sys.stderr)
                sys.exit(1)
            drivers[on] += "Starting download handler" in stats.stderr  # scrapy-playwright starts its driver
    for on in (True, False):
        print(f"crawl start, nothing to render, browser {'on ' if on else 'off'}: median "
              f"{statistics.median(walls[on]):.2f} s wall over {runs} crawls "
              f"(min {min(walls[on]):.2f}, max {max(walls[on]):.2f}), median CPU {statistics.median(cpus[on]):.2f} s; "
              f"Playwright driver started in {drivers[on]}")
    print(f"  browser on costs {statistics.median(walls[True]) - statistics.median(walls[False]):+.2f} s wall, "
          f"{statistics.median(cpus[True]) - statistics.median(cpus[False]):+.2f} s CPU a crawl "
          f"({os.getloadavg()[0]:.1f} load average)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=200)
    ap.add_argument("--reports", type=int, default=50)
    ap.add_argument("--families", action="store_true", help="only the mixed run over the seventeen fixture portals")
    ap.add_argument("--no-families", action="store_true", help="skip the mixed run")
    ap.add_argument("--workers", help="comma-separated worker counts on a shared Redis frontier, e.g. 1,2,4")
    ap.add_argument("--startup", type=int, metavar="N", help="only: N crawls needing no browser, browser on and off")
    args = ap.parse_args()
    if args.startup:
        startup(args.startup)
        return
    if args.families:
        mixed()
        return
    site, entries = build(args.hosts, args.reports)
    if args.workers:
        counts = [int(n) for n in args.workers.split(",")]
        print(f"crawl bench, shared frontier: {args.hosts} hosts x {args.reports} reports, workers {counts} "
              f"({os.cpu_count()} cores)", flush=True)
        with_workers(site, entries, counts, args.hosts * args.reports)
        return
    settings = SETTINGS
    with tempfile.TemporaryDirectory() as tmp, serve_portals(site=site) as server:
        start = time.monotonic()
        stats = crawl(server.crawl_options(Path(tmp) / "bench.db", entries, settings=settings),
                      progress=lambda p: print(f"  … {p['requests']} requests, {p['reports']} reports", file=sys.stderr))
        elapsed = time.monotonic() - start
        served = len(server.requests)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"crawl bench: {args.hosts} hosts x {args.reports} reports; {stats.reports} reports archived, "
          f"{served} requests served, {stats.errors} errors, exit {stats.returncode}")
    print(f"  {elapsed:.1f} s wall, {served / elapsed:.0f} pages/s, {stats.reports / elapsed:.1f} reports/s, "
          f"peak RSS of the crawl process {peak_mb:.0f} MB")
    if stats.returncode or stats.reports != args.hosts * args.reports:
        print(stats.stderr[-2000:], file=sys.stderr)
        sys.exit(1)
    if not args.no_families:
        mixed()


if __name__ == "__main__":
    main()
