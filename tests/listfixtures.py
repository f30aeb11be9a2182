"""Stored list pages (tests/fixtures/lists/<case>/): the body as served plus `response.json` (URL, status,
headers, and the meta the crawler had put on the request). Like city-scrapers' `file_response`, but
bytes and headers stay as served, so a GBK page is decoded by the same rules as in a crawl. A body
named `portal:F1/files/…` is a fixture portal's own stored file (crawler/testing/portals), not a copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response, TextResponse
from scrapy.responsetypes import responsetypes

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"
PORTALS = Path(__file__).resolve().parents[1] / "crawler" / "testing" / "portals"


def stored_response(case: str, **meta: Any) -> TextResponse:
    """The stored response of case, with its request's meta (plus any given here)."""
    spec = json.loads((LISTS / case / "response.json").read_text(encoding="utf-8"))
    name = str(spec["body"])
    body = (PORTALS / name[len("portal:"):] if name.startswith("portal:") else LISTS / case / name).read_bytes()
    headers = [(k, v) for k, v in spec["headers"]]
    request = Request(spec["url"], method=spec.get("method", "GET"), meta={**spec.get("meta", {}), **meta})
    cls: type[Response] = responsetypes.from_args(headers=dict(headers), url=spec["url"], body=body)
    response = cls(url=spec["url"], status=spec["status"], headers=headers, body=body, request=request)
    assert isinstance(response, TextResponse), case
    return response


def cases() -> list[str]:
    return sorted(p.name for p in LISTS.iterdir() if (p / "response.json").is_file())
