"""What the spider hands to the archive pipeline: one report, found once, with its stored bytes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReportItem:
    """A report page (or a report file linked straight from a list) and its attachments.

    `documents` are the archive's sha256s, page first; `attachments` the canonical URLs of the
    attachments actually fetched, in page order.
    """

    page_url: str
    url: str
    title: str
    agency: str | None
    year: int | None
    published: str | None
    format: str
    host: str
    region_code: str | None = None
    level: str | None = None
    via: str | None = None
    documents: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
