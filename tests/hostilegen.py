"""Hostile documents of issue 20, generated small and cheap: each declares far more than it holds.

Used by tests/test_hostile.py and bench/hostile.py. Every file here is a few hundred bytes to a
few hundred KB, yet asks a naive reader for gigabytes or minutes: a sheet reaching XFD1048576, a
page of 200 × 200 inches, 100,000 pages, images that blow up when brought to 200 dpi, blank scans
to OCR, a TIFF of 37 frames, an ODT table of 40,000 rows, a report inside 240 nested <div>s.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from tests.shared import CORPUS

BLANK_TEMPLATE = CORPUS / "template-2021-blank.docx"
REAL_PAGE = CORPUS / "fujian-pingtan-2023.html"  # a real report page: 6 sections, 200 cells


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from its numbered objects (1 = catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def giant_page_pdf(points: int = 14400) -> bytes:
    """One blank page of points × points (14400 pt = 200 inches square, the largest PDF allows): ~350 bytes."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] >>" % (points, points)])


def page_tree_pdf(pages: int = 100_000, fanout: int = 10) -> bytes:
    """`pages` (a power of `fanout`) pages in under 1 KB: each level of the page tree lists one node below
    `fanout` times, so the last level's single blank A4 page is every page of the document."""
    levels, n = 0, 1
    while n < pages:
        levels, n = levels + 1, n * fanout
    if n != pages:
        raise ValueError(f"{pages} is not a power of {fanout}")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for k in range(levels):
        parent = b"/Parent %d 0 R " % (k + 1) if k else b""
        kids = b" ".join([b"%d 0 R" % (k + 3)] * fanout)
        objects.append(b"<< /Type /Pages %s/Kids [%s] /Count %d >>" % (parent, kids, fanout ** (levels - k)))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] >>" % (levels + 1))
    return _pdf(objects)


def blank_scan_pdf(pages: int = 30, dpi: int = 200) -> bytes:
    """An image-only PDF of `pages` blank A4 scans at `dpi` (one white image shared by every page): ~2 KB."""
    w, h = round(8.27 * dpi), round(11.69 * dpi)
    row = b"\x00" + b"\xff" * ((w + 7) // 8)  # PNG predictor byte, then a row of white 1-bit pixels
    image = zlib.compress(row * h, 9)
    kids = b" ".join([b"3 0 R"] * pages)
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im 5 0 R >> >> "
                 b"/Contents 4 0 R >>",
                 b"<< /Length 33 >>\nstream\nq 595 0 0 842 0 0 cm /Im Do Q  \nendstream",
                 b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 "
                 b"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Columns %d /Colors 1 /BitsPerComponent 1 >> "
                 b"/Length %d >>\nstream\n%s\nendstream" % (w, h, w, len(image), image)])


@lru_cache(maxsize=4)  # drawing 100 Mpx takes a second or two
def big_png(pixels: int = 10_000, dpi: int = 72) -> bytes:
    """A `pixels`-square grayscale PNG tagged `dpi`, ruled like a form (so not blank): ~100 KB. At 72 dpi,
    bringing it to 200 dpi would make it 2.8 times wider and taller (770 Mpx for 10,000 px)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (pixels, pixels), 255)
    draw = ImageDraw.Draw(img)
    for k in range(0, pixels, 97):
        draw.line([(0, k), (pixels, k)], fill=0, width=2)
        draw.line([(k, 0), (k, pixels)], fill=0, width=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buf.getvalue()


def _noise(size: tuple[int, int], rng: random.Random) -> Any:
    from PIL import Image

    return Image.frombytes("1", size, rng.randbytes(size[0] * size[1] // 8))


@lru_cache(maxsize=8)
def noise_png(width: int = 2400, height: int = 1800, seed: int = 20) -> bytes:
    """Black and white noise: the OCR detector works hard on it (about 7 s of CPU here at 2400×1800 in a
    fresh process; 1200×900 took 1.0–1.6 s) and finds no report. A document slow to parse."""
    buf = io.BytesIO()
    _noise((width, height), random.Random(seed)).save(buf, format="PNG")
    return buf.getvalue()


@lru_cache(maxsize=8)
def noise_tiff(frames: int = 12, size: tuple[int, int] = (1200, 1700), seed: int = 20) -> bytes:
    """A scan of `frames` pages of noise, each OCR'd (tens of seconds of CPU for 12): a document that
    reaches a parse time limit of a few seconds on any machine."""
    rng = random.Random(seed)
    pages = [_noise(size, rng) for _ in range(frames)]
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate",
                  dpi=(200, 200))
    return buf.getvalue()


def many_frame_tiff(frames: int = 37, size: tuple[int, int] = (827, 1169), ink: bool = False) -> bytes:
    """A multi-page TIFF (a fax-style scan): blank frames, or frames with a ruled box when `ink`."""
    from PIL import Image, ImageDraw

    pages = []
    for _ in range(frames):
        img = Image.new("L", size, 255)
        if ink:
            ImageDraw.Draw(img).rectangle([60, 60, size[0] - 60, size[1] // 3], outline=0, width=4)
        pages.append(img)
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate",
                  dpi=(100, 100))
    return buf.getvalue()


def far_cells_xlsx(last: str = "XFD1048576", *, dimension: bool = False) -> bytes:
    """A workbook of one sheet with a cell at A1 and one at `last`: ~1.5 KB. A reader that sizes a dense
    grid for the used range asks for 1,048,576 × 16,384 cells (calamine: 512 GB, then abort)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    row = last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}">'
        + (f'<dimension ref="A1:{last}"/>' if dimension else "")
        + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>本年新收政府信息公开申请数量</t></is></c></row>'
        f'<row r="{row}"><c r="{last}"><v>1</v></c></row></sheetData></worksheet>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + xml)
    return buf.getvalue()


def long_table_odt(rows: int = 40_000, *, repeated: int = 1) -> bytes:
    """An ODT text document holding one table of `rows` rows of three cells (LibreOffice: minutes), each
    row written once and declared `repeated` times (`table:number-rows-repeated`)."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    attr = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    cell = "<table:table-cell><text:p>0</text:p></table:table-cell>"
    row = f"<table:table-row{attr}>{cell * 3}</table:table-row>"
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               "<office:body><office:text><text:p>政府信息公开工作年度报告</text:p>"
               '<table:table table:name="T"><table:table-column table:number-columns-repeated="3"/>'
               + row * rows + "</table:table></office:text></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")  # stored, first
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return buf.getvalue()


def nested_report(depth: int = 240, page: Path = REAL_PAGE) -> bytes:
    """A real report page with its body wrapped in `depth` nested <div>s (libxml2 stops at 256 levels)."""
    text = page.read_bytes().decode("utf-8")
    body = re.search(r"<body[^>]*>", text)
    assert body is not None
    end = text.rindex("</body>")
    return (text[:body.end()] + "<div>" * depth + text[body.end():end] + "</div>" * depth + text[end:]).encode()


def hostile_files() -> dict[str, bytes]:
    """Every hostile document at the size the issue measured, by a file name that says what it is."""
    return {
        "far-cells.xlsx": far_cells_xlsx(),
        "giant-page.pdf": giant_page_pdf(),
        "png-10000px-72dpi.png": big_png(10_000),
        "png-7700px-72dpi.png": big_png(7_700),
        "100000-pages.pdf": page_tree_pdf(100_000),
        "blank-scan-30-pages.pdf": blank_scan_pdf(30),
        "tiff-37-frames.tif": many_frame_tiff(37),
        "odt-40000-rows.odt": long_table_odt(40_000),
        "nested-240-divs.html": nested_report(240),
        "blank-template.docx": BLANK_TEMPLATE.read_bytes(),
    }
