"""The archive: raw bytes kept by hash, their fetches and parses in SQLite, published with Datasette.

`archive` imports `extract`; `crawler` and the CLI import `archive`; nothing here imports Scrapy.
"""

from archive.lock import ArchiveBusy
from archive.raw import RawStore
from archive.schema import ArchiveVersionError, ensure_db_shape
from archive.store import Archive, Fetch, ReportOutcome

__all__ = ["Archive", "ArchiveBusy", "ArchiveVersionError", "Fetch", "RawStore", "ReportOutcome", "ensure_db_shape"]
