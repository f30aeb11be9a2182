"""Title, reporting body, year covered and publication date.

Sources in order of trust: the portal's metadata block, the report's own title, the sentence that
states the statistics period, the opening sentence. `year` is the year covered, never the year of
publication; `published` comes only from a stated date (a 发布日期 field, or a date line printed as
the document's date under its title or after its signature), never from the first date in the body.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from .dates import DATE, period_start_year, year_by_evidence
from .normalize import fold

_TITLE_CORE = re.compile(r"政府信息公开.{0,8}?(?:年度报告|年报|工作报告)")
_REPORT_SUFFIX = re.compile(
    r"(?:关于)?(?:\d{4}年度?)?(?:的)?政府信息公开.{0,8}?(?:年度报告|年报|工作报告).*$"
)
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE_LINE = re.compile(r"^[\s(（]*" + DATE.pattern + r"[\s)）]*$")  # a date alone on its line
_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)(度)?")

# Metadata block keys as portals and savers print them (simplified), and what they feed.
_META_KEYS = {
    "标题": "title", "文件名称": "title", "名称": "title", "题名": "title",
    "发布机构": "agency", "发文机关": "agency", "发布单位": "agency", "发文单位": "agency", "公开主体": "agency",
    "发布机关": "agency", "信息来源": "source", "来源": "source", "单位": "source",
    "发布日期": "published", "发布时间": "published", "公开日期": "published", "公开时间": "published",
    "成文日期": "written", "发文日期": "written", "生成日期": "written", "日期": "published",
}
_META_LINE = re.compile(r"(" + "|".join(sorted(map(re.escape, _META_KEYS), key=len, reverse=True))
                        + r")\s*[:：]\s*\|?\s*([^|]*)")
_ORG_SUFFIX = (
    r"(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|街道办事处|办事处|管理委员会|委员会|管委会|管理局|"
    r"服务中心|中心|局|委|厅|署|院|馆|所|站|队|社|办|镇|乡|街道|高新区|开发区|新区)"
)
_OPENING = re.compile(
    r"^([\u4e00-\u9fa5()（）]{2,30}?" + _ORG_SUFFIX + r")(?:始终|坚持|深入|认真|全面|紧紧|严格|按照|依据|根据|"
    r"积极|以|在|高度|围绕|持续|进一步|扎实|不断|切实|坚决|贯彻|落实|聚焦|强化|着力|主动|大力|共)"
)
_ORG_NAME = re.compile(r"[\u4e00-\u9fa5()（）]{2,30}?" + _ORG_SUFFIX)
# Word's hidden bookmarks and field codes that leak into saved text: `[bookmark: _GoBack]`.
_WORD_DEBRIS = re.compile(r"^(?:\[[A-Za-z][^\]]{0,40}\])+")
_INTRO = re.compile(
    r"(?:现将|现就|现向社会公布|本报告由|特?公布)(?:(?:19|20)\d{2}年度?)?([\u4e00-\u9fa5()（）]{2,30}?" + _ORG_SUFFIX
    + r")(?:(?:19|20)\d{2}年度?)?(?:的)?(?:政府信息公开|编制)"
)


def _no_space(text: str) -> str:
    """Whitespace removed: split and join in C, the same characters as the regex `\\s` (checked on
    every code point), at a fraction of a substitution's cost."""
    return "".join(text.split())


def _has_field(text: str) -> bool:
    """Could the line hold a `key: value` field? Each one has a colon; most lines have none."""
    return ":" in text or "：" in text


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: str | None = None


def parse_meta_lines(lines: list[str]) -> dict[str, str]:
    """`发布日期:2021-01-08`, `索引号: | … | 公开日期: | 2020-02-13 |` → {canonical key: value}."""
    out: dict[str, str] = {}
    for line in lines:
        if not _has_field(line):
            continue
        for m in _META_LINE.finditer(fold(line)):
            key = _META_KEYS[m.group(1)]
            value = m.group(2).strip().strip("|").strip()
            if value and key not in out:
                out[key] = value
    return out


def normalise_meta(meta: Mapping[str, str]) -> dict[str, str]:
    """A reader's metadata block (Chinese keys) → the canonical keys used here."""
    out: dict[str, str] = {}
    for k, v in meta.items():
        key = _META_KEYS.get(k.strip().rstrip(":："))
        if key and v.strip() and key not in out:
            out[key] = v.strip()
    return out


_SITE_DASHES = "-_|—–"
_SITE_SUFFIX = re.compile(r"((?:年度报告|年报|工作报告|报告)(?:\((?:图片版|全文|文字版)\))?)\s*[-_|—–]+[^-_|—–]{1,30}$")


def clean_title(text: str) -> str:
    """The title as printed, without spaces, markup or a portal's `-站点名` suffix."""
    t = _no_space(fold(text)).strip("#*|:：")
    if any(dash in t for dash in _SITE_DASHES):  # (the suffix follows a dash)
        t = _SITE_SUFFIX.sub(r"\1", t)
    return t.replace("(", "（").replace(")", "）") if "(" in t else t


def is_title_line(text: str) -> bool:
    """Does the line read as a report's title (政府信息公开…年度报告, not too long)?"""
    return bool(_TITLE_CORE.search(_no_space(fold(text)))) and len(text) <= 90


def find_title(head: list[str], meta: Mapping[str, str]) -> str | None:
    """The report's own title: the metadata block's, else a title line (or two) before section 一."""
    if meta.get("title") and is_title_line(meta["title"]):
        return clean_title(meta["title"])
    for i, line in enumerate(head):
        text = line.strip().strip("#* ")
        if not text or (_has_field(text) and _META_LINE.search(fold(text))):
            continue
        if is_title_line(text) and len(_no_space(text)) <= 60:
            return clean_title(text)
        # A title broken over two lines: `东风区…办事处2020年` / `政府信息公开工作年度报告`.
        if i + 1 < len(head) and len(text) <= 40:
            joined = text + head[i + 1].strip().strip("#* ")
            if is_title_line(joined) and len(_no_space(joined)) <= 60 and not is_title_line(text):
                return clean_title(joined)
    return None


_LEADING_YEAR = re.compile(r"^(?:(?:19|20)\d{2}年度?)")
_TRAILING_YEAR = re.compile(r"(?:19|20)\d{2}年度?$")
_HAN = re.compile(r"[\u4e00-\u9fa5]")


def agency_from_title(title: str) -> str | None:
    t = _REPORT_SUFFIX.sub("", _no_space(fold(title)))
    t = _LEADING_YEAR.sub("", t)
    t = _TRAILING_YEAR.sub("", t).strip("（）()【】[]:：-—_ ")
    if 2 <= len(t) <= 40 and _HAN.search(t):
        return t.replace("(", "（").replace(")", "）")
    return None


def agency_from_text(paragraphs: list[str]) -> str | None:
    """An agency named where a report names itself: `现将X2023年政府信息公开…`, or a first sentence
    that opens with the body's name (`临翔区政务服务管理局始终坚持…`)."""
    for p in paragraphs:
        m = _INTRO.search(_no_space(fold(p)))
        if m:
            return m.group(1)
    for p in paragraphs:
        m = _OPENING.match(_WORD_DEBRIS.sub("", _no_space(fold(p))))
        if m and not re.match(r"(?:19|20)\d{2}", m.group(1)):
            return m.group(1)
    return None


def agency_from_source(source: str | None) -> str | None:
    """`来源：章贡区财政局` names the agency when it is an organisation (not 本网, not a newspaper)."""
    if not source:
        return None
    t = _no_space(fold(source))
    return t if _ORG_NAME.fullmatch(t) else None


def iso_date(text: str) -> str | None:
    """The first date printed in `text` as YYYY-MM-DD, if its month and day can be."""
    m = DATE.search(fold(text))
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def stated_date(head: list[str], tail: list[str]) -> str | None:
    """A date printed alone on a line as the document's date: under the title, or after the signature."""
    for line in [*head, *reversed(tail)]:
        m = _DATE_LINE.match(fold(line).strip())
        if m:
            return iso_date(line)
    return None


def year_covered(title: str | None, folded_text: str, published: str | None, overview: str | None) -> int | None:
    """Title → statistics-period sentence → publication year − 1 (dates.year_by_evidence) → the year the
    overview talks about."""
    m = _YEAR_IN_TITLE.search(fold(title)) if title else None
    year = year_by_evidence(int(m.group(1)) if m else None, lambda: period_start_year(folded_text),
                            int(published[:4]) if published else None)
    if year is not None or not overview:
        return year
    counts: Counter[int] = Counter()
    for m in _YEAR_MENTION.finditer(fold(overview[:3000])):
        counts[int(m.group(1))] += 2 if m.group(2) else 1
    if counts:
        top = max(counts.values())
        return max(y for y, c in counts.items() if c == top)
    return None


def find_metadata(head: list[str], tail: list[str], folded_text: str, overview: str | None,
                  opening: list[str], meta: Mapping[str, str] | None = None) -> Metadata:
    """All four fields. `head` = lines before section 一, `tail` = the last lines, `opening` = the
    first paragraphs (intro and overview) where a report names itself; `folded_text` = the whole
    text after fold()."""
    block = dict(parse_meta_lines(head))
    if meta:
        block.update(normalise_meta(meta))
    title = find_title(head, block)
    agency = (agency_from_title(title) if title else None) or block.get("agency") \
        or agency_from_text(opening) or agency_from_source(block.get("source"))
    published = iso_date(block["published"]) if block.get("published") else None
    if published is None and block.get("written"):
        published = iso_date(block["written"])
    if published is None:
        published = stated_date(head, tail)
    year = year_covered(title, folded_text, published, overview)
    return Metadata(title, agency.strip() if agency else None, year, published)
