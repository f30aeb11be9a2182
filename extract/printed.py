"""How the official tables are printed: one home for every renderer of the three tables.

The codes and the labels the parser matches live in codes.py; this module holds what a reader of
the tables sees beyond them: the order of the rows (and the （六）其他处理 rule of a 2021 report),
their printed numbering, the column and header labels, the table titles, the documents that define
each template and the labels of the check rules. The terminal summary (nianbao/summary.py), the
report page (archive/datasette/layout.py) and the archive's label tables (archive/schema.py) all
read it, so they cannot drift apart again (they did: the page once dropped a printed 其他处理).
"""

from __future__ import annotations

from collections.abc import Collection

from . import codes

# The official document that defines each template (codes.TEMPLATES names them by year only).
TEMPLATE_DOCUMENTS: dict[str, str] = {
    "2019": "国办公开办函〔2019〕60号",
    "2021": "国办公开办函〔2021〕30号",
}

# Each table's title as printed, with its part numbering.
TABLE_TITLES: dict[str, str] = {
    "active_disclosure": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}

# Each consistency rule of checks.py: the table it reads and what it says, in Chinese.
CHECK_RULE_LABELS: dict[str, tuple[str, str]] = {
    "requests.balance": ("requests", "本年新收 + 上年结转 = 总计 + 结转下年度继续办理（各列）"),
    "requests.outcomes_sum": ("requests", "总计 = 各项办理结果之和（各列）"),
    "requests.columns_sum": ("requests", "总计列 = 六类申请人之和（各行）"),
    "review_litigation.group_sum": ("review_litigation", "总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结（各组）"),
}

# --- active_disclosure -------------------------------------------------------------------

ACTIVE_ROW_HEADER = "信息内容"  # the label column's header in every item block
# The procurement amount shares the code `amount` with the 2021 fee amount; its label differs.
PROCUREMENT_AMOUNT_LABEL = "采购总金额（万元）"
DECISIONS_2021_LABEL = "本年处理决定数量"


def active_column_label(template: str, row: str, column: str) -> str:
    """A column's header as printed above that row in that template."""
    if column == "amount" and row == "procurement":
        return PROCUREMENT_AMOUNT_LABEL
    if column == "decisions" and template == "2021":
        return DECISIONS_2021_LABEL
    return codes.ACTIVE_COLUMN_LABELS.get(column, column)


# --- requests ----------------------------------------------------------------------------

REQUESTS_CORNER = "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"
APPLICANTS_LABEL = "申请人情况"
# The five columns printed under the merged header 法人或其他组织.
ORG_PARENT_LABEL = "法人或其他组织"

# The printed numbering of each row.
REQUEST_ROW_NUMBERING: dict[str, str] = {
    "new": "一、", "carried_over": "二、", "granted": "（一）", "partly_granted": "（二）",
    "denied_state_secret": "1.", "denied_prohibited": "2.", "denied_security": "3.",
    "denied_third_party": "4.", "denied_internal": "5.", "denied_process": "6.",
    "denied_enforcement_file": "7.", "denied_query": "8.",
    "unable_not_held": "1.", "unable_needs_creation": "2.", "unable_unclear": "3.",
    "refused_petition": "1.", "refused_repeat": "2.", "refused_publication": "3.",
    "refused_excessive": "4.", "refused_confirmation": "5.",
    "other": "（六）", "other_no_correction": "1.", "other_no_fee": "2.", "other_other": "3.",
    "total": "（七）", "carried_forward": "四、",
}

RequestRow = tuple[str, str, str | None]  # (code, label without numbering, group or None)


def request_rows(template: str, printed_rows: Collection[str]) -> list[RequestRow]:
    """The requests rows of that template in printed order, given the row codes the report printed.

    A 2021 report prints （六）其他处理 either split into three rows or as one row (`other`), and a
    few print both: the one row first, then its split rows. Whatever was printed is laid out, so no
    figure is ever dropped; a 2019 report has only the one row."""
    rows = list(codes.REQUEST_ROWS[template])
    if template != "2021" or codes.REQUEST_ROW_OTHER_2019[0] not in printed_rows:
        return rows
    split = list(codes.REQUEST_ROWS_OTHER_2021)
    at = rows.index(split[0])
    keep_split = any(code in printed_rows for code, _label, _group in split)
    rows[at : at + len(split)] = [codes.REQUEST_ROW_OTHER_2019, *(split if keep_split else [])]
    return rows


# --- review_litigation -------------------------------------------------------------------

LITIGATION_PARENT_LABEL = "行政诉讼"


# --- which template's layout ---------------------------------------------------------------


def layout_template(template: str | None, active_columns: Collection[str],
                    request_rows_read: Collection[str]) -> tuple[str, bool]:
    """(template whose layout to draw, whether it was guessed): the report's own template, else the
    one whose columns or rows only it has were read, else the newest."""
    if template is not None and template in codes.TEMPLATES:
        return template, False
    columns = {t: {col for r in codes.ACTIVE_ROWS[t] for col in r.columns} for t in ("2019", "2021")}
    split = {code for code, _label, _group in codes.REQUEST_ROWS_OTHER_2021}
    if set(active_columns) & (columns["2021"] - columns["2019"]) or set(request_rows_read) & split:
        return "2021", True
    if set(active_columns) & (columns["2019"] - columns["2021"]):
        return "2019", True
    return codes.TEMPLATES[-1], True
