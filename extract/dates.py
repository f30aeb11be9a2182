"""Dates and the year a report covers, by the field guide's order of evidence: one home for the crawler
(list rows, article pages) and the parser (metadata.py).

Why: the first date in a report body is the start of the statistics period (2025-01-01), not the
publication date; a naive scraper that takes it files the report under the wrong year. The year comes
from the title, else the 统计期限 sentence, else publication year - 1 (reports appear Jan-Mar of Y+1).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime

# A printed date: 2024-03-28, 2024/3/28, 2026.03.05, 2024年3月28日 (text already folded to half-width).
DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

# The statistics period, two readings. The crawler reads a page (or a list row's text) and wants the
# whole period stated, 1 January to 31 December of one year; the parser reads the report's own
# sentence, whose end is often cut off or on the next line, so its start (统计期…YYYY年1月1日) is enough.
_PERIOD_WHOLE = re.compile(
    r"统计(期限|时限|时间|区间|周期)[^。；;]{0,24}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日[^。；;]{0,8}?"
    r"((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日"
)
_PERIOD_LOOSE = re.compile(
    r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*[至到—-]\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日"
)
_PERIOD_START = re.compile(
    r"统计(?:期限|时限|周期|时间|区间|范围|期)[^。\n]{0,24}?((?:19|20)\d{2})\s*年\s*(?:1|01|一)\s*月\s*(?:1|01|一)\s*日"
)


def to_date(value: object) -> date | None:
    """A date from `2024-03-28`, `2024/3/28`, `2026.03.05 14:48:00`, `2024年3月28日` or epoch seconds
    (milliseconds too), as list APIs and pages give it; None when it is no date."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    m = DATE.search(unicodedata.normalize("NFKC", str(value)))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def period_year(text: str) -> int | None:
    """The year of a whole stated period ("统计期限为2025年1月1日至2025年12月31日"); None when the
    period spans years or is not stated whole."""
    text = unicodedata.normalize("NFKC", text or "")
    m = _PERIOD_WHOLE.search(text)
    if m and m.group(2) == m.group(3):
        return int(m.group(2))
    m = _PERIOD_LOOSE.search(text)
    if m and m.group(1) == m.group(2):
        return int(m.group(1))
    return None


def period_start_year(folded_text: str) -> int | None:
    """The year a report's 统计期 sentence starts in (`统计期限…2025年1月1日`), from folded text."""
    m = _PERIOD_START.search(folded_text)
    return int(m.group(1)) if m else None


def year_by_evidence(title_year: int | None, period: Callable[[], int | None],
                     published_year: int | None) -> int | None:
    """The year covered: the title's, then the statistics period's (read only when needed), then the
    publication year - 1; never the first date found in the body."""
    if title_year:
        return title_year
    from_period = period()
    if from_period:
        return from_period
    return published_year - 1 if published_year else None


def report_year(title_year: int | None, body: str, published: date | None) -> int | None:
    """The crawler's reading of a page: title, then the whole stated period, then publication year - 1."""
    return year_by_evidence(title_year, lambda: period_year(body), published.year if published else None)
