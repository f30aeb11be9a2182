"""DOCX → narrative text and table grids, straight from the WordprocessingML.

Read with lxml rather than python-docx's object model: one pass over the body in document order
(paragraphs and tables interleaved, content controls opened), merged cells laid out by the grid
(`w:gridSpan` across, `w:vMerge` down, `w:gridBefore` skipped positions) with the text repeated
at every position it covers, as the HTML reader does. Heading numbers that Word generates
(`一、` from a numbering definition, not typed) are not in the text runs: they are rebuilt from
numbering.xml, or `一、总体情况` would come out as `总体情况` and the sections would be lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from ..model import ParseError, Source, SourceFormat
from .document import Grid, ReadDocument
from .fixed_layout import join_words
from .safezip import SafeZip

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
READER_VERSION = "0.1.0"
_MAX_COLS = 64
_MAX_ROWS = 2000

_CN = "零一二三四五六七八九"


def _cn(n: int, thousand: bool = False) -> str:
    """Chinese counting numerals for list numbers: 1 → 一, 12 → 十二, 25 → 二十五."""
    if n <= 0 or n >= 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{_CN[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _CN[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    if ones:
        out += _CN[ones]
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
    "decimalEnclosedCircle": lambda n: chr(0x245F + n) if 1 <= n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: chr(0x245F + n) if 1 <= n <= 20 else str(n),
    "chineseCounting": _cn,
    "chineseCountingThousand": _cn,
    "chineseLegalSimplified": _cn,
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "ideographDigital": lambda n: "".join(_CN[int(c)] for c in str(n)),
    "japaneseCounting": _cn,
    "upperLetter": _letters,
    "lowerLetter": lambda n: _letters(n).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
}


class _Numbering:
    """Word's automatic list numbers: numbering.xml levels, and counters as paragraphs use them."""

    def __init__(self, numbering: Any | None, styles: Any | None) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstractNumId → ilvl → (fmt, text, start)
        self.nums: dict[str, str] = {}  # numId → abstractNumId
        self.style_num: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        if numbering is not None:
            for a in numbering.iter(_W + "abstractNum"):
                levels: dict[int, tuple[str, str, int]] = {}
                for lvl in a.iter(_W + "lvl"):
                    fmt = lvl.find(_W + "numFmt")
                    text = lvl.find(_W + "lvlText")
                    start = lvl.find(_W + "start")
                    levels[int(lvl.get(_W + "ilvl", "0"))] = (
                        fmt.get(_W + "val", "decimal") if fmt is not None else "decimal",
                        text.get(_W + "val", "") if text is not None else "",
                        int(start.get(_W + "val", "1")) if start is not None else 1,
                    )
                self.levels[a.get(_W + "abstractNumId", "")] = levels
            for n in numbering.iter(_W + "num"):
                ref = n.find(_W + "abstractNumId")
                if ref is not None:
                    self.nums[n.get(_W + "numId", "")] = ref.get(_W + "val", "")
        if styles is not None:
            for s in styles.iter(_W + "style"):
                num_id = s.find(f"{_W}pPr/{_W}numPr/{_W}numId")
                ilvl = s.find(f"{_W}pPr/{_W}numPr/{_W}ilvl")
                if num_id is not None:
                    self.style_num[s.get(_W + "styleId", "")] = (
                        num_id.get(_W + "val", ""), int(ilvl.get(_W + "val", "0")) if ilvl is not None else 0)

    def label(self, p: Any) -> str:
        """The number Word would print before paragraph `p`, or ''."""
        ppr = p.find(_W + "pPr")
        if ppr is None:
            return ""
        num_id: str | None = None
        ilvl = 0
        style = ppr.find(_W + "pStyle")
        if style is not None and style.get(_W + "val", "") in self.style_num:
            num_id, ilvl = self.style_num[style.get(_W + "val", "")]
        numpr = ppr.find(_W + "numPr")
        if numpr is not None:
            n, lv = numpr.find(_W + "numId"), numpr.find(_W + "ilvl")
            if n is not None:
                num_id = n.get(_W + "val", "")
            if lv is not None:
                ilvl = int(lv.get(_W + "val", "0") or 0)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels or not 0 <= ilvl < 9:
            return ""
        counters = self.counters.setdefault(abstract, [0] * 9)
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else levels[ilvl][2]
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        fmt, text, _start = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""
        for k in range(ilvl + 1):
            kfmt, _t, kstart = levels.get(k, ("decimal", "", 1))
            value = counters[k] or kstart
            text = text.replace(f"%{k + 1}", _FORMATS.get(kfmt, str)(value))
        return text


def _para_text(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen", _W + "sym"):
        tag = el.tag
        if tag == _W + "t":
            parts.append(el.text or "")
        elif tag == _W + "tab":
            parts.append("\t")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
        elif tag in (_W + "br", _W + "cr"):
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc: Any, numbering: _Numbering) -> str:
    lines = []
    for p in tc.iter(_W + "p"):
        text = (numbering.label(p) + _para_text(p)).strip()
        if text:  # `结果<w:br/>纠正` is one label: no space between CJK pieces
            lines.append(join_words(text.split()))
    return join_words(lines)


def _grid(tbl: Any, numbering: _Numbering) -> Grid:
    """A table as a grid: gridSpan repeats a cell across, vMerge continues the cell above."""
    rows: list[list[str | None]] = []
    merge_top: list[list[bool]] = []
    for tr in tbl.findall(_W + "tr")[:_MAX_ROWS]:
        row: list[str | None] = []
        cont: list[bool] = []
        trpr = tr.find(_W + "trPr")
        before = trpr.find(_W + "gridBefore") if trpr is not None else None
        if before is not None:
            skip = min(int(before.get(_W + "val", "0") or 0), _MAX_COLS)
            row += [""] * skip
            cont += [False] * skip
        for tc in tr.iter(_W + "tc"):
            if tc.getparent() is not tr and tc.getparent().tag != _W + "sdtContent":
                continue  # a nested table's cell
            tcpr = tc.find(_W + "tcPr")
            span = 1
            vmerge_cont = False
            if tcpr is not None:
                gs = tcpr.find(_W + "gridSpan")
                if gs is not None:
                    span = max(1, min(int(gs.get(_W + "val", "1") or 1), _MAX_COLS))
                vm = tcpr.find(_W + "vMerge")
                vmerge_cont = vm is not None and vm.get(_W + "val", "continue") != "restart"
            text = None if vmerge_cont else _cell_text(tc, numbering)
            row += [text] * span
            cont += [vmerge_cont] * span
            if len(row) > _MAX_COLS:
                break
        rows.append(row[:_MAX_COLS])
        merge_top.append(cont[:_MAX_COLS])
    width = max((len(r) for r in rows), default=0)
    out: Grid = []
    for r, row in enumerate(rows):
        filled = []
        for c in range(width):
            cell = row[c] if c < len(row) else ""
            if cell is None:  # vMerge continue: the text of the cell above
                cell = out[r - 1][c] if r and c < len(out[r - 1]) else ""
            filled.append(cell)
        out.append(filled)
    return out


def _xml(z: SafeZip, name: str) -> Any | None:
    if not z.has(name):
        return None
    try:
        return etree.fromstring(z.read(name), _PARSER)
    except etree.XMLSyntaxError as e:
        raise ParseError(f"damaged DOCX, not readable: {name} is not well-formed XML ({e})") from e


def read_docx(data: bytes, *, fmt: SourceFormat = "docx", reader: str | None = None) -> ReadDocument:
    """Read a DOCX; `fmt`/`reader` name the original format when it was converted (DOC, WPS)."""
    z = SafeZip(data, "DOCX")
    body_root = _xml(z, "word/document.xml")
    if body_root is None:
        raise ParseError("not a Word document: a ZIP without word/document.xml")
    numbering = _Numbering(_xml(z, "word/numbering.xml"), _xml(z, "word/styles.xml"))
    body = body_root.find(_W + "body")
    lines: list[str] = []
    grids: list[Grid] = []

    def walk(parent: Any) -> None:
        for el in parent:
            if el.tag == _W + "p":
                text = (numbering.label(el) + _para_text(el)).strip()
                lines.extend(t.strip() for t in text.split("\n") if t.strip())
            elif el.tag == _W + "tbl":
                grid = _grid(el, numbering)
                if grid:
                    grids.append(grid)
            elif el.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag"):
                walk(el)

    if body is not None:
        walk(body)
    meta = {}
    core = _xml(z, "docProps/core.xml")
    if core is not None:
        title = core.findtext("{http://purl.org/dc/elements/1.1/}title")
        if title and title.strip():
            meta["标题"] = title.strip()
    source = Source(fmt, reader or f"nianbao-docx {READER_VERSION} (lxml {etree.__version__})")
    return ReadDocument("\n".join(lines), grids, source, meta=meta)
