"""The list-coverage report of a crawl: per host, the list pages walked, how each next page was found
(a dialect's name or a generic walker rule), the reports found, how walks ended early, and the columns
that stopped at the page cap.

Why: a portal whose lists were not walked to their end looks like a portal with few reports. The
operator needs to see, per host, whether paging happened at all and by what, and where the cap cut a
column short, to know which portals need a closer look.
"""

from __future__ import annotations

from typing import Any


def host_coverage(row: dict[str, Any]) -> dict[str, Any]:
    """One host's coverage from its per-host counters (`list_pages`, `next:<rule>`, `stop:<reason>`,
    `reports`, `capped`)."""
    found_by = {k.split(":", 1)[1]: int(v) for k, v in row.items() if k.startswith("next:")}
    stops = {k.split(":", 1)[1]: int(v) for k, v in row.items() if k.startswith("stop:")}
    if row.get("list_end_404"):
        stops["end_404"] = int(row["list_end_404"])
    return {"list_pages": int(row.get("list_pages", 0)), "found_by": dict(sorted(found_by.items())),
            "reports": int(row.get("reports", 0)), "stops": dict(sorted(stops.items())),
            "capped": list(row.get("capped") or [])}


def coverage(hosts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Coverage of every host that had list pages (hosts only fetched for reports or files are left out)."""
    return {host: host_coverage(row) for host, row in sorted(hosts.items()) if row.get("list_pages")}


def coverage_table(hosts: dict[str, dict[str, Any]]) -> str:
    """The printed form: one line per host, then the capped columns under it (indented, so a line that
    starts with a host name stays the summary's own)."""
    cov = coverage(hosts)
    if not cov:
        return "list coverage: no list pages walked"
    lines = ["list coverage:", f"  {'host':<32} {'lists':>5} {'reports':>7}  next pages found by | ended by"]
    for host, c in cov.items():
        found = ", ".join(f"{rule} {n}" for rule, n in c["found_by"].items()) or "- (first pages only)"
        stops = ", ".join(f"{why} {n}" for why, n in c["stops"].items()) or "-"
        lines.append(f"  {host:<32} {c['list_pages']:>5} {c['reports']:>7}  {found} | {stops}")
        lines += [f"    at the cap: {column}" for column in c["capped"]]
    return "\n".join(lines)
