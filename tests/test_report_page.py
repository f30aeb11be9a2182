"""The report page (issue 17, "Report page"): each archived file with the URL it was fetched from for THIS
report and its name decoded, every sighting, no template whitespace shown as gaps, one heading per section and
empty sections marked, parser notes and check details in Chinese, and an outcomes chart that adds up the
printed columns when 总计 is blank and says so.

The archive is made as a crawl makes one: a seed report published on a portal page with its attachment, the
same attachment fetched earlier from a mirror on another host, and the same text re-published as a page on a
third host (a sighting); plus the generated reports of tests/archive_db.py (some with numbers that do not add
up, some with parser notes). Two things a crawl cannot be told to produce are then written into the copy the
site serves, as a report could print them: one report's 总计 column blank, one section without text.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from typing import Any

import pytest

from archive import Archive, Fetch
from archive.datasette.config import make_datasette
from archive.datasette.report_text import check_detail_zh, note_zh
from tests.archive_db import build
from tests.shared import SEEDS

pytestmark = pytest.mark.timeout(120)
PAGE = "http://www.portal.gov.cn/xxgk/nb/2024/index.html"
MIRROR = "http://mirror.example.cn/files/%E5%B9%B4%E6%8A%A5%E5%85%A8%E6%96%87.txt"
ATTACHMENT = "http://www.portal.gov.cn/xxgk/nb/2024/%E5%B9%B4%E6%8A%A5%E5%85%A8%E6%96%87.txt"
REPRINT = "http://www.reprint.gov.cn/zwgk/%E5%B9%B4%E6%8A%A5.html"
NAME = "年报全文.txt"


def _fetch(url: str, body: bytes, content_type: str, at: str, referer: str | None = None) -> Fetch:
    return Fetch(url=url, final_url=url, status=200, headers=[("Content-Type", content_type)], body=body,
                 fetched_at=at, referer=referer)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    built = build(tmp_path_factory.mktemp("report-page"), generated=8)
    text = sorted(SEEDS.glob("*.txt"))[0].read_bytes()
    page = f'<html><body><h1>政府信息公开工作年度报告</h1><a href="{ATTACHMENT}">{NAME}</a></body></html>'.encode()
    with Archive(built.db) as archive:
        archive.record_fetch(_fetch(MIRROR, text, "text/plain; charset=utf-8", "2025-01-01T00:00:00Z"))
        page_sha = archive.record_fetch(_fetch(PAGE, page, "text/html; charset=utf-8", "2025-02-02T00:00:00Z"))
        sha = archive.record_fetch(_fetch(ATTACHMENT, text, "text/plain; charset=utf-8", "2025-02-02T00:00:01Z",
                                          referer=PAGE))
        report_id = archive.add_report([page_sha, sha], page_url=PAGE).report_id
        archive.record_fetch(_fetch(REPRINT, text, "text/plain; charset=utf-8", "2025-02-03T00:00:00Z"))
        reprint_id = archive.add_report([sha], page_url=REPRINT).report_id
    assert report_id and reprint_id
    con = sqlite3.connect(built.db)
    try:
        blank = con.execute("SELECT report_id FROM cells WHERE tbl = 'requests' AND row = 'granted' AND col = 'total' "
                            "AND value > 0 AND report_id != ? LIMIT 1", [report_id]).fetchone()[0]
        con.execute("UPDATE cells SET value = NULL, raw = '' WHERE report_id = ? AND tbl = 'requests' "
                    "AND col = 'total'", [blank])
        empty = con.execute("SELECT report_id, seq FROM sections WHERE report_id = ? ORDER BY seq DESC LIMIT 1",
                            [reprint_id]).fetchone()
        con.execute("UPDATE sections SET text = '' WHERE report_id = ? AND seq = ?", empty)
        con.commit()
    finally:
        con.close()
    return {"ds": make_datasette(built.db), "db": built.db, "report": report_id, "reprint": reprint_id,
            "blank": blank, "empty": empty, "sha": sha}


def get(site: dict[str, Any], path: str) -> str:
    async def go() -> Any:
        return await site["ds"].client.get(path)

    response = asyncio.run(go())
    assert response.status_code == 200, path
    return str(response.text)


def rows(site: dict[str, Any], sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(site["db"])
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_each_archived_file_shows_the_url_it_was_fetched_from_for_this_report_decoded(site: dict[str, Any]) -> None:
    first_url = rows(site, "SELECT url FROM documents WHERE sha256 = ?", site["sha"])[0][0]
    assert first_url == MIRROR, "the bytes were first fetched from the mirror: documents.url names it"
    html = get(site, f"/-/report/nianbao/{site['report']}")
    files = re.search(r"<th>存档文件</th><td><ul>(.*?)</ul>", html, re.S)
    assert files
    assert f'<a href="{ATTACHMENT}" rel="nofollow noopener">http://www.portal.gov.cn/xxgk/nb/2024/{NAME}</a>' \
        in files.group(1)
    assert f'/-/raw/nianbao/{site["sha"]}">{NAME}</a>' in files.group(1)
    assert "mirror.example.cn" not in files.group(1) and "%E5" not in re.sub(r'href="[^"]*"', "", files.group(1))
    assert f'<a href="{PAGE}" rel="nofollow noopener">{PAGE}</a>' in files.group(1), "the page, as this report's"


def test_the_reprint_shows_its_own_url_and_every_sighting_is_listed(site: dict[str, Any]) -> None:
    html = get(site, f"/-/report/nianbao/{site['reprint']}")
    files = re.search(r"<th>存档文件</th><td><ul>(.*?)</ul>", html, re.S)
    assert files and "www.reprint.gov.cn/zwgk/年报.html" in files.group(1) and "mirror.example.cn" not in files.group(1)
    listed = re.search(r'<ul id="sightings">(.*?)</ul>', html, re.S)
    assert listed
    wanted = {url for (url,) in rows(site, "SELECT page_url FROM report_sightings WHERE report_id IN "
                                           "(SELECT id FROM reports WHERE publication = (SELECT publication FROM "
                                           "reports WHERE id = ?) AND is_current = 1)", site["reprint"])}
    assert {PAGE, REPRINT} <= wanted
    assert all(f'href="{url}"' in listed.group(1) for url in wanted)


def test_section_text_is_paragraphs_not_preformatted_whitespace(site: dict[str, Any]) -> None:
    html = get(site, f"/-/report/nianbao/{site['report']}")
    assert not re.search(r"\.nb-section[^{]*\{[^}]*white-space", html), "section text is not preformatted"
    # Datasette's own CSS preserves whitespace in every <td>: the page's table of facts, whose cells hold this
    # template's indented lists (files, sightings), turns that off
    assert re.search(r"\.nb-meta td \{[^}]*white-space: normal", html)
    files = re.search(r"<th>存档文件</th><td>(.*?)</td>", html, re.S)
    assert files and "\n" in files.group(1), "the template's line breaks are there: the CSS is what hides them"
    seq, text = rows(site, "SELECT seq, text FROM sections WHERE report_id = ? AND text LIKE '%' || char(10) || '%' "
                           "ORDER BY seq LIMIT 1", site["report"])[0]
    section = re.search(rf'<section class="nb-section" id="section-{seq}"[^>]*>(.*?)</section>', html, re.S)
    assert section
    paragraphs = re.findall(r"<p>(.*?)</p>", section.group(1), re.S)
    assert paragraphs == [line.strip() for line in text.splitlines() if line.strip()]
    assert not any("\n" in p for p in paragraphs)


def test_one_heading_per_section_and_an_empty_section_is_marked(site: dict[str, Any]) -> None:
    html = get(site, f"/-/report/nianbao/{site['reprint']}")
    headings = re.findall(r'<section class="nb-section".*?<h3>(.*?)</h3>', html, re.S)
    assert headings and len(headings) == len(rows(site, "SELECT 1 FROM sections WHERE report_id = ?", site["reprint"]))
    for heading in headings:
        words = re.sub(r"<[^>]+>", " ", heading)
        bracketed = re.findall(r"（(.+?)）", words)
        assert not any(b in words.replace(f"（{b}）", "") for b in bracketed), heading  # no label said twice
    seq = site["empty"][1]
    empty = re.search(rf'id="section-{seq}"[^>]*>(.*?)</section>', html, re.S)
    assert empty and '<p class="empty">（本部分无正文）</p>' in empty.group(1)


def test_parser_notes_and_check_details_are_chinese(site: dict[str, Any]) -> None:
    noted = rows(site, "SELECT id, warnings FROM reports WHERE warnings NOT IN ('', '[]') AND is_current = 1")
    failed = rows(site, "SELECT report_id, rule, detail FROM checks WHERE ok = 0")
    assert noted and failed, "the archive has reports with parser notes and with failed checks"
    for report_id, warnings in noted:
        notes = re.search(r'<section class="nb-warn" id="parser-notes">(.*?)</section>',
                          get(site, f"/-/report/nianbao/{report_id}"), re.S)
        assert notes
        for warning in json.loads(warnings):
            said, known = note_zh(warning)
            assert known, warning
            assert said in notes.group(1).replace("&#34;", '"').replace("&#39;", "'")
        assert not re.search(r"[A-Za-z]{4,}", re.sub(r"<[^>]+>|'[^']*'|[a-z_]+/[a-z_]+|Parser notes", "",
                                                      notes.group(1))), notes.group(1)
    for report_id, rule, detail in failed:
        checks = re.search(r'<ul class="nb-checks">(.*?)</ul>', get(site, f"/-/report/nianbao/{report_id}"), re.S)
        said, known = check_detail_zh(rule, detail)
        assert known and checks and said in checks.group(1), (rule, detail)
        assert "total printed" not in checks.group(1) and " columns" not in checks.group(1)


@pytest.mark.parametrize(("rule", "detail", "chinese"), [
    ("requests.balance", "total: 3+1 ≠ 2+1", "总计：3+1 ≠ 2+1"),
    ("requests.outcomes_sum", "natural_person: outcomes sum to 7, total printed 9",
     "自然人：各项办理结果合计 7，印刷的总计为 9"),
    ("requests.columns_sum", "granted: applicants sum to 4, total printed 5; new: applicants sum to 1, total printed 2",
     "予以公开：各类申请人合计 4，印刷的总计为 5；本年新收政府信息公开申请数量：各类申请人合计 1，印刷的总计为 2"),
    ("review_litigation.group_sum", "review: 1+0+0+0 = 1, total printed 2", "行政复议：1+0+0+0 = 1，印刷的总计为 2"),
    ("requests.balance", "new + carried_over = total + carried_forward in 7 columns",
     "7 列均相符"),
    ("review_litigation.group_sum", "total = upheld + corrected + other + pending in 3 groups", "3 组均相符"),
])
def test_check_details_name_rows_and_columns_by_their_official_wording(rule: str, detail: str, chinese: str) -> None:
    assert check_detail_zh(rule, detail) == (chinese, True)


def test_outcomes_chart_adds_up_the_printed_columns_when_the_total_is_blank_and_says_so(site: dict[str, Any]) -> None:
    html = get(site, f"/-/report/nianbao/{site['blank']}")
    chart = re.search(r'<figure id="outcomes-chart">(.*?)</figure>', html, re.S)
    assert chart and "总计列空白，按印刷的各类申请人列相加" in chart.group(1)
    granted = sum(v for (v,) in rows(site, "SELECT value FROM cells WHERE report_id = ? AND tbl = 'requests' AND "
                                          "row = 'granted' AND col != 'total' AND value IS NOT NULL", site["blank"]))
    assert granted > 0
    shown = str(int(granted)) if float(granted).is_integer() else str(granted)
    assert f"<title>予以公开: {shown}</title>" in chart.group(1)
    normal = re.search(r'<figure id="outcomes-chart">(.*?)</figure>', get(site, f"/-/report/nianbao/{site['report']}"),
                       re.S)
    assert normal and "办理结果（总计列）" in normal.group(1) and "空白" not in normal.group(1)
