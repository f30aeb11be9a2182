"""A crawl of the fixture portals parsing in 1 and then 2 worker processes (`NIANBAO_PARSE_JOBS`): wall time.

The sixteen stored fixture portals (F1-F6 and the list families) as the crawl tests serve them, plus the
scan portal of tests/scanportal.py: `--scans` reports whose attachment is a scan of noise (OCR works on
each for seconds and finds no report) beside two real report pages. The crawl parses off the reactor
(crawler/archive_queue.py), so a parse no longer stops the downloads; with 2 jobs two documents parse at
once. Runs alternate 1 and 2 jobs (`--rounds` each) so the machine's load hits both; each run prints its
wall time, the reports archived, how long fetching went on and its longest pause (a parse holding
the reactor would show as one) and the load average, then the best of each and the ratio, and whether
both archives hold the same parsed rows.
Usage: python bench/crawl_parsing.py [--scans 4] [--frames 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.options import CrawlOptions
from crawler.run import crawl
from crawler.testing.server import ALL_PORTALS, load_portals, serve_portals
from tests.scanportal import add_scan_portal

# as tests/test_crawl_portals.py runs them: F6 rate-limits above 5 requests/s
SETTINGS = {"DOWNLOAD_TIMEOUT": 2, "DOWNLOAD_SLOTS": {"www.f6-prov.gov.cn": {"delay": 0.25}}}
PARSED = ("sections", "cells", "checks", "check_cells")  # reports rows carry when each crawl saw them


def parsed_rows(db: Path, versions: set[str]) -> dict[str, set[tuple[object, ...]]]:
    """The rows parses made for these report versions."""
    with sqlite3.connect(db) as con:
        return {t: {row for row in con.execute(f"SELECT * FROM {t}")
                    if row[1 if t == "sections" else 0] in versions} for t in PARSED}


def compare(a: Path, b: Path) -> str:
    """Same parsed rows for the versions both crawls archived; the fixture crawl itself may differ by a
    version (an aggregator's link racing the portal's own list: tests/test_crawl_portals.py)."""
    def versions(db: Path) -> set[str]:
        with sqlite3.connect(db) as con:
            return {row[0] for row in con.execute("SELECT id FROM report_sources")}

    va, vb = versions(a), versions(b)
    both = va & vb
    same = parsed_rows(a, both) == parsed_rows(b, both)
    return (f"{'yes' if same else 'NO'} over {len(both)} versions in both "
            f"({len(va - vb)} and {len(vb - va)} in one only)")


def fetch_times(db: Path) -> tuple[float, float]:
    """(seconds from the first fetch recorded to the last, the longest pause between two): a reactor held by
    a parse records nothing meanwhile, so the pause would be the parse."""
    from datetime import datetime

    with sqlite3.connect(db) as con:
        stamps = sorted(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()
                        for (at,) in con.execute("SELECT fetched_at FROM fetches"))
    return stamps[-1] - stamps[0], max((b - a for a, b in itertools.pairwise(stamps)), default=0.0)


def run(jobs: int, scans: int, frames: int, db: Path) -> tuple[float, int, int]:
    """(wall seconds, reports archived, exit code) of one crawl into db."""
    site = load_portals(ALL_PORTALS)
    entry = add_scan_portal(site, scans, frames)
    with serve_portals(site=site, scale=0.5) as server:
        start = time.monotonic()
        stats = crawl(CrawlOptions(db=str(db), entries=(*server.entries(), entry), allow_private_hosts=True,
                                   host_map=server.host_map, parse_jobs=jobs, settings=SETTINGS))
        return time.monotonic() - start, stats.reports, stats.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scans", type=int, default=4, help="reports whose attachment is a slow scan")
    ap.add_argument("--frames", type=int, default=2, help="pages of noise in each scan (OCR: ~1 CPU s a page)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {len(ALL_PORTALS)} fixture portals "
          f"+ {args.scans} scans of {args.frames} pages")
    best: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-crawl-parsing-") as tmp:
        for r in range(args.rounds):
            for jobs in (1, 2):
                db = Path(tmp) / f"r{r}-jobs{jobs}.db"
                wall, reports, code = run(jobs, args.scans, args.frames, db)
                fetching, pause = fetch_times(db)
                print(f"  round {r + 1}, jobs {jobs}: {wall:.1f} s wall, {reports} reports, exit {code}; fetches over "
                      f"{fetching:.1f} s, longest pause {pause:.1f} s; load {os.getloadavg()[0]:.1f}", flush=True)
                best[jobs] = min(best.get(jobs, wall), wall)
        same = compare(Path(tmp) / "r0-jobs1.db", Path(tmp) / "r0-jobs2.db")
    print(f"best of {args.rounds}: jobs 1 {best[1]:.1f} s, jobs 2 {best[2]:.1f} s, ratio {best[1] / best[2]:.2f}x")
    print(f"same parsed rows (sections, cells, checks) with 1 and 2 jobs: {same}")


if __name__ == "__main__":
    main()
