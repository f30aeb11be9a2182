"""Search snippets from a report's narrative: the sentence where the reader's words occur.

Why not FTS5's snippet(): the report index holds every section heading, and almost every report has
empty sections whose headings ("四、政府信息公开行政复议、行政诉讼情况") or a preamble listing all six
parts ("报告全文包括总体情况、主动公开政府信息情况……等六部分") carry the words people search for
(复议, 诉讼, 公开). snippet() then shows the same table-of-contents line for every report. Here the
sections' text is cut into sentences (lines a PDF wrapped are joined again); headings, table rows and
sentences that list the report's parts are skipped, and the sentence holding the most of the query's
terms wins. Matching is on the normalised text (archive/cjk.normalise), with the tokens FTS5 sees, so
the sentence shown is one the index really matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from archive.cjk import CJK as _CJK
from archive.cjk import normalise, phrase_tokens

BEFORE, AFTER = 40, 90  # characters of context around the first hit
# A heading line: 一、 / （一） / 1. / Markdown #, short, no full stop.
_HEADING = re.compile(r"^\s*(#+\s*|[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]"
                      r"|\d{1,2}\s*[、.．](?!\d))")
_TABLE_ROW = re.compile(r"\||\t| {3,}")
_DOT_LEADER = re.compile(r"(\.{4,}|…{2,}|·{4,}|-{4,})\s*\d*\s*$")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_PUNCT = re.compile(r"[，,、。；;：:！？!?]")
_ANY_PUNCT = re.compile(r"[，,、。；;：:！？!?（）()《》“”\"'「」]")
LABEL_LINE = 20  # a line this short with no punctuation at all is a label, not wrapped prose
# The six parts every report has: a sentence naming three or more of them is the report's outline.
_PARTS = tuple(re.compile(p) for p in (
    r"总体情况", r"主动公开政府信息(工作)?情况", r"收到和处理政府信息公开申请",
    r"行政复议[、和及与]?(政府信息公开)?行政诉讼情况|行政复议、行政诉讼情况|行政复议和行政诉讼",
    r"存在的主要问题", r"其他需要报告的事项"))
_WRAP = re.compile(r"(?<=[^\x00-\x7f]) *\n *(?=[^\x00-\x7f])")  # a PDF's line break inside Chinese text
_NON_CJK_ALNUM = f"[^\\W_{_CJK}]"


@dataclass(frozen=True)
class Snippet:
    """What the result list shows under a report: a sentence with the hits marked, and where it is."""

    html: Markup | None  # escaped text, only <mark> let through; None when no sentence of prose has the words
    section: str | None = None  # the heading of the section it came from
    note: str | None = None  # why there is no sentence (the words are only in headings, tables or the title)

    @property
    def text(self) -> str:
        """The snippet as plain text (for CSV and tests)."""
        return re.sub(r"</?mark>", "", str(self.html or ""))


def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """A regex finding a segmented phrase in normal text as FTS5 would: CJK characters one token each,
    any separators between tokens, a Latin/digit token not glued to another."""
    tokens = phrase_tokens(phrase)
    if not tokens:
        return None
    parts = []
    for n, token in enumerate(tokens):
        cjk = bool(re.fullmatch(f"[{_CJK}]", token))
        if n:
            prev_cjk = bool(re.fullmatch(f"[{_CJK}]", tokens[n - 1]))
            parts.append(r"[\W_]*" if cjk or prev_cjk else r"[\W_]+")
        parts.append(re.escape(token))
    head = "" if re.fullmatch(f"[{_CJK}]", tokens[0]) else f"(?<!{_NON_CJK_ALNUM})"
    tail = "" if re.fullmatch(f"[{_CJK}]", tokens[-1]) else f"(?!{_NON_CJK_ALNUM})"
    return re.compile(head + "".join(parts) + tail, re.IGNORECASE)


def is_structural(line: str) -> bool:
    """A heading, a table row or a label line: never prose, never a snippet."""
    stripped = line.strip()
    if not stripped:
        return True
    if _TABLE_ROW.search(stripped) or _DOT_LEADER.search(stripped):
        return True
    return bool(_HEADING.match(stripped)) and len(stripped) <= 50 and "。" not in stripped


def _is_label(line: str, following: str | None) -> bool:
    """A short line with no punctuation is a table's labels (行政复议行政诉讼, 结果维持 纠正 …, one line of
    a PDF table) unless the next line carries on as prose: a line a PDF wrapped mid-sentence."""
    stripped = line.strip()
    if len(stripped) > LABEL_LINE or _ANY_PUNCT.search(stripped):
        return False
    return following is None or is_structural(following) or not _ANY_PUNCT.search(following)


def is_outline(sentence: str) -> bool:
    """A sentence listing the report's parts (its table of contents), or a contents line."""
    return sum(1 for p in _PARTS if p.search(sentence)) >= 3 or bool(_DOT_LEADER.search(sentence))


def sentences(text: str) -> list[str]:
    """Prose sentences of a section's text: wrapped lines joined, structural lines dropped."""
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = _WRAP.sub("", "\n".join(paragraph))
            out.extend(s.strip() for s in _SENTENCE_END.split(" ".join(joined.split())) if s.strip())
            paragraph.clear()

    lines = [line for line in text.splitlines() if line.strip()]
    for n, line in enumerate(lines):
        if is_structural(line) or _is_label(line, lines[n + 1] if n + 1 < len(lines) else None):
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    return [s for s in out if _PUNCT.search(s)]  # a run of labels glued together is not prose


def _hits(sentence: str, patterns: Sequence[re.Pattern[str]]) -> list[re.Match[str]]:
    return [m for p in patterns for m in p.finditer(sentence)]


def mark(text: str, patterns: Sequence[re.Pattern[str]]) -> Markup:
    """Escape text and wrap each (leftmost, longest) hit in <mark>."""
    spans = sorted((m.start(), -m.end()) for m in _hits(text, patterns) if m.end() > m.start())
    pieces, at = [], 0
    for start, neg_end in spans:
        if start < at:
            continue
        pieces += [str(escape(text[at:start])), "<mark>", str(escape(text[start:-neg_end])), "</mark>"]
        at = -neg_end
    pieces.append(str(escape(text[at:])))
    return Markup("".join(pieces))


def choose(sections: Iterable[tuple[str | None, str | None]], groups: Sequence[Sequence[str]]) -> Snippet:
    """The best prose sentence among (heading, text) sections for a query's groups of phrases: most
    groups satisfied, then most hits, then the first in the report."""
    patterns = [[p for p in map(phrase_pattern, group) if p] for group in groups]
    flat = [p for group in patterns for p in group]
    best: tuple[int, int] | None = None
    chosen: tuple[str, str | None] | None = None
    seen_structural = False
    for heading, text in sections:
        normal = normalise(text or "")
        if any(p.search(normal) for p in flat) or any(p.search(normalise(heading or "")) for p in flat):
            seen_structural = True
        for sentence in sentences(normal):
            if is_outline(sentence):
                continue
            groups_hit = sum(1 for group in patterns if any(p.search(sentence) for p in group))
            if not groups_hit:
                continue
            score = (groups_hit, len(_hits(sentence, flat)))
            if best is None or score > best:
                best, chosen = score, (sentence, heading)
    if chosen is None:
        note = "正文中没有出现，只见于章节标题、表格或目录" if seen_structural else "只见于报告标题或机关名称"
        return Snippet(None, None, note)
    sentence, heading = chosen
    first = min((m for m in _hits(sentence, flat)), key=lambda m: m.start())
    start, end = max(0, first.start() - BEFORE), min(len(sentence), first.end() + AFTER)
    window = mark(sentence[start:end], flat)
    html = Markup(("…" if start else "") + window + ("…" if end < len(sentence) else ""))
    return Snippet(html, normalise(heading) if heading else None)
