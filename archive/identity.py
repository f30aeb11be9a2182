"""What makes two archived documents the same report: the keys the store groups sightings by.

Why: a report is a publication of one agency for one year, not a URL. The same PDF is linked from the
department's site, the county's 信息公开 platform and a provincial aggregator; a page has a `_wap` twin and
a big5 copy. Counting each sighting would count the report several times.

* `content_key` — the document: the same bytes parse to the same content, and a page re-rendered under
  another URL or script has the same title, table numbers and body text (compared in simplified script,
  without spacing or punctuation).
* `figures_key` — the table numbers alone: two documents of one publication with the same figures are
  renditions (a 图片版 twin), with different figures they are versions (a corrected re-publication).
* `publication_key` — agency register id and year; a document naming no agency or no year is its own
  publication ("unresolved"), never merged with another by guesswork.
"""

from __future__ import annotations

import hashlib
import json
import re

from archive.cjk import normalise
from extract.model import Report

_NOISE = re.compile(r"[\s\u3000\W_]+")


def _flat(text: str | None) -> str:
    """Text as compared: simplified script, full-width folded, no spacing or punctuation."""
    return _NOISE.sub("", normalise(text)) if text else ""


def _digest(parts: object) -> str:
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def figures(report: Report) -> list[tuple[str, str, str, str, object]]:
    """Every printed number of the three tables, labelled (order-free)."""
    return sorted((tbl, c.item or c.group or "", c.row or "", c.column, c.value)
                  for tbl, cells in report.tables.items() for c in cells if c.value is not None)


def figures_key(report: Report) -> str:
    return _digest(figures(report))


def content_key(report: Report) -> str:
    """The same title, the same table numbers and the same body text: the same document."""
    body = "".join(_flat(s.heading) + _flat(s.text) for s in report.sections)
    return _digest([_flat(report.title), figures(report), hashlib.sha1(body.encode("utf-8")).hexdigest()])


def publication_key(agency_id: str | None, year: int | None, content: str) -> tuple[str, str | None]:
    """(key, reason it is unresolved or None): one agency's report for one year, or the document alone."""
    if agency_id and year is not None:
        return f"{agency_id}:{year}", None
    missing = " and ".join(m for m, gone in (("agency", not agency_id), ("year", year is None)) if gone)
    return f"unresolved:{content}", f"names no {missing}"
