"""Which table cells a failed consistency check read, so readers see the numbers that don't add up.

The rules are extract/checks.py's; their `detail` names the failing columns, rows or groups before a
colon (`total: 3+1 ≠ 2+1; natural_person: …`), which is all that is needed to point at the cells.
"""

from __future__ import annotations

from extract import codes

CellKey = tuple[str, str, str, str]  # (tbl, part, row, col)

_REQUEST_COLUMNS = [c for c, _ in codes.REQUEST_COLUMNS]
_REVIEW_COLUMNS = [c for c, _ in codes.REVIEW_COLUMNS]
_OUTCOME_ROWS = [*sorted(codes.OUTCOME_ROWS), "total"]


def failing_names(detail: str) -> list[str]:
    """The column / row / group codes a failed check's detail names, in order."""
    names = []
    for part in detail.split(";"):
        name, sep, _rest = part.strip().partition(":")
        if sep and name.strip():
            names.append(name.strip())
    return names


def involved_cells(rule: str, detail: str) -> list[CellKey]:
    """Cell keys the failing part of the rule reads (those that may not exist are harmless)."""
    out: list[CellKey] = []
    for name in failing_names(detail):
        if rule == "requests.balance":
            out += [("requests", "", row, name) for row in ("new", "carried_over", "total", "carried_forward")]
        elif rule == "requests.outcomes_sum":
            out += [("requests", "", row, name) for row in _OUTCOME_ROWS]
        elif rule == "requests.columns_sum":
            out += [("requests", "", name, col) for col in _REQUEST_COLUMNS]
        elif rule == "review_litigation.group_sum":
            out += [("review_litigation", name, "", col) for col in _REVIEW_COLUMNS]
    return list(dict.fromkeys(out))
