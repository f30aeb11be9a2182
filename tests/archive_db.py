"""A small archive built the way the crawler builds one: the seed reports plus generated reports.

Shared by the archive, search, Datasette and browser tests (each pytest worker builds its own copy
in about a second). Generated reports come from tests/reportgen.py in every layout, some with numbers
that don't add up, some in traditional script, so every table, view and check has rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from archive import Archive, Fetch
from tests import reportgen
from tests.shared import SEEDS, need_shared

FETCHED_AT = "2025-02-01T08:00:00Z"
REGIONS = ("110105", "320117", "441900", "510723", "610902")
LEVELS = ("county", "city", "department")


@dataclass
class Built:
    db: Path
    raw: Path
    page_urls: dict[str, str] = field(default_factory=dict)  # name → page url
    report_ids: dict[str, str] = field(default_factory=dict)  # name → current report id
    generated: dict[str, reportgen.Rendered] = field(default_factory=dict)


def fetch(url: str, body: bytes, content_type: str | None, fetched_at: str = FETCHED_AT) -> Fetch:
    headers = [("Content-Type", content_type)] if content_type else []
    return Fetch(url=url, final_url=url, status=200, headers=headers, body=body, fetched_at=fetched_at)


def build(directory: Path, *, generated: int = 24, seed: int = 4) -> Built:
    """Build `directory/nianbao.db`; deterministic for a given seed (rebuild tests compare two builds)."""
    need_shared()
    built = Built(db=directory / "nianbao.db", raw=directory / "nianbao-raw")
    rng = random.Random(seed)
    with Archive(built.db) as archive:
        for path in sorted(SEEDS.glob("*.txt")):
            url = f"http://seeds.example.gov.cn/nb/{path.name}"
            sha = archive.record_fetch(fetch(url, path.read_bytes(), "text/plain; charset=utf-8"))
            outcome = archive.add_report([sha], page_url=url, region_code=rng.choice(REGIONS),
                                         level=rng.choice(LEVELS))
            assert outcome.report_id, (path, outcome.errors)
            built.page_urls[path.stem] = url
            built.report_ids[path.stem] = outcome.report_id
        for n in range(generated):
            layout = reportgen.LAYOUTS[n % len(reportgen.LAYOUTS)]
            report = reportgen.generate(rng, consistent=n % 4 != 3)
            rendered = reportgen.render(report, layout, rng)
            name = f"gen{n:02d}"
            url = f"http://www.gen{n % 6}.gov.cn/xxgk/nb/{name}.html"
            sha = archive.record_fetch(fetch(url, rendered.data, rendered.content_type))
            outcome = archive.add_report([sha], page_url=url, region_code=rng.choice(REGIONS),
                                         level=rng.choice(LEVELS), year=report.year)
            if outcome.report_id:
                built.page_urls[name] = url
                built.report_ids[name] = outcome.report_id
                built.generated[name] = rendered
        archive.refresh_findings()
    return built
