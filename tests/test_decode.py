"""extract.readers.decode: which bytes become which text, and what gets refused as not-text."""

from __future__ import annotations

import codecs
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.readers.decode import decode_bytes, looks_binary, sniff_format

REPORT = "堃山县政府信息公开工作年度报告：镕、喆、𠮷"  # 堃镕喆: GBK but not GB2312; 𠮷: GB18030 only
ASCII_HTML = "<html><head><title>t</title></head><body><p>hello</p></body></html>"


def page(charset_meta: str | None, body: str = REPORT) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>x</title></head><body><p>{body}</p></body></html>"


# --- decode_bytes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected_encoding"),
    [
        (codecs.BOM_UTF8 + page(None).encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + page(None).encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + page(None).encode("utf-16-be"), "utf-16-be"),
        # A BOM beats a contradicting declaration.
        (codecs.BOM_UTF8 + page("gb2312").encode("utf-8"), "utf-8"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf8-bom-vs-meta-gb2312"],
)
def test_bom_decides_and_is_stripped(data: bytes, expected_encoding: str) -> None:
    text, encoding = decode_bytes(data)
    assert encoding == expected_encoding
    assert not text.startswith("\ufeff")
    assert REPORT in text


@pytest.mark.parametrize(
    ("data", "content_type", "expected_encoding"),
    [
        # No declaration at all: strict UTF-8 first, then GB18030.
        (page(None).encode("utf-8"), None, "utf-8"),
        (page(None).encode("gb18030"), None, "gb18030"),
        # gb2312 / gbk / x-gbk / gb_2312-80 declarations are all read as GB18030.
        (page("gb2312").encode("gb18030"), None, "gb18030"),
        (page("GBK").encode("gb18030"), None, "gb18030"),
        (page("x-gbk").encode("gb18030"), None, "gb18030"),
        (page("gb_2312-80").encode("gb18030"), None, "gb18030"),
        # http-equiv form of the declaration.
        (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f"</head><body>{REPORT}</body></html>".encode("gb18030"),
            None,
            "gb18030",
        ),
        # The meta lies (says UTF-8, bytes are GBK): strict UTF-8 fails, GB18030 wins.
        (page("utf-8").encode("gb18030"), None, "gb18030"),
        # A saved copy re-encoded to UTF-8 that still says gb2312.
        (page("gb2312").encode("utf-8"), None, "utf-8"),
        # The header lies about UTF-8 on a GBK page: falls through to the meta/GB18030.
        (page("gb2312").encode("gb18030"), "text/html; charset=UTF-8", "gb18030"),
        # Server default iso-8859-1 is not believed over real UTF-8 / GBK bytes.
        (page(None).encode("utf-8"), "text/html; charset=ISO-8859-1", "utf-8"),
        (page(None).encode("gb18030"), "text/html; charset=iso-8859-1", "gb18030"),
        # Unknown label: ignored.
        (page("x-no-such-charset").encode("utf-8"), None, "utf-8"),
    ],
)
def test_declared_and_sniffed_charsets(data: bytes, content_type: str | None, expected_encoding: str) -> None:
    text, encoding = decode_bytes(data, content_type)
    assert encoding == expected_encoding
    assert REPORT in text


def test_content_type_header_wins_over_meta() -> None:
    """Big5 bytes also decode strictly as GB18030 (to nonsense): only the header gets them right."""
    original = "某某市政府資訊公開年報，統計數據"
    data = page("gb2312", original).encode("big5")
    assert data.decode("gb18030") != page("gb2312", original)  # the trap is real

    text, encoding = decode_bytes(data, "text/html; charset=big5")
    assert encoding == "big5hkscs"
    assert original in text

    text_without_header, encoding_without_header = decode_bytes(data)
    assert encoding_without_header == "gb18030"
    assert original not in text_without_header


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(codec: str) -> None:
    text, encoding = decode_bytes(page(None).encode(codec))
    assert encoding == codec
    assert REPORT in text


def test_undecodable_bytes_use_the_least_damaged_reading() -> None:
    # 0xFF is invalid in both UTF-8 and GB18030; the UTF-8 reading loses one character.
    data = "中文报告".encode() + b"\xff" + "第二段文字".encode()
    text, encoding = decode_bytes(data)
    assert encoding == "utf-8"
    assert text == "中文报告\ufffd第二段文字"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a\r\nb\rc\nd", "a\nb\nc\nd"),
        (codecs.BOM_UTF8 + b"x\r\n", "x\n"),
        ("\ufeff一、总体情况\r\n".encode("utf-16-le"), "一、总体情况\n"),  # U+FEFF without a BOM prefix
        (b"", ""),
    ],
)
def test_line_endings_and_leading_feff(raw: bytes, expected: str) -> None:
    assert decode_bytes(raw)[0] == expected


@given(st.binary(max_size=600), st.sampled_from([None, "text/html", "text/html; charset=gbk", "charset=utf-16"]))
def test_decode_never_raises_and_normalises(data: bytes, content_type: str | None) -> None:
    text, encoding = decode_bytes(data, content_type)
    assert "\r" not in text
    assert not text.startswith("\ufeff")
    assert codecs.lookup(encoding)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=300))
def test_utf8_round_trips(text: str) -> None:
    text = text.lstrip("\ufeff")
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")


# --- looks_binary / sniff_format -------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20)
ZIP = b"PK\x03\x04\x14\x00\x06\x00" + zlib.compress(b"word/document.xml")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(40)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"

SAMPLES: list[tuple[str, bytes, bool, str | None]] = [
    # id, data, looks_binary, sniff_format
    ("pdf", PDF, True, "pdf"),
    ("pdf-after-junk", b"\r\n\r\n" + PDF, True, "pdf"),
    ("zip-docx", ZIP, True, "zip"),
    ("ole-doc", OLE, True, "ole"),
    ("png", PNG, True, "image"),
    ("jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(30), True, "image"),
    ("gif", b"GIF89a\x01\x00\x01\x00" + bytes(10), True, "image"),
    ("nul-bytes", b"abc\x00\x01\x02\x00\xffdef\x00" * 50, True, None),
    ("control-chars", bytes(range(1, 9)) * 40 + b"some text", True, None),
    ("html-doctype", b"<!DOCTYPE html><html><body>x</body></html>", False, "html"),
    ("html-comment-first", b"  <!-- saved -->\n<html><body>x</body></html>", False, "html"),
    ("xhtml-prolog", b'<?xml version="1.0" encoding="gbk"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">',
     False, "html"),
    ("fragment-with-table", "<div>报告</div><table><tr><td>1</td></tr></table>".encode(), False, "html"),
    ("html-bom", codecs.BOM_UTF8 + b"<html><body>x</body></html>", False, "html"),
    ("html-utf16-bom", codecs.BOM_UTF16_LE + "<html><body>年报</body></html>".encode("utf-16-le"), False, "html"),
    ("html-utf16-no-bom", "<html><body>年度报告</body></html>".encode("utf-16-le"), False, "html"),
    ("plain-text", "一、总体情况\n2023年，我局……\n二、主动公开政府信息情况\n".encode(), False, "text"),
    ("gbk-text", "一、总体情况\r\n本年度报告".encode("gb18030"), False, "text"),
    ("empty", b"", False, None),
    ("whitespace", b" \n\t ", False, None),
    ("ideographic-spaces", "\u3000\u3000\n\u3000\n".encode(), False, None),
    ("gbk-ideographic-spaces", "\u3000\u3000\r\n".encode("gb18030"), False, None),
    ("utf16-bom-whitespace", "\ufeff \r\n \n".encode("utf-16-le"), False, None),
]


@pytest.mark.parametrize(("data", "binary"), [(s[1], s[2]) for s in SAMPLES], ids=[s[0] for s in SAMPLES])
def test_looks_binary(data: bytes, binary: bool) -> None:
    assert looks_binary(data) is binary


@pytest.mark.parametrize(("data", "fmt"), [(s[1], s[3]) for s in SAMPLES], ids=[s[0] for s in SAMPLES])
def test_sniff_format(data: bytes, fmt: str | None) -> None:
    assert sniff_format(data) == fmt
