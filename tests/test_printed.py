"""How the official tables are printed, read from one place (extract/printed.py) by every renderer.

The terminal summary (nianbao/summary.py), the report page (archive/datasette/layout.py) and the
archive's label tables (archive/schema.py) once held their own copies of the row order and the
（六）其他处理 rule, and the copies disagreed: a 2021 report printing both 其他处理 and its three split
rows showed the 其他处理 figure in `nianbao parse` but dropped it on the web page.
"""

from __future__ import annotations

from typing import Any

import pytest

from archive.datasette.layout import Cells, requests_grid
from archive.rows import cell_rows
from archive.schema import _label_rows
from extract import codes, parse_text, printed
from extract.model import Report
from nianbao.summary import render_summary

_COLUMNS = "| 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |"


def _row(label: str, first: int = 0) -> str:
    """A requests row: `first` for 自然人 and 总计, 0 elsewhere."""
    return f"{label} | {first} | 0 | 0 | 0 | 0 | 0 | {first} |"


def both_other_report() -> str:
    """A 2021-format report whose requests table prints （六）其他处理 = 7 as a row AND its split rows."""
    rows = [
        _row("一、本年新收政府信息公开申请数量", 7),
        _row("二、上年结转政府信息公开申请数量"),
        "三、本年度办理结果 |",
        *(_row(f"{printed.REQUEST_ROW_NUMBERING[code]}{label}") for code, label, _g in codes.REQUEST_ROWS_COMMON_HEAD
          if code not in ("new", "carried_over")),
        _row("（六）其他处理", 7),
        _row("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        _row("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        _row("3.其他", 7),
        _row("（七）总计", 7),
        _row("四、结转下年度继续办理"),
    ]
    return "\n".join([
        "临翔区政务服务管理局2021年政府信息公开工作年度报告",
        "一、总体情况", "2021年，本局认真贯彻《中华人民共和国政府信息公开条例》。",
        "二、主动公开政府信息情况",
        "第二十条第（一）项 |", "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
        "规章 | 0 | 0 | 0 |", "行政规范性文件 | 1 | 0 | 3 |",
        "第二十条第（五）项 |", "信息内容 | 本年处理决定数量 |", "行政许可 | 12 |",
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |",
        _COLUMNS,
        *rows,
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况", "公开内容还不够全面。",
        "六、其他需要报告的事项", "无。",
    ]) + "\n"


@pytest.fixture(scope="module")
def both() -> Report:
    report = parse_text(both_other_report())
    assert report.template == "2021"
    rows = {c.row for c in report.tables["requests"]}
    assert {"other", "other_no_correction", "other_no_fee", "other_other"} <= rows  # the parser kept both
    return report


def _grid_row(grid: list[list[dict[str, Any]]], label: str) -> list[str]:
    """The values of the grid row whose last label cell reads `label`."""
    for line in grid:
        heads = [c for c in line if c["head"]]
        if heads and heads[-1]["text"] == label:
            return [c["text"] for c in line if not c["head"]]
    raise AssertionError(f"no row {label!r} in the grid")


def test_web_grid_shows_other_printed_beside_its_split_rows(both: Report) -> None:
    grid = requests_grid(Cells(cell_rows("r", both)), both.template)
    assert _grid_row(grid, "（六）其他处理") == ["7", "0", "0", "0", "0", "0", "7"]
    assert _grid_row(grid, "3.其他") == ["7", "0", "0", "0", "0", "0", "7"]
    assert _grid_row(grid, "（七）总计") == ["7", "0", "0", "0", "0", "0", "7"]


def test_summary_shows_other_printed_beside_its_split_rows(both: Report) -> None:
    text = render_summary(both)
    line = next(ln for ln in text.splitlines() if "（六）其他处理" in ln)
    assert line.split("|")[2].split() == ["7", "0", "0", "0", "0", "0", "7"]
    assert "3.其他" in text
    assert "Cells outside" not in text


@pytest.mark.parametrize("present, expected", [
    (set(), [c for c, _l, _g in codes.REQUEST_ROWS["2021"]]),
    ({"other"}, [c for c, _l, _g in codes.REQUEST_ROWS["2019"]]),
    ({"other", "other_other"}, [c for c, _l, _g in codes.REQUEST_ROWS["2019"]][:-2]
     + [c for c, _l, _g in codes.REQUEST_ROWS_OTHER_2021] + ["total", "carried_forward"]),
])
def test_request_rows_of_2021_follow_what_was_printed(present: set[str], expected: list[str]) -> None:
    assert [code for code, _l, _g in printed.request_rows("2021", present)] == expected


def test_request_rows_of_2019_are_the_2019_rows_whatever_was_read() -> None:
    rows = printed.request_rows("2019", {"other", "other_other"})
    assert rows == list(codes.REQUEST_ROWS["2019"])


def test_label_tables_read_the_printed_titles_and_rules() -> None:
    labels = _label_rows()
    assert {r["code"]: r["label"] for r in labels["table_labels"]} == printed.TABLE_TITLES
    assert {r["code"]: (r["tbl"], r["label"]) for r in labels["check_rules"]} == printed.CHECK_RULE_LABELS
    numbering = {r["code"]: r["numbering"] for r in labels["row_labels"] if r["tbl"] == "requests"}
    assert numbering == {code: printed.REQUEST_ROW_NUMBERING[code] for code in numbering}
