"""Which reader a binary document goes to, decided from its bytes (a file name or a server's
Content-Type is often wrong: `.doc` files that are RTF or DOCX, `.wps` files that are OLE Word)."""

from __future__ import annotations

import re

from ..model import ParseError, SourceFormat
from .document import ReadDocument
from .limits import CAPS
from .safezip import SafeZip

_WORD_STREAM = "WordDocument".encode("utf-16-le")
_BOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_KINGSOFT = "KSOProductBuildVer".encode("utf-16-le")
# An ODT table row, with the count it stands for (`table:number-rows-repeated`).
_ODT_ROW = re.compile(rb"<table:table-row\b([^>]*)>")
_REPEATED = re.compile(rb'table:number-rows-repeated="(\d{1,9})"')


def ole_kind(data: bytes) -> str:
    """`doc`, `wps` or `xls` for an OLE2 compound file, from the names of its streams."""
    if _WORD_STREAM in data:
        return "wps" if _KINGSOFT in data else "doc"
    if any(s in data for s in _BOOK_STREAMS):
        return "xls"
    return "unknown"


def zip_kind(data: bytes) -> str:
    """`docx`, `xlsx`, `ofd` or `odt` for a ZIP container, from the parts it has."""
    z = SafeZip(data, "ZIP document")
    names = set(z.names)
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    if "content.xml" in names and z.has("mimetype") and b"opendocument.text" in z.read("mimetype"):
        return "odt"
    return "unknown"


def read_document(data: bytes, fmt: str) -> ReadDocument:
    """Read a binary document of sniffed format `fmt` (pdf, zip, ole, image) into text and grids."""
    if fmt == "pdf":
        from .pdf import read_pdf

        return read_pdf(data)
    if fmt == "image":
        from .ocr import ocr_image

        return ocr_image(data)
    if fmt == "zip":
        kind = zip_kind(data)
        if kind == "docx":
            from .docx import read_docx

            return read_docx(data)
        if kind == "xlsx":
            from .sheets import read_sheets

            return read_sheets(data, zipped=True)
        if kind == "ofd":
            from .ofd import read_ofd

            return read_ofd(data)
        if kind == "odt":
            _check_odt_rows(data)
            return _via_libreoffice(data, ".odt", "docx")
        raise ParseError("a ZIP archive that is not readable as a document (not DOCX, XLSX, OFD or ODT)")
    if fmt == "ole":
        kind = ole_kind(data)
        if kind == "xls":
            from .sheets import read_sheets

            return read_sheets(data, zipped=False)
        if kind == "doc":
            return _via_libreoffice(data, ".doc", "doc")
        if kind == "wps":
            return _via_libreoffice(data, ".wps", "wps")
        raise ParseError("an OLE (legacy Office) file that is not readable: neither a Word/WPS document nor a workbook")
    raise ParseError(f"no reader for {fmt} documents")


def _via_libreoffice(data: bytes, suffix: str, fmt: SourceFormat) -> ReadDocument:
    """DOC, WPS, ODT: LibreOffice converts to DOCX, the DOCX reader reads it."""
    from .docx import READER_VERSION, read_docx
    from .office import convert, soffice_version

    docx = convert(data, suffix, "docx:MS Word 2007 XML")
    source_fmt: SourceFormat = fmt if fmt in ("doc", "wps") else "docx"
    return read_docx(docx, fmt=source_fmt, reader=f"{soffice_version()} → nianbao-docx {READER_VERSION}")


def _check_odt_rows(data: bytes) -> None:
    """Refuse an ODT whose tables hold more rows than a report has, before LibreOffice spends minutes on it."""
    content = SafeZip(data, "ODT").read("content.xml")
    rows = 0
    for m in _ODT_ROW.finditer(content):
        repeated = _REPEATED.search(m.group(1))
        rows += int(repeated.group(1)) if repeated else 1
        if rows > CAPS.office_table_rows:
            raise ParseError(f"ODT with tables of more than {CAPS.office_table_rows:,} rows is not a report; "
                             "refused before conversion")
