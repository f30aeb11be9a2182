"""PDF → narrative text and table grids, from the text layer or, for scans, by OCR.

Characters and ruling lines come from pdfium (pypdfium2): pdfminer, under pdfplumber, spent 95%
of a report's time tokenising content streams in Python (0.6 s CPU for 6 pages against ~0.09 s
here), which put text PDFs far below the 10 reports/s/core target. The table geometry is still
pdfplumber's (fixed_layout.py reuses its edge-intersection cell finder).

Word and WPS exports draw table borders as strokes or thin filled rectangles, and often paint a
white filled box behind every line of text: only strokes and thin fills count as ruling lines, or
every paragraph would become a one-column table. A page whose text layer is empty or unreadable
(glyphs without Unicode, U+FFFD) is a scan: it goes to OCR.
"""

from __future__ import annotations

import ctypes
from importlib.metadata import version
from typing import Any

from ..model import ParseError, Source
from .document import ReadDocument
from .fixed_layout import Page, Rule, Word, lay_out
from .limits import CAPS

MAX_PAGES = 80  # annual reports run 5–40 pages; beyond this only the first pages are read
_THIN = 2.0  # a filled rectangle thinner than this is a ruling line
_MIN_CHARS_PER_PAGE = 20
_AXIS = 1.0  # a stroked segment within this of horizontal/vertical is a ruling line


def _words(textpage: Any, raw: Any, height: float) -> tuple[list[Word], int, int]:
    """Characters grouped into words (same line, no space, no wide gap); with counts of all
    characters and of those without a Unicode mapping."""
    n = textpage.count_chars()
    text = textpage.get_text_range(0, n) if n else ""
    words: list[Word] = []
    cur: list[str] = []
    box = [0.0, 0.0, 0.0, 0.0]
    chars = bad = 0

    def flush() -> None:
        if cur:
            words.append(Word("".join(cur), box[0], box[1], box[2], box[3]))
            cur.clear()

    for i in range(min(n, len(text))):
        ch = text[i]
        if ch.isspace() or raw.FPDFText_IsGenerated(textpage.raw, i):
            flush()
            continue
        # Glyph boxes for the height (font-wide boxes of two lines in one cell overlap), advance
        # boxes for the width (the glyph of "1" is narrow: "11" would come apart as "1 1").
        _l, bottom, _r, top = textpage.get_charbox(i)
        left, _b, right, _t = textpage.get_charbox(i, loose=True)
        if right <= left and top <= bottom:
            continue
        chars += 1
        bad += ch == "\ufffd"
        y0, y1 = height - top, height - bottom
        size = max(y1 - y0, box[3] - box[1] if cur else 0.0, 1.0)
        if cur:  # same line: the character overlaps the word vertically (a "." sits low but inside)
            overlap = min(y1, box[3]) - max(y0, box[1])
            if overlap < 0.3 * max(min(y1 - y0, box[3] - box[1]), 0.1) or left - box[2] > 0.35 * size \
                    or left < box[0] - 0.5 * size:
                flush()
        if not cur:
            box[:] = [left, y0, right, y1]
        else:
            box[:] = [min(box[0], left), min(box[1], y0), max(box[2], right), max(box[3], y1)]
        cur.append(ch)
    flush()
    return words, chars, bad


def _rules(page: Any, raw: Any, height: float) -> list[Rule]:
    """Ruling lines: thin filled shapes by their bounds, stroked paths by their straight segments."""
    rules: list[Rule] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        raw.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill), ctypes.byref(stroke))
        if min(right - left, top - bottom) <= _THIN:
            if fill.value or stroke.value:
                rules.append(Rule(left, height - top, right, height - bottom))
            continue
        if not stroke.value:
            continue  # a filled background box (shading, white behind text), not a line
        m = obj.get_matrix()
        points: list[tuple[float, float]] = []
        start: tuple[float, float] | None = None
        for k in range(min(raw.FPDFPath_CountSegments(obj.raw), 4000)):
            seg = raw.FPDFPath_GetPathSegment(obj.raw, k)
            raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            pt = (m.a * x.value + m.c * y.value + m.e, height - (m.b * x.value + m.d * y.value + m.f))
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO or not points:
                points, start = [pt], pt
            else:
                _segment(points[-1], pt, rules, straight=kind == raw.FPDF_SEGMENT_LINETO)
                points.append(pt)
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                _segment(pt, start, rules, straight=True)
    return rules


def _segment(a: tuple[float, float], b: tuple[float, float], rules: list[Rule], *, straight: bool) -> None:
    if straight and (abs(a[0] - b[0]) <= _AXIS or abs(a[1] - b[1]) <= _AXIS):
        rules.append(Rule(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))


def check_page_count(total: int) -> None:
    """Refuse a PDF declaring more pages than any one report (a page tree can repeat one page 100,000 times)."""
    if total > CAPS.pdf_pages:
        raise ParseError(f"PDF of {total:,} pages is not one report (more than {CAPS.pdf_pages:,}); refused")


def check_page_size(index: int, width: float, height: float) -> None:
    """Refuse a page too large to be a report page, before anything renders or lays it out."""
    if width * height > CAPS.page_area_pt2:
        raise ParseError(f"PDF page {index + 1} measures {width:,.0f} × {height:,.0f} pt "
                         f"({width / 72:,.0f} × {height / 72:,.0f} in), not a report page; refused")


def _open(data: bytes) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise ParseError("encrypted PDF, not readable without its password") from e
        raise ParseError(f"damaged PDF, not readable ({e})") from e


def read_pages(data: bytes) -> tuple[list[Page], list[str], int, int]:
    """Every page's words and ruling lines (up to MAX_PAGES), warnings, and character counts."""
    import pypdfium2.raw as raw

    pdf = _open(data)
    warnings: list[str] = []
    pages: list[Page] = []
    chars = bad = 0
    try:
        total = len(pdf)
        if total == 0:
            raise ParseError("PDF without pages")
        check_page_count(total)
        if total > MAX_PAGES:
            warnings.append(f"pdf: only the first {MAX_PAGES} of {total} pages were read")
        for i in range(min(total, MAX_PAGES)):
            page = pdf[i]
            width, height = page.get_size()
            try:
                check_page_size(i, width, height)
            except ParseError:
                page.close()
                raise
            try:
                textpage = page.get_textpage()
                words, c, b = _words(textpage, raw, height)
                pages.append(Page(width, height, words, _rules(page, raw, height)))
                chars, bad = chars + c, bad + b
                textpage.close()
            except Exception as e:  # one broken content stream spoils its page, not the document
                warnings.append(f"pdf: page {i + 1} could not be read ({type(e).__name__})")
                pages.append(Page(width, height))
            finally:
                page.close()
    finally:
        pdf.close()
    return pages, warnings, chars, bad


def read_pdf(data: bytes, *, ocr: bool = True) -> ReadDocument:
    """Read a PDF's text layer; a PDF without one goes to OCR when `ocr` is allowed and available."""
    pages, warnings, chars, bad = read_pages(data)
    if chars - bad < _MIN_CHARS_PER_PAGE * min(len(pages), 3) or bad > 0.3 * max(chars, 1):
        if not ocr:
            raise ParseError("PDF has no usable text layer (a scan) and OCR was not allowed")
        from .ocr import ocr_pdf

        doc = ocr_pdf(data)
        doc.warnings[:0] = warnings
        return doc
    text, grids = lay_out(pages)
    return ReadDocument(text, grids, Source("pdf", f"pdfium {version('pypdfium2')} + pdfplumber "
                                            f"{version('pdfplumber')} table geometry"), warnings=warnings)
