"""Findings on constructed archives: each code present when it must be, absent on clean data, with the
boundaries the issue names (31 January vs 1 February, department vs government, 199 vs 200 characters,
stock sentences)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from archive import Archive, Fetch
from archive.findings.agencies import agency_kind
from archive.findings.deadlines import Deadlines
from archive.findings.narrative import statements
from tests.findings_archive import Spec, add, build, flags

DEPT, GOV, TOWN = "大竹县商务局", "大竹县人民政府", "大竹县庙坝镇人民政府"


@pytest.mark.parametrize(("agency", "published", "days_late"), [
    (DEPT, date(2023, 1, 31), None),   # the department's last day
    (DEPT, date(2023, 2, 1), 1),
    (GOV, date(2023, 2, 1), None),     # the government's own report has until 31 March
    (GOV, date(2023, 3, 31), None),
    (GOV, date(2023, 4, 1), 1),
    (TOWN, date(2023, 2, 10), 10),     # townships: the shipped default table (31 January)
    ("大竹县人民政府办公室", date(2023, 3, 1), None),  # the office publishes the government's report
])
def test_late_against_the_deadline(tmp_path: Path, agency: str, published: date, days_late: int | None) -> None:
    db = tmp_path / "a.db"
    build(db, [Spec(agency, 2022, published=published)])
    late = flags(db, "late")
    assert flags(db, "timeliness_unknown") == []
    if days_late is None:
        assert late == []
    else:
        assert [f["evidence"]["days_late"] for f in late] == [days_late]
        assert late[0]["evidence"]["date_source"] == "report"


def test_date_falls_back_to_the_page_then_first_sighting(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    build(db, [
        Spec("甲县商务局", 2022, page_published="2023-02-03", url="http://a.gov.cn/nb/1.html"),
        # no date anywhere, first seen after the deadline on a host we were not watching: unknown
        Spec("乙县商务局", 2022, url="http://b.gov.cn/nb/1.html", fetched_at="2023-05-01T00:00:00Z"),
    ])
    late = flags(db, "late")
    assert [(f["evidence"]["date_source"], f["evidence"]["days_late"]) for f in late] == [("page", 3)]
    unknown = flags(db, "timeliness_unknown")
    assert len(unknown) == 1 and "b.gov.cn" in unknown[0]["detail"]


def test_first_sighting_counts_when_we_watched_the_host_by_the_deadline(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.record_fetch(Fetch("http://b.gov.cn/", "http://b.gov.cn/", 200, [], b"<html>home</html>",
                                   "2023-01-10T00:00:00Z"))
        add(archive, Spec("乙县商务局", 2022, url="http://b.gov.cn/nb/1.html"))
        archive.db.execute("UPDATE report_sources SET first_seen = '2023-03-02T00:00:00Z'")
        archive.db.conn.commit()
        from archive.findings.run import refresh

        refresh(archive.db.conn, as_of=date(2025, 6, 1))
    late = flags(db, "late")
    assert [(f["evidence"]["date_source"], f["evidence"]["days_late"]) for f in late] == [("first_seen", 30)]
    assert "至多" in late[0]["detail"]


def test_coverage_ledger(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "a.db"
    build(db, [Spec(DEPT, 2021, published=date(2022, 1, 20)), Spec(DEPT, 2023, published=date(2024, 2, 5))],
          as_of=date(2025, 1, 15))
    con = sqlite3.connect(db)
    rows = con.execute("SELECT year, status, days_late FROM coverage ORDER BY year").fetchall()
    # 2024's report is due by 31 January 2025: not yet missing on 15 January
    assert rows == [(2021, "found", -11), (2022, "missing", None), (2023, "late", 5), (2024, "not_due", None)]
    # the same ledger in agency_years, one row per year since the first report, figures only where found
    years = con.execute("SELECT year, status, reports, requests_new IS NOT NULL FROM agency_years "
                        "ORDER BY year").fetchall()
    assert years == [(2021, "found", 1, 1), (2022, "missing", 0, 0), (2023, "late", 1, 1), (2024, "not_due", 0, 0)]


def _carried(over: dict[str, int] | None = None, forward: dict[str, int] | None = None):
    cells = {}
    for col, v in (over or {}).items():
        cells[("requests", "", "carried_over", col)] = v
    for col, v in (forward or {}).items():
        cells[("requests", "", "carried_forward", col)] = v
    return cells


@pytest.mark.parametrize(("forward", "over", "flagged"), [
    ({"natural_person": 3, "total": 3}, {"natural_person": 3, "total": 3}, False),
    ({"natural_person": 3, "total": 3}, {"natural_person": 2, "total": 2}, True),
])
def test_continuity_requests(tmp_path: Path, forward: dict[str, int], over: dict[str, int], flagged: bool) -> None:
    db = tmp_path / "a.db"
    first, second = build(db, [Spec(DEPT, 2021, cells=_carried(forward=forward)),
                               Spec(DEPT, 2022, cells=_carried(over=over))])
    found = flags(db, "continuity_requests")
    if not flagged:
        assert found == []
        return
    assert [(f["report_id"], f["other_report_id"]) for f in found] == [(second, first)]
    assert {c["column"] for c in found[0]["evidence"]["columns"]} == {"natural_person", "total"}


@pytest.mark.parametrize(("in_force_now", "flagged"), [(12, False), (13, True)])
def test_continuity_active(tmp_path: Path, in_force_now: int, flagged: bool) -> None:
    db = tmp_path / "a.db"

    def nd(issued: int, repealed: int, in_force: int):
        return {("active_disclosure", "20.1", "normative_documents", c): v
                for c, v in (("issued", issued), ("repealed", repealed), ("in_force", in_force))}

    build(db, [Spec(DEPT, 2021, cells=nd(5, 0, 10)), Spec(DEPT, 2022, cells=nd(4, 2, in_force_now))])
    found = flags(db, "continuity_active")
    assert bool(found) is flagged
    if flagged:
        assert found[0]["evidence"]["rows"][0]["expected"] == 12


def test_continuity_needs_consecutive_years_of_one_agency(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    build(db, [Spec(DEPT, 2020, cells=_carried(forward={"total": 3})), Spec(DEPT, 2022),
               Spec("大竹县民政局", 2021)])
    assert flags(db, "continuity_requests") == []


NEW_5 = {("requests", "", "new", "natural_person"): 5, ("requests", "", "new", "total"): 5}


@pytest.mark.parametrize(("sentence", "cells", "flagged"), [
    ("2022年，共收到政府信息公开申请7件，均按时答复。", NEW_5, True),
    ("2022年，共收到政府信息公开申请5件，均按时答复。", NEW_5, False),
    ("2022年，本机关新收政府信息公开申请５件。", NEW_5, False),  # full-width digits
    ("2021年共收到政府信息公开申请7件。", NEW_5, False),  # another year: not compared
    ("全县各级行政机关共收到政府信息公开申请300件。", NEW_5, False),  # another body: not compared
    ("发生政府信息公开行政复议2件。", {}, True),
    ("未发生政府信息公开行政复议、行政诉讼。", {}, False),
])
def test_narrative_mismatch(tmp_path: Path, sentence: str, cells: dict, flagged: bool) -> None:
    db = tmp_path / "a.db"
    build(db, [Spec(DEPT, 2022, cells=cells, text={"overview": (sentence,)})])
    found = flags(db, "narrative_mismatch")
    assert bool(found) is flagged
    if flagged:
        assert found[0]["evidence"]["sentence"] == sentence
        assert found[0]["evidence"]["table"] in (5, 0)


def test_statements_skip_other_periods() -> None:
    said = statements("2022年，共受理政府信息公开申请12件，上年结转申请3件。与上年相比，受理申请20件。", 2022)
    assert [(s.value, s.confident) for s in said] == [(12, True), (20, False)]


@pytest.mark.parametrize(("sentence", "flagged"), [
    ("2022年，共收到政府信息公开申请6件。", True),
    ("2022年度未收到政府信息公开申请。", False),
])
def test_zero_tables(tmp_path: Path, sentence: str, flagged: bool) -> None:
    db = tmp_path / "a.db"
    build(db, [Spec(DEPT, 2022, text={"overview": (sentence,)})])
    assert bool(flags(db, "zero_tables")) is flagged


def _passage(n: int, seed: int) -> str:
    """n characters of text no other report has (a different seed gives different text)."""
    import random

    rng = random.Random(seed)
    pool = "政务公开平台建设规范信息发布审查机制培训督查考核回应关切解读网站新媒体档案目录清单标准"
    text = "".join(rng.choice(pool) for _ in range(n - 1))
    return text + "。"


@pytest.mark.parametrize(("chars", "flagged"), [(199, False), (200, True)])
def test_copied_section_length_boundary(tmp_path: Path, chars: int, flagged: bool) -> None:
    db = tmp_path / "a.db"
    text = _passage(chars, 7)
    ids = build(db, [Spec("甲县商务局", 2022, text={"problems": (text,)}),
                     Spec("乙县民政局", 2022, text={"problems": (text,)}),
                     Spec("丙县财政局", 2022, text={"problems": (_passage(chars, 8),)})])
    found = flags(db, "copied_section")
    if not flagged:
        assert found == []
        return
    assert sorted((f["report_id"], f["other_report_id"]) for f in found) == sorted(
        [(ids[0], ids[1]), (ids[1], ids[0])])
    assert found[0]["evidence"]["section"] == "problems" and found[0]["evidence"]["chars"] == 200


def test_near_copy_from_the_previous_year(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    text = _passage(300, 3)
    edited = text[:100] + "二〇二二年" + text[105:]
    ids = build(db, [Spec(DEPT, 2021, text={"overview": (text,)}), Spec(DEPT, 2022, text={"overview": (edited,)})])
    found = flags(db, "copied_section")
    assert [(f["report_id"], f["other_report_id"], f["evidence"]["relation"]) for f in found] == [
        (ids[1], ids[0], "previous_year")]
    assert 0.9 <= found[0]["evidence"]["similarity"] < 1 and found[0]["evidence"]["chars"] == 295


STOCK = (
    "坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开，不断提升政务公开质量和实效，"
    "切实保障人民群众的知情权、参与权、表达权和监督权。",
    "严格落实政府信息公开保密审查制度，坚持先审查、后公开和一事一审原则，确保公开信息安全准确，未发生泄密事件。",
    "充分发挥政府门户网站第一平台作用，持续优化信息公开专栏设置，加强政务新媒体日常管理，确保信息更新及时、内容准确。",
    "将政务公开工作纳入年度目标考核，加强日常督促检查，开展政务公开业务培训，进一步提升工作人员业务能力。",
)
NAMES = ["甲县商务局", "乙县民政局", "丙县财政局", "丁县教育局", "戊县交通运输局", "己县水务局"]


@pytest.mark.parametrize(("agencies", "flagged"), [(6, False), (2, True)])
def test_stock_sentences_are_not_copying(tmp_path: Path, agencies: int, flagged: bool) -> None:
    """Sentences the reports of many agencies print (here six) are the template, not a copy; the same text
    in two agencies' reports only is."""
    assert len("".join(STOCK)) >= 200
    build(tmp_path / "a.db", [Spec(n, 2022, text={"overview": STOCK}) for n in NAMES[:agencies]])
    assert len(flags(tmp_path / "a.db", "copied_section")) == (2 if flagged else 0)


def test_clean_archive_has_no_findings_but_timeliness(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    specs = [Spec(a, y, published=date(y + 1, 1, 15), text={"overview": (_passage(250, s),)})
             for s, (a, y) in enumerate([(DEPT, 2021), (DEPT, 2022), (GOV, 2022), ("大竹县民政局", 2022)])]
    build(db, specs)
    assert flags(db) == []


def _refetch(archive: Archive, url: str, status: int, at: str, final_url: str | None = None,
             body: bytes = b"") -> None:
    archive.record_fetch(Fetch(url, final_url or url, status, [], body, at))


def test_edited_after_publication_and_taken_down(tmp_path: Path) -> None:
    from archive.findings.run import refresh

    db = tmp_path / "a.db"
    url, url2, url3 = (f"http://www.dz.gov.cn/nb/{n}.html" for n in (1, 2, 3))
    with Archive(db) as archive:
        add(archive, Spec(DEPT, 2022, url=url, fetched_at="2023-01-10T00:00:00Z"))
        archive.db.execute("UPDATE report_sources SET first_seen = '2023-01-10T00:00:00Z', "
                           "last_seen = '2023-01-10T00:00:00Z'")
        edited_id = add(archive, Spec(DEPT, 2022, url=url, fetched_at="2023-03-01T00:00:00Z",
                                      cells={("requests", "", "new", "total"): 4}))
        same_id = add(archive, Spec("大竹县民政局", 2022, url=url2, fetched_at="2023-01-10T00:00:00Z",
                                    published=date(2023, 1, 9)))
        gone_id = add(archive, Spec("大竹县财政局", 2022, url=url3, fetched_at="2023-01-10T00:00:00Z",
                                    published=date(2023, 1, 9)))
        _refetch(archive, url2, 200, "2024-01-01T00:00:00Z", body=b"same report still there")
        _refetch(archive, url3, 404, "2024-01-01T00:00:00Z", body=b"not found")
        refresh(archive.db.conn, as_of=date(2025, 6, 1))
        edits = flags(db, "edited_after_publication")
        assert [f["report_id"] for f in edits] == [edited_id]
        change = edits[0]["evidence"]["changes"][0]
        assert {"cell": "requests//new/total", "before": 0, "after": 4} in change["cells"]
        assert [f["report_id"] for f in flags(db, "taken_down")] == [gone_id]
        assert same_id not in {f["report_id"] for f in flags(db)}
        # a redirect to the portal's home page is a take-down as well
        _refetch(archive, url2, 200, "2024-02-01T00:00:00Z", final_url="http://www.dz.gov.cn/", body=b"home")
        refresh(archive.db.conn, as_of=date(2025, 6, 1))
        assert sorted(f["report_id"] for f in flags(db, "taken_down")) == sorted([gone_id, same_id])


@pytest.mark.parametrize(("name", "kind"), [
    ("大竹县商务局", "department"), ("大竹县人民政府", "government"), ("上海市人民政府办公厅", "government"),
    ("东风区佳东街道办事处", "township"), ("大竹县庙坝镇人民政府", "township"),
    ("达州市发展和改革委员会", "department"),
    ("大竹经济开发区管理委员会", "other"),
])
def test_agency_kind(name: str, kind: str) -> None:
    assert agency_kind(name) == kind


def test_a_province_rule_moves_the_township_deadline(tmp_path: Path) -> None:
    table = tmp_path / "rules.tsv"
    table.write_text("province\tkind\tdeadline\n*\ttownship\t01-31\n*\tother\t01-31\n四川省\ttownship\t03-31\n"
                     "四川省\tdepartment\t06-30\n", encoding="utf-8")
    rules = Deadlines.load(table)
    assert rules.deadline(2022, "township", "四川省")[0] == date(2023, 3, 31)
    assert rules.deadline(2022, "township", "江苏省")[0] == date(2023, 1, 31)
    assert rules.deadline(2022, "department", "四川省")[0] == date(2023, 1, 31)  # the 条例's, not the table's


def test_rebuild_recomputes_the_same_findings(tmp_path: Path) -> None:
    import sqlite3

    from archive.rebuild import rebuild

    db = tmp_path / "a.db"
    text = _passage(260, 11)
    build(db, [Spec(DEPT, 2021, published=date(2022, 2, 3), cells=_carried(forward={"total": 2}),
                    text={"problems": (text,)}),
               Spec(DEPT, 2022, text={"overview": ("2022年，共收到政府信息公开申请6件。",), "problems": (text,)})],
          as_of=None)

    def dump() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        con = sqlite3.connect(db)
        try:
            return (con.execute("SELECT * FROM flags ORDER BY report_id, code, seq").fetchall(),
                    con.execute("SELECT * FROM coverage ORDER BY agency_key, year").fetchall())
        finally:
            con.close()

    before = dump()
    assert {row[1] for row in before[0]} == {"late", "timeliness_unknown", "continuity_requests",
                                            "narrative_mismatch", "zero_tables", "copied_section"}
    counts = rebuild(db)
    assert counts["flags"] == len(before[0])
    assert dump() == before


def test_export_and_the_findings_command(tmp_path: Path) -> None:
    import csv
    import io
    import json

    from click.testing import CliRunner

    from archive.export import export
    from nianbao.cli import main

    db = tmp_path / "a.db"
    late_id, ok_id = build(db, [Spec(DEPT, 2022, published=date(2023, 2, 11)),
                                Spec(GOV, 2022, published=date(2023, 2, 11))])
    out = io.StringIO()
    export(db, out, "jsonl")
    docs = {d["report_id"]: d for d in map(json.loads, out.getvalue().splitlines())}
    assert [(f["code"], f["days_late"]) for f in docs[late_id]["flags"]] == [("late", 11)]
    assert docs[ok_id]["flags"] == []
    out = io.StringIO()
    export(db, out, "csv")
    rows = {r["report_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert (rows[late_id]["flag_late"], rows[late_id]["days_late"], rows[ok_id]["flag_late"]) == ("1", "11", "0")
    assert {"flag_copied_section", "flag_narrative_mismatch", "flag_taken_down"} <= set(rows[ok_id])

    result = CliRunner().invoke(main, ["findings", "--db", str(db), "--recompute"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{db}: 1 findings on 1 of 2 current reports")
    assert any(line.split()[:4] == ["late", "逾期发布", "1", "1"] for line in lines)
    assert any(line.split() == ["四川省", "1", "1"] for line in lines)  # by province
    assert any(line.split() == ["2022", "1", "1"] for line in lines)  # by year


def test_nianbao_add_runs_the_findings_pass(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from nianbao.cli import main
    from tests.findings_archive import render

    report = tmp_path / "report.txt"
    report.write_bytes(render(Spec(DEPT, 2022, published=date(2023, 3, 2))).data)
    db = tmp_path / "a.db"
    result = CliRunner().invoke(main, ["add", str(report), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert [f["evidence"]["days_late"] for f in flags(db, "late")] == [30]
