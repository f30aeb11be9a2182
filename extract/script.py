"""Traditional → simplified script, converted only when the text really is traditional.

Conversion with OpenCC costs little, but detection comes first so that the common simplified
report pays nothing for it: the parser finds a text's traditional-only characters in the same
character-class scan that finds what fold() changes, and `script_of` judges them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

import opencc

Script = Literal["simplified", "traditional"]


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@lru_cache(maxsize=1)
def traditional_chars() -> frozenset[str]:
    """Characters of the CJK block that t2s changes: their presence marks traditional text.

    Worked out once (about 10 ms) from OpenCC itself, so the test agrees with the converter."""
    chars = [chr(cp) for cp in range(0x4E00, 0xA000)]
    converted = _converter("t2s").convert("\n".join(chars)).split("\n")
    return frozenset(a for a, b in zip(chars, converted, strict=True) if a != b)


# A few traditional-only characters turn up even in simplified text (variants, names).
_TRADITIONAL_THRESHOLD = 8


def script_of(chars: Iterable[str]) -> Script:
    """Traditional when enough distinct traditional-only characters are among `chars`."""
    return "traditional" if len(traditional_chars().intersection(chars)) >= _TRADITIONAL_THRESHOLD \
        else "simplified"


def to_simplified(text: str) -> str:
    """Traditional → simplified with the one cached OpenCC converter the parser, the crawler's title
    reading and the archive's search text all share (building one costs ~20 ms)."""
    return str(_converter("t2s").convert(text))
