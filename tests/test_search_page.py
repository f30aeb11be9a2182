"""The search page (/-/search/<db>): totals against a plain-Python oracle, paging, filters, snippets, download.

The oracle knows nothing of FTS or of the query parser: each query below is written out with its
meaning (groups of phrases that must occur, one of each group; phrases that must not), and a report
matches when its text (title, agency, every heading and section, normalised as the index normalises:
archive.cjk.segment) holds those phrases as runs of whole tokens. So a parser that reads OR, NOT or a
phrase wrongly, or an index that finds too little or too much, fails here.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from archive import Archive
from archive.cjk import ONLY_EXCLUDED, parse_query, segment
from archive.datasette.config import make_datasette
from archive.datasette.plugins.nianbao_downloads import BOM
from archive.search import PER_PAGE
from tests.archive_db import build, fetch

ROOT = Path(__file__).resolve().parents[1]
# The sample whose preamble lists the six parts (报告全文包括总体情况、……政府信息公开行政复议和行政诉讼情况……):
# FTS5's snippet() chose that sentence for 复议; the narrative says 该行政复议件未被复议审查机关纠错.
OUTLINED = ROOT / "samples" / "shanghai-kewei-2024.md"
OUTLINED_URL = "http://stcsm.sh.gov.cn/zwgk/nb/2024.html"

# (query as typed, [groups: one phrase of each must occur], [phrases that must not occur])
QUERIES: list[tuple[str, list[list[str]], list[str]]] = [
    ("复议", [["复议"]], []),
    ("复议 OR 诉讼", [["复议", "诉讼"]], []),
    ("疫情 或 诉讼", [["疫情", "诉讼"]], []),
    ("复议 -诉讼", [["复议"]], ["诉讼"]),
    ("公开 -疫情", [["公开"]], ["疫情"]),
    ('"行政 复议"', [["行政复议"]], []),
    ("“依申请公开”", [["依申请公开"]], []),
    ("疫情 OR 防控 公开", [["疫情", "防控"], ["公开"]], []),
    ("行政復議", [["行政复议"]], []),
    ("2020年", [["2020年"]], []),
    ("２０２０年 OR 2021年", [["2020年", "2021年"]], []),
    ('公开 -"2020年" -疫情', [["公开"]], ["2020年", "疫情"]),
    ("税", [["税"]], []),
    ("政府信息 申请 -诉讼", [["政府信息"], ["申请"]], ["诉讼"]),
    ("复议 | 疫情 -公开", [["复议", "疫情"]], ["公开"]),
    ("街道 OR 县", [["街道", "县"]], []),
    ("诉讼 OR -复议", [["诉讼"]], ["复议"]),
    ("公开目录", [["公开目录"]], []),
    ("财政 OR 预决算 OR 营商环境 -疫情", [["财政", "预决算", "营商环境"]], ["疫情"]),
    ("科委 纠错", [["科委"], ["纠错"]], []),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    built = build(tmp_path_factory.mktemp("search-page"))
    with Archive(built.db) as archive:
        sha = archive.record_fetch(fetch(OUTLINED_URL, OUTLINED.read_bytes(), "text/plain; charset=utf-8"))
        outcome = archive.add_report([sha], page_url=OUTLINED_URL)
        assert outcome.report_id, outcome.errors
        archive.refresh_findings()
    return {"built": built, "ds": make_datasette(built.db), "outlined": outcome.report_id}


def get(ds: Any, path: str) -> Any:
    async def go() -> Any:
        return await ds.client.get(path)

    return asyncio.run(go())


def get_json(ds: Any, path: str) -> Any:
    response = get(ds, path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in re.findall(r"[^\W_]+", segment(text))]


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def report_texts(db: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(db)
    try:
        texts = {}
        for rid, title, agency in conn.execute("SELECT id, title, agency FROM reports WHERE is_current = 1"):
            text = "\n".join([title or "", agency or ""] + [
                f"{h}\n{t}" for h, t in conn.execute("SELECT heading, text FROM sections WHERE report_id = ?", [rid])])
            texts[rid] = _tokens(text)
        return texts
    finally:
        conn.close()


def oracle(db: Path, groups: list[list[str]], excluded: list[str]) -> set[str]:
    return {rid for rid, tokens in report_texts(db).items()
            if all(any(_contains(tokens, _tokens(p)) for p in group) for group in groups)
            and not any(_contains(tokens, _tokens(p)) for p in excluded)}


def every_page(ds: Any, path: str) -> tuple[int, list[str]]:
    """(total, ids in order) read page by page through the JSON."""
    first = get_json(ds, path)
    ids = [r["report_id"] for r in first["results"]]
    for n in range(2, first["pages"] + 1):
        ids += [r["report_id"] for r in get_json(ds, f"{path}&page={n}")["results"]]
    return first["total"], ids


def csv_rows(response: Any) -> tuple[list[str], list[dict[str, str]]]:
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(BOM) and not response.content[len(BOM):].startswith(BOM)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    reader = csv.reader(io.StringIO(response.content[len(BOM):].decode("utf-8")))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


@pytest.mark.parametrize(("query", "groups", "excluded"), QUERIES, ids=[q for q, _, _ in QUERIES])
def test_totals_match_the_oracle(site: dict[str, Any], query: str, groups: list[list[str]],
                                 excluded: list[str]) -> None:
    total, ids = every_page(site["ds"], f"/-/search/nianbao.json?q={quote(query)}")
    expected = oracle(site["built"].db, groups, excluded)
    assert total == len(expected) and set(ids) == expected and len(ids) == total


def test_the_oracle_queries_are_not_vacuous(site: dict[str, Any]) -> None:
    """Most queries find something, NOTs exclude and ORs add reports: a wrong reading of either fails."""
    db = site["built"].db
    found = [oracle(db, g, x) for _, g, x in QUERIES]
    assert sum(1 for f in found if f) >= 16
    excluding = [q for (q, g, x), hits in zip(QUERIES, found, strict=True) if x and oracle(db, g, []) - hits]
    adding = [q for (q, g, x), hits in zip(QUERIES, found, strict=True)
              if any(len(a) > 1 for a in g) and hits != oracle(db, [a[:1] for a in g], x)]
    assert len(excluding) >= 5 and len(adding) >= 4, (excluding, adding)


@pytest.mark.parametrize("sort", ["relevance", "year_desc", "year_asc"])
def test_paging_returns_every_match_exactly_once(site: dict[str, Any], sort: str) -> None:
    total, ids = every_page(site["ds"], f"/-/search/nianbao.json?q=公开&sort={sort}")
    assert total > PER_PAGE, "the archive must need more than one page"
    assert len(ids) == len(set(ids)) == total == len(oracle(site["built"].db, [["公开"]], []))
    if sort != "relevance":
        years = [r["year"] for n in range(1, -(-total // PER_PAGE) + 1)
                 for r in get_json(site["ds"], f"/-/search/nianbao.json?q=公开&sort={sort}&page={n}")["results"]]
        known = [y for y in years if y is not None]
        assert known == sorted(known, reverse=sort == "year_desc")
        assert years[len(known):] == [None] * (total - len(known)), "reports of unknown year come last"
    past_the_end = get_json(site["ds"], f"/-/search/nianbao.json?q=公开&sort={sort}&page=999")
    assert past_the_end["page"] == past_the_end["pages"] and past_the_end["results"]


@pytest.mark.parametrize("query", ["复议", "诉讼 OR 复议", "申请"])
def test_relevance_puts_reports_whose_text_has_the_words_first(site: dict[str, Any], query: str) -> None:
    """Every report has the heading 政府信息公开行政复议、行政诉讼情况: the ones whose section text says 复议
    come before the ones where it is only a heading."""
    words = [w for w in query.split() if w != "OR"]
    conn = sqlite3.connect(site["built"].db)
    in_text = {rid for rid, text in conn.execute("SELECT report_id, text FROM sections")
               if any(_contains(_tokens(text or ""), _tokens(w)) for w in words)}
    conn.close()
    _, ids = every_page(site["ds"], f"/-/search/nianbao.json?q={quote(query)}")
    order = [rid in in_text for rid in ids]
    assert any(order) and not all(order), "the archive must have both kinds"
    assert order == sorted(order, reverse=True), order


@pytest.mark.parametrize("facet", ["province", "level", "year", "flag"])
def test_filters_keep_exactly_the_matching_reports_and_facets_count_them(site: dict[str, Any], facet: str) -> None:
    conn = sqlite3.connect(site["built"].db)
    everything = get_json(site["ds"], "/-/search/nianbao.json?q=公开")
    options = everything["facets"][facet]
    assert options, f"the archive must have {facet} values"
    matched = oracle(site["built"].db, [["公开"]], [])
    for option in options:
        if facet == "flag" and option["value"] == "checks_failed":
            having = {r for (r,) in conn.execute("SELECT id FROM reports WHERE checks_failed > 0")}
        elif facet == "flag":
            having = {r for (r,) in conn.execute("SELECT report_id FROM flags WHERE code = ?", [option["value"]])}
        else:
            having = {r for (r,) in conn.execute(f"SELECT id FROM reports WHERE CAST({facet} AS TEXT) = ?",
                                                 [option["value"]])}
        total, ids = every_page(site["ds"], f"/-/search/nianbao.json?q=公开&{facet}={quote(option['value'])}")
        assert set(ids) == matched & having and total == option["count"] == len(ids), option
    conn.close()
    # two filters at once: the intersection
    province = everything["facets"]["province"][0]["value"]
    level = everything["facets"]["level"][0]["value"]
    both = get_json(site["ds"], f"/-/search/nianbao.json?q=公开&province={quote(province)}&level={quote(level)}")
    assert all(r["province"] == province and r["level"] == level for r in both["results"])


def test_snippets_come_from_the_narrative_never_the_outline(site: dict[str, Any]) -> None:
    rows = get_json(site["ds"], "/-/search/nianbao.json?q=复议&province=上海市")["results"]
    outlined = next(r for r in rows if r["report_id"] == site["outlined"])
    text = re.sub(r"</?mark>", "", outlined["snippet"])
    assert "<mark>复议</mark>" in outlined["snippet"] and "复议审查机关纠错" in text
    assert "总体情况" not in text and "其他需要报告的事项" not in text
    # for 诉讼, FTS5's own snippet() shows a heading and the table's labels; the page shows the sentence
    fts = get_json(site["ds"], "/nianbao/search.json?q=诉讼&_shape=array")
    assert "诉讼</mark>情况" in next(r["snippet"] for r in fts if r["report_id"] == site["outlined"])
    mine = get_json(site["ds"], "/-/search/nianbao.json?q=诉讼&province=上海市")["results"]
    shown = next(r["snippet"] for r in mine if r["report_id"] == site["outlined"])
    assert shown == "涉及的行政<mark>诉讼</mark>数为 0 件。"


def test_no_snippet_is_a_heading_or_an_outline(site: dict[str, Any]) -> None:
    conn = sqlite3.connect(site["built"].db)
    headings = {h for (h,) in conn.execute("SELECT DISTINCT heading FROM sections") if h}
    conn.close()
    for query in ("复议", "诉讼", "公开 OR 申请", "主动公开"):
        total, _ = every_page(site["ds"], f"/-/search/nianbao.json?q={quote(query)}")
        for n in range(1, -(-total // PER_PAGE) + 1):
            for r in get_json(site["ds"], f"/-/search/nianbao.json?q={quote(query)}&page={n}")["results"]:
                if r["snippet"] is None:
                    assert r["snippet_note"], r
                    continue
                text = re.sub(r"</?mark>|…", "", r["snippet"])
                assert "<mark>" in r["snippet"] and text not in headings, (query, r["snippet"])
                parts = sum(p in text for p in ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请",
                                                 "存在的主要问题", "其他需要报告的事项"))
                assert parts < 3, (query, r["snippet"])


@pytest.mark.parametrize("query", ["复议 OR 诉讼", "公开 -疫情"])
def test_the_download_link_gives_every_match(site: dict[str, Any], query: str) -> None:
    page = get(site["ds"], f"/-/search/nianbao?q={quote(query)}&sort=year_desc")
    assert page.status_code == 200
    href = re.search(r'id="download-csv" href="([^"]+)"', page.text)
    assert href, "the page offers the download"
    header, rows = csv_rows(get(site["ds"], href.group(1).replace("&amp;", "&")))
    groups, excluded = next((g, x) for q, g, x in QUERIES if q == query)
    assert {"report_id", "page_url"} <= set(header)
    assert [r["report_id"] for r in rows] == every_page(
        site["ds"], f"/-/search/nianbao.json?q={quote(query)}&sort=year_desc")[1]
    assert {r["report_id"] for r in rows} == oracle(site["built"].db, groups, excluded)
    assert all(r["page_url"].startswith("http://") for r in rows)
    filtered = get_json(site["ds"], f"/-/search/nianbao.json?q={quote(query)}")["facets"]["province"][0]
    _, some = csv_rows(get(site["ds"], f"/-/search/nianbao.csv?q={quote(query)}&province={quote(filtered['value'])}"))
    assert len(some) == filtered["count"] and {r["province"] for r in some} == {filtered["value"]}
    zh_header, zh_rows = csv_rows(get(site["ds"], f"/-/search/nianbao.csv?q={quote(query)}&headers=zh"))
    assert zh_header[:3] == ["报告编号", "发布机关", "年度"] and len(zh_rows) == len(rows)


def test_the_page_counts_documents_and_pages(site: dict[str, Any]) -> None:
    html = get(site["ds"], "/-/search/nianbao?q=公开").text
    total = len(oracle(site["built"].db, [["公开"]], []))
    assert f"共 {total} 份报告" in html and 'id="search-pager"' in html and "下一页" in html
    assert "检索语法" in html and "复议 OR 诉讼" in html
    empty = get(site["ds"], "/-/search/nianbao").text
    assert "共 " not in empty and 'id="search-help" open' in empty


@pytest.mark.parametrize("q", ["-诉讼", "-诉讼 -复议", "－疫情"])
def test_only_excluded_words_get_a_chinese_message(site: dict[str, Any], q: str) -> None:
    response = get(site["ds"], f"/-/search/nianbao?q={quote(q)}")
    assert response.status_code == 200 and ONLY_EXCLUDED in response.text
    assert get_json(site["ds"], f"/-/search/nianbao.json?q={quote(q)}")["error"] == ONLY_EXCLUDED


@pytest.mark.parametrize("q", ['"', '"复议', "NEAR(复议", "复议*", "a:b", "复议 OR", "OR", "( ) AND", "^复议",
                               '"" OR ""', "-", "---", "复议 -", "{col}:x", "'; DROP TABLE reports; --", "，。、"])
def test_no_input_reaches_fts5_as_syntax(site: dict[str, Any], q: str) -> None:
    for suffix in ("", ".json", ".csv"):
        response = get(site["ds"], f"/-/search/nianbao{suffix}?q={quote(q)}&page=x&year=y&sort=z")
        assert response.status_code == 200, (q, suffix, response.text[:300])


def test_query_syntax_parses_to_groups() -> None:
    assert parse_query("复议 OR 诉讼 公开").must == (("复 议", "诉 讼"), ("公 开",))
    assert parse_query("复议 或 诉讼").must == parse_query("复议 | 诉讼").must == (("复 议", "诉 讼"),)
    assert parse_query("复议或诉讼").must == (("复 议 或 诉 讼",),), "或 inside a word is a character"
    assert parse_query('复议 -诉讼 -"公开 目录"').must_not == ("诉 讼", "公 开 目 录")
    assert parse_query('"OR" 复议').must == (("OR",), ("复 议",))
    assert parse_query("行政復議").fts() == '"行 政 复 议"'
    assert parse_query("复议 OR 诉讼 -疫情").fts() == '(("复 议" OR "诉 讼")) NOT ("疫 情")'
    assert parse_query("-诉讼").error == ONLY_EXCLUDED and parse_query("-诉讼").fts() == '""'
    assert parse_query("").empty and parse_query("").fts() == '""'


def test_unknown_database_is_a_404(site: dict[str, Any]) -> None:
    assert get(site["ds"], "/-/search/nowhere?q=复议").status_code == 404
    assert get(site["ds"], "/-/search/_internal?q=复议").status_code == 404


def test_the_canned_query_points_at_the_page(site: dict[str, Any]) -> None:
    assert 'href="/-/search/nianbao"' in get(site["ds"], "/nianbao/search?q=复议").text
    from archive.datasette.config import load_config

    canned = load_config("demo")[0]["databases"]["demo"]["queries"]["search"]
    assert 'href="/-/search/demo"' in canned["description_html"], "the link follows the served file's name"


def test_snippet_skips_outline_headings_and_tables_and_joins_wrapped_lines() -> None:
    from archive.snippets import choose

    text = ("本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、"
            "行政诉讼情况、存在的主要问题及改进情况和其他需要报告的事项。\n"
            "四、政府信息公开行政复议、行政诉讼情况\n"
            "行政复议 | 行政诉讼 | 总计\n"
            "行政复议行政诉讼\n"
            "全年发生政府信息公开行政復議案件\n"
            "2 件，均已依法办结。\n")
    snip = choose([("总体情况", text)], parse_query("复议").must)
    assert snip.html == "全年发生政府信息公开行政<mark>复议</mark>案件 2 件，均已依法办结。"
    assert snip.section == "总体情况"
    only_headings = choose([("行政复议", "四、政府信息公开行政复议、行政诉讼情况\n行政复议 | 1")],
                           parse_query("复议").must)
    assert only_headings.html is None and only_headings.note and "章节标题" in only_headings.note
    long = "为做好工作，" + "甲" * 200 + "依法办理行政复议案件，" + "乙" * 200 + "。"
    cut = choose([(None, long)], parse_query("复议").must)
    assert cut.text.startswith("…") and cut.text.endswith("…") and len(cut.text) < 160


def test_overlong_queries_get_a_message(site: dict[str, Any]) -> None:
    from archive.cjk import TOO_LONG

    response = get(site["ds"], f"/-/search/nianbao?q={quote('复议' * 300)}")
    assert response.status_code == 200 and TOO_LONG in response.text
