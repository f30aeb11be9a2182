"""The readable summary of one parsed report, for a person comparing it with the original.

The three tables are drawn the way the State Council templates print them (same items, rows,
numbering and column labels, in the same order), so that a reader can hold the summary next to
the published report and spot a misread figure. Everything is plain text in monospace columns;
widths count CJK characters as two columns, or the tables would not line up in a terminal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extract import codes, printed
from extract.model import Cell, Number, Report

MISSING = "?"  # no cell at all for this place in the table
BLANK = "·"  # a cell was read but printed nothing
RAW_MAX = 10  # display columns of raw text shown in a value cell before it is cut
LABEL_MAX = 34  # requests-table row labels wrap beyond this many display columns
GAP = "  "  # between value columns
MIN_COL = 4



# --- display width ----------------------------------------------------------------------------


def char_width(ch: str) -> int:
    """Columns one character takes in a terminal: wide/full-width CJK 2, combining marks 0."""
    if unicodedata.category(ch) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns the text takes in a monospace terminal (`len` is wrong for CJK)."""
    return sum(char_width(ch) for ch in text)


def ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def rjust(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def center(text: str, width: int) -> str:
    free = max(0, width - display_width(text))
    return " " * (free // 2) + text + " " * (free - free // 2)


def clean(text: str) -> str:
    """One line of printable text: controls and line breaks become spaces, invisible format
    characters go, unprintable ones become U+FFFD, so they cannot break the column arithmetic."""
    out: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp", "Zs"):
            out.append(" ")
        elif cat == "Cf":
            continue
        elif cat in ("Cs", "Co", "Cn"):
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def truncate(text: str, width: int) -> str:
    """Cut to `width` display columns, marking the cut with an ellipsis."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


_TOKENS = re.compile(r"[!-~]+|.", re.DOTALL)  # a run of ASCII is a word; anything else breaks anywhere


def wrap(text: str, width: int, *, hang: int = 0) -> list[str]:
    """Break text into lines of at most `width` display columns: CJK breaks between any two
    characters, ASCII words stay whole unless longer than a line. Continuation lines are indented
    by `hang` columns so a row's numbering stays visible."""
    tokens: list[str] = []
    for token in _TOKENS.findall(text):
        tokens += list(token) if display_width(token) > width - hang else [token]
    lines: list[str] = []
    line, used = "", 0
    for token in tokens:
        w = display_width(token)
        if used + w > width and line.strip():
            lines.append(line.rstrip())
            line, used = " " * hang, hang
            if token == " ":
                continue
        line += token
        used += w
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


# --- values -----------------------------------------------------------------------------------


def format_number(value: Number) -> str:
    """As the report would print it: no exponent, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):  # NaN/inf: show, don't crash
        return str(value)
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def cell_text(cell: Cell | None) -> str:
    """A value as shown in a table: the number; for a null value what was printed, or BLANK if
    nothing was; MISSING when the parser produced no cell for that place."""
    if cell is None:
        return MISSING
    if cell.value is not None:
        return format_number(cell.value)
    raw = clean(cell.raw or "").strip()
    return truncate(raw, RAW_MAX) if raw else BLANK


# --- a tiny grid renderer ---------------------------------------------------------------------


@dataclass(slots=True)
class _Title:
    """A line spanning the whole table, like the item lines 第二十条第（一）项."""

    text: str


@dataclass(slots=True)
class _Header:
    """A header line: text for the label column and (text, columns spanned) for the values."""

    label: str
    spans: list[tuple[str, int]]


@dataclass(slots=True)
class _Row:
    """A table row; `values` empty for a group row that carries no numbers (三、本年度办理结果)."""

    label: list[str]
    values: list[str]


class _Rule:
    """A horizontal rule."""


_Line = _Title | _Header | _Row | _Rule


@dataclass(slots=True)
class _Block:
    """Lines sharing one set of value columns; a table is blocks stacked to one common width."""

    ncols: int
    lines: list[_Line]


def _block_widths(block: _Block) -> list[int]:
    widths = [MIN_COL] * block.ncols
    for line in block.lines:
        if isinstance(line, _Row):
            for i, v in enumerate(line.values):
                widths[i] = max(widths[i], display_width(v))
        elif isinstance(line, _Header):
            col = 0
            for text, span in line.spans:
                if span == 1:
                    widths[col] = max(widths[col], display_width(text))
                col += span
    for line in block.lines:  # spanning header texts widen the last column they cover
        if isinstance(line, _Header):
            col = 0
            for text, span in line.spans:
                have = sum(widths[col : col + span]) + len(GAP) * (span - 1)
                if display_width(text) > have:
                    widths[col + span - 1] += display_width(text) - have
                col += span
    return widths


def _area(widths: Sequence[int]) -> int:
    return sum(widths) + len(GAP) * (len(widths) - 1)


def render_grid(blocks: Sequence[_Block]) -> list[str]:
    """Every line comes out with the same display width, whatever the CJK content."""
    label_w = MIN_COL
    for block in blocks:
        for line in block.lines:
            if isinstance(line, _Header):
                label_w = max(label_w, display_width(line.label))
            elif isinstance(line, _Row):
                label_w = max(label_w, *(display_width(x) for x in line.label or [""]))
    all_widths = [_block_widths(b) for b in blocks]
    area = max((_area(w) for w in all_widths), default=MIN_COL)
    titles = [display_width(ln.text) for b in blocks for ln in b.lines if isinstance(ln, _Title)]
    area = max(area, max(titles, default=0) - label_w - 3)
    for widths in all_widths:  # stretch narrower blocks, extra columns going left first
        extra = area - _area(widths)
        for i in range(len(widths)):
            widths[i] += extra // len(widths) + (1 if i < extra % len(widths) else 0)

    rule = "+" + "-" * (label_w + 2) + "+" + "-" * (area + 2) + "+"
    out: list[str] = []
    for block, widths in zip(blocks, all_widths, strict=True):
        for line in block.lines:
            if isinstance(line, _Rule):
                if not out or out[-1] != rule:
                    out.append(rule)
            elif isinstance(line, _Title):
                out.append("| " + ljust(line.text, label_w + 3 + area) + " |")
            elif isinstance(line, _Header):
                cells, col = [], 0
                for text, span in line.spans:
                    cells.append(center(text, _area(widths[col : col + span])))
                    col += span
                out.append("| " + ljust(line.label, label_w) + " | " + GAP.join(cells) + " |")
            else:
                for k, label in enumerate(line.label or [""]):
                    values = line.values if k == 0 and line.values else [""] * len(widths)
                    shown = GAP.join(rjust(v, w) for v, w in zip(values, widths, strict=True))
                    out.append("| " + ljust(label, label_w) + " | " + shown + " |")
    if out and out[-1] != rule:
        out.append(rule)
    return out


# --- the three tables -------------------------------------------------------------------------


class _Cells:
    """The report's cells of one table by key; remembers which ones the layout showed."""

    def __init__(self, cells: Iterable[Cell]) -> None:
        self.all = list(cells)
        self.by_key: dict[tuple[str, str, str], Cell] = {}
        for c in self.all:
            self.by_key.setdefault(c.key, c)
        self.shown: set[int] = set()

    def text(self, outer: str, row: str, column: str) -> str:
        cell = self.by_key.get((outer, row, column))
        if cell is not None:
            self.shown.add(id(cell))
        return cell_text(cell)

    def rows(self) -> set[str]:
        """The row codes read, for printed.request_rows."""
        return {key[1] for key in self.by_key}

    def unshown(self) -> list[Cell]:
        return [c for c in self.all if id(c) not in self.shown]


def layout_template(report: Report) -> tuple[str, bool]:
    """(template whose layout to draw, whether it was guessed from the cells)."""
    return printed.layout_template(report.template, {c.column for c in report.tables.get("active_disclosure", ())},
                                   {c.row or "" for c in report.tables.get("requests", ())})


def _active_blocks(template: str, cells: _Cells) -> list[_Block]:
    """One block per item (and column set), each with its 信息内容 header, as printed."""
    groups: list[tuple[str, tuple[str, ...], list[codes.ActiveRow]]] = []
    for active_row in codes.ACTIVE_ROWS[template]:
        if groups and groups[-1][:2] == (active_row.item, active_row.columns):
            groups[-1][2].append(active_row)
        else:
            groups.append((active_row.item, active_row.columns, [active_row]))
    blocks: list[_Block] = []
    previous_item = None
    for item, columns, rows in groups:
        lines: list[_Line] = []
        if item != previous_item:
            lines += [_Rule(), _Title(codes.ITEM_LABELS.get(item, item))]
            previous_item = item
        header = [(printed.active_column_label(template, rows[0].row, c), 1) for c in columns]
        lines += [_Rule(), _Header(printed.ACTIVE_ROW_HEADER, header), _Rule()]
        lines += [_Row([r.label], [cells.text(item, r.row, c) for c in columns]) for r in rows]
        blocks.append(_Block(len(columns), lines))
    return blocks


def _requests_block(template: str, cells: _Cells) -> _Block:
    columns = [code for code, _label in codes.REQUEST_COLUMNS]
    parent: list[tuple[str, int]] = []
    for code in columns:
        if code in codes.ORG_COLUMNS and parent and parent[-1][0] == printed.ORG_PARENT_LABEL:
            parent[-1] = (printed.ORG_PARENT_LABEL, parent[-1][1] + 1)
        else:
            parent.append((printed.ORG_PARENT_LABEL if code in codes.ORG_COLUMNS else "", 1))
    labels = [(label, 1) for _code, label in codes.REQUEST_COLUMNS]
    lines: list[_Line] = [
        _Rule(),
        _Header("", [(printed.APPLICANTS_LABEL, len(columns))]),
        _Header("", parent),
        _Header("", labels),
        _Rule(),
    ]
    # Indentation follows the printed nesting: 一、 > （一） > 1.; group rows carry no numbers.
    opened: set[str] = set()
    for code, label, group in printed.request_rows(template, cells.rows()):
        if code == codes.REQUEST_ROW_OTHER_2019[0]:
            opened.add("other_group")  # printed as the numbered row （六）其他处理 itself
        if group is not None and group not in opened:
            opened.add(group)
            indent = 0 if group == "outcomes" else 2
            group_label = codes.REQUEST_GROUPS[group]
            lines.append(_Row(wrap(" " * indent + group_label, LABEL_MAX, hang=indent + 2), []))
        indent = 0 if group is None else 2 if group == "outcomes" else 4
        numbering = printed.REQUEST_ROW_NUMBERING.get(code, "")
        hang = indent + display_width(numbering)
        values = [cells.text("", code, col) for col in columns]
        lines.append(_Row(wrap(" " * indent + numbering + label, LABEL_MAX, hang=hang), values))
    lines.append(_Rule())
    return _Block(len(columns), lines)


def _review_block(cells: _Cells) -> _Block:
    columns = [code for code, _label in codes.REVIEW_COLUMNS]
    lines: list[_Line] = [_Rule(), _Header("", [(label, 1) for _c, label in codes.REVIEW_COLUMNS]), _Rule()]
    parent_done = False
    for group, label in codes.REVIEW_GROUPS:
        indent = 0
        if group.startswith("litigation"):
            if not parent_done:
                lines.append(_Row([printed.LITIGATION_PARENT_LABEL], []))
                parent_done = True
            indent = 2
        lines.append(_Row([" " * indent + label], [cells.text(group, "", col) for col in columns]))
    lines.append(_Rule())
    return _Block(len(columns), lines)


def _describe_cell(table: str, cell: Cell) -> str:
    where = " ".join(x for x in (cell.item, cell.group, cell.row, cell.column) if x)
    return f"  {table} {where} = {cell_text(cell)}  (raw {clean(cell.raw or '')!r})"


def render_tables(report: Report) -> list[str]:
    """The three tables in official layout, then any cell the layout had no place for."""
    template, guessed = layout_template(report)
    out: list[str] = []
    if guessed and any(report.tables.values()):
        out += [f"(template not recognised: tables laid out in the {template} format)", ""]
    builders = {
        "active_disclosure": lambda c: _active_blocks(template, c),
        "requests": lambda c: [_requests_block(template, c)],
        "review_litigation": lambda c: [_review_block(c)],
    }
    leftovers: list[str] = []
    for name in codes.TABLE_NAMES:
        table_cells = report.tables.get(name, [])
        out.append(f"{printed.TABLE_TITLES[name]}  [{name}: {len(table_cells)} cells]")
        cells = _Cells(table_cells)
        if not table_cells:
            out += ["  (no cells read)", ""]
            continue
        out += render_grid(builders[name](cells))
        out.append("")
        leftovers += [_describe_cell(name, c) for c in cells.unshown()]
    for name, table_cells in report.tables.items():
        if name not in codes.TABLE_NAMES:
            leftovers += [_describe_cell(name, c) for c in table_cells]
    if leftovers:
        out.append(f"Cells outside the official {template} layout ({len(leftovers)})")
        out += leftovers
        out.append("")
    return out[:-1] if out and out[-1] == "" else out


# --- the whole summary ------------------------------------------------------------------------


def _template_text(report: Report) -> str:
    if report.template is None:
        return "not recognised"
    document = printed.TEMPLATE_DOCUMENTS.get(report.template)
    return f"{report.template} ({document})" if document else report.template


def _meta(report: Report, name: str | None) -> list[str]:
    source = report.source
    reader = f"{source.format}, read by {source.reader}" + (" with OCR" if source.ocr else "")
    fields: list[tuple[str, object]] = [
        ("Title", report.title),
        ("Agency", report.agency),
        ("Year covered", report.year),
        ("Published", report.published),
        ("Template", _template_text(report)),
        ("Script", report.script + (" (shown here in simplified form)" if report.script == "traditional" else "")),
        ("Source", reader),
    ]
    if name is not None:
        fields.insert(0, ("File", name))
    width = max(len(k) for k, _v in fields) + 2
    return [ljust(k, width) + clean("(not found)" if v is None else str(v)) for k, v in fields]


def _sections(report: Report) -> list[str]:
    out = [f"Sections ({len(report.sections)})"]
    if not report.sections:
        return [*out, "  (none found)"]
    kind_w = max(len(s.kind) for s in report.sections)
    headings = [truncate(clean(s.heading), 40) for s in report.sections]
    heading_w = max(display_width(h) for h in headings)
    for s, heading in zip(report.sections, headings, strict=True):
        out.append(f"  {s.number:>2}  {s.kind:<{kind_w}}  {ljust(heading, heading_w)}  {len(s.text):>6} chars")
    return out


def _checks(report: Report) -> list[str]:
    failed = [c for c in report.checks if not c.ok]
    out = [f"Checks: {len(report.checks)} evaluated, {len(failed)} failed"]
    passed = [c.rule for c in report.checks if c.ok]
    if passed:
        out.append("  passed: " + ", ".join(dict.fromkeys(passed)))
    for c in failed:
        out.append(f"  FAILED {c.rule}: {clean(c.detail)}")
    return out


def _warnings(report: Report) -> list[str]:
    out = [f"Warnings ({len(report.warnings)})"]
    out += [f"  - {clean(w)}" for w in report.warnings]
    return out


def render_summary(report: Report, *, name: str | None = None) -> str:
    """The whole readable summary, plain text ending in a newline (no colour codes)."""
    parts = [_meta(report, name), _sections(report), render_tables(report), _checks(report), _warnings(report)]
    return "\n\n".join("\n".join(p) for p in parts) + "\n"
