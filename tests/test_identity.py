"""One report, one row: archives built to break report identity, each giving exactly the expected reports.

The cases of issue 15: the same document behind five pages on three hosts; a page with its `_wap` and big5
twins; a report re-posted with one corrected number (two versions); a 图片版 twin (a rendition); two
agencies sharing a name in different cities; documents naming no agency. Every total counts each report
once, under the agency's own place, and `rebuild` and `merge` give the same identity.
"""

from __future__ import annotations

import dataclasses
import json
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from archive import Archive, Fetch
from archive.export import export
from archive.merge import merge
from archive.rebuild import rebuild
from tests import reportgen

FETCHED = "2025-02-01T08:00:00Z"


@dataclass
class Case:
    """What one case expects: its agency's reports by year and the new requests they count."""

    agency_code: str | None
    reports: int
    requests_new: int = 0
    sightings: int = 0
    report_ids: set[str] = field(default_factory=set)


def _generate(seed: int, agency: str | None, year: int, *, traditional: bool = False) -> reportgen.GeneratedReport:
    rng = random.Random(seed)
    knobs = dataclasses.replace(reportgen.random_knobs(rng), title="agency_year" if agency else "none",
                                agency_in_overview=False, traditional=traditional, gbk=False, page_noise=False,
                                typos=False, published=False, title_split=False)
    rep = reportgen.generate(rng, template="2021", knobs=knobs, consistent=True, blanks=False)
    title = f"{agency}{year}年政府信息公开工作年度报告" if agency else None
    return dataclasses.replace(rep, agency=agency, author=agency or rep.author, year=year, title=title)


def _new_requests(rep: reportgen.GeneratedReport) -> int:
    return int(rep.cells["requests"][("", "new", "total")][0] or 0)


def _with_new_requests(rep: reportgen.GeneratedReport, value: int) -> reportgen.GeneratedReport:
    cells = {t: dict(c) for t, c in rep.cells.items()}
    cells["requests"][("", "new", "total")] = (value, str(value))
    return dataclasses.replace(rep, cells=cells)


def _bytes(rep: reportgen.GeneratedReport, layout: reportgen.Layout = "pipes", seed: int = 1) -> tuple[bytes, str]:
    rendered = reportgen.render(rep, layout, random.Random(seed))
    return rendered.data, rendered.content_type


def _page(archive: Archive, url: str, body: bytes, ctype: str, *, listed_on: str | None = None,
          when: str = FETCHED) -> str:
    return archive.record_fetch(Fetch(url, url, 200, [("Content-Type", ctype)], body, when, referer=listed_on))


def _stub(url: str) -> bytes:
    """A report page whose data is only in its attachment (it parses as nothing)."""
    return f"<html><body><h1>年度报告</h1><p>详见附件。</p><p>{url}</p></body></html>".encode()


@dataclass
class Built:
    db: Path
    cases: dict[str, Case]


def build(directory: Path) -> Built:
    """An archive of the six cases; each case's expectation recorded as it is built."""
    cases: dict[str, Case] = {}
    db = directory / "identity.db"
    with Archive(db) as archive:
        # 1. one document behind five pages on three hosts (department, county platform, provincial aggregator)
        hongze = _generate(11, "淮安市洪泽区人民政府", 2024)
        data, ctype = _bytes(hongze)
        pages = [("www.hongze.gov.cn", "320813", "洪泽区人民政府"), ("www.hongze.gov.cn", "320813", None),
                 ("xxgk.hongze.gov.cn", "320813", "淮安市洪泽区人民政府"), ("www.js.gov.cn", "320000", None),
                 ("www.js.gov.cn", "320000", "淮安市洪泽区人民政府2024")]
        for n, (host, region, hinted) in enumerate(pages):
            url = f"http://{host}/nb/{n}.html"
            page = _page(archive, url, _stub(url), "text/html", listed_on=f"http://{host}/nb/index.html")
            pdf = _page(archive, "http://www.hongze.gov.cn/files/nb2024.txt", data, ctype)
            archive.add_report([page, pdf], page_url=url, agency=hinted, region_code=region, host=host)
        cases["five_pages"] = Case("320813", 1, _new_requests(hongze), sightings=5)

        # 2. a page, its _wap twin and its big5 twin (traditional script, Big5 bytes)
        changzhou = _generate(12, "梧州市长洲区人民政府", 2023)
        html, _ = _bytes(changzhou, "html", seed=1)
        wap, _ = _bytes(changzhou, "html", seed=2)
        trad = dataclasses.replace(changzhou, knobs=dataclasses.replace(changzhou.knobs, traditional=True))
        big5 = _bytes(trad, "html", seed=3)[0].decode("utf-8").replace('charset="utf-8"', 'charset="big5"')
        for url, body, ctype in (("http://www.wuzhou.gov.cn/a/5901.html", html, "text/html; charset=utf-8"),
                                 ("http://www.wuzhou.gov.cn/a/5901_wap.html", wap, "text/html; charset=utf-8"),
                                 ("http://big5.wuzhou.gov.cn/a/5901.html", big5.replace("爲", "為").encode("big5"),
                                  "text/html; charset=big5")):
            archive.add_report([_page(archive, url, body, ctype)], page_url=url, region_code="450405")
        cases["twins"] = Case("450405", 1, _new_requests(changzhou), sightings=3)

        # 3. re-posted with one corrected number: two versions, the newest published counts
        minzheng = _generate(13, "洛川县民政局", 2024)
        fixed = _with_new_requests(minzheng, _new_requests(minzheng) + 1)
        for url, rep, published in (("http://xxgk.luochuan.gov.cn/u005/800.html", minzheng, "2025-01-20"),
                                    ("http://xxgk.luochuan.gov.cn/u005/801.html", fixed, "2025-03-02")):
            data, ctype = _bytes(rep)
            archive.add_report([_page(archive, url, data, ctype)], page_url=url, published=published)
        cases["corrected"] = Case("610629", 1, _new_requests(fixed), sightings=2)

        # 4. a 图片版 twin: another rendition with the same figures (its title says 图片版)
        sanyuan = _generate(14, "三明市三元区人民政府", 2024)
        picture = dataclasses.replace(sanyuan, title=f"{sanyuan.title}（图片版）")
        for url, rep in (("http://www.sm.gov.cn/nb/2192651.htm", sanyuan),
                         ("http://www.sm.gov.cn/nb/2192651_tpb.htm", picture)):
            data, ctype = _bytes(rep)
            archive.add_report([_page(archive, url, data, ctype)], page_url=url, published="2025-03-08")
        cases["picture_twin"] = Case("350404", 1, _new_requests(sanyuan), sightings=2)

        # 5. two agencies named 朝阳区人民政府 (Beijing, Changchun) and a third copy of the name nothing places
        for n, (host, region, code) in enumerate((("www.bjchy.gov.cn", "110105", "110105"),
                                                  ("www.chaoyang.gov.cn", "220104", "220104"),
                                                  ("www.example-aggregator.cn", None, None))):
            rep = _generate(20 + n, "朝阳区人民政府", 2023)
            url = f"http://{host}/nb/2023.html"
            data, ctype = _bytes(rep)
            archive.add_report([_page(archive, url, data, ctype)], page_url=url, region_code=region, host=host)
            cases[f"chaoyang_{n}"] = Case(code, 1, _new_requests(rep), sightings=1)

        # 6. documents naming no agency: each its own report, never merged; one of them seen twice
        for n in range(2):
            rep = _generate(30 + n, None, 2022)
            data, ctype = _bytes(rep)
            for m in range(n + 1):
                url = f"http://www.noname{m}.gov.cn/nb/{n}.html"
                archive.add_report([_page(archive, url, data, ctype)], page_url=url)
            cases[f"unresolved_{n}"] = Case(None, 1, _new_requests(rep), sightings=n + 1)
    return Built(db, cases)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("identity"))


def _rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return [tuple(r) for r in con.execute(sql, params).fetchall()]
    finally:
        con.close()


def _current(db: Path, agency_like: str) -> list[tuple[object, ...]]:
    return _rows(db, "SELECT f.report_id, f.agency_code, f.requests_new, r.publication FROM report_figures f "
                     "JOIN reports r ON r.id = f.report_id WHERE f.agency LIKE ? ORDER BY f.agency_code",
                 (agency_like,))


def _sightings(db: Path, report_id: object) -> list[tuple[object, ...]]:
    return _rows(db, "SELECT page_url, host, listed_on FROM report_sightings WHERE report_id = ?", (report_id,))


def _conflicts(db: Path, publication: object) -> list[tuple[object, ...]]:
    return _rows(db, "SELECT content_key FROM report_conflicts WHERE publication = ?", (publication,))


def test_one_document_behind_five_pages_on_three_hosts_is_one_report(built: Built) -> None:
    case = built.cases["five_pages"]
    current = _current(built.db, "%洪泽区人民政府")
    assert [(c[1], c[2]) for c in current] == [("320813", case.requests_new)]
    assert _conflicts(built.db, current[0][3]) == []
    sightings = _sightings(built.db, current[0][0])
    assert len(sightings) == 5 and len({s[1] for s in sightings}) == 3
    assert all(s[2] and s[2].endswith("/nb/index.html") for s in sightings), "the list page each was linked from"
    agency = _rows(built.db, "SELECT name, province, city, county, level, kind, reports, aliases FROM agencies "
                             "WHERE code = '320813'")
    assert len(agency) == 1, "洪泽区人民政府, 淮安市洪泽区人民政府 and …2024 are one body"
    name, province, city, county, level, kind, reports, aliases = agency[0]
    assert json.loads(str(aliases)) == ["淮安市洪泽区人民政府"], "as the report printed it (the hints only fill gaps)"
    assert (province, city, county, level, kind, reports) == ("江苏省", "淮安市", "洪泽区", "县级", "人民政府", 1)
    assert name == "淮安市洪泽区人民政府" and "2024" not in name


def test_a_page_and_its_wap_and_big5_twins_are_one_report(built: Built) -> None:
    current = _current(built.db, "%长洲区人民政府")
    assert [(c[1], c[2]) for c in current] == [("450405", built.cases["twins"].requests_new)]
    hosts = sorted(s[1] for s in _sightings(built.db, current[0][0]))
    assert hosts == ["big5.wuzhou.gov.cn", "www.wuzhou.gov.cn", "www.wuzhou.gov.cn"]
    assert _conflicts(built.db, current[0][3]) == [], "the same title, figures and text: one document, not three"


def test_a_corrected_repost_is_a_second_version_and_the_newest_published_counts(built: Built) -> None:
    current = _current(built.db, "洛川县民政局")
    assert [(c[1], c[2]) for c in current] == [("610629", built.cases["corrected"].requests_new)]
    conflicts = _rows(built.db, "SELECT is_current, published, kind FROM report_conflicts WHERE publication = ? "
                                "ORDER BY published", (current[0][3],))
    assert conflicts == [(0, "2025-01-20", "versions"), (1, "2025-03-02", "versions")], "both kept, for review"


def test_a_picture_twin_is_a_rendition_of_the_same_report(built: Built) -> None:
    current = _current(built.db, "三明市三元区人民政府")
    assert [(c[1], c[2]) for c in current] == [("350404", built.cases["picture_twin"].requests_new)]
    kinds = _rows(built.db, "SELECT DISTINCT kind FROM report_conflicts WHERE publication = ?", (current[0][3],))
    assert kinds == [("renditions",)]


def test_two_agencies_sharing_a_name_are_never_merged(built: Built) -> None:
    current = _current(built.db, "朝阳区人民政府")
    expected = sorted(((built.cases[f"chaoyang_{n}"].agency_code, built.cases[f"chaoyang_{n}"].requests_new)
                       for n in range(3)), key=lambda x: x[0] or "")
    assert sorted(((c[1], c[2]) for c in current), key=lambda x: str(x[0] or "")) == expected
    placed = _rows(built.db, "SELECT code, evidence FROM agencies WHERE name = '朝阳区人民政府' AND code IS NOT NULL "
                             "ORDER BY code")
    assert placed == [("110105", "portal region code"), ("220104", "portal region code")]
    unplaced = _rows(built.db, "SELECT reason, hosts FROM unplaced_agencies WHERE name = '朝阳区人民政府'")
    assert len(unplaced) == 1 and "ambiguous" in str(unplaced[0][0]) and "example-aggregator" in str(unplaced[0][1])


def test_documents_naming_no_agency_stay_apart_and_are_listed_unresolved(built: Built) -> None:
    rows = _rows(built.db, "SELECT reason, sightings FROM unresolved_reports ORDER BY sightings")
    assert rows == [("names no agency", 1), ("names no agency", 2)]


def test_every_total_counts_each_report_once(built: Built) -> None:
    expected = sum(c.requests_new for c in built.cases.values())
    assert _rows(built.db, "SELECT count(*), sum(requests_new) FROM report_figures") == \
        [(len(built.cases), expected)]
    assert _rows(built.db, "SELECT agency_id, year FROM reports WHERE is_current AND agency_id IS NOT NULL "
                           "GROUP BY agency_id, year HAVING count(*) > 1") == [], "no agency has two for one year"
    assert _rows(built.db, "SELECT sum(requests_new) FROM agency_years")[0][0] == \
        expected - built.cases["unresolved_0"].requests_new - built.cases["unresolved_1"].requests_new
    assert _rows(built.db, "SELECT count(*) FROM report_sightings")[0][0] == \
        sum(c.sightings for c in built.cases.values())


def test_export_carries_the_register_and_every_sighting(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        assert export(built.db, fh, "jsonl") == len(built.cases)
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    hongze = next(d for d in docs if d["agency_code"] == "320813")
    assert {k: hongze[k] for k in ("province", "city", "county", "level", "agency_kind")} == \
        {"province": "江苏省", "city": "淮安市", "county": "洪泽区", "level": "县级", "agency_kind": "人民政府"}
    assert len(hongze["sightings"]) == 5 and hongze["agency_id"]
    assert hongze["agency"] == hongze["agency_as_printed"] == "淮安市洪泽区人民政府"
    assert sum(len(d["sightings"]) for d in docs) == sum(c.sightings for c in built.cases.values())
    csv_out = tmp_path / "out.csv"
    with csv_out.open("w", encoding="utf-8", newline="") as fh:
        assert export(built.db, fh, "csv") == len(built.cases)
    header = csv_out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"agency_id", "agency_code", "province", "city", "county", "level", "agency_kind", "sightings"} <= \
        set(header)


def _identity(db: Path) -> list[tuple[object, ...]]:
    return sorted(_rows(db, "SELECT page_url, is_current, publication, agency_id, agency_code FROM reports"),
                  key=repr)


def test_rebuild_and_merge_give_the_same_identity(built: Built, tmp_path: Path) -> None:
    copy = build(tmp_path / "copy")
    before = _identity(copy.db)
    rebuild(copy.db)
    assert _identity(copy.db) == before
    merged = tmp_path / "merged.db"
    merge(merged, [copy.db])
    assert _identity(merged) == before


def test_the_report_page_lists_every_sighting_and_the_agency_place(built: Built) -> None:
    import asyncio

    from archive.datasette.config import make_datasette

    ds = make_datasette(built.db)
    report_id = _current(built.db, "%洪泽区人民政府")[0][0]

    async def go() -> str:
        return (await ds.client.get(f"/-/report/{built.db.stem}/{report_id}")).text

    html = asyncio.run(go())
    listed = html.split('id="sightings"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == 5 and "www.js.gov.cn" in listed and "列于 " in listed
    assert "江苏省淮安市洪泽区 (320813)" in html and "县级" in html


def test_of_two_renditions_published_the_same_day_the_one_not_read_by_ocr_counts(tmp_path: Path) -> None:
    text = _generate(14, "三明市三元区人民政府", 2024)
    scan = dataclasses.replace(text, title=f"{text.title}（图片版）")
    with Archive(tmp_path / "r.db") as archive:
        ids = []
        for url, rep in (("http://www.sm.gov.cn/nb/1.htm", text), ("http://www.sm.gov.cn/nb/1_tpb.htm", scan)):
            data, ctype = _bytes(rep)
            ids.append(archive.add_report([_page(archive, url, data, ctype)], page_url=url,
                                          published="2025-03-08").report_id)
        publication = archive.db.execute("SELECT publication FROM reports WHERE id = ?", [ids[0]]).fetchone()[0]
        assert archive.db.execute("SELECT id FROM reports WHERE is_current").fetchall() == [(ids[1],)], \
            "both read as text: the one seen last"
        with archive.db.conn:  # the twin as it really comes: an image-only PDF read by OCR
            archive.db.execute("UPDATE reports SET ocr = 1 WHERE id = ?", [ids[1]])
            archive._refresh_publication(publication)
        assert archive.db.execute("SELECT id FROM reports WHERE is_current").fetchall() == [(ids[0],)]


def test_agency_over_years_keeps_same_named_bodies_apart(built: Built) -> None:
    import asyncio

    from archive.datasette.config import make_datasette

    ds = make_datasette(built.db)

    async def go() -> list[dict[str, object]]:
        got = await ds.client.get(f"/{built.db.stem}/agency_over_years.json?agency=朝阳区人民政府&_shape=array")
        return list(got.json())

    rows = asyncio.run(go())
    assert sorted(str(r["agency_code"]) for r in rows) == ["110105", "220104", "None"]
    assert all(r["change_requests_new"] is None for r in rows), "no body's year compared with another's"
