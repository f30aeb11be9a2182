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
from dataclasses import dataclass

from extract.script import to_simplified

# CJK unified ideographs (with extensions A and B+), compatibility ideographs.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK = _CJK  # the character class body, for other modules' patterns
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


# Query syntax (the search page documents it in Chinese): terms separated by spaces must all occur;
# `OR` / `或` / `|` between two terms means either; `-词` excludes; "…" (or “…”, 「…」) keeps words with
# spaces, or an operator, as one phrase. Every term is a phrase of single-character tokens (see above).
OR_WORDS = frozenset({"OR", "或", "|", "｜"})
NEGATIONS = "-－"
_QUOTES = {'"': '"', "“": "”\"", "”": "”\"", "「": "」", "『": "』"}
_TOKEN_CHAR = re.compile(r"[^\W_]")  # what unicode61 keeps: letters and digits (every CJK char one token)
MAX_TERMS = 32
MAX_CHARS = 400
TOO_LONG = f"检索词过长：最多 {MAX_CHARS} 个字符。"
ONLY_EXCLUDED = "只有排除词（-词）无法检索：请至少写一个要查找的词，例如「复议 -诉讼」。"
TOO_MANY = f"检索词过多：最多 {MAX_TERMS} 个。"


@dataclass(frozen=True)
class SearchQuery:
    """A user's query, parsed: `must` is a conjunction of alternatives, each a segmented phrase."""

    must: tuple[tuple[str, ...], ...] = ()
    must_not: tuple[str, ...] = ()
    error: str | None = None  # why it cannot run, in Chinese for the reader

    @property
    def empty(self) -> bool:
        return not self.must and not self.must_not

    @property
    def runnable(self) -> bool:
        return bool(self.must) and self.error is None

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every phrase the reader wants found (for highlighting), in query order."""
        return tuple(dict.fromkeys(p for group in self.must for p in group))

    def fts(self) -> str:
        """The FTS5 expression; `""` (matches nothing) when the query cannot run."""
        if not self.runnable:
            return '""'
        groups = [f'"{group[0]}"' if len(group) == 1 else "(" + " OR ".join(f'"{p}"' for p in group) + ")"
                  for group in self.must]
        positive = " AND ".join(groups)
        if not self.must_not:
            return positive
        excluded = " OR ".join(f'"{p}"' for p in self.must_not)
        return f"({positive}) NOT ({excluded})"


def _lex(text: str) -> list[tuple[str, bool, bool]]:
    """(text, negated, quoted) tokens: quotes keep spaces and operators inside one phrase; an
    unclosed quote runs to the end; a lone `-` is ignored."""
    tokens: list[tuple[str, bool, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = False
        while i < n and text[i] in NEGATIONS:
            negated, i = True, i + 1
        if i >= n or text[i].isspace():
            continue
        if text[i] in _QUOTES:
            closers = _QUOTES[text[i]]
            end = i + 1
            while end < n and text[end] not in closers:
                end += 1
            tokens.append((text[i + 1:end], negated, True))
            i = end + 1
            continue
        end = i
        while end < n and not text[end].isspace() and text[end] not in _QUOTES:
            end += 1
        tokens.append((text[i:end], negated, False))
        i = end
    return tokens


def parse_query(query: str | None) -> SearchQuery:
    """The reader's words as a SearchQuery; never raises, whatever the input (no FTS5 syntax reaches
    FTS5: every term becomes a quoted phrase of tokens, `"` dropped)."""
    must: list[list[str]] = []
    must_not: list[str] = []
    pending_or = False
    for text, negated, quoted in _lex(normalise(query or "")):
        if not quoted and not negated and text in OR_WORDS:
            pending_or = bool(must)  # an OR with nothing before it is dropped
            continue
        phrase = segment(text.replace('"', " "))
        if not _TOKEN_CHAR.search(phrase):
            continue  # punctuation alone: nothing FTS could find
        if negated:
            if phrase not in must_not:
                must_not.append(phrase)
        elif pending_or:
            if phrase not in must[-1]:
                must[-1].append(phrase)
        elif [phrase] not in must:
            must.append([phrase])
        pending_or = False
    error = None
    if len(query or "") > MAX_CHARS:
        error = TOO_LONG
    elif must_not and not must:
        error = ONLY_EXCLUDED
    elif sum(map(len, must)) + len(must_not) > MAX_TERMS:
        error = TOO_MANY
    return SearchQuery(tuple(map(tuple, must)), tuple(must_not), error)


def fts_query(query: str | None) -> str:
    """A user's query as an FTS5 expression (parse_query's syntax): for the table search box and the
    canned queries, where a query that cannot run simply matches nothing."""
    return parse_query(query).fts()


def phrase_tokens(phrase: str) -> list[str]:
    """The tokens FTS5 sees in a segmented phrase (case folded)."""
    return [t.lower() for t in re.findall(r"[^\W_]+", phrase)]
