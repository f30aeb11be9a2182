"""The archive: raw bytes kept by hash, their fetches and parses in SQLite, published with Datasette.

`archive` imports `extract`; `crawler` and the CLI import `archive`; nothing here imports Scrapy.

The names below are imported when first asked for (PEP 562), not with the package: a parse worker
imports `archive.rows` to derive a report's rows beside its parse, and must not pay for sqlite-utils
and the store (a third of a second a worker) to do so.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.lock import ArchiveBusy
    from archive.raw import RawStore
    from archive.schema import ArchiveVersionError, ensure_db_shape
    from archive.store import Archive, Fetch, ReportOutcome

_HOMES = {"ArchiveBusy": "archive.lock", "RawStore": "archive.raw", "ArchiveVersionError": "archive.schema",
          "ensure_db_shape": "archive.schema", "Archive": "archive.store", "Fetch": "archive.store",
          "ReportOutcome": "archive.store"}

__all__ = ["Archive", "ArchiveBusy", "ArchiveVersionError", "Fetch", "RawStore", "ReportOutcome", "ensure_db_shape"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'archive' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
