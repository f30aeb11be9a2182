"""Downloads from the site: every CSV (table, view, canned query, search) is a UTF-8-with-BOM `text/csv`
attachment that says which report and page each row is; one report's JSON is the export's contract."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

import pytest

from archive.datasette.config import load_config, make_datasette
from archive.datasette.plugins.nianbao_downloads import BOM
from archive.export import CONTRACT_KEYS, export
from tests.archive_db import build

pytestmark = pytest.mark.timeout(120)
# canned queries whose rows are reports: each names the report and the page it came from
PER_REPORT = {"search": "?q=复议", "search_sections": "?q=复议", "mismatched": "", "missing_year": "",
              "late_reports": "?province=", "copied_sections": "", "narrative_mismatches": ""}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    built = build(tmp_path_factory.mktemp("downloads"), generated=6)
    return {"built": built, "ds": make_datasette(built.db)}


def get(ds: Any, path: str) -> Any:
    async def go() -> Any:
        return await ds.client.get(path)

    return asyncio.run(go())


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(BOM), "Excel reads a CSV without a BOM as the local code page"
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.content[len(BOM):].decode("utf-8"))))


def as_text(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("dl", ["&_dl=1", ""])
def test_search_csv_is_a_bom_download_with_the_rows_of_the_json(site: dict[str, Any], dl: str) -> None:
    rows = csv_rows(get(site["ds"], f"/nianbao/search.csv?q=复议{dl}"))
    as_json = get(site["ds"], "/nianbao/search.json?q=复议&_shape=array").json()
    assert rows and rows == as_text(as_json)
    assert all(r["report_id"] and r["page_url"].startswith("http://") for r in rows)
    assert '"search.csv"' in get(site["ds"], f"/nianbao/search.csv?q=复议{dl}").headers["content-disposition"]


@pytest.mark.parametrize("path", [
    "/nianbao/reports.csv?_search=复议&is_current=1&_stream=1",  # the table's search box, every match
    "/nianbao/report_figures.csv?_size=max",  # a view
    "/nianbao/cells.csv?_stream=1&_size=max&_dl=1",  # a streamed table
    "/nianbao.csv?sql=select+id+as+report_id,+page_url+from+reports",  # arbitrary SQL
])
def test_every_csv_is_a_bom_download(site: dict[str, Any], path: str) -> None:
    rows = csv_rows(get(site["ds"], path))
    assert rows and {"report_id", "id"} & set(rows[0])


def test_a_csv_error_is_left_as_datasette_sends_it(site: dict[str, Any]) -> None:
    response = get(site["ds"], "/nianbao/nowhere.csv")
    assert response.status_code == 404 and not response.content.startswith(BOM)
    assert "attachment" not in response.headers.get("content-disposition", "")


@pytest.mark.parametrize("query", sorted(PER_REPORT))
def test_per_report_exports_name_the_report_and_its_page(site: dict[str, Any], query: str) -> None:
    sep = "&" if PER_REPORT[query] else "?"
    columns = get(site["ds"], f"/nianbao/{query}.json{PER_REPORT[query]}{sep}_shape=objects").json()["columns"]
    assert {"report_id", "page_url"} <= set(columns), columns


def test_per_report_views_name_the_report_and_its_page(site: dict[str, Any]) -> None:
    for view in ("report_figures", "report_flags", "report_sightings", "unresolved_reports"):
        columns = get(site["ds"], f"/nianbao/{view}.json?_size=1").json()["columns"]
        assert {"report_id", "page_url"} <= set(columns), view
    assert "search" in load_config("nianbao")[0]["databases"]["nianbao"]["queries"]


def test_report_json_is_the_exports_contract_document(site: dict[str, Any]) -> None:
    out = io.StringIO()
    export(site["built"].db, out, "jsonl")
    exported = [json.loads(line) for line in out.getvalue().splitlines()]
    for doc in exported[:4]:
        response = get(site["ds"], f"/-/report/nianbao/{doc['report_id']}.json")
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
        served = response.json()
        assert set(CONTRACT_KEYS) <= set(served) and served == doc
    assert get(site["ds"], "/-/report/nianbao/0000000000000000.json").status_code == 404
    assert get(site["ds"], f"/-/report/_internal/{exported[0]['report_id']}.json").status_code == 404
    # the connection Datasette lent the route still caps result sizes afterwards (its row factory restored)
    rows = get(site["ds"], "/nianbao/reports.json?_size=2&_shape=array").json()
    assert len(rows) == 2


@pytest.mark.parametrize(("path", "expect"), [
    ("/nianbao/reports.csv?_size=5&_headers=zh", {"id": "版本 id", "agency": "发布机关", "version": "版本"}),
    ("/nianbao/cells.csv?_size=5&_stream=1&_headers=zh", {"tbl": "表", "row": "行", "col": "列"}),
    ("/nianbao/search.csv?q=复议&_headers=zh", {"agency": "发布机关"}),  # a canned query: labels of its tables
])
def test_headers_zh_gives_chinese_column_headers_and_the_same_rows(site: dict[str, Any], path: str,
                                                                  expect: dict[str, str]) -> None:
    """`_headers=zh` swaps the header row for the metadata's Chinese labels; the rows stay as they were, and
    a column no description names in Chinese keeps its name."""
    zh = get(site["ds"], path)
    plain = get(site["ds"], path.replace("&_headers=zh", ""))
    csv_rows(zh), csv_rows(plain)  # both BOM downloads
    zh_rows, plain_rows = (list(csv.reader(io.StringIO(r.content[len(BOM):].decode("utf-8")))) for r in (zh, plain))
    assert len(zh_rows) == len(plain_rows) > 1 and zh_rows[1:] == plain_rows[1:]
    header = dict(zip(plain_rows[0], zh_rows[0], strict=True))
    for column, label in expect.items():  # a label two columns share names the column after it
        assert header[column] in (label, f"{label}（{column}）"), header
    assert len(set(zh_rows[0])) == len(zh_rows[0]), "two columns under one header"
    assert "content-length" not in zh.headers or int(zh.headers["content-length"]) == len(zh.content)


def test_chinese_label_reads_the_lead_of_a_description() -> None:
    from archive.datasette.plugins.nianbao_downloads import chinese_label

    assert chinese_label("版本 — 1, 2, … in the order changed bytes were found") == "版本"
    assert chinese_label("报告 id（跨版本） — Report id across versions") == "报告 id（跨版本）"
    assert chinese_label("标题 as printed (simplified)") == "标题"
    assert chinese_label("1 on the one row counted for its publication") is None


@pytest.mark.parametrize("page", ["/nianbao/reports", "/nianbao/search?q=复议"])
def test_table_and_query_pages_offer_the_chinese_header_csv(site: dict[str, Any], page: str) -> None:
    import html
    import re

    text = get(site["ds"], page).text
    links = [html.unescape(u) for u in re.findall(r'href="([^"]+)">CSV（中文表头）</a>', text)]
    assert len(links) == 1 and "_headers=zh" in links[0], links
    assert csv_rows(get(site["ds"], links[0]))
