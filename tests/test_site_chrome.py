"""The site's chrome speaks Chinese first: a table page and a canned query page show Chinese labels,
a canned query's page title is its Chinese title, never its SQL, every description in the metadata starts in
Chinese, and the sentences Datasette and its plugins build in English (filters and sort, the dashboards menu)
are put into Chinese."""

from __future__ import annotations

import asyncio
import html as markup
import re
from typing import Any

import pytest
import yaml

from archive.datasette.config import METADATA_YML, load_config, make_datasette
from archive.datasette.zh import human_description_zh
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


# Keys of the metadata a reader sees as prose (titles, descriptions, source and about lines); column
# descriptions are the values under a `columns:` mapping. license is a licence code (CC-BY-4.0), not prose.
PROSE_KEYS = ("title", "description", "description_html", "source", "about")


def prose(node: Any, path: str = "") -> Any:
    """(path, text) of every title, description and column description in the metadata, however deep."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{key}"
            if isinstance(value, str) and (key in PROSE_KEYS or path.endswith("/columns")):
                yield here, value
            else:
                yield from prose(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from prose(value, f"{path}/{i}")


def test_every_description_title_and_column_label_is_chinese_first() -> None:
    """English may follow, small; what a reader meets first is Chinese (markup and spaces skipped)."""
    doc = yaml.safe_load(METADATA_YML.read_text(encoding="utf-8"))
    seen = dict(prose(doc))
    assert len([p for p in seen if "/columns/" in p]) > 200, "the walk reaches the column descriptions"
    assert any(p.endswith("/queries/mismatched/description") for p in seen)
    assert any(p.startswith("/options/plugins/datasette-dashboards/") and p.endswith("/title") for p in seen)
    english_first = {p: text[:50] for p, text in seen.items()
                     if re.match(r"[A-Za-z]", re.sub(r"^(\s|<[^>]*>)+", "", text))}
    assert not english_first, english_first


@pytest.mark.parametrize(("english", "chinese"), [
    ("sorted by year descending", "按 year 降序排列"),
    ("sorted by agency", "按 agency 升序排列"),
    ('where province = "上海市" sorted by year descending', '筛选：province = "上海市"；按 year 降序排列'),
    ('where search matches "复议", level = "省级" and title contains "年报"',
     '筛选：全文检索 "复议"，level = "省级"，title 包含 "年报"'),
    ("where checks_failed > 0 and published is not null", "筛选：checks_failed > 0，published 不为空值"),
    ('where flags does not contain "逾期"', '筛选：flags 不包含 "逾期"'),
])
def test_datasette_sentence_about_filters_and_sort_is_put_into_chinese(english: str, chinese: str) -> None:
    assert human_description_zh(english) == chinese


def test_table_page_says_its_filters_and_sort_in_chinese(ds: Any) -> None:
    html = get(ds, "/nianbao/reports?_sort_desc=year&checks_failed__gte=0")
    assert "sorted by" not in html and "descending" not in html and "where checks_failed" not in html
    assert "按 year 降序排列" in html and "筛选：checks_failed ≥ 0" in html
    assert "按 year 降序排列" in title(html)


def test_dashboards_are_named_in_chinese_in_the_menu_and_their_list(ds: Any) -> None:
    menu = re.search(r'<div class="nav-menu-inner">(.*?)</div>', get(ds, "/nianbao/reports"), re.S)
    assert menu and ">图表 Dashboards</a>" in menu.group(1) and ">Dashboards</a>" not in menu.group(1)
    listing = get(ds, "/-/dashboards")
    assert title(listing).startswith("图表") and "<h1>图表 " in listing and ">home<" not in listing


def test_the_app_starts_as_datasette_serve_starts_it(ds: Any) -> None:
    """`datasette serve` runs the startup hooks (our template loader goes in) and then builds the router,
    which lists every template of the loader chain: a loader that cannot list stops the server."""

    async def go() -> Any:
        await ds.invoke_startup()
        return ds.app()

    assert asyncio.run(go()) is not None
    assert "dashboard_list.html" in ds.jinja_env.list_templates()
