"""The contract's codes and the official labels they stand for (../shared/schema/REPORT-SCHEMA.md).

Everything that names a row, a column, an item or a group lives here, once, so the parser,
the archive's label tables and the test generators all speak the same codes.
Labels are the official simplified wording of the State Council templates. How the tables are
laid out when printed (numbering, header labels, titles, the （六）其他处理 rule) is printed.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATES = ("2019", "2021")


@dataclass(frozen=True, slots=True)
class ActiveRow:
    """One row of the proactive-disclosure table (第二十条) and the columns it carries."""

    item: str
    row: str
    label: str
    columns: tuple[str, ...]


# --- active_disclosure (二、主动公开政府信息情况) -------------------------------------------

ACTIVE_COLUMN_LABELS: dict[str, str] = {
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "previous_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "amount": "本年收费金额（万元）",
    "items": "采购项目数量",
}

ITEM_LABELS: dict[str, str] = {
    "20.1": "第二十条第（一）项",
    "20.5": "第二十条第（五）项",
    "20.6": "第二十条第（六）项",
    "20.8": "第二十条第（八）项",
    "20.9": "第二十条第（九）项",
}

_COUNTS_2019 = ("made", "published", "total_published")
_ITEMS_2019 = ("previous_items", "change", "decisions")
_COUNTS_2021 = ("issued", "repealed", "in_force")

ACTIVE_ROWS: dict[str, tuple[ActiveRow, ...]] = {
    "2019": (
        ActiveRow("20.1", "regulations", "规章", _COUNTS_2019),
        ActiveRow("20.1", "normative_documents", "规范性文件", _COUNTS_2019),
        ActiveRow("20.5", "licensing", "行政许可", _ITEMS_2019),
        ActiveRow("20.5", "other_services", "其他对外管理服务事项", _ITEMS_2019),
        ActiveRow("20.6", "penalty", "行政处罚", _ITEMS_2019),
        ActiveRow("20.6", "coercion", "行政强制", _ITEMS_2019),
        ActiveRow("20.8", "fees", "行政事业性收费", ("previous_items", "change")),
        ActiveRow("20.9", "procurement", "政府集中采购", ("items", "amount")),
    ),
    "2021": (
        ActiveRow("20.1", "regulations", "规章", _COUNTS_2021),
        ActiveRow("20.1", "normative_documents", "行政规范性文件", _COUNTS_2021),
        ActiveRow("20.5", "licensing", "行政许可", ("decisions",)),
        ActiveRow("20.6", "penalty", "行政处罚", ("decisions",)),
        ActiveRow("20.6", "coercion", "行政强制", ("decisions",)),
        ActiveRow("20.8", "fees", "行政事业性收费", ("amount",)),
    ),
}

# Columns whose values are money, always reported in 万元.
MONEY_COLUMNS = frozenset({"amount"})


# --- requests (三、收到和处理政府信息公开申请情况) ----------------------------------------------

REQUEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("public_interest", "社会公益组织"),
    ("legal_services", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)
# The five columns printed under the merged header 法人或其他组织 (printed.ORG_PARENT_LABEL).
ORG_COLUMNS = ("commercial", "research", "public_interest", "legal_services", "other_org")

# Group rows carry no numbers; they give context to the numbered rows beneath them.
REQUEST_GROUPS: dict[str, str] = {
    "outcomes": "三、本年度办理结果",
    "denied": "（三）不予公开",
    "unable": "（四）无法提供",
    "refused": "（五）不予处理",
    "other_group": "（六）其他处理",
}

# (code, label as printed without its numbering, group it sits under or None)
REQUEST_ROWS_COMMON_HEAD: tuple[tuple[str, str, str | None], ...] = (
    ("new", "本年新收政府信息公开申请数量", None),
    ("carried_over", "上年结转政府信息公开申请数量", None),
    ("granted", "予以公开", "outcomes"),
    ("partly_granted", "部分公开（区分处理的，只计这一情形，不计其他情形）", "outcomes"),
    ("denied_state_secret", "属于国家秘密", "denied"),
    ("denied_prohibited", "其他法律行政法规禁止公开", "denied"),
    ("denied_security", "危及“三安全一稳定”", "denied"),
    ("denied_third_party", "保护第三方合法权益", "denied"),
    ("denied_internal", "属于三类内部事务信息", "denied"),
    ("denied_process", "属于四类过程性信息", "denied"),
    ("denied_enforcement_file", "属于行政执法案卷", "denied"),
    ("denied_query", "属于行政查询事项", "denied"),
    ("unable_not_held", "本机关不掌握相关政府信息", "unable"),
    ("unable_needs_creation", "没有现成信息需要另行制作", "unable"),
    ("unable_unclear", "补正后申请内容仍不明确", "unable"),
    ("refused_petition", "信访举报投诉类申请", "refused"),
    ("refused_repeat", "重复申请", "refused"),
    ("refused_publication", "要求提供公开出版物", "refused"),
    ("refused_excessive", "无正当理由大量反复申请", "refused"),
    ("refused_confirmation", "要求行政机关确认或重新出具已获取信息", "refused"),
)
REQUEST_ROW_OTHER_2019 = ("other", "其他处理", "outcomes")
REQUEST_ROWS_OTHER_2021 = (
    ("other_no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_group"),
    ("other_no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_group"),
    ("other_other", "其他", "other_group"),
)
REQUEST_ROWS_TAIL: tuple[tuple[str, str, str | None], ...] = (
    ("total", "总计", "outcomes"),
    ("carried_forward", "结转下年度继续办理", None),
)

REQUEST_ROWS: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "2019": (*REQUEST_ROWS_COMMON_HEAD, REQUEST_ROW_OTHER_2019, *REQUEST_ROWS_TAIL),
    "2021": (*REQUEST_ROWS_COMMON_HEAD, *REQUEST_ROWS_OTHER_2021, *REQUEST_ROWS_TAIL),
}
# Every row that counts as an outcome (summed into `total` by requests.outcomes_sum).
OUTCOME_ROWS = frozenset(
    code for code, _label, group in (*REQUEST_ROWS["2019"], *REQUEST_ROWS["2021"])
    if group is not None and code != "total"
)

# --- review_litigation (四、政府信息公开行政复议、行政诉讼情况) ------------------------------

REVIEW_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
)
REVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)


# --- sections ----------------------------------------------------------------------------

SECTION_KINDS: tuple[tuple[str, str], ...] = (
    ("overview", "总体情况"),
    ("active_disclosure", "主动公开政府信息情况"),
    ("requests", "收到和处理政府信息公开申请情况"),
    ("review_litigation", "行政复议、行政诉讼情况"),
    ("problems", "存在的主要问题及改进情况"),
    ("other", "其他需要报告的事项"),
)
EXTRA_SECTION_KIND = "extra"

TABLE_NAMES = ("active_disclosure", "requests", "review_litigation")
