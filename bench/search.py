"""Search latency through Datasette on a large generated archive, plus its size and build time.

    .venv/bin/python bench/search.py [--reports 100000] [--db build/bench-search/nianbao.db] [--reuse]

Builds the archive through the public path (record_fetch + add_report, which parses every report),
generating and rendering reports in a worker process, then times the canned `search` query for
2-character and 4-character words through Datasette's in-process client (the same code path as HTTP,
minus the socket). Target: p95 under 100 ms. Then the search page (/-/search/STEM.json: every match
counted, faceted and sorted, one page with snippets), and its CSV of every match, whose cost grows with
the number of matches (公开 matches every report).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import Archive, Fetch
from tests import reportgen

TWO = ["疫情", "复议", "公开", "申请", "诉讼", "处罚", "许可", "收费", "网站", "培训"]
FOUR = ["行政复议", "信息公开", "政府信息", "主动公开", "行政诉讼", "疫情防控", "年度报告", "政务公开"]


def _render(seed: int) -> tuple[str, bytes, str, int]:
    rng = random.Random(seed)
    rendered = reportgen.sample(rng)
    return f"http://www.bench{seed % 997}.gov.cn/nb/{seed}.html", rendered.data, rendered.content_type, \
        rendered.report.year


def _reports(n: int) -> Iterator[tuple[str, bytes, str, int]]:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        yield from pool.imap(_render, range(n), chunksize=64)


def build(db: Path, n: int) -> float:
    start = time.perf_counter()
    with Archive(db) as archive:
        for i, (url, body, ctype, year) in enumerate(_reports(n), start=1):
            sha = archive.record_fetch(Fetch(url, url, 200, [("Content-Type", ctype)], body, "2025-01-01T00:00:00Z"))
            archive.add_report([sha], page_url=url, year=year)
            if i % 5000 == 0:
                rate = i / (time.perf_counter() - start)
                print(f"  {i}/{n} reports, {rate:.0f}/s, eta {(n - i) / rate / 60:.1f} min", flush=True)
    return time.perf_counter() - start


CANNED = "/{stem}/search.json?q={q}&_shape=array"
PAGE = "/-/search/{stem}.json?q={q}"


def time_queries(db: Path, queries: list[str], rounds: int, path: str = CANNED) -> list[float]:
    from archive.datasette.config import make_datasette

    ds = make_datasette(db)

    async def run() -> list[float]:
        out = []
        for q in queries:  # warm-up: first open of the file and the FTS pages
            await ds.client.get(path.format(stem=db.stem, q=q))
        for _ in range(rounds):
            for q in queries:
                t = time.perf_counter()
                response = await ds.client.get(path.format(stem=db.stem, q=q))
                out.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.text[:200]
        return out

    return asyncio.run(run())


def time_download(db: Path, q: str) -> tuple[float, int]:
    """Seconds for the search page's CSV of every match, and its rows."""
    from archive.datasette.config import make_datasette

    ds = make_datasette(db)

    async def run() -> tuple[float, int]:
        t = time.perf_counter()
        response = await ds.client.get(f"/-/search/{db.stem}.csv?q={q}")
        assert response.status_code == 200, response.text[:200]
        return time.perf_counter() - t, response.text.count("\n") - 1

    return asyncio.run(run())


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("build/bench-search/nianbao.db"))
    parser.add_argument("--reuse", action="store_true", help="time the searches on an existing --db")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    if not args.reuse:
        import shutil

        args.db.unlink(missing_ok=True)
        shutil.rmtree(args.db.parent / f"{args.db.stem}-raw", ignore_errors=True)
        print(f"building {args.reports} generated reports into {args.db} …", flush=True)
        seconds = build(args.db, args.reports)
        print(f"build: {seconds:.0f} s ({args.reports / seconds:.0f} reports/s)")
    import sqlite3

    n = sqlite3.connect(args.db).execute("SELECT count(*) FROM reports").fetchone()[0]
    print(f"reports in db: {n}; db size: {args.db.stat().st_size / 1e6:.0f} MB")
    for label, queries in (("2-char", TWO), ("4-char", FOUR)):
        ms = time_queries(args.db, queries, args.rounds)
        print(f"search {label}: p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, max {max(ms):.1f} ms "
              f"({len(ms)} queries)")
    for label, queries in (("2-char", TWO), ("4-char", FOUR), ("OR/NOT", ["复议 OR 诉讼", "公开 -疫情"])):
        ms = time_queries(args.db, queries, max(1, args.rounds // 5), PAGE)
        print(f"search page {label}: p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, max {max(ms):.1f} ms "
              f"({len(ms)} queries)")
    for q in ("复议", "公开"):
        seconds, rows = time_download(args.db, q)
        print(f"search page CSV of every match for {q}: {rows} rows in {seconds:.2f} s")


if __name__ == "__main__":
    main()
