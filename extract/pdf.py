"""PDF → narrative text and table grids, from the text layer (pdfplumber) or, for scans, by OCR.

Word and WPS exports draw table borders as lines or thin filled rectangles, and often paint a
white filled box behind every line of text: only strokes and thin fills count as ruling lines,
or every paragraph would become a one-column table. A page whose text layer is empty or
unreadable (glyph ids with no Unicode mapping, `(cid:12)`) is a scan: it goes to OCR.
"""

from __future__ import annotations

import io
import re
from importlib.metadata import version
from typing import Any

from .document import ReadDocument
from .layout import Page, Rule, Word, lay_out
from .model import ParseError, Source

MAX_PAGES = 80  # annual reports run 5–40 pages; beyond this only the first pages are read
_THIN = 2.0  # a filled rectangle thinner than this is a ruling line
_CID = re.compile(r"\(cid:\d+\)")
_MIN_CHARS_PER_PAGE = 20


def _is_rule(obj: dict[str, Any]) -> bool:
    if obj.get("object_type") == "rect":
        return bool(obj.get("stroke")) or min(obj["width"], obj["height"]) <= _THIN
    return obj.get("object_type") in ("line", "curve")


def _page(p: Any) -> Page:
    words = [
        Word(w["text"], float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]))
        for w in p.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False, use_text_flow=False)
    ]
    rules: list[Rule] = []
    for obj in (*p.lines, *p.rects):
        if not _is_rule(obj):
            continue
        if obj.get("object_type") == "rect" and min(obj["width"], obj["height"]) > _THIN:
            x0, top, x1, bottom = obj["x0"], obj["top"], obj["x1"], obj["bottom"]
            rules += [Rule(x0, top, x1, top), Rule(x0, bottom, x1, bottom), Rule(x0, top, x0, bottom),
                      Rule(x1, top, x1, bottom)]
        else:
            rules.append(Rule(float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"])))
    return Page(float(p.width), float(p.height), words, rules)


def _open(data: bytes) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # parses the page tree: broken files fail here, not half-way through
    except Exception as e:  # pdfplumber wraps pdfminer's errors; some broken xrefs raise bare Exceptions
        inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e
        if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError) or b"/Encrypt" in data:
            raise ParseError(f"encrypted PDF, not readable without its password ({type(inner).__name__})") from e
        raise ParseError(f"damaged PDF, not readable ({type(inner).__name__}: {str(inner)[:80]})") from e
    return pdf


def read_pdf(data: bytes, *, ocr: bool = True) -> ReadDocument:
    """Read a PDF's text layer; a PDF without one goes to OCR when `ocr` is allowed and available."""
    warnings: list[str] = []
    pdf = _open(data)
    try:
        total = len(pdf.pages)
        if total == 0:
            raise ParseError("PDF without pages")
        if total > MAX_PAGES:
            warnings.append(f"pdf: only the first {MAX_PAGES} of {total} pages were read")
        pages: list[Page] = []
        chars = cid = 0
        for p in pdf.pages[:MAX_PAGES]:
            try:
                page = _page(p)
            except Exception as e:  # a broken content stream spoils one page, not the document
                warnings.append(f"pdf: page {p.page_number} could not be read ({type(e).__name__})")
                page = Page(float(p.width), float(p.height))
            finally:
                p.close()  # pdfplumber caches every page's objects until closed
            pages.append(page)
            for w in page.words:
                chars += len(w.text)
                cid += sum(len(m) for m in _CID.findall(w.text))
    finally:
        pdf.close()
    readable = chars - cid
    if readable < _MIN_CHARS_PER_PAGE * min(len(pages), 3) or cid > 0.3 * max(chars, 1):
        if not ocr:
            raise ParseError("PDF has no usable text layer (a scan) and OCR was not allowed")
        from .ocr import ocr_pdf

        doc = ocr_pdf(data)
        doc.warnings[:0] = warnings
        return doc
    text, grids = lay_out(pages)
    return ReadDocument(text, grids, Source("pdf", f"pdfplumber {version('pdfplumber')}"), warnings=warnings)
