"""Reports in every file format, made from known numbers, for the format readers' tests and bench.

The official blank 2021 template (../shared/corpus/template-2021-blank.docx) is filled with random
numbers through python-docx; LibreOffice turns that DOCX into PDF and DOC; pdfium renders a PDF
page to an image for OCR; an OFD is written from the PDF's words and ruling lines (the same page,
in another fixed-layout format); an XLSX is written by hand from the template's table grid.
`Filled.cells` holds the answer: every (table, item/group, row, column) → value.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from extract import codes
from tests.shared import CORPUS, need_shared

TEMPLATE = CORPUS / "template-2021-blank.docx"
Key = tuple[str, str, str, str]  # table, item or group, row, column


@dataclass
class Filled:
    """A filled-in template: the DOCX bytes and the value each cell was given."""

    docx: bytes
    cells: dict[Key, int | float] = field(default_factory=dict)
    title: str = ""
    grids: list[list[list[str]]] = field(default_factory=list)


# Where each value cell of the template sits: (table index, row index, first value column).
_ACTIVE = [("20.1", "regulations", 2), ("20.1", "normative_documents", 3), ("20.5", "licensing", 6),
           ("20.6", "penalty", 9), ("20.6", "coercion", 10), ("20.8", "fees", 13)]


def fill_template(seed: int, agency: str = "淮安市测试区人民政府", year: int = 2023) -> Filled:
    """The blank template with a title, narrative and every value cell filled from `seed`."""
    import docx

    need_shared()  # the official blank template is shared material
    rng = random.Random(seed)
    doc = docx.Document(str(TEMPLATE))
    title = f"{agency}{year}年政府信息公开工作年度报告"
    out = Filled(b"", title=title)
    paras = [p for p in doc.paragraphs if p.text.strip()]
    paras[0].text = title
    for p in paras:
        if p.text.startswith("（文字描述"):
            p.text = (f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                      f"全年主动公开政府信息{rng.randint(100, 999)}条，持续推进政务公开标准化规范化建设。")
    active, requests, review = doc.tables
    rows21 = {r.row: r for r in codes.ACTIVE_ROWS["2021"]}
    for item, row, r in _ACTIVE:
        for k, column in enumerate(rows21[row].columns):
            value: int | float = round(rng.uniform(0, 9999), 2) if column == "amount" else rng.randint(0, 999)
            active.cell(r, 1 + k).text = str(value)
            out.cells[("active_disclosure", item, row, column)] = value
    request_rows = [code for code, _l, _g in codes.REQUEST_ROWS["2021"]]
    for i, row in enumerate(request_rows):
        for k, (column, _label) in enumerate(codes.REQUEST_COLUMNS):
            value = rng.randint(0, 300)
            requests.cell(3 + i, 3 + k).text = str(value)
            out.cells[("requests", "", row, column)] = value
    k = 0
    for group, _g in codes.REVIEW_GROUPS:
        for column, _c in codes.REVIEW_COLUMNS:
            value = rng.randint(0, 60)
            review.cell(3, k).text = str(value)
            out.cells[("review_litigation", group, "", column)] = value
            k += 1
    out.grids = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    buf = io.BytesIO()
    doc.save(buf)
    out.docx = buf.getvalue()
    return out


# --- OFD -------------------------------------------------------------------------------------------

_OFD_NS = "http://www.ofdspec.org/2016"
_MM = 25.4 / 72


def pdf_to_ofd(pdf: bytes) -> bytes:
    """An OFD with the PDF's words (TextObject) and ruling lines (PathObject), page by page."""
    from extract.readers.pdf import read_pages

    pages, _warnings, _chars, _bad = read_pages(pdf)
    pages_xml: list[str] = []
    size = (pages[0].width * _MM, pages[0].height * _MM)
    for page in pages:
        objs: list[str] = []
        oid = 10
        for w in page.words:
            oid += 1
            h = (w.bottom - w.top) * _MM
            width = (w.x1 - w.x0) * _MM
            step = width / max(len(w.text), 1)
            delta = f' DeltaX="g {len(w.text) - 1} {step:.3f}"' if len(w.text) > 1 else ""
            objs.append(
                f'<ofd:TextObject ID="{oid}" Boundary="{w.x0 * _MM:.3f} {w.top * _MM:.3f} {width:.3f} {h:.3f}" '
                f'Font="1" Size="{h:.3f}"><ofd:TextCode X="0" Y="{h * 0.88:.3f}"{delta}>'
                f"{escape(w.text)}</ofd:TextCode></ofd:TextObject>")
        for r in page.rules:
            oid += 1
            x0, y0, x1, y1 = (v * _MM for v in (r.x0, r.top, r.x1, r.bottom))
            lw, lh = x1 - x0, y1 - y0  # a thin filled box in the PDF, its centre line here
            line = (f"M 0 {lh / 2:.3f} L {lw:.3f} {lh / 2:.3f}" if lw >= lh
                    else f"M {lw / 2:.3f} 0 L {lw / 2:.3f} {lh:.3f}")
            objs.append(
                f'<ofd:PathObject ID="{oid}" Boundary="{x0:.3f} {y0:.3f} {max(lw, 0.1):.3f} {max(lh, 0.1):.3f}" '
                f'LineWidth="0.25"><ofd:AbbreviatedData>{line}</ofd:AbbreviatedData></ofd:PathObject>')
        pages_xml.append(
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{_OFD_NS}"><ofd:Content>'
            f'<ofd:Layer ID="2">{"".join(objs)}</ofd:Layer></ofd:Content></ofd:Page>')
    page_refs = "".join(f'<ofd:Page ID="{i + 3}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages_xml)))
    document = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{_OFD_NS}"><ofd:CommonData>'
                f"<ofd:MaxUnitID>99999</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {size[0]:.2f} {size[1]:.2f}"
                f"</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>")
    ofd = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{_OFD_NS}" Version="1.0" DocType="OFD">'
           "<ofd:DocBody><ofd:DocInfo><ofd:DocID>nianbao-test</ofd:DocID></ofd:DocInfo>"
           "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", ofd)
        z.writestr("Doc_0/Document.xml", document)
        for i, xml in enumerate(pages_xml):
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", xml)
    return buf.getvalue()


# --- XLSX ------------------------------------------------------------------------------------------


def _col(k: int) -> str:
    name = ""
    k += 1
    while k:
        k, rem = divmod(k - 1, 26)
        name = chr(65 + rem) + name
    return name


def grids_to_xlsx(title: str, grids: list[list[list[str]]]) -> bytes:
    """A one-sheet XLSX: the title, then each table with its merged header cells as merged ranges."""
    rows_xml: list[str] = []
    merges: list[str] = []
    r = 1

    def cell(ref: str, text: str) -> str:
        try:
            float(text)
            return f'<c r="{ref}"><v>{text}</v></c>'
        except ValueError:
            return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'

    rows_xml.append(f'<row r="{r}">{cell("A1", title)}</row>')
    for grid in grids:
        r += 2
        for row in grid:
            cells = []
            for k, text in enumerate(row):
                first = k == 0 or row[k - 1] != text
                if text and first:
                    cells.append(cell(f"{_col(k)}{r}", text))
                    span = k
                    while span + 1 < len(row) and row[span + 1] == text:
                        span += 1
                    if span > k:
                        merges.append(f'<mergeCell ref="{_col(k)}{r}:{_col(span)}{r}"/>')
            rows_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
            r += 1
    merge_xml = f'<mergeCells count="{len(merges)}">{"".join(merges)}</mergeCells>' if merges else ""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{"".join(rows_xml)}</sheetData>{merge_xml}</worksheet>')
    main = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{main}/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{main}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{main}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}/spreadsheetml/2006/main" '
            f'xmlns:r="{main}/officeDocument/2006/relationships"><sheets><sheet name="年报" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{main}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{main}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": sheet,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, xml)
    return buf.getvalue()


# --- pages as images -------------------------------------------------------------------------------


def render_page(pdf: bytes, index: int, dpi: int = 200) -> bytes:
    """One PDF page as a PNG, as a scanner would deliver it."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[index].render(scale=dpi / 72).to_pil()
    finally:
        doc.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def images_to_pdf(pngs: list[bytes]) -> bytes:
    """An image-only PDF (a scan): the pages as pictures, no text layer."""
    from PIL import Image

    images = [Image.open(io.BytesIO(p)).convert("RGB") for p in pngs]
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=200)
    return buf.getvalue()


def many_page_pdf(pages: int) -> bytes:
    """A valid PDF of `pages` pages with a line of text each, written by hand (no tool needed)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for i in range(pages):
        content = f"BT /F1 12 Tf 72 720 Td (Page {i + 1} of a very long document) Tj ET".encode()
        objs.append(f"<< /Length {len(content)} >>\nstream\n{content.decode()}\nendstream")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {len(objs)} 0 R >>")
        kids.append(f"{len(objs)} 0 R")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
