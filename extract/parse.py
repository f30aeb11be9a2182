"""One report in, one contract out: `parse_report(bytes)` and `parse_text(str)`.

The steps, each in its own module: decode (readers/decode.py), read the page (readers/html/) or the
file (readers/formats.py) → script (script.py) → top-level sections (sections.py) → table regions →
slots (tables/slots.py) → tables by labels (tables/text.py, tables/grids.py) → template from the
labels seen → metadata (metadata.py) → checks (checks.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import accumulate

from . import codes
from .checks import evaluate
from .metadata import find_metadata
from .model import Cell, ParseError, Report, Section, Source, Template
from .normalize import FOLDABLE, fold, label_key
from .readers.decode import decode_bytes, looks_binary, looks_like_html, magic_format
from .script import script_of, to_simplified, traditional_chars
from .sections import Heading, find_headings, heading_of
from .tables.grids import read_grids
from .tables.slots import to_slots
from .tables.text import TableRead, read_active, read_requests, read_review
from .version import PARSER_VERSION

# Refused before decoding: the largest real report pages (inline images) stay well under this.
_MAX_BYTES = 32 * 1024 * 1024  # text and HTML: a report is ~10–100 KB of text
# Scanned PDFs and image-heavy documents run to 100 MB+; their readers cap pages and zip parts.
_MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
_MAX_CHARS = 4 * 1024 * 1024  # a report is ~10–100 KB of text; more is not one report
_SNIFF_CHARS = 8192  # where an HTML page shows its doctype or first tags (as sniff_format looks)

# Formats read by extract/readers/formats.py (sniffed from the bytes): PDF, DOCX/XLSX/OFD, DOC/WPS/XLS, scans.
_DOCUMENT_FORMATS = frozenset({"pdf", "zip", "ole", "image"})
# Lines of page furniture that survive into saved text: never report text. (`\s*+`: no word starts
# with a space, so an indented paragraph fails without retrying each shorter indent.)
_CHROME = re.compile(
    r"^\s*+(?:分享到|打印本页|【?打印】?|关闭窗口|【?关闭】?|扫一扫|【?字体|字号|点击数|浏览次数|访问量|"
    r"上一篇|下一篇|相关链接|来源[:：]|发布日期[:：]|发布时间[:：]|索引号)"
)
# Word's hidden bookmarks that leak into saved text (`[bookmark: _GoBack]`): cut, keep the sentence.
_WORD_BOOKMARK = re.compile(r"\[bookmark[:：][^\]]{0,40}\]\s*")


def parse_report(data: bytes, *, content_type: str | None = None, url: str | None = None) -> Report:
    """Parse one report from its bytes: text, Markdown or an HTML page in any common encoding, or a
    PDF, DOCX, DOC/WPS, OFD, XLS/XLSX document or scan (sniffed from the bytes, not the name).

    Raises ParseError with a one-line reason for input that is empty, binary, too large,
    damaged, or not a report at all.
    """
    if len(data) > _MAX_DOCUMENT_BYTES or (len(data) > _MAX_BYTES and magic_format(data) is None):
        # before anything that copies the input
        raise ParseError(f"{len(data) // (1024 * 1024)} MB is far larger than any report; refused")
    if not data or data.isspace() or _blank_text(data):
        raise ParseError("empty file (nothing but whitespace)")
    fmt = magic_format(data)
    if fmt in _DOCUMENT_FORMATS:
        from .readers.formats import read_document

        doc = read_document(data, fmt)
        report = parse_text(doc.text, grids=doc.grids, meta=doc.meta, source=doc.source)
        report.warnings[:0] = doc.warnings
        return report
    if looks_binary(data):
        raise ParseError("binary data, not a report text")
    # Decoded once: the text serves both to tell an HTML page from plain text and to be parsed.
    text, _encoding = decode_bytes(data, content_type)
    if "html" in (content_type or "").lower() or looks_like_html(text[:_SNIFF_CHARS]):
        from .readers.html import read_html  # lazily: trafilatura's import costs text parsing nothing then

        page = read_html(data, content_type=content_type, url=url)
        meta = dict(page.meta)
        if page.title:
            meta.setdefault("标题", page.title)
        report = parse_text(page.text, grids=page.grids, meta=meta,
                            source=Source("html", f"nianbao-html {PARSER_VERSION}"))
        report.warnings[:0] = page.warnings
        return report
    if not text or text.isspace():
        raise ParseError("empty file (nothing but whitespace)")
    return parse_text(text, source=Source("text", f"nianbao-text {PARSER_VERSION}"))


# Full-width punctuation and digits that Chinese prose prints on every line: a report holds a
# hundred of them, and the scan below would stop at each one. `ch in text` finds them instead
# (memchr on the low byte: their low bytes are not 0), at the first occurrence or in one fast pass.
_COMMON_FOLDABLE = "，（）：；．０１２３４５６７８９"


@lru_cache(maxsize=1)
def _marks() -> re.Pattern[str]:
    """Traditional-only characters and the rarer ones fold() changes, in one character class."""
    return re.compile("[" + re.escape("".join(sorted((traditional_chars() | FOLDABLE) - set(_COMMON_FOLDABLE))))
                      + "]")


def _blank_text(data: bytes) -> bool:
    """Whitespace in any common encoding (ideographic spaces, a lone BOM) is still an empty file."""
    if len(data) > 4096:
        return False
    for codec in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            return not data.decode(codec).strip()
        except UnicodeDecodeError:
            continue
    return False


def parse_text(text: str, *, grids: Sequence[list[list[str]]] = (), meta: Mapping[str, str] | None = None,
               source: Source | None = None) -> Report:
    """Parse report text (and, from HTML, its table grids and metadata block)."""
    if len(text) > _MAX_CHARS:
        raise ParseError(f"{len(text):,} characters of text is far more than one report; refused")
    report = Report(source=source or Source("text", f"nianbao-text {PARSER_VERSION}"))
    sample = text + "".join(c for g in grids for row in g[:3] for c in row) if grids else text
    # One scan finds both what marks traditional script and what fold() has to change.
    marks = set(_marks().findall(sample))
    marks.update([ch for ch in _COMMON_FOLDABLE if ch in sample])
    foldable: frozenset[str] | None = FOLDABLE.intersection(marks)
    if script_of(marks) == "traditional":
        report.script = "traditional"
        text = to_simplified(text)
        grids = [[[to_simplified(c) for c in row] for row in g] for g in grids]
        meta = {to_simplified(k): to_simplified(v) for k, v in (meta or {}).items()}
        foldable = None  # the converted text is scanned again
    last = text.rfind("\n") + 1
    if last < len(text) and text[last:].isspace():
        # A last line of only blanks with no newline after it is a file cut short in the middle of
        # a row, not a printed blank cell.
        text = text[:last]
    lines = text.split("\n")
    folded_text = fold(text, foldable)
    # fold() maps one character to one, so lines stay aligned (and the same list when nothing changed)
    folded = lines if folded_text == text else folded_text.split("\n")
    headings = find_headings(folded, folded_text)

    reads = _read_tables(lines, folded, folded_text, headings, grids)
    template = _template(reads)
    report.template = template
    table_lines = bytearray(len(lines))  # 1 where a line belongs to a table
    for name, read in reads.items():
        report.tables[name] = _keep(template, name, read, report.warnings)
        report.warnings.extend(read.warnings)
        if read.lines:  # a table is one block of lines: its header, rows and the debris between
            lo, hi = min(read.lines), max(read.lines) + 1
            table_lines[lo:hi] = b"\x01" * (hi - lo)
    report.sections = _sections(lines, headings, table_lines)
    if not report.cell_count and not any(s.kind != "extra" for s in report.sections):
        # Numbered headings alone prove nothing: meeting notices and plans have them too.
        raise ParseError("not an annual report: none of its sections or statistics tables were found")

    first = headings[0].line if headings else min(len(lines), 40)
    head = [line for line in lines[:first] if line.strip()]
    tail = [line for line in lines[-6:] if line.strip()]
    overview = next((s.text for s in report.sections if s.kind == "overview"), None)
    opening = [p for p in (*head[-3:], *(overview or "").split("\n")[:3]) if p.strip()]
    md = find_metadata(head, tail, folded_text, overview, opening, meta)
    report.title, report.agency, report.year, report.published = md.title, md.agency, md.year, md.published
    if report.agency is None and _blank_form(report):
        raise ParseError("the blank report template (no agency, no figures, no text filled in), not a report")
    report.checks = evaluate(template, report.tables)
    return report


# What a blank template prints where the text goes: `（文字描述）`, `（文字描述，收取信息处理费情况在此处报告。）`.
_PLACEHOLDER = re.compile(r"[（(][^（）()]{0,40}[）)]|\s+")
_FILLED_TEXT = 40  # characters of narrative: a report says at least this much about its year


def _blank_form(report: Report) -> bool:
    """The official template as published blank: its headings and table labels, and nothing filled in."""
    if any(c.raw and c.raw.strip() for cells in report.tables.values() for c in cells):
        return False
    return sum(len(_PLACEHOLDER.sub("", s.text)) for s in report.sections) < _FILLED_TEXT


# --- tables ------------------------------------------------------------------------------------


def _span(headings: list[Heading], kind: str, n_lines: int) -> tuple[int, int] | None:
    for i, h in enumerate(headings):
        if h.kind == kind:
            end = headings[i + 1].line if i + 1 < len(headings) else n_lines
            return h.line + 1, end
    return None


class _Finder:
    """Finds the first line that holds a needle, by regex searches of the folded text.

    A needle may be printed with spaces between its characters (`结 果 维 持`), never across lines."""

    def __init__(self, folded: list[str], folded_text: str) -> None:
        self.lines = folded
        self.text = folded_text
        self.n = len(folded)
        self._lengths: list[int] | None = None  # summed lengths of the lines before each line

    def _offset(self, line: int) -> int:
        """Where a line starts in the text. The lengths are summed once, on the first call that
        needs them: the searches ask for a dozen offsets a report."""
        if line == 0:
            return 0
        if line >= self.n:
            return len(self.text)
        if self._lengths is None:
            self._lengths = list(accumulate(map(len, self.lines), initial=0))
        return self._lengths[line] + line  # the lines before it, and their newlines

    def first(self, start: int, end: int, *needles: str) -> int | None:
        """The first line in [start, end) that contains any of the needles, spaces ignored."""
        end = min(end, self.n)
        if start >= end:
            return None
        text = self.text
        lo, hi = self._offset(start), self._offset(end)
        found = None
        for needle in needles:  # one search each: a literal first character lets the engine skip
            m = _needle(needle).search(text, lo, hi)
            if m is not None:
                found = m.start()
                hi = text.rfind("\n", lo, found) + 1  # an earlier hit must be on an earlier line
                if hi <= lo:
                    break
        return None if found is None else text.count("\n", 0, found)


@lru_cache(maxsize=64)
def _needle(needle: str) -> re.Pattern[str]:
    return re.compile(" *".join(map(re.escape, needle)))


def _regions(find: _Finder, headings: list[Heading]) -> dict[str, tuple[int, int]]:
    """Line spans of the three tables: their sections when the headings hold them, else cues."""
    n = find.n
    out: dict[str, tuple[int, int]] = {}
    req_row = find.first(0, n, "本年新收", "新收政府信息", "本年度新收", "公开申请数量")

    act = _span(headings, "active_disclosure", n)
    if act is None or find.first(*act, "第二十条") is None:
        a = find.first(0, n, "第二十条")
        act = None if a is None else (a, req_row if req_row is not None and req_row > a else min(n, a + 400))
    if act:
        out["active_disclosure"] = act

    req = _span(headings, "requests", n)
    if req_row is None:
        req = None
    elif req is None or not req[0] <= req_row < req[1]:
        start = max(act[1] if act and act[1] <= req_row else 0, req_row - 60)
        req = (start, min(n, req_row + 600))
    if req:
        out["requests"] = req

    rev = _span(headings, "review_litigation", n)
    if rev is None or find.first(*rev, "维持", "纠正") is None:
        after = req[0] if req else 0
        r = find.first(after, n, "结果维持", "维持")
        rev = None if r is None else (max(r - 10, after), min(n, r + 200))
    if rev:
        out["review_litigation"] = rev
    return out


_READERS = {"active_disclosure": read_active, "requests": read_requests, "review_litigation": read_review}


def _read_tables(lines: list[str], folded: list[str], folded_text: str, headings: list[Heading],
                 grids: Sequence[list[list[str]]]) -> dict[str, TableRead]:
    """Each table from the page's grids when it has them, else from the text."""
    from_grids = read_grids(grids) if grids else {}
    reads: dict[str, TableRead] = {}
    regions = _regions(_Finder(folded, folded_text), headings)
    for name, reader in _READERS.items():
        grid_read = from_grids.get(name)
        if grid_read is not None and grid_read.cells:
            reads[name] = grid_read
            continue
        span = regions.get(name)
        if span:
            slots = to_slots(folded, *span, printed=None if lines is folded else lines)
            reads[name] = reader(slots)
        else:
            reads[name] = TableRead(name)
        if grid_read is not None:
            reads[name].warnings[:0] = grid_read.warnings
    return reads


def _template(reads: dict[str, TableRead]) -> Template | None:
    votes: dict[str, int] = {}
    for read in reads.values():
        for template, n in read.evidence.items():
            votes[template] = votes.get(template, 0) + n
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return "2019" if ranked[0][0] == "2019" else "2021"


@lru_cache(maxsize=16)
def _allowed(template: str | None, table: str) -> list[tuple[str, str, str]] | None:
    """Every (item/group, row, column) of the template's table in official order; None = unknown."""
    if table == "review_litigation":
        return [(g, "", c) for g, _ in codes.REVIEW_GROUPS for c, _ in codes.REVIEW_COLUMNS]
    if template is None:
        return None
    if table == "active_disclosure":
        return [(r.item, r.row, c) for r in codes.ACTIVE_ROWS[template] for c in r.columns]
    rows = [code for code, _l, _g in codes.REQUEST_ROWS[template]]
    if template == "2021":  # a 2021 report that prints （六） as one row
        rows.insert(rows.index("other_no_correction"), "other")
    return [("", r, c) for r in rows for c, _ in codes.REQUEST_COLUMNS]


@lru_cache(maxsize=16)
def _allowed_set(template: str | None, table: str) -> frozenset[tuple[str, str, str]]:
    return frozenset(_allowed(template, table) or ())


def _keep(template: str | None, table: str, read: TableRead, warnings: list[str]) -> list[Cell]:
    """The cells that belong to the template, in official order; others are reported, not mapped."""
    if not read.cells:
        return []
    allowed = _allowed(template, table)
    if allowed is None:
        warnings.append(f"{table}: template not recognised from the labels; cells kept as read")
        return list(read.cells.values())
    kept = list(filter(None, map(read.cells.get, allowed)))  # Cells are never falsy
    dropped = [k for k in read.cells if k not in _allowed_set(template, table)] if len(kept) < len(read.cells) else []
    if dropped:
        warnings.append(f"{table}: {len(dropped)} cells do not belong to the {template} format and were "
                        f"left out ({', '.join('/'.join(x for x in k if x) for k in dropped[:4])}…)")
    return kept


# --- sections ----------------------------------------------------------------------------------


def _sections(lines: list[str], headings: list[Heading], table_lines: bytearray) -> list[Section]:
    """Each heading's text up to the next one, without the lines of its tables and page chrome."""
    out: list[Section] = []
    for i, h in enumerate(headings):
        end = headings[i + 1].line if i + 1 < len(headings) else len(lines)
        body: list[str] = []
        no = h.line + 1
        while no < end:
            if table_lines[no]:  # a table's lines are one block: jump past it
                no = table_lines.find(0, no, end)
                if no < 0:
                    break
            line = lines[no]
            no += 1
            if not line or line.isspace() or _CHROME.match(line) or _is_table_debris(line):
                continue
            if "bookmark" in line:
                line = _WORD_BOOKMARK.sub("", line)
            line = line.strip()
            if line:
                body.append(line)
        cand = heading_of(lines[h.line])
        heading = cand[1] if cand else h.heading
        out.append(Section(h.number, h.kind, heading, "\n".join(body)))
    return out


_SENTENCE_PUNCT = re.compile(r"[。，；：,;]")


def _is_table_debris(line: str) -> bool:
    """A pipe-cell fragment left over from a table (a lone number, a header word): not narrative."""
    if "|" not in line:
        return False
    t = fold(line).strip().strip("|").strip()
    return not t or (len(label_key(t)) <= 8 and not _SENTENCE_PUNCT.search(t))
