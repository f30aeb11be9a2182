"""The archive pipeline: each report item becomes a report version in the archive.

The bytes are already stored (the recording middleware put every response there); this hands the
archive the list of documents and the list-page hints, and counts what the archive made of them. The
documents are parsed in NIANBAO_PARSE_JOBS worker processes while the crawl goes on downloading, and
items are stored in the order they came (crawler/archive_queue.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.archive_link import archive_for
from crawler.archive_queue import ArchiveQueue
from crawler.items import ReportItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archive import ReportOutcome
    from archive.workers import ParsePool


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pool: ParsePool | None = None
        self.queue: ArchiveQueue | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def _queue(self) -> ArchiveQueue:
        """Started with the first item: the archive's path is a spider argument, and a crawl that finds no
        report starts no parse worker."""
        if self.queue is None:
            from archive.workers import Limits, ParsePool, default_jobs

            settings = self.crawler.settings
            jobs = settings.getint("NIANBAO_PARSE_JOBS") or default_jobs()
            archive = archive_for(self.crawler)
            self.pool = archive.parse_pool = ParsePool(jobs, Limits.from_env())
            self.queue = ArchiveQueue(archive, self.pool, window=2 * jobs, running=lambda: self.crawler.crawling,
                                      grace=settings.getfloat("NIANBAO_PARSE_STOP_GRACE"))
        return self.queue

    async def process_item(self, item: ReportItem) -> ReportItem:
        if not isinstance(item, ReportItem) or not item.documents:
            return item
        stored = self._queue().add(item.documents, item.page_url, lambda: self._store(item))
        await maybe_deferred_to_future(stored)
        return item

    def _store(self, item: ReportItem) -> ReportOutcome:
        """The writer's part, in arrival order (the archive as every earlier item left it)."""
        assert self.crawler.stats is not None
        archive = archive_for(self.crawler)
        # A re-post under another column: one report, whichever run found it first.
        other = archive.page_archived_elsewhere(item.documents[0], item.page_url)
        if other:
            self.crawler.stats.inc_value("nianbao/archive/same_bytes_other_url")
            raise DropItem(f"same page bytes as {other}")
        outcome = archive.add_report(
            item.documents, page_url=item.page_url, title=item.title, year=item.year, agency=item.agency,
            published=item.published, region_code=item.region_code, level=item.level, host=item.host,
        )
        self.crawler.stats.inc_value(f"nianbao/archive/{outcome.status}")
        return outcome

    async def close_spider(self) -> None:
        """Everything in flight is stored before the archive closes (an interrupted crawl's unparsed
        documents with their reason), then the workers end."""
        if self.queue is not None:
            await maybe_deferred_to_future(self.queue.drain())
        if self.pool is not None:
            self.pool.close()
            archive_for(self.crawler).parse_pool = None
