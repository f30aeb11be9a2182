"""`python -m crawler.main --db PATH [ENTRY ...]`: one crawl in this process (what `crawler.run` spawns).

Why a module of its own: Twisted's reactor starts once per process, so callers that crawl more than
once (tests, the demo, a scheduler) run each crawl in a child process through this entry point.
"""

from __future__ import annotations

import argparse
import json
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.main")
    ap.add_argument("entries", nargs="*")
    ap.add_argument("--db", required=True)
    ap.add_argument("--registry")
    ap.add_argument("--max-pages", type=int)
    ap.add_argument("--shard", help="K/N: this machine's share of the entry points (by host)")
    ap.add_argument("--frontier", help="redis://HOST:PORT/DB: work on the shared frontier there (crawler/frontier.py)")
    ap.add_argument("--worker-id", help="this worker's name on the frontier (default: host name and --db stem)")
    ap.add_argument("--allow-private-hosts", action="store_true")
    ap.add_argument("--host-map", help="JSON object hostname → 127.0.0.1:port")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=JSON", help="a Scrapy setting (JSON value)")
    args = ap.parse_args(argv)
    import os

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    for item in args.set:
        name, _, value = item.partition("=")
        try:
            settings.set(name, json.loads(value), priority="cmdline")
        except ValueError:
            settings.set(name, value, priority="cmdline")
    if args.frontier:
        if args.shard:
            print("nianbao crawl: --shard and --frontier exclude each other: the frontier shares the work itself",
                  file=sys.stderr)
            return 2
        from crawler.frontier_settings import reach_frontier, use_frontier

        try:
            use_frontier(settings, args.frontier, args.worker_id)
            reach_frontier(args.frontier)
        except ValueError as exc:
            print(f"nianbao crawl: {exc}", file=sys.stderr)
            return 2
    from archive import ArchiveBusy, ArchiveVersionError
    from archive.lock import WriterLock
    from archive.schema import check_archive_file

    try:  # taken now and held to the end: a second crawl says so in one line, before any request
        check_archive_file(args.db)
        lock = WriterLock(args.db).hold_for_process()
    except (ArchiveBusy, ArchiveVersionError) as exc:
        print(f"nianbao crawl: {exc}", file=sys.stderr)
        return 2
    try:
        return _crawl(args, settings)
    finally:
        lock.release()


def _crawl(args: argparse.Namespace, settings: Settings) -> int:
    process = CrawlerProcess(settings)
    kwargs: dict[str, object] = {"db": args.db}
    if args.entries:
        kwargs["entry"] = ",".join(args.entries)
    if args.registry:
        kwargs["registry"] = args.registry
    if args.max_pages:
        kwargs["max_pages"] = args.max_pages
    if args.shard:
        from crawler.registry import parse_shard

        try:
            parse_shard(args.shard)
        except ValueError as exc:
            print(f"nianbao crawl: {exc}", file=sys.stderr)
            return 2
        kwargs["shard"] = args.shard
    if args.allow_private_hosts:
        kwargs["allow_private_hosts"] = "1"
    if args.host_map:
        kwargs["host_map"] = json.loads(args.host_map)
    run = process.create_crawler("portals")
    process.crawl(run, **kwargs)
    process.start()
    from crawler.failures import exit_code

    return exit_code(run.stats.get_stats() if run.stats else {})


if __name__ == "__main__":
    raise SystemExit(main())
