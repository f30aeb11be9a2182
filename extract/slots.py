"""Report text → a stream of table slots (label, value or empty), whatever the text layout.

Text copies of tables come in a few layouts: cells between `|` (trafilatura, Markdown), one cell
per line, one cell per tab-indented line (Word's "save as text"), or a whole row on one line
separated by spaces. A slot is one cell as far as the layout lets us know it. Empty slots exist
only where the layout keeps empty cells (between pipes, a lone tab); elsewhere a blank cell has
vanished and nobody can say where it was, which the table parser reports rather than guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .normalize import join_cjk_spaces
from .values import is_value_text

SlotKind = Literal["label", "value", "empty"]


@dataclass(slots=True)
class Slot:
    kind: SlotKind
    text: str
    line: int


_MD_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_WS = re.compile(r"[ \t]+")


def _cell(text: str, line: int) -> Slot:
    t = text.strip()
    if not t:
        return Slot("empty", "", line)
    if (t.isdigit() and t.isascii()) or is_value_text(t):
        return Slot("value", t, line)
    return Slot("label", join_cjk_spaces(t) if " " in t else t, line)


def _split_free(text: str, line: int, out: list[Slot]) -> None:
    """A line without cell separators: whitespace separates cells, but a label keeps its spaces.

    `一、本年新收政府信息公开申请数量 0 0 0` → one label then values; `商 业 企 业` → one label.
    """
    pending: list[str] = []
    for token in _WS.split(text.strip()):
        if not token:
            continue
        if is_value_text(token):
            if pending:
                out.append(Slot("label", join_cjk_spaces(" ".join(pending)), line))
                pending = []
            out.append(Slot("value", token, line))
        else:
            pending.append(token)
    if pending:
        out.append(Slot("label", join_cjk_spaces(" ".join(pending)), line))


def to_slots(lines: list[str], start: int = 0, end: int | None = None) -> list[Slot]:
    """Slots of lines[start:end], each tagged with its line number."""
    out: list[Slot] = []
    stop = len(lines) if end is None else end
    for no in range(start, stop):
        raw = lines[no]
        if "|" in raw:
            if _MD_RULE.match(raw):
                continue  # Markdown's |---|---| rule is not a row
            parts = raw.split("|")
            if raw.lstrip().startswith("|"):
                parts = parts[1:]  # Markdown rows open with a pipe
            if raw.rstrip().endswith("|"):
                parts = parts[:-1]
            for part in parts:
                out.append(_cell(part, no))
        elif "\t" in raw:
            parts = raw.split("\t")
            if parts and not parts[0].strip():
                parts = parts[1:]  # the indentation tab
            for part in parts:
                out.append(_cell(part, no))
        else:
            t = raw.strip()
            if not t:
                continue
            if " " in t:
                _split_free(t, no, out)
            elif (t.isdigit() and t.isascii()) or is_value_text(t):  # one cell per line: the common case
                out.append(Slot("value", t, no))
            else:
                out.append(Slot("label", t, no))
    return out
