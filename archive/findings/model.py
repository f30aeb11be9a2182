"""What a finding is, and the codes the archive knows (their labels feed the `flag_codes` table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# code → (label shown to readers, the rule it applies)
FLAG_CODES: dict[str, tuple[str, str]] = {
    "late": ("逾期发布", "条例第四十九条: 部门1月31日前、本级政府3月31日前; 乡镇等按省规定 (deadlines.tsv)"),
    "timeliness_unknown": ("发布日期不明", "报告、网页均未给出可用的发布日期, 也无抓取记录可证明"),
    "continuity_requests": ("结转数前后不一", "上年报告的结转下年度继续办理 = 本年报告的上年结转 (各列)"),
    "continuity_active": ("现行有效件数前后不一",
                          "上年现行有效件数 + 本年制发件数 − 本年废止件数 = 本年现行有效件数 (2021格式)"),
    "narrative_mismatch": ("正文与表格数字不符", "正文明确给出的数字 = 表格中同一数字"),
    "copied_section": ("章节雷同", "同一章节与本机关上年报告或同年其他机关报告近乎相同 (≥200字)"),
    "zero_tables": ("申请表全为零", "申请情况表全部为0或空白, 而正文说收到了申请"),
    "edited_after_publication": ("发布后修改", "同一网页的后续版本改动了数字或正文"),
    "taken_down": ("已撤下", "报告网页后来返回404或跳转到首页; 存档保留原件"),
}


@dataclass(frozen=True)
class Flag:
    """One finding on one current report, with the evidence a reader needs to check it."""

    report_id: str
    code: str
    detail: str  # one line: what was found, with the numbers
    evidence: dict[str, Any] = field(default_factory=dict)  # cells, sentences, dates, the other report
    other_report_id: str | None = None  # the report it was compared with (continuity, copies, versions)

