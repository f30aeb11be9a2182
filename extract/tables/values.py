"""Table cell values as printed → numbers, keeping the difference between blank, 0, `/` and `—`."""

from __future__ import annotations

import re

from ..model import Number

# Printed placeholders that mean "no figure": the value is null and `raw` keeps which one it was.
NULL_MARKERS = frozenset(
    {"", "/", "\\", "-", "--", "—", "——", "－", "–", "无", "空", "×", "*", "暂无", "N/A", "n/a"}
)

_VALUE = re.compile(
    r"^(?P<sign>[+\-])?\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?\s*"
    r"(?P<unit>万元|万|元|亿元|件|条|个|项|次|家|人)?$"
)


_VALUE_START = frozenset("+-0123456789")
# parse_value's answer for the texts most cells print: the null placeholders and small plain counts.
# parse_value starts here, and readers look here first (`KNOWN_VALUES.get(text) or parse_value(text)`;
# the tuples are never falsy) to skip the call.
KNOWN_VALUES: dict[str, tuple[Number | None, bool]] = {
    **{t: (None, True) for t in NULL_MARKERS}, **{str(i): (i, True) for i in range(1000)}}


def is_value_text(text: str) -> bool:
    """Does this (folded) cell text look like a table value (a number or a null placeholder)?"""
    t = text.strip()
    if t.isdigit() and t.isascii():
        return True
    return t in NULL_MARKERS or (t[:1] in _VALUE_START and _VALUE.match(t) is not None)


def parse_value(raw: str, *, money: bool = False, unit_yuan: bool = False) -> tuple[Number | None, bool]:
    """(value, understood) for folded cell text. Money ends up in 万元: `79万元` → 79, `790000元` → 79.

    `unit_yuan` says the column header declared 元 as its unit, so bare numbers are yuan too.
    An unreadable text gives (None, False) so the caller can warn instead of guessing.
    """
    t = raw.strip()
    if t in NULL_MARKERS:
        return None, True
    if not unit_yuan:  # (under a 元 header a plain count is yuan, converted below)
        known = KNOWN_VALUES.get(t)
        if known is not None:
            return known
        if t.isdigit() and t.isascii():  # a larger plain count
            return int(t), True
    m = _VALUE.match(t)
    if m is None:
        return None, False
    digits = m["num"].replace(",", "")
    value: float = float(digits + (m["frac"] or ""))
    if m["sign"] == "-":
        value = -value
    unit = m["unit"]
    if money:
        if unit == "元" or (unit is None and unit_yuan):
            value = value / 10000
        elif unit == "亿元":
            value = value * 10000
    return _tidy(value, integral=m["frac"] is None and not (money and (unit == "元" or unit_yuan))), True


def _tidy(value: float, *, integral: bool) -> Number:
    if integral and value.is_integer():
        return int(value)
    rounded = round(value, 6)
    return int(rounded) if rounded.is_integer() and integral else rounded
