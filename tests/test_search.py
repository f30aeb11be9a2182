"""Chinese full-text search through Datasette's own test client, checked against a plain-Python oracle.

The oracle reads the same text (title, agency, every section) and asks: does every query term occur as
a run of whole tokens? So a query that finds too little (the default tokenizer) or too much fails.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from typing import Any

import pytest

from archive.cjk import fts_query, segment, unsegment
from archive.datasette.config import make_datasette
from tests.archive_db import build

QUERIES = ["疫情", "复议", "公开", "行政复议", "2020年", "行政復議", "政府信息", "复议 公开", "疫情 2020年", "申请"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    built = build(tmp_path_factory.mktemp("search"))
    return {"built": built, "ds": make_datasette(built.db)}


def get_json(ds: Any, path: str) -> Any:
    async def go() -> Any:
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json()

    return asyncio.run(go())


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", segment(text).lower())


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def oracle(db: Any, query: str) -> set[str]:
    """Current reports whose text holds every term of query, computed without FTS."""
    conn = sqlite3.connect(db)
    found = set()
    for rid, title, agency in conn.execute("SELECT id, title, agency FROM reports WHERE is_current = 1"):
        text = "\n".join([title or "", agency or ""] + [
            f"{h}\n{t}" for h, t in conn.execute("SELECT heading, text FROM sections WHERE report_id = ?", [rid])])
        tokens = _tokens(text)
        if all(_contains(tokens, _tokens(term)) for term in query.split()):
            found.add(rid)
    return found


def test_segment_and_query_forms() -> None:
    assert segment("加强疫情防控２０２０年，abc") == "加 强 疫 情 防 控 2020 年 ，abc"
    assert unsegment("在 <mark>疫 情</mark> 防 控 ， 2020 年") == "在<mark>疫情</mark>防控，2020年"
    assert fts_query('行政復議  2020年 "') == '"行 政 复 议" AND "2020 年"'
    assert fts_query("") == fts_query("   ") == fts_query("-公开") == '""'
    assert fts_query("a OR b NEAR(") == '("a" OR "b") AND "NEAR("', "OR is ours; FTS5's NEAR is a word in a phrase"
    assert fts_query('复议 -诉讼 "OR"') == '("复 议" AND "OR") NOT ("诉 讼")'


@pytest.mark.parametrize("query", QUERIES)
def test_canned_search_finds_exactly_the_reports_that_contain_every_term(site: dict[str, Any], query: str) -> None:
    rows = get_json(site["ds"], f"/nianbao/search.json?q={query}&_shape=array")
    got = {r["report_id"] for r in rows}
    expected = oracle(site["built"].db, query)
    assert got == expected
    if query in ("复议", "公开", "行政复议"):
        assert expected, f"the test archive must contain {query}"
    for r in rows:
        assert "<mark>" in r["snippet"] and " " not in r["snippet"].replace("<mark>", "").split("</mark>")[0][-2:]
        assert set(r) >= {"report_id", "agency", "year", "title", "snippet"}


def test_the_default_tokenizer_would_have_found_nothing(site: dict[str, Any]) -> None:
    """Why the index is per character: FTS5's own tokenizer makes a whole Han run one token."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    conn.execute("INSERT INTO t VALUES ('依法做好疫情防控信息公开')")
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH '疫情'").fetchone()[0] == 0
    conn.execute("DELETE FROM t")
    conn.execute("INSERT INTO t VALUES (?)", [segment("依法做好疫情防控信息公开")])
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", [fts_query("疫情")]).fetchone()[0] == 1


def test_traditional_and_simplified_queries_find_the_same_reports(site: dict[str, Any]) -> None:
    simplified = get_json(site["ds"], "/nianbao/search.json?q=行政复议&_shape=array")
    traditional = get_json(site["ds"], "/nianbao/search.json?q=行政復議&_shape=array")
    assert simplified and {r["report_id"] for r in simplified} == {r["report_id"] for r in traditional}
    # the traditional-script seed (安康高新区) is found by a simplified query
    seed = site["built"].report_ids["003_15842fbe8c410670"]
    assert seed in {r["report_id"] for r in get_json(site["ds"], "/nianbao/search.json?q=公开&_shape=array")}


def test_two_terms_mean_and(site: dict[str, Any]) -> None:
    a = {r["report_id"] for r in get_json(site["ds"], "/nianbao/search.json?q=疫情&_shape=array")}
    b = {r["report_id"] for r in get_json(site["ds"], "/nianbao/search.json?q=复议&_shape=array")}
    both = {r["report_id"] for r in get_json(site["ds"], "/nianbao/search.json?q=疫情 复议&_shape=array")}
    assert both == a & b and both != a | b


def test_section_search_and_the_table_search_box(site: dict[str, Any]) -> None:
    sections = get_json(site["ds"], "/nianbao/search_sections.json?q=行政复议&_shape=array")
    assert sections and all("行政复议" in r["heading"] + r["snippet"].replace("<mark>", "").replace("</mark>", "")
                            for r in sections)
    assert {r["report_id"] for r in sections} <= oracle(site["built"].db, "行政复议")
    box = get_json(site["ds"], "/nianbao/reports.json?_search=行政复议&is_current=1&_shape=array&_size=max")
    assert {r["id"] for r in box} == oracle(site["built"].db, "行政复议")
    box_sections = get_json(site["ds"], "/nianbao/sections.json?_search=疫情&_shape=array&_size=max")
    assert all("疫情" in r["text"] or "疫情" in r["heading"] for r in box_sections)


def test_queries_cannot_inject_fts_syntax(site: dict[str, Any]) -> None:
    for q in ['"', "NEAR(", "*", "a:b", "复议 OR", "-公开"]:
        get_json(site["ds"], f"/nianbao/search.json?q={q}&_shape=array")  # 200, never an FTS syntax error
