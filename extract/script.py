"""Traditional → simplified script, converted only when the text really is traditional.

Conversion with OpenCC costs little, but detection comes first so that the common simplified
report pays nothing but one small conversion of its distinct characters.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import opencc

Script = Literal["simplified", "traditional"]


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def detect_script(text: str) -> Script:
    """Traditional when a clear share of the distinct CJK characters changes under t2s.

    A few characters change even in simplified text (variants, names), hence the thresholds.
    """
    distinct = "".join({c for c in text if "\u4e00" <= c <= "\u9fff"})
    if not distinct:
        return "simplified"
    converted = _converter("t2s").convert(distinct)
    changed = sum(1 for a, b in zip(distinct, converted, strict=False) if a != b)
    if len(converted) != len(distinct):  # phrase-level conversion changed lengths: count what we can
        changed = max(changed, abs(len(converted) - len(distinct)))
    return "traditional" if changed >= 8 and changed >= 0.04 * len(distinct) else "simplified"


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    """For generators and tests that need the traditional form of a simplified text."""
    return _converter("s2t").convert(text)
