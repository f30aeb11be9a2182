"""Chinese text as SQLite FTS5 sees it: one token per CJK character, queries as phrases.

Why: FTS5's default tokenizer treats a run of Han characters as ONE token (so 疫情 never matches
inside 疫情防控), and trigram misses every 1–2 character word. Spacing every CJK character into its
own token and asking for phrases ("疫 情") finds any word of any length exactly. Both sides go
through OpenCC t2s and full-width folding, so traditional text matches simplified queries (and back), and
full-width digits (２０２０年) match 2020年.

The same functions are registered as SQL functions by the Datasette plugin (`nianbao_fts`,
`unsegment`), so the index, the canned queries and the table search box all agree.
"""

from __future__ import annotations

import re

from extract.script import to_simplified

# CJK unified ideographs (with extensions A and B+), compatibility ideographs.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_SPACES = re.compile(r"\s+")
# For display: CJK punctuation and full-width forms sit tight against their neighbours too.
_TIGHT = _CJK + "\u3000-\u303f\uff00-\uffef"
_SPACE_BY_CJK = re.compile(f"(?<=[{_TIGHT}]) +| +(?=[{_TIGHT}])")
# Full-width ASCII letters and digits fold to ASCII; punctuation keeps its form (snippets show it).
_FULL_WIDTH_ALNUM = ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
_FOLD = {cp: cp - 0xFEE0 for first, last in _FULL_WIDTH_ALNUM for cp in range(first, last + 1)}


def normalise(text: str) -> str:
    """What both the index and the query see: full-width letters and digits as ASCII, simplified script."""
    return to_simplified(text.translate(_FOLD))


def segment(text: str | None) -> str:
    """Text for the FTS index: each CJK character a separate token, other runs kept as they are."""
    if not text:
        return ""
    # A run of characters at a time: one Python call per run, not a template expanded per character
    # (that was a tenth of a rebuild's writer).
    spaced = _CJK_RUN.sub(_spaced_run, normalise(text))
    return _SPACES.sub(" ", spaced).strip()


def _spaced_run(match: re.Match[str]) -> str:
    return f" {' '.join(match.group())} "


def unsegment(text: str | None) -> str | None:
    """Undo `segment`'s spacing for display (a snippet() of the index reads as normal Chinese)."""
    if text is None:
        return None
    return _SPACE_BY_CJK.sub("", text)


def fts_query(query: str | None) -> str:
    """A user's query as an FTS5 expression: every whitespace-separated term a phrase, terms ANDed.

    `"` cannot be escaped by users, so it is dropped; no FTS5 operator survives inside a phrase. An
    empty query becomes `""`, which matches nothing (an empty MATCH would be a syntax error).
    """
    terms = [segment(term.replace('"', " ")) for term in normalise(query or "").split()]
    phrases = [f'"{t}"' for t in terms if t]
    return " ".join(phrases) if phrases else '""'
