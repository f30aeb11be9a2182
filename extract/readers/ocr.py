"""Scans (image-only PDFs, JPG/PNG/TIFF pages) → words and ruling lines → the fixed-layout reader.

OCR is RapidOCR (PP-OCR models in ONNX, shipped inside the wheel, so fully offline). Measured on
the same 200 dpi page of a real report, it read all 94 printed values, where Debian's tesseract 5
`chi_sim` dropped a whole row (87/94) and garbled labels (禁止 → 茜止), at 6.8 s vs 3.5 s a page;
see README's Benchmarks. Tables are rebuilt from positions, not from a stream of
recognised text: the ruling lines are found in the image (morphological opening with long thin
kernels), the recognised text boxes are put into the cells those lines enclose, and a text box
that runs across a ruling line is cut at it by its per-character boxes.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ..model import ParseError, Source
from .document import ReadDocument
from .fixed_layout import Page, Rule, Word, lay_out
from .limits import CAPS

DPI = 200
_PT = 72 / DPI
_BLANK_INK = 0.0002  # share of dark pixels under which a page is blank (a speck, a scanner's edge)


@lru_cache(maxsize=1)
def engine_version() -> str | None:
    """`rapidocr 3.10.0` when the OCR engine and its runtime can be imported, else None."""
    try:
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401

        return f"rapidocr {version('rapidocr')}"
    except (ImportError, PackageNotFoundError, OSError):
        return None


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr import RapidOCR

    # The recogniser pads every text box to at least its base width: 320 px by default, so the short
    # numbers that fill a table cost as much as a whole line of prose. 96 px halves recognition time
    # on a table page (12.3 s → 6.9 s for 236 boxes, same text but for full/half-width brackets).
    return RapidOCR(params={"Global.log_level": "error", "Global.return_word_box": True,
                            "Rec.rec_img_shape": [3, 48, 96]})


def _rules(gray: Any, pt: float = _PT) -> list[Rule]:
    """Horizontal and vertical ruling lines of a page image, in points."""
    import cv2

    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h, w = binary.shape
    rules: list[Rule] = []
    for horizontal in (True, False):
        # Longer than any stroke of a character (a 16 pt glyph is ~45 px at 200 dpi), or the strokes
        # of 中 and 一 become ruling lines and every line of prose a one-row table.
        length = max(w // 20, 60) if horizontal else max(h // 25, 60)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        lines = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
        n, _labels, stats, _c = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for i in range(1, n):
            x, y, bw, bh, _area = (int(v) for v in stats[i])
            if horizontal:
                mid = y + bh / 2
                rules.append(Rule(x * pt, mid * pt, (x + bw) * pt, mid * pt))
            else:
                mid = x + bw / 2
                rules.append(Rule(mid * pt, y * pt, mid * pt, (y + bh) * pt))
    return rules


def _split_at_rules(text: str, box: tuple[float, float, float, float], chars: list[tuple[str, float, float]],
                    verticals: list[Rule]) -> list[Word]:
    """A recognised text box that crosses vertical ruling lines, cut there (two cells, two words)."""
    x0, top, x1, bottom = box
    cuts = sorted(r.x0 for r in verticals if x0 + 2 < r.x0 < x1 - 2 and r.top <= (top + bottom) / 2 <= r.bottom)
    if not cuts or not chars:
        return [Word(text, x0, top, x1, bottom)]
    pieces: list[list[tuple[str, float, float]]] = [[] for _ in range(len(cuts) + 1)]
    for ch in chars:
        centre = (ch[1] + ch[2]) / 2
        pieces[sum(1 for c in cuts if centre > c)].append(ch)
    return [Word("".join(c[0] for c in p), p[0][1], top, p[-1][2], bottom) for p in pieces if p]


def ocr_page(image: Any, pt: float = _PT) -> Page:
    """OCR one page image (PIL) into words and ruling lines, in points (`pt` points a pixel: DPI's by
    default). A blank page (no ink) is not sent to the recogniser: 30 blank scanned pages cost seconds."""
    import numpy as np

    gray = np.asarray(image.convert("L"))
    h, w = gray.shape
    if not gray.size or np.count_nonzero(gray < 128) < _BLANK_INK * gray.size:
        return Page(w * pt, h * pt)
    rgb = np.asarray(image.convert("RGB"))
    rules = _rules(gray, pt)
    verticals = [r for r in rules if r.bottom - r.top > r.x1 - r.x0]
    result = _engine()(rgb)
    words: list[Word] = []
    boxes = result.boxes if result.boxes is not None else []
    word_results = getattr(result, "word_results", None) or [()] * len(boxes)
    for quad, text, per_word in zip(boxes, result.txts or (), word_results, strict=False):
        xs = [float(p[0]) * pt for p in quad]
        ys = [float(p[1]) * pt for p in quad]
        chars: list[tuple[str, float, float]] = []
        for item in per_word or ():
            try:
                ch, _score, cbox = item
                cx = [float(p[0]) * pt for p in cbox]
                chars.append((str(ch), min(cx), max(cx)))
            except (TypeError, ValueError):
                chars = []
                break
        words += _split_at_rules(str(text), (min(xs), min(ys), max(xs), max(ys)), chars, verticals)
    return Page(w * pt, h * pt, words, rules)


def _need_engine() -> str:
    name = engine_version()
    if name is None:
        raise ParseError("a scan (no text layer) and OCR is not available: install the `rapidocr` and "
                         "`onnxruntime` Python packages (both in requirements.lock)")
    return name


def ocr_pdf(data: bytes) -> ReadDocument:
    """OCR an image-only PDF page by page (rendered with pdfium at DPI)."""
    name = _need_engine()
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise ParseError(f"damaged PDF, not readable for OCR ({e})") from e
    from .pdf import check_page_count, check_page_size

    warnings: list[str] = []
    pages: list[Page] = []
    try:
        total = len(pdf)
        check_page_count(total)
        limit = CAPS.ocr_pages
        if total > limit:
            warnings.append(f"ocr: only the first {limit} of {total} scanned pages were read")
        for i in range(min(total, limit)):
            page = pdf[i]
            w, h = page.get_size()
            check_page_size(i, w, h)
            # At DPI, or fewer pixels when that would pass the render cap (a poster-sized page):
            # the page is read at the size it was rendered, never blown back up.
            scale = DPI / 72
            capped = w * h * scale * scale > CAPS.render_pixels
            if capped:
                scale = (CAPS.render_pixels / (w * h)) ** 0.5
                while math.ceil(w * scale) * math.ceil(h * scale) > CAPS.render_pixels:  # pdfium rounds up
                    scale *= 0.999
            image = page.render(scale=scale).to_pil()
            pages.append(ocr_page(image, pt=1 / scale if capped else _PT))
    finally:
        pdf.close()
    text, grids = lay_out(pages)
    return ReadDocument(text, grids, Source("pdf", f"{name} (pdfium {_pdfium_version()})", ocr=True),
                        warnings=warnings)


def _pdfium_version() -> str:
    try:
        return version("pypdfium2")
    except PackageNotFoundError:
        return "?"


def ocr_image(data: bytes) -> ReadDocument:
    """OCR a page image (PNG, JPEG, GIF, TIFF — every frame of a multi-page TIFF)."""
    name = _need_engine()
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = CAPS.image_pixels
    pages: list[Page] = []
    warnings: list[str] = []
    try:
        with warnings_as_errors(Image.DecompressionBombWarning), Image.open(io.BytesIO(data)) as img:
            frames = getattr(img, "n_frames", 1)
            if frames > CAPS.image_frames:
                raise ParseError(f"image of {frames:,} pages is not one report (more than {CAPS.image_frames:,}); "
                                 "refused")
            limit = CAPS.ocr_pages
            if frames > limit:
                warnings.append(f"ocr: only the first {limit} of {frames} image pages were read")
            for i in range(min(frames, limit)):
                img.seek(i)
                _check_pixels(img.width, img.height, i)  # from the header, before the frame is decoded
                dpi = float(img.info.get("dpi", (DPI, DPI))[0] or DPI)
                base = dpi if abs(dpi - DPI) > 20 and 72 <= dpi <= 1200 else DPI
                # Brought to DPI by its resolution tag, but never past the render cap: a 10,000 px image
                # tagged 72 dpi would become 27,800 px square (770 Mpx) at 200 dpi.
                size = (int(img.width * DPI / base), int(img.height * DPI / base))
                pt = _PT
                if size[0] * size[1] > CAPS.render_pixels:
                    scale = (CAPS.render_pixels / (img.width * img.height)) ** 0.5
                    size, pt = (max(1, int(img.width * scale)), max(1, int(img.height * scale))), 72 / (base * scale)
                frame = img.copy()
                if size != frame.size:
                    frame = frame.resize(size)
                pages.append(ocr_page(frame, pt=pt))
    except ParseError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ParseError(f"image of more than {CAPS.image_pixels:,} pixels is too large to be a report page; "
                         "refused") from e
    except (OSError, ValueError, SyntaxError) as e:
        raise ParseError(f"damaged image, not readable ({e})") from e
    text, grids = lay_out(pages)
    return ReadDocument(text, grids, Source("image", name, ocr=True), warnings=warnings)


@contextmanager
def warnings_as_errors(category: type[Warning]) -> Iterator[None]:
    """PIL only warns between its limit and twice it: raised here, it is a ParseError like the rest."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", category)
        yield


def _check_pixels(width: int, height: int, index: int) -> None:
    if width * height > CAPS.image_pixels:
        raise ParseError(f"image page {index + 1} of {width:,} × {height:,} pixels is too large to be a report "
                         f"page (more than {CAPS.image_pixels:,}); refused")
