"""The report's numbered top-level parts (一、… 七、) and what kind of part each one is.

The requests table prints row labels that look exactly like top-level headings
(一、本年新收…, 二、上年结转…, 三、本年度办理结果, 四、结转下年度继续办理); they are recognised by
their wording and skipped, and headings must follow one another in number order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .normalize import cn_number, label_key

_HEADING = re.compile(
    r"^[\s#>*]*(?:第)?(?P<num>[一二三四五六七八九十]{1,3})\s*(?:[、.,，:：．]|部分)\s*(?P<text>.*?)[\s*]*$"
)
# Wording of the requests table's own 一、二、三、四、 rows: never a section heading.
_TABLE_ROW_WORDS = ("新收", "结转", "本年度办理结果")
# …and a bare `三、办理结果`, which a part like `七、人大代表建议和政协提案办理结果公开情况` merely contains.
_TABLE_ROW_STARTS = ("办理结果",)
_MAX_HEADING = 60
_ROW_OF_NUMBERS = re.compile(r"(?:\s\d+){2,}\s*$")

# Kind by keywords, most specific first (a review heading mentions 申请; a heading 政府信息公开总体情况
# mentions 公开).
_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("other", ("其他需要报告", "其他需报告", "其他事项", "需要报告的事项", "其他需要说明")),
    ("review_litigation", ("复议", "诉讼")),
    ("requests", ("收到和处理", "依申请", "申请情况", "公开申请")),
    ("active_disclosure", ("主动公开",)),
    ("problems", ("存在的主要问题", "存在问题", "主要问题", "改进情况", "整改", "问题及")),
    ("overview", ("总体情况", "概述", "基本情况", "总体")),
)
STANDARD_ORDER = ("overview", "active_disclosure", "requests", "review_litigation", "problems", "other")


@dataclass(slots=True)
class Heading:
    line: int
    number: int
    kind: str
    heading: str


@lru_cache(maxsize=4096)
def classify(heading: str) -> str | None:
    """The standard part a heading names, or None for a part a report adds."""
    for kind, words in _KINDS:
        if any(w in heading for w in words):
            return kind
    return None


@lru_cache(maxsize=8192)
def heading_of(line: str) -> tuple[int, str] | None:
    """(number, heading text) when the line reads as a top-level heading. Cached: most reports
    print the same standard headings."""
    m = _HEADING.match(line)
    if not m:
        return None
    number = cn_number(m["num"])
    text = m["text"].strip(" :：。.;；")
    if number is None or not text or len(text) > _MAX_HEADING or "|" in text or "\t" in text:
        return None
    key = label_key(text)
    if not key or any(w in key for w in _TABLE_ROW_WORDS) or key.startswith(_TABLE_ROW_STARTS):
        return None
    if _ROW_OF_NUMBERS.search(text):  # a table row printed on one line
        return None
    return number, text


# A line that starts like a heading. Searched as "a newline, then …" so that the regex engine jumps
# from newline to newline instead of trying `^` at every character; the first line is matched alone.
# Possessive repeats (`*+`): what follows each run can never be part of it, so giving characters
# back cannot help, and a line of Word text (`\t0`) or an indented paragraph fails at once.
_QUICK_FIRST = re.compile(r"[ \t#>*]*+第?[一二三四五六七八九十]{1,3}+[ \t]*+(?:[、.,，:：．]|部分)")
_QUICK = re.compile(r"\n" + _QUICK_FIRST.pattern)


def _candidate_lines(lines: list[str], text: str | None = None) -> list[int]:
    """Numbers of the lines that start like a heading, found by one regex scan of the whole text."""
    if text is None:
        text = "\n".join(lines)
    out: list[int] = [0] if _QUICK_FIRST.match(text) else []
    line, pos = 0, 0
    for m in _QUICK.finditer(text):
        at = m.start() + 1  # where the line starts, after its newline
        line += text.count("\n", pos, at)
        pos = at
        out.append(line)
    return out


def find_headings(lines: list[str], text: str | None = None) -> list[Heading]:
    """Top-level headings in order: numbers go 1, 2, 3 …; one lost heading may be skipped.

    `text` is "\n".join(lines) when the caller already has it."""
    out: list[Heading] = []
    expected = 1
    seen_kinds: set[str] = set()
    for no in _candidate_lines(lines, text):
        cand = heading_of(lines[no])
        if cand is None:
            continue
        number, text = cand
        kind = classify(text)
        # A heading lost in extraction may be skipped when the next one is where the template puts it.
        lost_one = number == expected + 1 and kind in STANDARD_ORDER and STANDARD_ORDER.index(kind) + 1 == number
        if number == expected or lost_one:
            if kind is None or kind in seen_kinds:
                kind = "extra"
            seen_kinds.add(kind)
            out.append(Heading(no, number, kind, text))
            expected = number + 1
    return out
