"""A crawl against the hostile loopback portal (tests/hostile_server.py) with the real caps: how long
it takes to end, what it records, and the crawl process's peak RSS.

The hostile host links a fresh 年报 column from every list page (the column cap, 200 by default, and
the list-page cap end it), answers 429 with Retry-After 999999, stalls, drips, resets and cuts bodies
off; a second host answers each report page in 1 s. Politeness is relaxed as for every loopback
crawl (no delay); the host budget is the knob (default 60 s here; 2 h in crawler/settings.py).
Usage: python bench/hostile_crawl.py [--budget 60] [--timeout 5]
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.options import CrawlOptions
from crawler.run import crawl
from tests.hostile_server import ENTRIES, serve_hostile


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=float, default=60.0, help="NIANBAO_HOST_BUDGET, seconds")
    ap.add_argument("--timeout", type=float, default=5.0, help="DOWNLOAD_TIMEOUT, seconds")
    args = ap.parse_args()
    settings = {"NIANBAO_HOST_BUDGET": args.budget, "DOWNLOAD_TIMEOUT": args.timeout, "NIANBAO_RETRY_AFTER_MAX": 600,
                "NIANBAO_SCOPE_HOSTS": ["10.0.0.8"], "LOG_LEVEL": "CRITICAL"}
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp, serve_hostile() as server:
        db = Path(tmp) / "hostile.db"
        started = time.monotonic()
        stats = crawl(CrawlOptions(db=str(db), entries=tuple(ENTRIES), host_map=server.host_map, settings=settings))
        elapsed = time.monotonic() - started
        served = len(server.requests())
        con = sqlite3.connect(db)
        rows, failed = con.execute("SELECT count(*), count(error) FROM fetches").fetchone()
        con.close()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"hostile crawl bench: host budget {args.budget:g} s, download timeout {args.timeout:g} s; exit "
          f"{stats.returncode} (3 = incomplete, as it must be)")
    print(f"  ended after {elapsed:.1f} s wall; {served} requests served, {stats.requests} sent; "
          f"{rows} fetches rows, {failed} of them failures with their reason")
    print("  failures by kind: " + ", ".join(f"{k} {n}" for k, n in stats.failed.items()))
    print(f"  budget spent on: {', '.join(stats.budget_spent) or 'none'}; peak RSS of the crawl process "
          f"{peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
