"""Character-level normalisation shared by every reader: full-width forms, spaces, label keys.

Reports mix full-width and half-width digits, brackets and spaces at random; every comparison
in the parser goes through these functions so that `（一）` and `(一)`, `１` and `1` are the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Full-width ASCII (U+FF01–U+FF5E) → ASCII; ideographic and other odd spaces → space.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: 0x20,
              0xFEFF: 0x20, 0x2212: ord("-")})
# Brackets that are not full-width ASCII but mean the same.
_FOLD.update({ord("〔"): ord("("), ord("〕"): ord(")"), ord("【"): ord("["), ord("】"): ord("]")})
_FOLD_MAP = {chr(k): chr(v) for k, v in _FOLD.items() if k != v}
FOLDABLE = frozenset(_FOLD_MAP)  # the characters fold() changes
_FOLDABLE = re.compile("[" + re.escape("".join(_FOLD_MAP)) + "]")


def fold(text: str, present: Iterable[str] | None = None) -> str:
    """Full-width digits, letters and brackets to half-width; odd spaces to plain spaces.

    One character in, one character out: offsets found in folded text hold in the original.
    Chinese prose is full of full-width commas and brackets, but only a dozen distinct ones:
    finding which occur and replacing each with str.replace beats a per-character translate
    (a Python dict lookup for every character) and a callback per match. `present`: the foldable
    characters the text holds, when a caller's own scan already found them.
    """
    for ch in set(_FOLDABLE.findall(text)) if present is None else present:
        text = text.replace(ch, _FOLD_MAP[ch])
    return text


CN_NUMERALS = "一二三四五六七八九十"
_CN_VALUE = {c: i + 1 for i, c in enumerate(CN_NUMERALS)}


def _cn_value(text: str) -> int | None:
    if not text or any(c not in _CN_VALUE for c in text):
        return None
    if len(text) == 1:
        return _CN_VALUE[text]
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN_VALUE[text[1]]
    if len(text) == 2 and text[1] == "十":
        return _CN_VALUE[text[0]] * 10
    if len(text) == 3 and text[1] == "十":
        return _CN_VALUE[text[0]] * 10 + _CN_VALUE[text[2]]
    return None


# Every numeral cn_number reads, worked out once: headings and items ask for them all the time.
_CN_NUMBERS = {t: v for t in (a + b + c for a in ("", *CN_NUMERALS) for b in ("", *CN_NUMERALS)
                              for c in CN_NUMERALS) if (v := _cn_value(t)) is not None}


def cn_number(text: str) -> int | None:
    """一 → 1 … 十 → 10, 十一 → 11, 二十 → 20: enough for section and item numbering."""
    return _CN_NUMBERS.get(text)


# Numbering that prefixes labels: 一、 (一) 1. 1、 1． 第一 … (after fold(), brackets are ASCII).
_NUMBERING = re.compile(
    r"(?:^|(?<=[^0-9A-Za-z]))(?:\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}[、.,，]"
    r"|\d{1,2}\s*[.、,，](?!\d))"
)
_NOT_KEY = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")


def label_key(text: str) -> str:
    """The comparable core of a (folded) label: numbering, punctuation, quotes and spaces removed.

    `三、本年度办理结果 (一)予以公开` → `本年度办理结果予以公开`; `3.危及“三安全一稳定”` → `危及三安全一稳定`.
    """
    return _NOT_KEY.sub("", _NUMBERING.sub("", text))


_SPACE_BETWEEN_CJK = re.compile(r"(?<=[\u3400-\u9fff])[ \t]+(?=[\u3400-\u9fff])")


def join_cjk_spaces(text: str) -> str:
    """`商 业 企 业` → `商业企业`: PDFs and Word tables put spaces between the characters of a label."""
    return _SPACE_BETWEEN_CJK.sub("", text)
