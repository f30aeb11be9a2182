"""The three official tables laid out as printed (merged headers, numbered rows), from long-form cells.

Pure data in, grid out: each grid is rows of cells `{text, rowspan, colspan, head, cls, title}`, which
the report page template renders without knowing anything about the tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from extract import codes, printed

Key = tuple[str, str, str, str]  # (tbl, part, row, col)
GridCell = dict[str, Any]


def _h(text: str, rowspan: int = 1, colspan: int = 1) -> GridCell:
    return {"text": text, "rowspan": rowspan, "colspan": colspan, "head": True, "cls": "", "title": ""}


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Cells:
    """Lookup of one report's cells by key, with the keys a failed check read marked bad."""

    def __init__(self, rows: Iterable[dict[str, Any]], bad: Iterable[Key] = ()) -> None:
        self.by_key: dict[Key, dict[str, Any]] = {(r["tbl"], r["part"], r["row"], r["col"]): r for r in rows}
        self.bad = set(bad)

    def has(self, tbl: str) -> bool:
        return any(k[0] == tbl for k in self.by_key)

    def value_cell(self, key: Key) -> GridCell:
        cell = self.by_key.get(key)
        text = "" if cell is None else (_fmt(cell["value"]) if cell["value"] is not None else (cell["raw"] or ""))
        raw = "" if cell is None else (cell["raw"] or "")
        cls = "bad" if key in self.bad else ("missing" if cell is None else "")
        return {"text": text, "rowspan": 1, "colspan": 1, "head": False, "cls": cls,
                "title": f"原文: {raw}" if raw and raw != text else ""}

    def value(self, key: Key) -> float:
        cell = self.by_key.get(key)
        return float(cell["value"]) if cell and cell["value"] is not None else 0.0


def _template_for(cells: Cells, template: str | None) -> str:
    """The report's template, else the one its cells show (printed.layout_template, as the summary does)."""
    active = {k[3] for k in cells.by_key if k[0] == "active_disclosure"}
    rows = {k[2] for k in cells.by_key if k[0] == "requests"}
    return printed.layout_template(template, active, rows)[0]


def active_grid(cells: Cells, template: str | None) -> list[list[GridCell]]:
    """二、主动公开: one block per 第二十条 item, each with its own column header, as printed."""
    t = _template_for(cells, template)
    grid: list[list[GridCell]] = []
    last_header: tuple[str, tuple[str, ...]] | None = None
    width = 1 + max(len(a.columns) for a in codes.ACTIVE_ROWS[t])
    for active in codes.ACTIVE_ROWS[t]:
        header = (active.item, active.columns)
        if header != last_header:
            if last_header is None or last_header[0] != active.item:
                grid.append([_h(codes.ITEM_LABELS[active.item], colspan=width)])
            labels = [printed.active_column_label(t, active.row, c) for c in active.columns]
            grid.append([_h(printed.ACTIVE_ROW_HEADER), *[_h(label) for label in labels[:-1]],
                         _h(labels[-1], colspan=width - len(labels))])
            last_header = header
        values = [cells.value_cell(("active_disclosure", active.item, active.row, c)) for c in active.columns]
        values[-1] = {**values[-1], "colspan": width - len(values)}
        grid.append([_h(active.label), *values])
    return grid


def requests_grid(cells: Cells, template: str | None) -> list[list[GridCell]]:
    """三、依申请公开: 申请人情况 across, the numbered outcome rows down, merged group cells as printed."""
    cols = [c for c, _ in codes.REQUEST_COLUMNS]
    org = [label for c, label in codes.REQUEST_COLUMNS if c in codes.ORG_COLUMNS]
    labels_by_code = dict(codes.REQUEST_COLUMNS)
    natural, total = labels_by_code["natural_person"], labels_by_code["total"]
    grid: list[list[GridCell]] = [
        [_h(printed.REQUESTS_CORNER, rowspan=3, colspan=3), _h(printed.APPLICANTS_LABEL, colspan=7)],
        [_h(natural, rowspan=2), _h(printed.ORG_PARENT_LABEL, colspan=5), _h(total, rowspan=2)],
        [_h(label) for label in org],
    ]
    rows = printed.request_rows(_template_for(cells, template), {k[2] for k in cells.by_key if k[0] == "requests"})
    outcome_count = sum(1 for _c, _l, g in rows if g is not None)
    group_counts: dict[str, int] = {}
    for _c, _l, g in rows:
        if g not in (None, "outcomes"):
            group_counts[g] = group_counts.get(g, 0) + 1  # type: ignore[index]
    seen: set[str] = set()
    for code, label, group in rows:
        numbered = f"{printed.REQUEST_ROW_NUMBERING.get(code, '')}{label}"
        labels: list[GridCell] = []
        if group is None:
            labels.append(_h(numbered, colspan=3))
        else:
            if "outcomes" not in seen:
                seen.add("outcomes")
                labels.append(_h(codes.REQUEST_GROUPS["outcomes"], rowspan=outcome_count))
            if group == "outcomes":
                labels.append(_h(numbered, colspan=2))
            else:
                if group not in seen:
                    seen.add(group)
                    labels.append(_h(codes.REQUEST_GROUPS[group], rowspan=group_counts[group]))
                labels.append(_h(numbered))
        grid.append(labels + [cells.value_cell(("requests", "", code, c)) for c in cols])
    return grid


def review_grid(cells: Cells) -> list[list[GridCell]]:
    """四、复议诉讼: 行政复议 ×5, then 行政诉讼 split into 未经复议直接起诉 ×5 and 复议后起诉 ×5, one row."""
    cols = codes.REVIEW_COLUMNS
    review_label, direct_label, after_label = (label for _c, label in codes.REVIEW_GROUPS)
    grid = [
        [_h(review_label, colspan=5), _h(printed.LITIGATION_PARENT_LABEL, colspan=10)],
        [*[_h(label, rowspan=2) for _c, label in cols], _h(direct_label, colspan=5), _h(after_label, colspan=5)],
        [_h(label) for _c, label in cols] * 2,
        [cells.value_cell(("review_litigation", group, "", c)) for group, _l in codes.REVIEW_GROUPS for c, _ in cols],
    ]
    return grid


def outcome_bars(cells: Cells) -> list[dict[str, Any]]:
    """How the requests were handled (总计 column, else the applicant columns printed), for the report page's
    bar chart; each bar says whether it was added up from the columns."""
    groups = [
        ("予以公开", ("granted",)),
        ("部分公开", ("partly_granted",)),
        ("不予公开", tuple(c for c, _l, g in codes.REQUEST_ROWS_COMMON_HEAD if g == "denied")),
        ("无法提供", tuple(c for c, _l, g in codes.REQUEST_ROWS_COMMON_HEAD if g == "unable")),
        ("不予处理", tuple(c for c, _l, g in codes.REQUEST_ROWS_COMMON_HEAD if g == "refused")),
        ("其他处理", ("other", *(c for c, _l, _g in codes.REQUEST_ROWS_OTHER_2021))),
    ]
    read = [[_outcome(cells, r) for r in rows] for _label, rows in groups]
    values = [sum(v for v, _from_columns in row) for row in read]
    top = max(values, default=0.0) or 1.0
    return [{"label": label, "value": value, "width": round(300 * value / top, 1), "y": 8 + n * 26,
             "text": _fmt(value), "from_columns": any(from_columns for _v, from_columns in row)}
            for n, ((label, _rows), value, row) in enumerate(zip(groups, values, read, strict=True))]


APPLICANT_COLUMNS = tuple(c for c, _l in codes.REQUEST_COLUMNS if c != "total")


def _outcome(cells: Cells, row: str) -> tuple[float, bool]:
    """(the row's count, whether it was added up from the applicant columns): its 总计 when printed; when a
    report leaves 总计 blank, the sum of the columns it did print (a blank total is not a zero)."""
    total = cells.by_key.get(("requests", "", row, "total"))
    if total is not None and total["value"] is not None:
        return float(total["value"]), False
    printed_columns = [c for c in APPLICANT_COLUMNS
                       if (cell := cells.by_key.get(("requests", "", row, c))) and cell["value"] is not None]
    return sum(cells.value(("requests", "", row, c)) for c in printed_columns), bool(printed_columns)
