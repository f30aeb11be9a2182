"""render_summary on hand-built reports: the tables must read like the official ones.

A person checks a parse by holding the summary next to the published report, so the order of
items, rows and columns, the printed numbering and the alignment of CJK text are what matter.
Expected labels come from extract.codes (one source of truth) plus a few literal spot checks in
case codes.py itself drifts from the templates.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract import codes, printed
from extract.model import Cell, Check, Report, Section, Source
from nianbao.summary import render_summary

TEMPLATES = list(codes.TEMPLATES)


def width(text: str) -> int:
    """Independent of the renderer's own helper: CJK wide/full-width count two columns."""
    return sum(
        0 if unicodedata.category(c) in ("Mn", "Me") else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
        for c in text
    )


def build(template: str, *, fill: bool = True) -> Report:
    """A complete report of that template; every value distinct so misplacements show."""
    report = Report(
        title="大竹县商务局2020年政府信息公开工作年度报告",
        agency="大竹县商务局",
        year=2020,
        published="2021-01-08",
        template=template,  # type: ignore[arg-type]
        sections=[Section(i + 1, kind, label, "正文" * (i + 1)) for i, (kind, label) in enumerate(codes.SECTION_KINDS)],
        source=Source("html", "nianbao-html 0.1"),
    )
    if not fill:
        return report
    n = 0
    for row in codes.ACTIVE_ROWS[template]:
        for column in row.columns:
            n += 1
            report.tables["active_disclosure"].append(Cell(row.row, column, n, str(n), item=row.item))
    for code, _label, _group in codes.REQUEST_ROWS[template]:
        for column, _label in codes.REQUEST_COLUMNS:
            n += 1
            report.tables["requests"].append(Cell(code, column, n, str(n)))
    for group, _label in codes.REVIEW_GROUPS:
        for column, _label in codes.REVIEW_COLUMNS:
            n += 1
            report.tables["review_litigation"].append(Cell(None, column, n, str(n), group=group))
    return report


def table_block(text: str, table: str) -> list[str]:
    """The grid lines of one table, found by its code in the title line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if f"[{table}:" in line)
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith(("+", "|")):
            break
        block.append(line)
    return block


def label_and_values(line: str) -> tuple[str, list[str]] | None:
    """(label column text, value tokens) of a two-part grid line; None for rules and titles."""
    parts = line.split("|")
    if len(parts) != 4:
        return None
    return parts[1].strip(), parts[2].split()


def body(block: list[str]) -> list[str]:
    """The lines below the column headers (after the second rule) of a single-block table."""
    rules = [i for i, line in enumerate(block) if line.startswith("+")]
    return block[rules[1] + 1 :]


def row_values(block: list[str], label: str) -> list[str]:
    for line in block:
        got = label_and_values(line)
        if got and got[0] == label:
            return got[1]
    raise AssertionError(f"no row {label!r}")


def in_order(haystack: str, needles: list[str]) -> None:
    at = 0
    for needle in needles:
        found = haystack.find(needle, at)
        assert found >= 0, f"{needle!r} missing or out of order after position {at}"
        at = found + len(needle)


def expected_request_labels(template: str, rows: list[tuple[str, str, str | None]] | None = None) -> list[str]:
    """The printed labels of the requests table in official order, group rows included."""
    out: list[str] = []
    opened: set[str] = set()
    for code, label, group in rows or codes.REQUEST_ROWS[template]:
        if group is not None and group not in opened and code != "other":
            out.append(codes.REQUEST_GROUPS[group])
        if group is not None:
            opened.add(group)
        out.append(printed.REQUEST_ROW_NUMBERING[code] + label)
    return out


# --- metadata ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "document"), [("2019", "国办公开办函〔2019〕60号"), ("2021", "国办公开办函〔2021〕30号")]
)
def test_metadata_names_the_official_template_document(template: str, document: str) -> None:
    text = render_summary(build(template), name="some/file.html")
    head = text.split("Sections")[0]
    for expected in (
        "some/file.html",
        "大竹县商务局2020年政府信息公开工作年度报告",
        "大竹县商务局",
        "2020",
        "2021-01-08",
        document,
        "simplified",
        "html",
        "nianbao-html 0.1",
    ):
        assert expected in head


def test_sections_listed_with_number_kind_heading_and_length() -> None:
    text = render_summary(build("2021"))
    for i, (kind, label) in enumerate(codes.SECTION_KINDS):
        line = next(x for x in text.splitlines() if f" {kind} " in x and label in x)
        assert line.split()[0] == str(i + 1)
        assert line.endswith(f"{2 * (i + 1)} chars")


def test_missing_metadata_and_no_name() -> None:
    text = render_summary(Report())
    assert "File" not in text.split("\n")[0]
    assert text.count("(not found)") == 4  # title, agency, year, published
    assert "not recognised" in text
    assert text.count("(no cells read)") == 3
    assert "\x1b" not in text


# --- active_disclosure ------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_active_items_rows_and_columns_in_official_order(template: str) -> None:
    block = table_block(render_summary(build(template)), "active_disclosure")
    flat = "\n".join(block)
    items = list(dict.fromkeys(r.item for r in codes.ACTIVE_ROWS[template]))
    in_order(flat, [codes.ITEM_LABELS[i] for i in items])
    in_order(flat, [f"| {r.label} " for r in codes.ACTIVE_ROWS[template]])
    # Each row's values, in its columns' order, are the numbers build() gave them.
    n = 0
    for row in codes.ACTIVE_ROWS[template]:
        expected = [str(n + k + 1) for k in range(len(row.columns))]
        n += len(row.columns)
        assert row_values(block, row.label) == expected
    headers = [line for line in block if "信息内容" in line]
    assert len(headers) == len({(r.item, r.columns) for r in codes.ACTIVE_ROWS[template]})


def test_active_2019_labels() -> None:
    flat = "\n".join(table_block(render_summary(build("2019")), "active_disclosure"))
    in_order(flat, ["第二十条第（一）项", "本年新制作数量", "本年新公开数量", "对外公开总数量", "规章", "规范性文件"])
    in_order(
        flat, ["第二十条第（五）项", "上一年项目数量", "本年增/减", "处理决定数量", "行政许可", "其他对外管理服务事项"]
    )
    in_order(flat, ["第二十条第（八）项", "行政事业性收费", "第二十条第（九）项", "采购项目数量", "采购总金额（万元）"])
    assert "行政规范性文件" not in flat and "本年制发件数" not in flat


def test_active_2021_labels() -> None:
    flat = "\n".join(table_block(render_summary(build("2021")), "active_disclosure"))
    in_order(flat, ["第二十条第（一）项", "本年制发件数", "本年废止件数", "现行有效件数", "规章", "行政规范性文件"])
    in_order(flat, ["第二十条第（五）项", "本年处理决定数量", "行政许可", "第二十条第（六）项", "行政处罚", "行政强制"])
    in_order(flat, ["第二十条第（八）项", "本年收费金额（万元）", "行政事业性收费"])
    for absent in ("第二十条第（九）项", "政府集中采购", "其他对外管理服务事项", "本年新制作数量"):
        assert absent not in flat


# --- requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_requests_columns_as_printed(template: str) -> None:
    block = table_block(render_summary(build(template)), "requests")
    labels = [label for _code, label in codes.REQUEST_COLUMNS]
    assert labels == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    header = next(line for line in block if "自然人" in line)
    in_order(header, labels)
    # 法人或其他组织 is printed above the five organisation columns, between 自然人 and 总计.
    parent_line = block[block.index(header) - 1]
    assert printed.ORG_PARENT_LABEL in parent_line
    start = width(parent_line[: parent_line.index(printed.ORG_PARENT_LABEL)])
    assert width(header[: header.index("商业企业")]) <= start
    assert start + width(printed.ORG_PARENT_LABEL) <= width(header[: header.index("总计")])
    assert "申请人情况" in block[block.index(header) - 2]


@pytest.mark.parametrize("template", TEMPLATES)
def test_requests_rows_in_official_order_with_numbering(template: str) -> None:
    block = table_block(render_summary(build(template)), "requests")
    # Labels may wrap onto continuation lines: join the label column to compare.
    labels = "".join(lv[0] for line in block if (lv := label_and_values(line)))
    in_order(labels, expected_request_labels(template))
    assert labels.startswith("一、本年新收政府信息公开申请数量")
    assert labels.endswith("（七）总计四、结转下年度继续办理")
    # Values stay on the first line of a row and follow build()'s numbering, column by column.
    first = sum(len(r.columns) for r in codes.ACTIVE_ROWS[template])
    value_lines = [lv[1] for line in body(block) if (lv := label_and_values(line)) and lv[1]]
    assert len(value_lines) == len(codes.REQUEST_ROWS[template])
    assert value_lines[0] == [str(first + k + 1) for k in range(7)]


def test_requests_2019_and_2021_differ_in_other_rows() -> None:
    old = "".join(
        lv[0] for ln in table_block(render_summary(build("2019")), "requests") if (lv := label_and_values(ln))
    )
    new = "".join(
        lv[0] for ln in table_block(render_summary(build("2021")), "requests") if (lv := label_and_values(ln))
    )
    assert "（六）其他处理（七）总计" in old
    assert "申请人无正当理由逾期不补正" not in old
    in_order(
        new,
        [
            "（六）其他处理",
            "1.申请人无正当理由逾期不补正",
            "2.申请人逾期未按收费通知要求缴纳费用",
            "3.其他",
            "（七）总计",
        ],
    )


def test_requests_indentation_follows_nesting() -> None:
    block = table_block(render_summary(build("2021")), "requests")

    def indent(prefix: str) -> int:
        for line in block:
            label = line.split("|")[1][1:] if line.startswith("|") else ""
            if label.strip().startswith(prefix):
                return len(label) - len(label.lstrip(" "))
        raise AssertionError(prefix)

    assert indent("一、本年新收") == indent("三、本年度办理结果") == indent("四、结转下年度") == 0
    assert indent("（一）予以公开") == indent("（三）不予公开") == indent("（七）总计") == 2
    assert indent("1.属于国家秘密") == indent("5.要求行政机关确认") == indent("3.其他") == 4


def test_requests_2021_printed_with_single_other_row() -> None:
    """A 2021 report that does not split （六）其他处理 keeps it as one numbered row."""
    report = build("2021")
    split = {code for code, _l, _g in codes.REQUEST_ROWS_OTHER_2021}
    report.tables["requests"] = [c for c in report.tables["requests"] if c.row not in split]
    report.tables["requests"] += [Cell("other", col, 7, "7") for col, _l in codes.REQUEST_COLUMNS]
    text = render_summary(report)
    block = table_block(text, "requests")
    assert row_values(block, "（六）其他处理") == ["7"] * 7
    assert "申请人无正当理由" not in text
    assert "Cells outside" not in text


# --- review_litigation ------------------------------------------------------------------------


def test_review_litigation_three_groups_by_five_columns() -> None:
    block = table_block(render_summary(build("2021")), "review_litigation")
    header = next(line for line in block if "结果维持" in line)
    in_order(header, [label for _c, label in codes.REVIEW_COLUMNS])
    in_order(header, ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])
    labels = [lv[0] for line in block if (lv := label_and_values(line)) and lv[0]]
    assert labels == ["行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"]
    start = len(codes.REQUEST_ROWS["2021"]) * 7 + sum(len(r.columns) for r in codes.ACTIVE_ROWS["2021"])
    for k, (_group, label) in enumerate(codes.REVIEW_GROUPS):
        assert row_values(block, label) == [str(start + 5 * k + j + 1) for j in range(5)]
    assert row_values(block, "行政诉讼") == []


# --- layout -----------------------------------------------------------------------------------


def grids(text: str) -> list[list[str]]:
    out: list[list[str]] = []
    current: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith(("+", "|")):
            current.append(line)
        elif current:
            out.append(current)
            current = []
    return out


def assert_aligned(text: str) -> None:
    found = grids(text)
    assert found, "no table drawn"
    for grid in found:
        widths = {width(line) for line in grid}
        assert len(widths) == 1, "\n".join(grid)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_table_line_has_the_same_display_width(template: str) -> None:
    text = render_summary(build(template))
    assert len(grids(text)) == 3
    assert_aligned(text)


@pytest.mark.parametrize("template", TEMPLATES)
def test_values_are_right_aligned_in_columns(template: str) -> None:
    report = build(template)
    for i, cell in enumerate(report.tables["requests"]):
        cell.value = 10 ** (i % 5)  # 1 … 10000: different widths in every column
    block = table_block(render_summary(report), "requests")

    def ends(line: str) -> list[int]:
        """Display column where each value token ends."""
        out, col, prev_space = [], 0, True
        for ch in line:
            if ch == " " and not prev_space:
                out.append(col)
            prev_space = ch == " "
            col += width(ch)
        return out

    value_rows = [line.split("|")[2] for line in body(block) if (lv := label_and_values(line)) and lv[1]]
    assert len(value_rows) == len(codes.REQUEST_ROWS[template])
    assert len({tuple(ends(v)) for v in value_rows}) == 1


def test_blank_raw_and_missing_values() -> None:
    report = build("2019")
    cells = {c.key: c for c in report.tables["requests"]}
    row = "granted"
    cells[("", row, "natural_person")].value, cells[("", row, "natural_person")].raw = None, ""
    cells[("", row, "commercial")].value, cells[("", row, "commercial")].raw = None, "/"
    cells[("", row, "research")].value, cells[("", row, "research")].raw = None, "无"
    cells[("", row, "public_interest")].value, cells[("", row, "public_interest")].raw = None, None
    cells[("", row, "legal_services")].value = 0
    cells[("", row, "other_org")].value = 12.5
    report.tables["requests"].remove(cells[("", row, "total")])
    block = table_block(render_summary(report), "requests")
    assert row_values(block, "（一）予以公开") == ["·", "/", "无", "·", "0", "12.5", "?"]


def test_long_raw_text_is_cut_and_control_characters_do_not_break_lines() -> None:
    report = build("2021")
    report.tables["requests"][0].value = None
    report.tables["requests"][0].raw = "见附件第三页表格说明文字很长很长"
    report.tables["requests"][1].value = None
    report.tables["requests"][1].raw = "a\nb\tc"
    report.tables["active_disclosure"][0].value = None
    report.tables["active_disclosure"][0].raw = "\x00\u200b"
    report.sections[0].heading = "总体\n情况"
    report.warnings = ["first line\nsecond line"]
    text = render_summary(report)
    assert_aligned(text)
    assert "\x00" not in text and "\u200b" not in text and "\t" not in text
    line = next(ln for ln in text.splitlines() if "一、本年新收" in ln)
    assert "见附件" in line and "…" in line and "很长很长" not in line
    assert " a b c " in line
    assert "  - first line second line" in text.splitlines()
    assert " 总体 情况 " in text


def test_money_and_signed_values() -> None:
    report = build("2019")
    fees = report.cell("active_disclosure", "fees", "change", item="20.8")
    amount = report.cell("active_disclosure", "procurement", "amount", item="20.9")
    assert fees is not None and amount is not None
    fees.value, fees.raw = -3, "-3"
    amount.value, amount.raw = 79.05, "790500元"
    block = table_block(render_summary(report), "active_disclosure")
    assert row_values(block, "行政事业性收费")[1] == "-3"
    assert row_values(block, "政府集中采购")[1] == "79.05"


def test_cells_outside_the_layout_are_listed_not_dropped() -> None:
    report = build("2021")
    report.tables["active_disclosure"].append(Cell("procurement", "items", 3, "3", item="20.9"))
    report.tables["requests"].append(Cell("new", "total", 99, "99"))  # duplicate of a shown cell
    text = render_summary(report)
    tail = text.split("Cells outside")[1]
    assert "procurement items = 3" in tail
    assert "new total = 99" in tail


def test_template_unknown_is_guessed_from_the_cells() -> None:
    report = build("2019")
    report.template = None
    text = render_summary(report)
    assert "laid out in the 2019 format" in text
    assert "第二十条第（九）项" in text
    report = build("2021")
    report.template = None
    assert "laid out in the 2021 format" in render_summary(report)


# --- checks and warnings ----------------------------------------------------------------------


def test_failed_checks_and_warnings_listed() -> None:
    report = build("2021")
    report.checks = [
        Check("requests.balance", False, "total: new 713 + carried_over 36 ≠ total 700 + carried_forward 40"),
        Check("requests.columns_sum", True, "all rows add up"),
        Check("review_litigation.group_sum", False, "review: 0+0+0+0 ≠ 1"),
    ]
    report.warnings = ["requests: row 其他处理 placed by official order", "title not found"]
    text = render_summary(report)
    checks = text.split("Checks:")[1]
    assert "3 evaluated, 2 failed" in checks
    assert "FAILED requests.balance: total: new 713 + carried_over 36 ≠ total 700 + carried_forward 40" in checks
    assert "FAILED review_litigation.group_sum: review: 0+0+0+0 ≠ 1" in checks
    assert "FAILED requests.columns_sum" not in checks
    warnings = text.split("Warnings (2)")[1].splitlines()
    assert warnings[1:] == ["  - requests: row 其他处理 placed by official order", "  - title not found"]


# --- property: alignment holds for any printed text ------------------------------------------

_PRINTABLE = st.characters(categories=("L", "N", "P", "S", "Zs"))


@settings(max_examples=60, deadline=None)
@given(
    raws=st.lists(st.text(_PRINTABLE, max_size=14), min_size=1, max_size=30),
    heading=st.text(_PRINTABLE, max_size=30),
    template=st.sampled_from(TEMPLATES),
)
def test_alignment_holds_for_any_raw_text(raws: list[str], heading: str, template: str) -> None:
    report = build(template)
    cells = [c for table in report.tables.values() for c in table]
    for cell, raw in zip(cells, raws, strict=False):
        cell.value, cell.raw = None, raw
    report.sections[0].heading = heading
    assert_aligned(render_summary(report))
