"""Every format reader gives back every cell of a report made from known numbers.

The official 2021 template is filled with random numbers (tests/formatgen.py), then turned into
each format a report is published in: DOCX as filled, PDF and DOC through LibreOffice, OFD from
the PDF's page content, XLSX from the table grid, and scans (a PNG page and an image-only PDF)
read by OCR. Conversions run once per test session: LibreOffice takes seconds a file.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from extract import parse_report
from extract.model import Report
from extract.readers.ocr import engine_version
from extract.readers.office import convert, soffice
from tests import formatgen

pytestmark = pytest.mark.timeout(300)


@dataclass
class Inputs:
    filled: formatgen.Filled
    pdf: bytes
    doc: bytes


def _need_libreoffice() -> None:
    if soffice() is None:
        pytest.skip("LibreOffice is not installed (bash scripts/system-packages.sh installs it)")


@pytest.fixture(scope="module")
def filled() -> formatgen.Filled:
    if not formatgen.TEMPLATE.is_file():
        pytest.skip(f"{formatgen.TEMPLATE} is not present")
    return formatgen.fill_template(seed=20261125)


@pytest.fixture(scope="module")
def inputs(filled: formatgen.Filled) -> Inputs:
    _need_libreoffice()
    return Inputs(filled, convert(filled.docx, ".docx", "pdf"), convert(filled.docx, ".docx", "doc:MS Word 97"))


def _cells(report: Report) -> dict[formatgen.Key, object]:
    return {(table, c.item or c.group or "", c.row or "", c.column): c.value
            for table, cells in report.tables.items() for c in cells}


def _assert_all_cells(report: Report, filled: formatgen.Filled, tables: tuple[str, ...] | None = None) -> None:
    got = _cells(report)
    want = {k: v for k, v in filled.cells.items() if tables is None or k[0] in tables}
    wrong = {k: (v, got.get(k, "MISSING")) for k, v in want.items() if got.get(k, "MISSING") != v}
    assert not wrong, f"{len(wrong)} of {len(want)} cells wrong, e.g. {list(wrong.items())[:5]}"
    extra = [k for k in got if k not in filled.cells]
    assert not extra, f"cells that were never filled: {extra[:5]}"


def _assert_report(report: Report, filled: formatgen.Filled, fmt: str, *, ocr: bool = False) -> None:
    assert report.source.format == fmt
    assert report.source.ocr is ocr
    assert report.source.reader and any(ch.isdigit() for ch in report.source.reader), report.source.reader
    assert report.template == "2021"
    assert report.title == filled.title
    assert [s.kind for s in report.sections] == ["overview", "active_disclosure", "requests", "review_litigation",
                                                "problems", "other"]


def test_docx_every_cell(filled: formatgen.Filled) -> None:
    report = parse_report(filled.docx)
    _assert_report(report, filled, "docx")
    _assert_all_cells(report, filled)
    assert not report.warnings, report.warnings


@pytest.mark.e2e  # LibreOffice
def test_pdf_every_cell(inputs: Inputs) -> None:
    report = parse_report(inputs.pdf)
    _assert_report(report, inputs.filled, "pdf")
    _assert_all_cells(report, inputs.filled)
    assert report.source.reader.startswith("pdfium ")


@pytest.mark.e2e  # LibreOffice
def test_doc_every_cell_through_libreoffice(inputs: Inputs) -> None:
    assert inputs.doc.startswith(b"\xd0\xcf\x11\xe0")  # really the legacy binary format
    report = parse_report(inputs.doc)
    _assert_report(report, inputs.filled, "doc")
    _assert_all_cells(report, inputs.filled)
    assert "LibreOffice" in report.source.reader


@pytest.mark.e2e  # LibreOffice
def test_ofd_every_cell(inputs: Inputs) -> None:
    report = parse_report(formatgen.pdf_to_ofd(inputs.pdf))
    _assert_report(report, inputs.filled, "ofd")
    _assert_all_cells(report, inputs.filled)


def test_xlsx_every_cell(filled: formatgen.Filled) -> None:
    report = parse_report(formatgen.grids_to_xlsx(filled.title, filled.grids))
    assert report.source.format == "xlsx"
    assert report.source.reader.startswith("python-calamine ")
    assert report.title == filled.title
    _assert_all_cells(report, filled)


def _page_with(pdf: bytes, needle: str) -> int:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for i, page in enumerate(doc.pages):
            if needle in (page.extract_text() or "").replace(" ", ""):
                return i
    raise AssertionError(f"no page of the generated PDF holds {needle}")


@pytest.fixture(scope="module")
def need_ocr() -> None:
    if engine_version() is None:
        pytest.skip("rapidocr/onnxruntime not importable")


@pytest.mark.e2e  # LibreOffice, OCR
def test_scanned_pdf_requests_table_by_ocr(inputs: Inputs, need_ocr: None) -> None:
    """An image-only PDF of the page with the requests table: 175 cells read back by OCR."""
    page = _page_with(inputs.pdf, "本年新收政府信息公开申请数量")
    scan = formatgen.images_to_pdf([formatgen.render_page(inputs.pdf, page)])
    report = parse_report(scan)
    assert report.source.format == "pdf" and report.source.ocr is True
    assert report.source.reader.startswith("rapidocr ")
    _assert_all_cells(report, inputs.filled, tables=("requests",))


@pytest.mark.e2e  # LibreOffice, OCR
def test_page_image_review_table_by_ocr(inputs: Inputs, need_ocr: None) -> None:
    """A PNG of the page with the review/litigation table, as a scanner delivers it."""
    page = _page_with(inputs.pdf, "未经复议直接起诉")
    report = parse_report(formatgen.render_page(inputs.pdf, page))
    assert report.source.format == "image" and report.source.ocr is True
    _assert_all_cells(report, inputs.filled, tables=("review_litigation",))
