"""The stored fixture portals hold together, without crawling: every true report, alternate and
attachment is served, every route's file exists, decoys are no reports, and each list family
(F7-F17) has what FAMILIES.md says it has (a report on its last list page only, a report listed as a
bare file, robots-forbidden twins that are served but forbidden, off-scope links off scope)."""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from protego import Protego

from crawler.testing.server import ALL_PORTALS, FAMILY_NAMES, PORTALS_DIR, Route, Site, load_portals
from crawler.urls import canonical_url, doc_kind


@cache
def site() -> Site:
    return load_portals(ALL_PORTALS)


def truth(name: str) -> dict[str, Any]:
    return site().truths[name]


def served(url: str, method: str = "GET", form: dict[str, str] | None = None, hops: int = 3) -> Route | None:
    """The response a request for url ends at (redirects followed), or None when nothing is stored."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    route = site().find((parts.hostname or "").lower(), method, target, form or {})
    if route is not None and route.status in (301, 302) and hops:
        location = dict(route.headers)["Location"]
        return served(location if "://" in location else f"{parts.scheme}://{parts.netloc}{location}", hops=hops - 1)
    return route


@pytest.mark.parametrize("name", ALL_PORTALS)
def test_every_route_file_exists(name: str) -> None:
    spec = json.loads((PORTALS_DIR / name / "site.json").read_text(encoding="utf-8"))
    missing = [r["file"] for r in spec["routes"] if r.get("file") and not (PORTALS_DIR / name / r["file"]).is_file()]
    assert not missing
    assert {r["host"] for r in spec["routes"]} == set(truth(name)["hosts"])


@pytest.mark.parametrize("name", ALL_PORTALS)
def test_every_true_report_and_attachment_is_served(name: str) -> None:
    t = truth(name)
    assert t["reports"] and served(t["entry"]) is not None
    for report in t["reports"]:
        for url in [report["canonical_url"], *report["alternates"], *report["attachment_urls"]]:
            route = served(url)
            assert route is not None and route.status == 200 and route.body, url
        named = [int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", report["title"])]
        assert report["agency"] and (not named or report["report_year"] == max(named)), report


@pytest.mark.parametrize("name", ALL_PORTALS)
def test_decoys_are_not_true_reports(name: str) -> None:
    t = truth(name)
    true = {canonical_url(u) for r in t["reports"] for u in [r["canonical_url"], *r["alternates"]]}
    assert t["decoys"] and not true & {canonical_url(d) for d in t["decoys"]}


def _list_bodies(t: dict[str, Any]) -> list[bytes]:
    bodies = []
    for entry in t["list_pages"]:
        route = served(entry["url"], entry.get("method", "GET"), entry.get("form"))
        assert route is not None and route.status == 200, entry
        bodies.append(route.body)
    return bodies


def _mentions(body: bytes, url: str) -> bool:
    parts = urlsplit(url)
    local = parts.path + (f"?{parts.query}" if parts.query else "")
    return any(form.encode() in body for form in {url, local, html.escape(url), html.escape(local)})


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_one_report_is_listed_on_the_last_list_page_only(name: str) -> None:
    t = truth(name)
    bodies = _list_bodies(t)
    assert len(bodies) >= 3, "a family has at least three list pages"
    where = [k for k, body in enumerate(bodies) if _mentions(body, t["last_page_only"])]
    assert where == [len(bodies) - 1]
    assert canonical_url(t["last_page_only"]) in {canonical_url(r["canonical_url"]) for r in t["reports"]}


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_every_report_is_listed_and_one_is_a_bare_file(name: str) -> None:
    t = truth(name)
    bodies = _list_bodies(t)
    for report in t["reports"]:
        assert any(_mentions(b, u) for b in bodies for u in [report["canonical_url"], *report["alternates"]]), report
    bare = t["attachment_only"]
    assert bare and all(doc_kind(u) in ("pdf", "docx") for u in bare)
    kinds = {canonical_url(r["canonical_url"]): r for r in t["reports"]}
    assert all(kinds[canonical_url(u)]["format"] == doc_kind(u) and not kinds[canonical_url(u)]["attachment_urls"]
               for u in bare)
    assert any(r["format"] == "html" for r in t["reports"]) and any(r["attachment_urls"] for r in t["reports"])


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_traps_and_model_are_documented(name: str) -> None:
    t = truth(name)
    assert t["traps"] and t["model"]
    families = (Path(PORTALS_DIR).parent / "FAMILIES.md").read_text(encoding="utf-8")
    assert f"## {name} " in families


@pytest.mark.parametrize("name", [n for n in FAMILY_NAMES if "robots_disallowed" in truth(n)])
def test_robots_forbidden_twins_are_served_and_forbidden(name: str) -> None:
    for url in truth(name)["robots_disallowed"]:
        parts = urlsplit(url)
        robots = served(f"{parts.scheme}://{parts.netloc}/robots.txt")
        assert robots is not None
        assert not Protego.parse(robots.body.decode()).can_fetch(url, "NianbaoArchiveBot"), url
        route = served(url)
        assert route is not None and route.status == 200, url  # a crawler that ignored robots would get it


@pytest.mark.parametrize("name", [n for n in FAMILY_NAMES if "out_of_scope" in truth(n)])
def test_off_scope_links_are_off_scope_decoys(name: str) -> None:
    t = truth(name)
    for url in t["out_of_scope"]:
        assert urlsplit(url).hostname not in t["hosts"] and url in t["decoys"]
        assert any(_mentions(b, url) for b in _list_bodies(t))


@pytest.mark.parametrize("name", [n for n in FAMILY_NAMES if "encoding_probe" in truth(n)])
def test_gbk_families_are_stored_as_gbk(name: str) -> None:
    probe = truth(name)["encoding_probe"]
    route = served(probe["url"])
    assert route is not None
    ctype = dict(route.headers)["Content-Type"].lower()
    assert "gbk" in ctype or "gb2312" in ctype
    assert probe["title"] in route.body.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        route.body.decode("utf-8")


def test_the_postback_family_needs_the_page_state() -> None:
    """F14: page 2+ only by POST with the state; without it, page 1 again (the same-page trap)."""
    t = truth("F14")
    pages = [e for e in t["list_pages"] if e.get("method") == "POST"]
    last = pages[-1]
    assert _mentions(served(last["url"], "POST", last["form"]).body, t["last_page_only"])  # type: ignore[union-attr]
    stateless = {k: v for k, v in last["form"].items() if not k.startswith("__VIEW")}
    first = served(last["url"])
    assert first is not None and served(last["url"], "POST", stateless).body == first.body  # type: ignore[union-attr]


def test_stored_families_are_what_the_generator_writes(tmp_path: Path) -> None:
    """`python -m tests.familygen` and the stored F7-F17 agree byte for byte (LibreOffice's PDFs are
    taken from the store, as the generator itself does), so neither drifts from the other."""
    from tests.familygen import build_all

    build_all(tmp_path, stored=PORTALS_DIR)
    written = [f for f in tmp_path.rglob("*") if f.is_file()]
    assert len(written) > 300
    differ = [str(f.relative_to(tmp_path)) for f in written
              if f.read_bytes() != (PORTALS_DIR / f.relative_to(tmp_path)).read_bytes()]
    assert not differ
    for name in FAMILY_NAMES:
        stored = {str(f.relative_to(PORTALS_DIR / name)) for f in (PORTALS_DIR / name).rglob("*") if f.is_file()}
        assert stored == {str(f.relative_to(tmp_path / name)) for f in (tmp_path / name).rglob("*") if f.is_file()}
