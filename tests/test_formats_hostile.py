"""Hostile and broken documents: each one ends in a ParseError that says why, in bounded time and memory."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from extract import ParseError, parse_report
from extract.readers import ocr as ocr_module
from extract.readers.office import convert, soffice
from extract.readers.pdf import MAX_PAGES, read_pdf
from tests import formatgen

pytestmark = pytest.mark.timeout(120)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _refused(data: bytes, *needles: str, seconds: float = 20) -> str:
    start = time.monotonic()
    with pytest.raises(ParseError) as info:
        parse_report(data)
    assert time.monotonic() - start < seconds
    message = str(info.value)
    assert any(n in message for n in needles), message
    return message


def _bomb(member: str, extra: dict[str, bytes], size_mb: int = 200) -> bytes:
    """A small ZIP whose `member` inflates to `size_mb` MB of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in extra.items():
            z.writestr(name, data)
        with z.open(member, "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(size_mb):
                f.write(chunk)
    return buf.getvalue()


@pytest.mark.parametrize(("member", "extra"), [
    ("word/document.xml", {"[Content_Types].xml": b"<Types/>"}),
    ("Doc_0/Document.xml", {"OFD.xml": b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>'
                                       b"<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"}),
    ("xl/worksheets/sheet1.xml", {"xl/workbook.xml": b"<workbook/>"}),
], ids=["docx", "ofd", "xlsx"])
def test_zip_bomb_refused_within_memory(member: str, extra: dict[str, bytes]) -> None:
    data = _bomb(member, extra)
    assert len(data) < 1024 * 1024  # 200 MB inflated from well under 1 MB
    tracemalloc.start()
    try:
        _refused(data, "zip bomb")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MiB while refusing a zip bomb"


def test_zip_of_many_parts_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", b"<x/>")
        for i in range(6000):
            z.writestr(f"p/{i}", b"")
    _refused(buf.getvalue(), "parts")


@pytest.mark.e2e  # LibreOffice
def test_encrypted_pdf_refused() -> None:
    if soffice() is None:
        pytest.skip("LibreOffice is not installed")
    filled = formatgen.fill_template(seed=1)
    pdf = convert(filled.docx, ".docx", 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
                  '"DocumentOpenPassword":{"type":"string","value":"secret"}}')
    _refused(pdf, "encrypted", "password")


def test_scan_without_ocr_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 1100), "white")
    ImageDraw.Draw(image).rectangle((100, 100, 700, 400), outline="black", width=3)
    png = io.BytesIO()
    image.save(png, format="PNG")
    scan = formatgen.images_to_pdf([png.getvalue()])
    with pytest.raises(ParseError, match="OCR was not allowed"):
        read_pdf(scan, ocr=False)
    monkeypatch.setattr(ocr_module, "engine_version", lambda: None)
    message = _refused(scan, "OCR is not available")
    assert "rapidocr" in message
    _refused(png.getvalue(), "OCR is not available")


def test_two_hundred_page_pdf_is_bounded() -> None:
    data = formatgen.many_page_pdf(200)
    start = time.monotonic()
    doc = read_pdf(data, ocr=False)
    assert time.monotonic() - start < 30
    assert f"only the first {MAX_PAGES} of 200 pages" in " ".join(doc.warnings)
    assert doc.text.count("Page ") == MAX_PAGES
    _refused(data, "not an annual report")


def _real_pdf() -> bytes:
    path = CORPUS / "hongze-2024.pdf"
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return path.read_bytes()


def test_corrupt_files_refused() -> None:
    pdf = _real_pdf()
    _refused(pdf[: len(pdf) // 3], "PDF", "not an annual report")
    _refused(b"%PDF-1.7\n" + bytes(range(256)) * 40, "damaged PDF", "PDF")
    filled = formatgen.fill_template(seed=2)
    _refused(filled.docx[: len(filled.docx) // 2], "damaged")
    _refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, "OLE")
    _refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, "image")
    _refused(b"PK\x03\x04" + b"\x01" * 3000, "damaged")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", b"<w:document><unclosed>")
    _refused(buf.getvalue(), "not well-formed")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>')
    _refused(buf.getvalue(), "DocRoot")


def _ole(*streams: str) -> bytes:
    """OLE2 magic and directory-entry names (UTF-16LE), enough for the sniffer."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"".join(
        s.encode("utf-16-le") + b"\x00" * 32 for s in streams) + b"\x00" * 2048


def test_ole_documents_are_told_apart() -> None:
    from extract.readers.formats import ole_kind

    assert ole_kind(_ole("Root Entry", "WordDocument", "1Table")) == "doc"
    assert ole_kind(_ole("Root Entry", "WordDocument", "KSOProductBuildVer")) == "wps"
    assert ole_kind(_ole("Root Entry", "Workbook")) == "xls"
    assert ole_kind(_ole("Root Entry", "PowerPoint Document")) == "unknown"


def test_doc_without_libreoffice_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from extract.readers import office

    monkeypatch.setattr(office, "soffice", lambda: None)
    for streams in (("WordDocument",), ("WordDocument", "KSOProductBuildVer")):
        message = _refused(_ole("Root Entry", *streams), "LibreOffice")
        assert "apt-get install" in message and "libreoffice-writer-nogui" in message
