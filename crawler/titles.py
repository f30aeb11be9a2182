"""Recognising annual-report titles, rejecting look-alikes, and reading agency and year off a title.

Why a module of its own: a 年报 column mixes news, 一图读懂, 解读, 指南, website work tables and
公积金 reports with the real thing; every dialect and every entry kind must judge titles the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extract.script import to_simplified

# A report names 政府信息公开 and an annual report; 年报 alone counts when it follows 信息公开.
_REPORT = re.compile(r"(政务|政府)?信息公开(工作)?(年度)?(工作)?(报告|年报)|信息公开年报|政府信息公开.{0,6}年度报告")
# Look-alikes that name the same words but are not reports.
_DECOY = re.compile(
    r"指南|制度|解读|图解|一图|读懂|图说|问答|网站.{0,6}报表|网站.{0,4}年度.{0,2}报告|报表|公积金|编制|通知|工作要点"
    r"|考核|培训|会议|工作会|情况通报|征集|意见|方案|办法|规定|目录|专栏|汇总|自查|整改"
)
_COLUMN_WORDS = re.compile(r"(信息)?公开(工作)?年(度)?报|年度报告|年报")
COLUMN_URL = re.compile(r"(zfxxgk)?(xxgk)?nb(?![a-z])|gknb|ndbg|xxgknb|zfxxgknb|annualreport|frame=nb", re.IGNORECASE)
_YEAR = r"((?:19|20)\d{2})"
_YEARS = re.compile(rf"{_YEAR}(?:\s*年)?(?:度)?\s*(?:[-—－~至、和及与]\s*{_YEAR})?\s*年")
_SUFFIX = re.compile(r"[（(](图片版|超链版|文字版|全文|附件|PDF版|word版|修订版|更正版)[)）]", re.IGNORECASE)
# A file name as link text (`…年度报告.pdf` on 汇总 pages that link the files themselves).
_FILE_EXT = re.compile(r"\.(pdf|docx?|wps|ofd|xlsx?|rtf|jpe?g|png|zip)$", re.IGNORECASE)


def normalize(title: str) -> str:
    """Simplified script, half-width digits, no spaces, underscores or quotes: what the patterns read."""
    text = unicodedata.normalize("NFKC", title or "")
    text = to_simplified(text)
    text = re.sub(r"[\s_\u3000《》“”\"'·]+", "", text)
    return text.removesuffix("...").removesuffix("…")


def is_report_title(title: str) -> bool:
    """True for `{机关}{YYYY}年政府信息公开工作年度报告` and its variants; False for decoys and news."""
    text = _FILE_EXT.sub("", normalize(title))
    if not _REPORT.search(text) or _DECOY.search(_SUFFIX.sub("", text)):
        return False
    facts = title_facts(title)
    if not facts.years and not facts.agency:  # "政府信息公开年报": a column's name, not one report
        return False
    # News about the report ("召开…年度报告工作会", "关于…的报告" with a verb) rarely ends with the name.
    return bool(re.search(r"(报告|年报)(全文)?$", _SUFFIX.sub("", text)))


def is_column_link(text: str, url: str) -> bool:
    """A link to a 年报 column or a per-year hub rather than to one report."""
    name = normalize(text)
    if is_report_title(text) and re.search(_YEAR, name) and not re.search(r"汇总|专栏|专题", name):
        return False
    if re.search(r"解读|指南|图解|一图|读懂|图说|报表|公积金|通知|编制", name):
        return False
    return bool(_COLUMN_WORDS.search(name) or (COLUMN_URL.search(url) and len(name) <= 16 and "年" in name))


@dataclass(frozen=True, slots=True)
class TitleFacts:
    """What a title says: the agency (may be empty), the years it covers, and the 图片版-style suffix."""

    agency: str
    years: tuple[int, ...]
    suffix: str | None

    @property
    def year(self) -> int | None:
        """The report year; a combined report for two years counts as the later one."""
        return max(self.years) if self.years else None


def title_facts(title: str) -> TitleFacts:
    text = normalize(title)
    suffix_match = _SUFFIX.search(text)
    suffix = suffix_match.group(1) if suffix_match else None
    text = _SUFFIX.sub("", text)
    years: tuple[int, ...] = ()
    agency = ""
    m = _YEARS.search(text)
    if m:
        first, second = int(m.group(1)), int(m.group(2)) if m.group(2) else None
        years = tuple(range(first, second + 1)) if second and 0 < second - first <= 3 else (first,)
        before, after = text[: m.start()], text[m.end():]
        agency = before or re.split(r"(政务|政府)?信息公开|关于", after, maxsplit=1)[0]
    else:
        agency = re.split(r"(政务|政府)?信息公开", text, maxsplit=1)[0]
    agency = re.sub(r"^(关于|公开|度)|(关于|的)$", "", agency.strip("-—：:，,、"))
    return TitleFacts(agency=agency, years=years, suffix=suffix)
