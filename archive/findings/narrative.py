"""Numbers the narrative states for figures the tables also hold (pure text analysis, no database).

Why conservative: a mismatch is published as a finding against a government body, so only a number
the sentence unmistakably gives for this body, this year and this figure is read. A clause that
speaks, before the number, of another period (上年, 2019年 in a 2020 report, 同比, 结转) or of other
bodies (全市, 各部门,
所属单位) is skipped, not guessed at.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# figure → (pattern with one number group, what it is compared with)
FIGURES: dict[str, tuple[re.Pattern[str], str]] = {
    "requests_new": (re.compile(
        r"(?:收到|受理|新收|接收|收悉)(?:了)?(?:各类|群众|公民、法人(?:和|或)其他组织(?:提出)?的?)?"
        r"(?:政府信息公开|信息公开|依申请公开)?申请(?:数量|总数)?(?:共计|共|总计|合计|累计)?(?:为|是|达)?"
        r"(\d+)(?:件|条|份|个|宗|起|次)"), "requests/new/total"),
    "reviews": (re.compile(
        r"行政复议(?:案件|申请)?(?:共计|共|合计)?(?:为)?(\d+)(?:件|起|宗|个|次)"), "review_litigation/review/total"),
    "lawsuits": (re.compile(
        r"行政诉讼(?:案件)?(?:共计|共|合计)?(?:为)?(\d+)(?:件|起|宗|个|次)"),
        "review_litigation/litigation_direct+litigation_after_review/total"),
    "normative_documents_issued": (re.compile(
        r"(?:制发|印发|出台|制定)(?:了)?(?:行政)?规范性文件(?:共计|共)?(\d+)(?:件|个|份)"),
        "active_disclosure/20.1/normative_documents/issued"),
    "licensing_decisions": (re.compile(
        r"(?:作出|办理|办结)(?:了)?行政许可(?:决定|事项)?(?:共计|共)?(\d+)(?:件|个|项|次)"),
        "active_disclosure/20.5/licensing/decisions"),
    "penalty_decisions": (re.compile(
        r"(?:作出|办理|办结|实施)(?:了)?行政处罚(?:决定|案件)?(?:共计|共)?(\d+)(?:件|个|起|宗|次)"),
        "active_disclosure/20.6/penalty/decisions"),
}

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")
# Cheap test first: a sentence without a digit and one of these words states none of the figures.
_CUES = re.compile(r"(?=.*[0-9０-９])(?=.*(?:申请|复议|诉讼|规范性文件|许可|处罚))", re.S)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_OTHER_PERIOD = re.compile(r"上年|去年|上一年|前年|上年度|同比|较上|比上|环比|结转|增加|减少|下降|增长|历年|"
                           r"累计至|截至")
_OTHER_BODY = re.compile(r"全市|全县|全区|全省|全州|全盟|全旗|全镇|全乡|各级|各部门|各单位|各乡|各镇|各街道|各县|各区|"
                         r"所属|下属|系统内|全系统|各地|各市|其中")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


@dataclass(frozen=True)
class Statement:
    """A number the narrative gives for a figure: the sentence it stands in, exactly as printed."""

    figure: str
    value: int
    sentence: str
    confident: bool  # False: the clause names another period or body; never compared
    reason: str = ""


def normalise(text: str) -> str:
    """Full-width digits and punctuation folded (NFKC), 10,087 → 10087."""
    return _THOUSANDS.sub("", unicodedata.normalize("NFKC", text))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _doubt(sentence: str, start: int, year: int | None) -> str:
    """Why the number at `start` may not be this body's figure for this year ('' when it is)."""
    before = sentence[:start]
    if year is not None:
        for y in _YEAR.finditer(sentence):
            if int(y.group(1)) != year:
                return f"names {y.group(1)}"
    if period := _OTHER_PERIOD.search(before):
        return f"another period ({period.group(0)})"
    if body := _OTHER_BODY.search(before):
        return f"another body ({body.group(0)})"
    return ""


def statements(text: str, year: int | None) -> list[Statement]:
    """Every figure-number statement of the text, each with whether it may be compared."""
    out: list[Statement] = []
    for printed in sentences(text):
        if not _CUES.match(printed):
            continue
        sentence = normalise(printed)
        for figure, (pattern, _cell) in FIGURES.items():
            for m in pattern.finditer(sentence):
                reason = _doubt(sentence, m.start(), year)
                out.append(Statement(figure, int(m.group(1)), printed, not reason, reason))
    return out
