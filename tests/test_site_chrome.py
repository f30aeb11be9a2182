"""The site's chrome speaks Chinese first: a table page and a canned query page show Chinese labels,
and a canned query's page title is its Chinese title, never its SQL."""

from __future__ import annotations

import asyncio
import html as markup
import re
from typing import Any

import pytest

from archive.datasette.config import load_config, make_datasette
from tests.archive_db import build

pytestmark = pytest.mark.timeout(120)
ENGLISH = ("Run SQL", 'value="Apply"', "Custom SQL query", "Suggested facets", "This data as", "Advanced export",
           ">Search:<", "Next page")


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_datasette(build(tmp_path_factory.mktemp("chrome"), generated=4).db)


def get(ds: Any, path: str) -> str:
    async def go() -> Any:
        return await ds.client.get(path)

    response = asyncio.run(go())
    assert response.status_code == 200, path
    return str(response.text)


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return markup.unescape(" ".join(found.group(1).split()))


def test_table_page_labels_are_chinese(ds: Any) -> None:
    html = get(ds, "/nianbao/reports?_size=2")
    for label in ('value="应用"', "检索：", "下载本页数据：", "高级导出", "下一页", "建议分面：", "行"):
        assert label in html, label
    assert not [e for e in ENGLISH if e in html]
    assert title(html).startswith(load_config("nianbao")[0]["databases"]["nianbao"]["tables"]["reports"].get(
        "title", "reports"))


@pytest.mark.parametrize("query", ["search", "search_sections", "mismatched"])
def test_canned_query_page_is_titled_by_its_chinese_title(ds: Any, query: str) -> None:
    html = get(ds, f"/nianbao/{query}?q=复议")
    wanted = load_config("nianbao")[0]["databases"]["nianbao"]["queries"][query]["title"]
    assert title(html) == f"{wanted} · nianbao" and "SELECT" not in title(html)
    assert 'value="查询"' in html and "下载本页数据：" in html
    assert not [e for e in ENGLISH if e in html]


def test_own_sql_page_is_chinese_too(ds: Any) -> None:
    html = get(ds, "/nianbao?sql=select+id+from+reports+limit+1")
    assert "自定义 SQL 查询" in html and 'value="运行 SQL"' in html and "返回 1 行" in html
    assert title(html) == "SQL 查询 · nianbao"
