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
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .document import ReadDocument
from .layout import Page, Rule, Word, lay_out
from .model import ParseError, Source

DPI = 200
MAX_PAGES = 30  # at ~7 s a page, a longer scan is not read whole
MAX_PIXELS = 60_000_000  # a page at 600 dpi is ~35 Mpx; bigger is a decompression bomb
_PT = 72 / DPI


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


def _rules(gray: Any) -> list[Rule]:
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
                rules.append(Rule(x * _PT, mid * _PT, (x + bw) * _PT, mid * _PT))
            else:
                mid = x + bw / 2
                rules.append(Rule(mid * _PT, y * _PT, mid * _PT, (y + bh) * _PT))
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


def ocr_page(image: Any) -> Page:
    """OCR one page image (PIL) into words and ruling lines, in points at DPI."""
    import numpy as np

    rgb = np.asarray(image.convert("RGB"))
    gray = np.asarray(image.convert("L"))
    rules = _rules(gray)
    verticals = [r for r in rules if r.bottom - r.top > r.x1 - r.x0]
    result = _engine()(rgb)
    words: list[Word] = []
    boxes = result.boxes if result.boxes is not None else []
    word_results = getattr(result, "word_results", None) or [()] * len(boxes)
    for quad, text, per_word in zip(boxes, result.txts or (), word_results, strict=False):
        xs = [float(p[0]) * _PT for p in quad]
        ys = [float(p[1]) * _PT for p in quad]
        chars: list[tuple[str, float, float]] = []
        for item in per_word or ():
            try:
                ch, _score, cbox = item
                cx = [float(p[0]) * _PT for p in cbox]
                chars.append((str(ch), min(cx), max(cx)))
            except (TypeError, ValueError):
                chars = []
                break
        words += _split_at_rules(str(text), (min(xs), min(ys), max(xs), max(ys)), chars, verticals)
    h, w = gray.shape
    return Page(w * _PT, h * _PT, words, rules)


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
    warnings: list[str] = []
    pages: list[Page] = []
    try:
        total = len(pdf)
        if total > MAX_PAGES:
            warnings.append(f"ocr: only the first {MAX_PAGES} of {total} scanned pages were read")
        for i in range(min(total, MAX_PAGES)):
            page = pdf[i]
            w, h = page.get_size()
            scale = DPI / 72
            if w * h * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / (w * h)) ** 0.5
            image = page.render(scale=scale).to_pil()
            if scale != DPI / 72:
                image = image.resize((int(w * DPI / 72), int(h * DPI / 72)))
            pages.append(ocr_page(image))
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

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    pages: list[Page] = []
    warnings: list[str] = []
    try:
        with Image.open(io.BytesIO(data)) as img:
            frames = getattr(img, "n_frames", 1)
            if frames > MAX_PAGES:
                warnings.append(f"ocr: only the first {MAX_PAGES} of {frames} image pages were read")
            for i in range(min(frames, MAX_PAGES)):
                img.seek(i)
                frame = img.copy()
                dpi = img.info.get("dpi", (DPI, DPI))[0] or DPI
                if abs(float(dpi) - DPI) > 20 and 72 <= float(dpi) <= 1200:
                    frame = frame.resize((int(frame.width * DPI / float(dpi)), int(frame.height * DPI / float(dpi))))
                pages.append(ocr_page(frame))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ParseError(f"image too large to be a report page ({e})") from e
    except (OSError, ValueError, SyntaxError) as e:
        raise ParseError(f"damaged image, not readable ({e})") from e
    text, grids = lay_out(pages)
    return ReadDocument(text, grids, Source("image", name, ocr=True), warnings=warnings)
