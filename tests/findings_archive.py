"""Constructed archives for the findings tests: reports whose dates, cells and narrative are chosen, so
every finding has a known answer.

Each `Spec` is printed by tests/reportgen.py (the plain pipes layout), fetched into an Archive like a
crawl would, then the findings pass runs. Defaults are clean: neutral narrative, consistent tables, no
date (tests set what they examine).
"""

from __future__ import annotations

import dataclasses
import json
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from archive import Archive, Fetch
from archive.findings.run import refresh
from tests import reportgen

Cells = dict[tuple[str, str, str, str], float | None]  # (table, item/group, row, column) → value

NEUTRAL = {
    "overview": ("本机关认真贯彻落实政府信息公开条例，扎实推进政务公开工作。",),
    "active_disclosure": (),
    "requests": (),
    "review_litigation": (),
    "problems": ("工作中仍有不足，下一步将继续改进。",),
    "other": ("无。",),
}
HEADINGS = {"overview": "总体情况", "active_disclosure": "主动公开政府信息情况",
            "requests": "收到和处理政府信息公开申请情况", "review_litigation": "政府信息公开行政复议、行政诉讼情况",
            "problems": "存在的主要问题及改进情况", "other": "其他需要报告的事项"}


@dataclass
class Spec:
    agency: str
    year: int
    published: date | None = None  # printed on the page as 发布日期
    page_published: str | None = None  # what the list page said (a crawl hint)
    template: str | None = None  # default: by year
    cells: Cells = field(default_factory=dict)  # overrides of the generated (consistent) numbers
    text: dict[str, tuple[str, ...]] = field(default_factory=dict)  # section kind → paragraphs
    url: str | None = None
    fetched_at: str = "2025-06-01T08:00:00Z"
    region_code: str = "510723"
    seed: int = 1


def quiet_requests(template: str) -> Cells:
    """A requests table of zeros (the defaults are random but consistent)."""
    rows = [c for c, _l, _g in reportgen.codes.REQUEST_ROWS[template]]
    return {("requests", "", r, c): 0 for r in rows for c, _ in reportgen.codes.REQUEST_COLUMNS}


def clean_cells(template: str) -> Cells:
    """No requests, no normative documents: nothing for continuity or the narrative to contradict."""
    cells = quiet_requests(template)
    cols = ("issued", "repealed", "in_force") if template == "2021" else ("made", "published", "total_published")
    for row in ("regulations", "normative_documents"):
        cells.update({("active_disclosure", "20.1", row, c): 0 for c in cols})
    return cells


def render(spec: Spec) -> reportgen.Rendered:
    rng = random.Random(spec.seed)
    template = spec.template or ("2019" if spec.year < 2021 else "2021")
    knobs = reportgen.Knobs(published=spec.published is not None)
    report = reportgen.generate(rng, template=template, consistent=True, blanks=False,  # type: ignore[arg-type]
                                knobs=knobs)
    cells = {name: dict(table) for name, table in report.cells.items()}
    for (tbl, part, row, col), value in {**clean_cells(template), **spec.cells}.items():
        cells[tbl][(part, row, col)] = (value, "" if value is None else str(int(value)))
    sections = [reportgen.SectionSpec(n, kind, HEADINGS[kind], spec.text.get(kind, NEUTRAL[kind]))
                for n, kind in enumerate(NEUTRAL, start=1)]
    report = dataclasses.replace(report, agency=spec.agency, author=spec.agency, year=spec.year,
                                 published=spec.published, title=f"{spec.agency}{spec.year}年政府信息公开工作年度报告",
                                 sections=sections, cells=cells, preamble=())
    return reportgen.render(report, "pipes", rng)


def add(archive: Archive, spec: Spec, n: int = 0) -> str:
    """Archive one spec; returns its report id."""
    rendered = render(spec)
    url = spec.url or f"http://www.example{n % 3}.gov.cn/xxgk/nb/{n:03d}.html"
    sha = archive.record_fetch(Fetch(url=url, final_url=url, status=200,
                                     headers=[("Content-Type", rendered.content_type)], body=rendered.data,
                                     fetched_at=spec.fetched_at))
    outcome = archive.add_report([sha], page_url=url, region_code=spec.region_code, published=spec.page_published)
    assert outcome.report_id, outcome.errors
    return outcome.report_id


AS_OF = date(2025, 6, 1)


def build(db: Path, specs: list[Spec], as_of: date | None = AS_OF) -> list[str]:
    """An archive of these reports with its findings computed (as of `as_of`); report ids in spec order."""
    with Archive(db) as archive:
        ids = [add(archive, spec, n) for n, spec in enumerate(specs)]
        refresh(archive.db.conn, as_of=as_of)
    return ids


def flags(db: Path, code: str | None = None) -> list[dict[str, Any]]:
    """The stored flags (evidence decoded), optionally of one code."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        rows = con.execute("SELECT * FROM flags WHERE ?1 IS NULL OR code = ?1 ORDER BY report_id, code, seq",
                           [code]).fetchall()
    finally:
        con.close()
    return [{**dict(r), "evidence": json.loads(r["evidence"])} for r in rows]
