"""`nianbao demo --workers N`: the fixture portals crawled by N workers on a shared Redis frontier, then merged.

What an operator would run on N machines, on one: a redis-server of its own (loopback, free port, no
persistence, stopped at the end), N `nianbao crawl --frontier` workers writing part archives side by side,
then `nianbao merge` of the parts into the demo archive.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import click


def crawl_with_workers(db_path: Path, workers: int) -> None:
    """Crawl the fixture portals with `workers` frontier workers into parts beside db_path, merged into it."""
    from archive.merge import merge
    from archive.store import default_raw_root
    from crawler.run import CrawlStats, crawl
    from crawler.testing.redisd import running_redis
    from crawler.testing.server import serve_portals

    parts_dir = db_path.parent / f"{db_path.stem}-parts"
    shutil.rmtree(parts_dir, ignore_errors=True)
    parts_dir.mkdir(parents=True)
    parts = [parts_dir / f"part-{k}.db" for k in range(1, workers + 1)]
    results: dict[int, CrawlStats] = {}

    def run(k: int, url: str, server: Any) -> None:
        def progress(totals: dict[str, Any]) -> None:
            click.echo(f"  worker {k} {totals.get('elapsed', 0):>5.0f}s  requests {totals['requests']}, "
                       f"reports {totals['reports']}", err=True)

        options = server.crawl_options(parts[k - 1], frontier=url, worker_id=f"demo-{k}",
                                       settings={"DOWNLOAD_DELAY": 0.25, "NIANBAO_PROGRESS_INTERVAL": 5.0})
        results[k] = crawl(options, progress=progress)

    with running_redis() as redis_server, serve_portals() as server:
        click.echo(f"demo: redis-server on {redis_server.url}; fixture portals on 127.0.0.1:{server.port}; "
                   f"{workers} workers crawling {len(server.entries())} entry points …", err=True)
        threads = [threading.Thread(target=run, args=(k, redis_server.url, server)) for k in range(1, workers + 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    failed = {k: s for k, s in results.items() if s.returncode != 0}
    if failed or len(results) != workers:
        detail = "; ".join(f"worker {k} exit {s.returncode}: {s.stderr.strip()[-300:]}" for k, s in failed.items())
        raise click.ClickException(f"demo: a worker failed: {detail or 'no result'}")
    for k, s in sorted(results.items()):
        click.echo(f"demo: worker {k}: {s.reports} reports, {s.pages} pages in {s.elapsed:.0f}s", err=True)
    shutil.rmtree(default_raw_root(db_path), ignore_errors=True)
    counts = merge(db_path, parts)
    click.echo(f"demo: merged {workers} parts into {db_path}: {counts['reports']} report versions, "
               f"{counts['files']} files", err=True)
