"""extract.readers.html: title, metadata block, narrative and table grids from report pages.

Fixtures in tests/fixtures/html are stored as served (see the README there); the two real
pages come from ../shared/corpus and are skipped when that directory is absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.readers.html import HtmlPage, cut_site_suffix, expand_grid, read_html

FIXTURES = Path(__file__).parent / "fixtures" / "html"
CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"


def need_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS.resolve()} is not present")

MODES = ("trafilatura", "walk")

SIX_HEADINGS_2021 = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
CHROME = [
    "当前位置", "您现在的位置", "分享到", "打印", "关闭", "網站標識碼", "网站标识码", "ICP备", "主办单位", "版权所有",
]


@dataclass
class Page:
    """What one fixture page must read as."""

    file: str
    title: str
    meta: dict[str, str]
    shapes: list[tuple[int, int]]
    lines: list[str]  # must each be a whole line of `text`, in this order
    absent: list[str] = field(default_factory=list)  # must not occur anywhere in `text`
    not_meta: list[str] = field(default_factory=list)  # keys that must not be in `meta`


PAGES = [
    Page(
        "trs-gbk-2023.html",
        title="堃山镇人民政府2023年政府信息公开工作年度报告",
        meta={
            "索引号": "11321300MB1234567X/2024-00003",  # label printed spaced out: "索 引 号："
            "主题分类": "综合政务",
            "发布机构": "堃山镇人民政府",
            "成文日期": "2024-01-19",
            "发布日期": "2024-01-20",  # the visible block wins over <meta name="PubDate">
            "标题": "堃山镇人民政府2023年政府信息公开工作年度报告",
            "来源": "堃山镇人民政府",  # <meta name="ContentSource">
        },
        shapes=[(7, 4), (28, 10), (4, 15)],
        lines=[
            "根据《中华人民共和国政府信息公开条例》要求，现公布堃山镇人民政府2023年政府信息公开工作年度报告。"
            "本报告由镇党政办公室副主任王𠮷镕牵头编制，所列数据的统计期限为2023年1月1日至2023年12月31日。",
            "一、总体情况",
            "（一）主动公开",
            *SIX_HEADINGS_2021[1:],
            "本年度未收取信息处理费。",
            "堃山镇人民政府",
            "2024年1月19日",
        ],
        absent=[*CHROME, "首页", "索引号", "11321300MB1234567X", "字体", "脚本里的假标题", "法人或其他组织",
                "申请人情况", "第二十条", "结果维持"],
        not_meta=["文号"],  # printed empty
    ),
    Page(
        "layout-tables-2020.html",
        title="某某区商务局2020年政府信息公开工作年度报告",  # a class="art_title" block above the body
        meta={"发布时间": "2021-01-25", "来源": "某某区商务局", "浏览次数": "128"},
        shapes=[(4, 4), (4, 15)],  # the side-bar link table and the frame tables are layout
        lines=[
            "本报告根据《中华人民共和国政府信息公开条例》编制，统计期限为2020年1月1日至12月31日。",
            "一、总体情况",
            "2020年，区商务局认真落实政务公开各项要求。",  # after a <br> in the same <p>
            *SIX_HEADINGS_2021[1:],
            "无。",
        ],
        absent=[*CHROME, "通知公告", "更多", "机构概况", "微信", "规范性文件", "复议后起诉"],
    ),
    Page(
        "plain-body-bom-2020.html",
        title="某某街道办事处2020年政府信息公开工作年度报告",  # only in <title>, "｜site" cut
        meta={"发布日期": "2021-01-15", "来源": "某某街道办事处"},
        shapes=[],
        lines=[
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            # A table printed one cell per <p>: every cell stays, repeated "0" included.
            "（三）不予公开", "1.属于国家秘密", "0", "2.其他法律行政法规禁止公开", "0",
            "（七）总计", "5", "四、结转下年度继续办理", "1",
            "四、政府信息公开行政复议、行政诉讼情况",
            "六、其他需要报告的事项",
            "无。",
        ],
        absent=[*CHROME, "首页", "办事服务", "信息公开 >"],
    ),
    Page(
        "hanweb-traditional-2022.html",
        title="某某市統計局2022年政府信息公開工作年度報告",  # <h1> inside #zoom; characters kept as printed
        meta={
            "索引号": "000014349/2023-00012",  # 索引號 → simplified key, value untouched
            "主题分类": "統計",
            "发布机构": "某某市統計局",
            "生成日期": "2023-01-29",
            "有效性": "有效",
            "发布日期": "2023-01-30 10:12:00",  # <meta name="firstpublishedtime">
        },
        shapes=[],
        lines=[
            "一、總體情況", "2022年，市統計局認真貫徹《條例》。", "二、主動公開政府信息情況", "全年主動公開信息40條。",
        ],
        absent=[*CHROME, "打印本頁", "關閉窗口", "主辦單位", "索引號"],
        not_meta=["文号"],
    ),
    Page(
        "gbk-meta-says-utf8.html",
        title="堃山县2021年政府信息公开工作年度报告",
        meta={},
        shapes=[],
        lines=[
            "一、总体情况",
            "堃山县政府办公室（喆）认真落实《条例》要求，做好政府信息公开工作。",
            "二、主动公开政府信息情况",
        ],
    ),
]


def read_fixture(name: str, mode: str = "trafilatura") -> HtmlPage:
    return read_html((FIXTURES / name).read_bytes(), narrative=mode)  # type: ignore[arg-type]


def assert_lines_in_order(text: str, expected: list[str]) -> None:
    lines = text.split("\n")
    pos = 0
    for want in expected:
        assert want in lines[pos:], f"{want!r} is not a line (after line {pos}) of:\n{text}"
        pos = lines.index(want, pos) + 1


# --- the fixture pages --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", PAGES, ids=[p.file for p in PAGES])
def test_fixture_page(case: Page, mode: str) -> None:
    page = read_fixture(case.file, mode)
    assert page.title == case.title
    assert {k: page.meta.get(k) for k in case.meta} == case.meta
    for key in case.not_meta:
        assert key not in page.meta
    assert [(len(g), len(g[0])) for g in page.grids] == case.shapes
    assert_lines_in_order(page.text, case.lines)
    for chrome in case.absent:
        assert chrome not in page.text, chrome
    assert all(line == line.strip() and line for line in page.text.split("\n"))


def test_gbk_fixture_is_stored_as_served() -> None:
    """The GBK page must stay GB18030 bytes on disk (𠮷 has no GBK code), declared gb2312."""
    raw = (FIXTURES / "trs-gbk-2023.html").read_bytes()
    assert b'charset=gb2312"' in raw
    for codec in ("utf-8", "gbk"):
        with pytest.raises(UnicodeDecodeError):
            raw.decode(codec)
    assert "王𠮷镕" in raw.decode("gb18030")


@pytest.mark.parametrize(
    "content_type",
    [None, "text/html", "text/html; charset=GBK", "text/html; charset=utf-8", "text/html; charset=ISO-8859-1"],
)
def test_gbk_page_reads_whatever_the_header_says(content_type: str | None) -> None:
    page = read_html((FIXTURES / "trs-gbk-2023.html").read_bytes(), content_type=content_type)
    assert page.title == "堃山镇人民政府2023年政府信息公开工作年度报告"
    assert "王𠮷镕" in page.text


def test_str_input_reads_like_bytes() -> None:
    raw = (FIXTURES / "trs-gbk-2023.html").read_bytes()
    from_bytes = read_html(raw)
    from_str = read_html(raw.decode("gb18030"))
    assert from_str == from_bytes


# --- the official requests table: spans expanded ---------------------------------------------------

HEAD = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
REQUESTS_SPANS = [
    # (row, column, text): header block rowspan=3 colspan=3, then the applicant header rows
    *[(r, c, HEAD) for r in range(3) for c in range(3)],
    *[(0, c, "申请人情况") for c in range(3, 10)],
    (1, 3, "自然人"), (2, 3, "自然人"),
    *[(1, c, "法人或其他组织") for c in range(4, 9)],
    (2, 4, "商业企业"), (2, 5, "科研机构"), (2, 6, "社会公益组织"), (2, 7, "法律服务机构"), (2, 8, "其他"),
    (1, 9, "总计"), (2, 9, "总计"),
    *[(3, c, "一、本年新收政府信息公开申请数量") for c in range(3)],
    # 三、本年度办理结果 rowspan=22 fills column 0 from row 5 to row 26
    *[(r, 0, "三、本年度办理结果") for r in range(5, 27)],
    (5, 1, "（一）予以公开"), (5, 2, "（一）予以公开"),
    *[(r, 1, "（三）不予公开") for r in range(7, 15)],
    (7, 2, "1.属于国家秘密"), (14, 2, "8.属于行政查询事项"),
    *[(r, 1, "（四）无法提供") for r in range(15, 18)],
    *[(r, 1, "（五）不予处理") for r in range(18, 23)],
    *[(r, 1, "（六）其他处理") for r in range(23, 26)],
    (26, 1, "（七）总计"), (26, 2, "（七）总计"),
    *[(27, c, "四、结转下年度继续办理") for c in range(3)],
    # numbers are 100*row + column in the fixture: they land exactly where they were printed
    (3, 3, "303"), (3, 9, "309"), (7, 3, "703"), (14, 9, "1409"), (26, 9, "2609"), (27, 3, "2703"),
]


@pytest.fixture(scope="module")
def requests_grid() -> list[list[str]]:
    return read_fixture("trs-gbk-2023.html").grids[1]


@pytest.mark.parametrize(("row", "col", "text"), REQUESTS_SPANS)
def test_requests_table_spans(requests_grid: list[list[str]], row: int, col: int, text: str) -> None:
    assert requests_grid[row][col] == text


def test_requests_table_is_rectangular_and_spans_stop_where_they_should(requests_grid: list[list[str]]) -> None:
    assert {len(row) for row in requests_grid} == {10}
    column1 = [row[1] for row in requests_grid]
    assert [i for i, t in enumerate(column1) if t == "（三）不予公开"] == list(range(7, 15))
    assert [c for c, t in enumerate(requests_grid[1]) if t == "法人或其他组织"] == [4, 5, 6, 7, 8]
    assert [row[0] for row in requests_grid].count("三、本年度办理结果") == 22


# --- expand_grid on its own ------------------------------------------------------------------------


def cells(*rows: list[tuple[str, str | None, str | None]]) -> list[list[tuple[str, str | None, str | None]]]:
    return list(rows)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(cells([("a", None, None), ("b", None, None)], [("c", None, None)]),
                     [["a", "b"], ["c", ""]], id="ragged-padded"),
        pytest.param(cells([("a", "2", None), ("b", None, None)], [("c", None, "2")]),
                     [["a", "b", ""], ["a", "c", "c"]], id="colspan-after-rowspan"),
        pytest.param(cells([("a", "0", None), ("b", None, None)], [("c", None, None)], [("d", None, None)]),
                     [["a", "b"], ["a", "c"], ["a", "d"]], id="rowspan-0-to-the-end"),
        pytest.param(cells([("a", "9999", None), ("b", None, None)], [("c", None, None)]),
                     [["a", "b"], ["a", "c"]], id="rowspan-clamped-to-rows-left"),
        pytest.param(cells([("a", "abc", "x"), ("b", "", "0")], [("c", "-2", "  ")]),
                     [["a", "b"], ["c", ""]], id="malformed-spans-are-1"),
        pytest.param(cells([("a", None, "2px")], [("b", None, None), ("c", None, None)]),
                     [["a", "a"], ["b", "c"]], id="2px-is-2"),
        pytest.param(cells([("a", "2", "2"), ("b", None, None)], [("c", None, None)]),
                     [["a", "a", "b"], ["a", "a", "c"]], id="block-span"),
        pytest.param(cells([("a", None, None), ("b", "2", None)], []),
                     [["a", "b"], ["", "b"]], id="hole-left-of-a-rowspan"),
        pytest.param(cells([]), [[]], id="empty-row"),
        pytest.param([], [], id="no-rows"),
    ],
)
def test_expand_grid(rows: list[list[tuple[str, str | None, str | None]]], expected: list[list[str]]) -> None:
    assert expand_grid(rows) == expected


def test_huge_colspan_is_clamped() -> None:
    grid = expand_grid([[("a", None, "100000"), ("b", None, None)]])
    assert len(grid[0]) == 51
    assert grid[0][49] == "a" and grid[0][50] == "b"


SPAN = st.one_of(st.none(), st.sampled_from(["0", "1", "2", "3", "", "x", "-1", "7px", "500"]))


@given(st.lists(st.lists(st.tuples(SPAN, SPAN), max_size=6), min_size=1, max_size=8))
def test_expand_grid_properties(spans: list[list[tuple[str | None, str | None]]]) -> None:
    rows = [[(f"{r}:{i}", rs, cs) for i, (rs, cs) in enumerate(row)] for r, row in enumerate(spans)]
    grid = expand_grid(rows)
    assert len(grid) == len(rows)
    assert len({len(row) for row in grid}) == 1  # rectangular
    for r, row in enumerate(rows):
        for text, _, _ in row:
            assert text in grid[r]  # every cell lands in its own row at least once
        assert len(grid[r]) >= len(row)


# --- layout tables, metadata blocks, titles ---------------------------------------------------------


def html(body: str, head: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


REPORT_BODY = (
    "<p>一、总体情况</p><p>本年度，我局认真落实《条例》要求，扎实推进政务公开。</p><p>二、主动公开政府信息情况</p>"
)


def test_table_holding_tables_is_layout_and_its_cells_are_text() -> None:
    page = read_html(html(
        '<div class="TRS_Editor"><table><tr>'
        "<td><p>一、总体情况</p><p>正文第一段。</p></td>"
        "<td><table><tr><td>规章</td><td>3</td></tr><tr><td>规范性文件</td><td>4</td></tr></table></td>"
        "</tr><tr><td>左下</td><td>右下</td></tr></table></div>"
    ))
    assert page.grids == [[["规章", "3"], ["规范性文件", "4"]]]
    assert_lines_in_order(page.text, ["一、总体情况", "正文第一段。", "左下", "右下"])
    assert "规章" not in page.text


@pytest.mark.parametrize(
    "table",
    [
        "<table><tr><td>只有一行</td><td>1</td></tr></table>",  # one row
        "<table><tr><td>一列</td></tr><tr><td>2</td></tr></table>",  # one column
        "<table><tr><td>" + "很长的正文" * 30 + "</td><td>" + "另一段正文" * 30 + "</td></tr>"
        "<tr><td>" + "长段落" * 40 + "</td><td>短</td></tr></table>",  # prose in a frame
    ],
    ids=["one-row", "one-column", "long-cells"],
)
def test_tables_that_are_not_data(table: str) -> None:
    page = read_html(html(f'<div class="TRS_Editor">{REPORT_BODY}{table}</div>'))
    assert page.grids == []


@pytest.mark.parametrize(
    "block",
    [
        "<ul><li><span>索引号：</span>123/2024-1</li><li><span>发布机构：</span>某某局</li>"
        "<li><span>发布日期：</span>2024-01-02</li></ul>",
        "<dl><dt>索引号</dt><dd>123/2024-1</dd><dt>发布机构</dt><dd>某某局</dd><dt>发布日期</dt><dd>2024-01-02</dd></dl>",
        "<p>索引号：123/2024-1　发布机构：某某局　发布日期：2024-01-02</p>",
        "<table><tr><th>索引号</th><td>123/2024-1</td><th>发布机构</th><td>某某局</td></tr>"
        "<tr><th>发布日期</th><td>2024-01-02</td><th>文号</th><td></td></tr></table>",
        "<div><div>【索引号】：123/2024-1</div><div>【发布机构】：某某局</div><div>【发布日期】：2024-01-02</div></div>",
    ],
    ids=["ul-li-span", "dl", "one-line", "th-td-table", "bracketed"],
)
def test_metadata_block_shapes(block: str) -> None:
    page = read_html(html(f'{block}<div class="TRS_Editor">{REPORT_BODY}</div>'))
    assert page.meta == {"索引号": "123/2024-1", "发布机构": "某某局", "发布日期": "2024-01-02"}
    assert "索引号" not in page.text and "123/2024-1" not in page.text
    assert page.grids == []


def test_prose_mentioning_labels_is_not_metadata() -> None:
    prose = "我局规范填写索引号、发布机构、成文日期等要素，确保信息准确。"
    page = read_html(html(f'<div class="content">{REPORT_BODY}<p>{prose}</p></div>'))
    assert page.meta == {}
    assert prose in page.text.split("\n")


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        pytest.param("<title>网站标题 - 某县</title>", "<table><tr><td>标题：</td><td>甲报告</td></tr>"
                     "<tr><td>发布机构：</td><td>某局</td></tr></table><div class='content'><h1>乙报告</h1>"
                     f"{REPORT_BODY}</div>", "甲报告", id="metadata-block-first"),
        pytest.param("<title>丙报告_某县人民政府</title>", f"<div class='content'><h1>乙报告</h1>{REPORT_BODY}</div>",
                     "乙报告", id="h1-in-content-next"),
        pytest.param("<title>某局2023年政府信息公开工作年度报告 - 某县人民政府</title>",
                     f"<div class='content'>{REPORT_BODY}</div>",
                     "某局2023年政府信息公开工作年度报告", id="head-title-suffix-cut"),
        pytest.param("<meta name='ArticleTitle' content='丁年度报告'><title>戊报告|某县</title>",
                     f"<div class='content'>{REPORT_BODY}</div>", "丁年度报告", id="article-title-meta"),
        pytest.param("", f"<div class='content'>{REPORT_BODY}</div>", None, id="no-title-anywhere"),
    ],
)
def test_title_sources(head: str, body: str, title: str | None) -> None:
    assert read_html(html(body, head)).title == title


@pytest.mark.parametrize(
    ("raw", "cut"),
    [
        ("沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局", "沭阳县发展和改革局2023年政府信息公开年度报告"),
        ("某局2023年政府信息公开工作年度报告 - 某县人民政府", "某局2023年政府信息公开工作年度报告"),
        ("某局2023年政府信息公开工作年度报告_某县人民政府", "某局2023年政府信息公开工作年度报告"),
        ("某局2023年政府信息公开工作年度报告|某县人民政府", "某局2023年政府信息公开工作年度报告"),
        ("某局2023年政府信息公开工作年度报告｜某县人民政府", "某局2023年政府信息公开工作年度报告"),
        ("某县人民政府 - 某局2023年政府信息公开工作年度报告", "某局2023年政府信息公开工作年度报告"),
        ("某局2019-2020年度政府信息公开工作年度报告", "某局2019-2020年度政府信息公开工作年度报告"),
        ("某局2023年政府信息公开工作年度报告", "某局2023年政府信息公开工作年度报告"),
        ("首页 - 某某区关于印发工作要点的通知", "某某区关于印发工作要点的通知"),
    ],
)
def test_cut_site_suffix(raw: str, cut: str) -> None:
    assert cut_site_suffix(raw) == cut


# --- odd inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \n", "", b"<html></html>", b"<html><body></body></html>"])
def test_empty_pages(data: bytes | str) -> None:
    assert read_html(data) == HtmlPage(title=None, meta={}, text="", grids=[])


@pytest.mark.parametrize(
    "data",
    [
        "一、总体情况\r\n本年度……\n\n二、主动公开政府信息情况\n".encode(),  # plain text served as text/html
        "<html><body><pre>一、总体情况\n本年度……\n二、主动公开政府信息情况</pre></body></html>".encode(),
    ],
    ids=["no-tags", "pre"],
)
def test_line_breaks_that_mean_paragraphs(data: bytes) -> None:
    page = read_html(data, content_type="text/html")
    assert page.text == "一、总体情况\n本年度……\n二、主动公开政府信息情况"
    assert page.grids == []


def test_source_line_breaks_inside_chinese_paragraphs_are_not_spaces() -> None:
    page = read_html("<div class='content'><p>本年度报告\n所列数据\n的统计期限 Times\nNew Roman</p></div>".encode())
    assert page.text == "本年度报告所列数据的统计期限 Times New Roman"


def test_broken_html_still_reads() -> None:
    page = read_html(
        b"<div class=content><p>\xe4\xb8\x80\xe3\x80\x81\xe6\x80\xbb\xe4\xbd\x93\xe6\x83\x85\xe5\x86\xb5<p>ok"
        b"<table><tr><td>1<td>2<tr><td>3<td>4</table><table><td>5</td><td>6</td><tr><td>7<td>8</table>"
        b"<p>\x07tail\x0b"
    )
    assert page.grids == [[["1", "2"], ["3", "4"]], [["5", "6"], ["7", "8"]]]
    assert_lines_in_order(page.text, ["一、总体情况", "ok", "tail"])


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "pdf"),
        (b"PK\x03\x04\x14\x00\x00\x00", "zip"),
        (b"\x00\x01\x02\x03" * 100, "binary"),
    ],
)
def test_binary_input_is_refused(data: bytes, kind: str) -> None:
    with pytest.raises(ValueError, match=kind):
        read_html(data)


# --- the two real pages in ../shared/corpus ---------------------------------------------------------


@pytest.fixture(scope="module", params=MODES)
def shuyang(request: pytest.FixtureRequest) -> HtmlPage:
    need_corpus()
    return read_html((CORPUS / "shuyang-fgj-2023.html").read_bytes(), narrative=request.param)


@pytest.fixture(scope="module", params=MODES)
def shanghai(request: pytest.FixtureRequest) -> HtmlPage:
    need_corpus()
    return read_html((CORPUS / "shanghai-office-2019.html").read_bytes(), narrative=request.param)


def test_shuyang_portal_page(shuyang: HtmlPage) -> None:
    assert shuyang.title == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert {k: shuyang.meta.get(k) for k in ("索引号", "发布机构", "公开日期", "采集时间")} == {
        "索引号": "014314799/2024-00002",
        "发布机构": "沭阳县发展和改革局",
        "公开日期": "2024-01-17",
        "采集时间": "2025-12-30T21:37:37+08:00",  # from the saver's own header block
    }
    assert [(len(g), len(g[0])) for g in shuyang.grids] == [(14, 4), (28, 10), (4, 15)]
    assert_lines_in_order(shuyang.text, [
        "一、总体情况", "（一）主动公开政府信息情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及整改措施", "六、其他需要报告的事项",
        "2023年度，县发展和改革局政府信息公开未发生收费情况。", "沭阳县发展和改革局", "2024年1月17日",
    ])
    for chrome in ("繁體版", "首页", "走进沭阳", "采集时间", "索引号", "014314799", "法人或其他组织", "结果维持"):
        assert chrome not in shuyang.text, chrome


@pytest.mark.parametrize(
    ("row", "col", "text"),
    [
        (0, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"),
        (2, 2, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"),
        (1, 4, "法人或其他组织"), (1, 8, "法人或其他组织"), (2, 4, "商业企业"),  # "商业</p><p>企业" joined
        (1, 9, "总计"), (2, 9, "总计"), (3, 3, "26"), (3, 9, "26"),
        (5, 0, "三、本年度办理结果"), (26, 0, "三、本年度办理结果"),
        (7, 1, "（三）不予公开"), (14, 1, "（三）不予公开"), (15, 1, "（四）无法提供"),
        (26, 1, "（七）总计"), (27, 0, "四、结转下年度继续办理"), (27, 2, "四、结转下年度继续办理"),
    ],
)
def test_shuyang_requests_grid(shuyang: HtmlPage, row: int, col: int, text: str) -> None:
    assert shuyang.grids[1][row][col] == text


def test_shuyang_review_grid(shuyang: HtmlPage) -> None:
    review = shuyang.grids[2]
    assert review[0][:5] == ["行政复议"] * 5 and review[0][5:] == ["行政诉讼"] * 10
    assert review[1][5:10] == ["未经复议直接起诉"] * 5 and review[2][0] == "结果维持"
    assert review[3] == ["0", "0", "0", "1", "1"] + ["0"] * 10


def test_shanghai_page(shanghai: HtmlPage) -> None:
    assert shanghai.title == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert shanghai.meta == {"发布日期": "2020-01-31"}
    assert [(len(g), len(g[0])) for g in shanghai.grids] == [(18, 5), (26, 10), (4, 15)]
    assert_lines_in_order(shanghai.text, [
        "2019年上海市人民政府办公厅政府信息公开工作年度报告", "一、总体情况", "（一）主动公开方面",
        "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
        "五、政府信息公开工作存在的主要问题及改进情况", "六、其他需要报告的事项", "无。",
    ])
    assert "发布日期" not in shanghai.text and "规范性文件\n" not in shanghai.text
    assert shanghai.grids[0][1][1] == "本年新制作数量"  # "本年新<br />制作数量"


def test_both_narrative_paths_keep_the_same_headings() -> None:
    pages = [FIXTURES / p.file for p in PAGES]
    if CORPUS.is_dir():
        pages += sorted(CORPUS.glob("*.html"))
    for path in pages:
        data = path.read_bytes()
        texts = [read_html(data, narrative=mode).text.split("\n") for mode in MODES]  # type: ignore[arg-type]
        headings = [[line for line in t if line[:2] in {h[:2] for h in SIX_HEADINGS_2021}] for t in texts]
        assert headings[0] == headings[1], path.name


FRAGMENTS = st.sampled_from([
    "<p>", "</p>", "<div class='TRS_Editor'>", "<div>", "</div>", "<table>", "</table>", "<tr>", "</tr>", "<td>",
    "<td rowspan=3>", "<td colspan=0>", "<th colspan='2x'>", "</td>", "<br>", "<pre>", "</pre>", "<h1>", "</h1>",
    "<li><a href=x>首页</a></li>", "<!--", "-->", "<script>", "</script>", "一、总体情况", "索引号：", "发布日期",
    "123", "报告", "\n", "　", "&nbsp;", "<", "&", "当前位置：", "<meta name=ArticleTitle content='题'>",
])


@given(st.lists(FRAGMENTS, max_size=50), st.sampled_from(MODES))
def test_any_tag_soup_reads_into_clean_lines_and_rectangular_grids(parts: list[str], mode: str) -> None:
    page = read_html("".join(parts).encode(), narrative=mode)  # type: ignore[arg-type]
    assert all(line and line == line.strip() for line in page.text.split("\n")) or page.text == ""
    for grid in page.grids:
        assert len(grid) >= 2 and len({len(row) for row in grid}) == 1 and len(grid[0]) >= 2


def test_trafilatura_path_filters_boilerplate_the_walk_keeps() -> None:
    """Why the trafilatura path exists: it drops a related-links box inside the content container."""
    body = (
        "<div class='TRS_Editor'><p>一、总体情况</p><p>" + "本年度我局认真落实条例要求。" * 10 + "</p>"
        "<p>二、主动公开政府信息情况</p><p>" + "全年主动公开信息若干条。" * 10 + "</p>"
        "<div class='related'><h3>相关链接</h3><p>关于印发某某办法的通知</p></div></div>"
    )
    walk = read_html(html(body), narrative="walk").text.split("\n")
    traf = read_html(html(body), narrative="trafilatura").text.split("\n")
    assert walk[-2:] == ["相关链接", "关于印发某某办法的通知"]
    assert traf == walk[:-2]


def test_class_and_id_containers_rank_in_separate_groups() -> None:
    """_content_candidates reads class names and ids one after the other: that keeps each group in
    document order only while no rank is shared by a class name and an id."""
    from extract.readers.html.content import CONTENT_CLASSES, CONTENT_IDS

    assert not set(CONTENT_CLASSES.values()) & set(CONTENT_IDS.values())


@pytest.mark.parametrize(("row", "folded", "printed"), [
    (["（一）予以公开", "１２", "3"], ["(一)予以公开", "12", "3"], ["（一）予以公开", "１２", "3"]),
    (["a\x1fb", "１"], ["a\x1fb", "1"], ["a\x1fb", "１"]),  # a cell holding the joiner: folded one by one
    (["自然人", "0"], ["自然人", "0"], None),  # nothing to fold: a plain row, no printed copy
    ([], [], None),
])
def test_grid_rows_fold_cell_by_cell(row: list[str], folded: list[str], printed: list[str] | None) -> None:
    """A grid row is folded in one go; its cells, and what they printed (`raw`), are as if folded singly."""
    from extract.tables.grids import fold_row

    out = fold_row(list(row))
    assert out == folded and getattr(out, "printed", None) == printed


@pytest.mark.parametrize("url", [None, "http://www.example.gov.cn/xxgk/ndbg/2024.html", "http://例子.政务.cn/年报"])
def test_trafilatura_options_equal_a_fresh_extractor(url: str | None) -> None:
    """The per-page options are a copy of settings made once, with the URL set by hand: they must be
    what trafilatura itself would make for that URL (an upgrade that derives more from it fails here)."""
    from trafilatura.settings import Extractor

    from extract.readers.html.narrative import trafilatura_options, trafilatura_settings

    fresh = Extractor(url=url, fast=True, tables=False, comments=False, images=False, links=False,
                      formatting=False, dedup=False)
    made = trafilatura_options(url)
    assert {s: getattr(made, s) for s in Extractor.__slots__} == {s: getattr(fresh, s) for s in Extractor.__slots__}
    assert trafilatura_settings().url is None  # the shared settings are never changed by a page
