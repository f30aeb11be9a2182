"""The archive pipeline: each report item becomes a report version in the archive.

The bytes are already stored (the recording middleware put every response there); this hands the
archive the list of documents and the list-page hints, and counts what the archive made of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from crawler.archive_link import archive_for
from crawler.items import ReportItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def process_item(self, item: ReportItem) -> ReportItem:
        if not isinstance(item, ReportItem) or not item.documents:
            return item
        assert self.crawler.stats is not None
        # A re-post under another column: one report, whichever run found it first.
        other = archive_for(self.crawler).page_archived_elsewhere(item.documents[0], item.page_url)
        if other:
            self.crawler.stats.inc_value("nianbao/archive/same_bytes_other_url")
            raise DropItem(f"same page bytes as {other}")
        outcome = archive_for(self.crawler).add_report(
            item.documents, page_url=item.page_url, title=item.title, year=item.year, agency=item.agency,
            published=item.published, region_code=item.region_code, level=item.level, host=item.host,
        )
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"nianbao/archive/{outcome.status}")
        return item
