"""The one `Archive` a crawl writes to, shared by the middlewares, the pipeline and the extensions.

Why: SQLite wants one connection per process, and every component of a Scrapy crawler is built
separately from the crawler object; the archive hangs off the crawler and closes with the spider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals

from archive import Archive

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_ATTR = "_nianbao_archive"


def archive_for(crawler: Crawler) -> Archive:
    """The crawl's archive at NIANBAO_DB (opened on first use, closed when the spider closes)."""
    existing = getattr(crawler, _ATTR, None)
    if existing is not None:
        return existing
    db = crawler.settings.get("NIANBAO_DB")
    if not db:
        raise RuntimeError("NIANBAO_DB is not set: give the crawl a database (--db PATH or -a db=PATH)")
    archive = Archive(db, crawler.settings.get("NIANBAO_RAW") or None)
    setattr(crawler, _ATTR, archive)

    def _close() -> None:
        try:
            archive.refresh_findings()  # late, copied, contradictory … judged over the whole archive
        finally:
            archive.close()
        setattr(crawler, _ATTR, None)

    crawler.signals.connect(_close, signal=signals.engine_stopped, weak=False)
    return archive
