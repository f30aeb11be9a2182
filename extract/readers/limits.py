"""Caps on what one document may make the readers do, checked before rendering, decoding or converting.

A report is 5–40 pages of A4, a few tables of at most a few hundred rows; a crafted file declares a
page of 200 × 200 inches, 100,000 pages, a sheet reaching cell XFD1048576 or a table of 40,000 rows,
each a few KB that make a reader allocate gigabytes or run for minutes. Each cap here is far above any
real report and is checked on what the file *declares*, before the work. One place, so a worker
process can set them all (`configure`, from archive/workers.py) and tests can set them low.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Caps:
    """The caps; `CAPS` is the one the readers consult."""

    pdf_pages: int = 5000  # a PDF of more pages is not one report: refused
    page_area_pt2: float = 36_000_000  # 6000 × 6000 pt (83 in square): larger pages are refused
    render_pixels: int = 12_000_000  # a page is rendered/resized for OCR to at most this (A3 at 200 dpi: 7.8 Mpx)
    image_pixels: int = 60_000_000  # a decoded image larger than this is refused (600 dpi A4 ≈ 35 Mpx)
    image_frames: int = 500  # a multi-page TIFF of more frames is refused
    ocr_pages: int = 30  # pages of a scan that are OCR'd (~7 s each); the rest are left, with a warning
    sheet_cells: int = 4_000_000  # a worksheet whose used range spans more cells is refused
    office_table_rows: int = 10_000  # table rows of an ODT sent to LibreOffice


CAPS = Caps()


def configure(**values: float) -> None:
    """Set caps by name (unknown names are an error: a typo must not silently leave a cap at its default)."""
    known = {f.name: f.type for f in fields(Caps)}
    for name, value in values.items():
        if name not in known:
            raise ValueError(f"no such cap: {name} (known: {', '.join(sorted(known))})")
        setattr(CAPS, name, int(value) if known[name] in ("int", int) else float(value))
