"""Publication dates and report years, by the field guide's order of evidence.

Why: the first date in a report body is the start of the statistics period (2025-01-01), not the
publication date; a naive scraper that takes it files the report under the wrong year. The year comes
from the title, else the 统计期限 sentence, else publication year - 1 (reports appear Jan-Mar of Y+1).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_PERIOD = re.compile(
    r"统计(期限|时限|时间|区间|周期)[^。；;]{0,24}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日[^。；;]{0,8}?"
    r"((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日"
)
_PERIOD_LOOSE = re.compile(
    r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*[至到—-]\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日"
)


def parse_date(value: object) -> date | None:
    """A date from `2024-03-28`, `2024/3/28`, `2026.03.05 14:48:00`, `2024年3月28日` or epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    m = _DATE.search(unicodedata.normalize("NFKC", str(value)))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def period_year(text: str) -> int | None:
    """The year of the 统计期限 sentence ("统计期限为2025年1月1日至2025年12月31日")."""
    text = unicodedata.normalize("NFKC", text or "")
    m = _PERIOD.search(text)
    if m and m.group(2) == m.group(3):
        return int(m.group(2))
    m = _PERIOD_LOOSE.search(text)
    if m and m.group(1) == m.group(2):
        return int(m.group(1))
    return None


def report_year(title_year: int | None, body: str, published: date | None) -> int | None:
    """Title, then 统计期限, then publication year - 1; never the first date found in the body."""
    if title_year:
        return title_year
    from_period = period_year(body)
    if from_period:
        return from_period
    return published.year - 1 if published else None
