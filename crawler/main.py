"""`run_crawl(options)`: one crawl in this process, with `CrawlerProcess`; `nianbao crawl` calls it.

`python -m crawler.main OPTIONS_JSON` runs it in a child process for `crawler.run.crawl`: Twisted's
reactor starts once per process, so a caller that crawls more than once (the tests, the benchmark) or
several crawls at once (`nianbao demo --workers N`) runs each in a child of its own, given the same
`CrawlOptions` as JSON.
"""

from __future__ import annotations

import os
import sys

from crawler.options import CrawlOptions


def run_crawl(options: CrawlOptions) -> int:
    """Crawl as options say; the exit code: 0 done, 2 usage error or archive busy, 3 done but incomplete
    (crawler/failures.py). Usage errors and a busy archive are one line on stderr, before any request."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from archive import ArchiveBusy, ArchiveVersionError
    from archive.lock import WriterLock
    from archive.schema import check_archive_file
    from crawler.failures import exit_code

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    try:
        if not options.db:
            raise ValueError("give the archive to write (--db PATH)")
        options.check()
        options.apply(settings)
        if options.frontier:
            from crawler.frontier import reach_frontier

            reach_frontier(options.frontier)
    except ValueError as exc:
        print(f"nianbao crawl: {exc}", file=sys.stderr)
        return 2
    try:  # taken now and held to the end: a second crawl says so in one line, before any request
        check_archive_file(options.db)
        lock = WriterLock(options.db).hold_for_process()
    except (ArchiveBusy, ArchiveVersionError) as exc:
        print(f"nianbao crawl: {exc}", file=sys.stderr)
        return 2
    try:
        process = CrawlerProcess(settings)
        crawler = process.create_crawler("portals")
        process.crawl(crawler)
        process.start()
        return exit_code(crawler.stats.get_stats() if crawler.stats else {})
    finally:
        lock.release()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m crawler.main OPTIONS_JSON (a CrawlOptions; `nianbao crawl` is the command line)",
              file=sys.stderr)
        return 2
    return run_crawl(CrawlOptions.from_json(args[0]))


if __name__ == "__main__":
    raise SystemExit(main())
