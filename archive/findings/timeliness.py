"""`late` / `timeliness_unknown` per report, and the coverage ledger (found / late / missing per agency-year).

Which date: the one the report states; failing that the portal page's; failing that our first sighting,
which proves only so much: seen by the deadline means on time; seen later means late only when we were
already watching that host by the deadline (otherwise we simply were not looking yet).
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from dataclasses import dataclass
from datetime import date
from typing import Any

from archive.findings.agencies import agency_kind
from archive.findings.deadlines import Deadlines
from archive.findings.model import Flag
from archive.findings.snapshot import Current, Snapshot

DATE_SOURCES = {"report": "报告所署日期", "page": "网页发布日期", "first_seen": "本库首次抓取日期"}


@dataclass(frozen=True)
class Timeliness:
    report_id: str
    deadline: date | None
    deadline_rule: str
    kind: str
    published: date | None
    date_source: str | None  # report | page | first_seen
    days_late: int | None  # > 0 late, <= 0 on time, None unknown
    reason: str = ""


def _parse(day: str | None) -> date | None:
    if not day:
        return None
    try:
        return date.fromisoformat(day[:10])
    except ValueError:
        return None


def host_watch_start(conn: sqlite3.Connection) -> dict[str, date]:
    """The first day the archive fetched anything from each host."""
    out: dict[str, date] = {}
    conn.create_function("nb_host", 1, lambda u: urllib.parse.urlsplit(u or "").hostname, deterministic=True)
    for host, first in conn.execute("SELECT nb_host(url), min(fetched_at) FROM fetches GROUP BY 1"):
        day = _parse(first)
        if host and day:
            out[host] = day
    return out


def judge(rep: Current, rules: Deadlines, watched: dict[str, date]) -> Timeliness:
    kind = agency_kind(rep.agency, rep.level, rep.register_kind)
    if rep.year is None:
        return Timeliness(rep.id, None, "", kind, None, None, None, "统计年度不明")
    deadline, rule = rules.deadline(rep.year, kind, rep.province)
    earliest = date(rep.year + 1, 1, 1)  # a report cannot be published before the year it covers ends
    stated = _parse(rep.published)
    page = _parse(rep.page_published)
    candidates: list[tuple[str, date | None]] = [
        ("page" if stated is not None and stated == page else "report", stated), ("page", page)]
    for source, day in candidates:
        if day is not None and day >= earliest:
            return Timeliness(rep.id, deadline, rule, kind, day, source, (day - deadline).days)
    seen = _parse(rep.first_seen)
    host = urllib.parse.urlsplit(rep.page_url or "").hostname
    if seen is not None and host:
        if seen <= deadline:
            return Timeliness(rep.id, deadline, rule, kind, seen, "first_seen", (seen - deadline).days)
        if host in watched and watched[host] <= deadline:
            return Timeliness(rep.id, deadline, rule, kind, seen, "first_seen", (seen - deadline).days)
        reason = f"首次抓取 {seen} 晚于期限, 而期限前本库尚未抓取 {host}"
    else:
        reason = "报告和网页均未署发布日期"
    if stated is not None and stated < earliest:
        reason = f"所署日期 {stated} 早于统计年度结束; " + reason
    return Timeliness(rep.id, deadline, rule, kind, None, None, None, reason)


def flag(t: Timeliness) -> Flag | None:
    """`late` for a report past its deadline, `timeliness_unknown` when no date can tell."""
    if t.days_late is None:
        return Flag(t.report_id, "timeliness_unknown", f"无可用发布日期: {t.reason}",
                    {"reason": t.reason, "deadline": t.deadline.isoformat() if t.deadline else None,
                     "deadline_rule": t.deadline_rule, "agency_kind": t.kind})
    if t.days_late <= 0:
        return None
    assert t.published is not None and t.deadline is not None
    bound = "至多" if t.date_source == "first_seen" else ""
    return Flag(t.report_id, "late",
                f"{t.published} 发布 ({DATE_SOURCES[t.date_source or 'report']}), 期限 {t.deadline} "
                f"({t.deadline_rule}), 逾期{bound} {t.days_late} 天",
                {"published": t.published.isoformat(), "date_source": t.date_source,
                 "deadline": t.deadline.isoformat(), "deadline_rule": t.deadline_rule, "agency_kind": t.kind,
                 "days_late": t.days_late})


def coverage(snap: Snapshot, judged: dict[str, Timeliness], rules: Deadlines) -> list[dict[str, Any]]:
    """One row per agency that ever published and every year since its first report, up to the last year
    whose reports were due by the archive's as-of day: found, late, missing, or not_due yet."""
    by_agency: dict[str, dict[int, Current]] = {}
    for (key, year), rep in snap.by_agency_year.items():
        by_agency.setdefault(key, {})[year] = rep
    rows: list[dict[str, Any]] = []
    for key, years in sorted(by_agency.items()):
        latest = years[max(years)]
        kind = agency_kind(latest.agency, latest.level, latest.register_kind)
        last = max(max(years), snap.as_of.year - 1)
        for year in range(min(years), last + 1):
            deadline, _rule = rules.deadline(year, kind, latest.province)
            found = years.get(year)
            row: dict[str, Any] = {"agency_key": key, "agency": latest.agency, "year": year,
                                   "province": latest.province, "agency_kind": kind,
                                   "deadline": deadline.isoformat(), "report_id": None, "published": None,
                                   "date_source": None, "days_late": None}
            if found is None:
                row["status"] = "missing" if snap.as_of > deadline else "not_due"
            else:
                t = judged[found.id]
                row.update(report_id=found.id, published=t.published.isoformat() if t.published else None,
                           date_source=t.date_source, days_late=t.days_late,
                           status="late" if t.days_late is not None and t.days_late > 0 else "found")
            rows.append(row)
    return rows
