"""Bytes → text for fetched pages, and a cheap sniff of what the bytes are.

Chinese government portals routinely mislabel their encoding: `<meta charset="gb2312">` on
GBK/GB18030 bytes, a UTF-8 header on a GBK page, a saved copy re-encoded to UTF-8 that still
says gb2312, an `iso-8859-1` default from the web server. So a declaration is only trusted
when the bytes decode strictly under it; otherwise we fall back to UTF-8 and GB18030.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_bytes", "looks_binary", "looks_like_html", "sniff_format"]

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Every GB-family label decodes as GB18030: it is a strict superset of GB2312 and GBK, and
# pages that say gb2312 very often contain GBK-only characters (镕, 堃, 喆 …).
_GB_LABELS = frozenset(
    {
        "gb2312", "gb_2312", "gb_2312-80", "gb2312-80", "gbk", "x-gbk", "cp936", "ms936",
        "windows-936", "csgb2312", "csiso58gb231280", "iso-ir-58", "chinese", "gb18030",
        "gb-18030", "euc-cn", "x-euc-cn",
    }
)
_LABEL_ALIASES = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "big5": "big5hkscs",  # as browsers do: Big5 pages use HKSCS extensions
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
}
# Single-byte Western labels are what servers and error pages emit by default, not a real
# statement about a Chinese page; they are tried only after UTF-8 and GB18030.
_WEAK_CODECS = frozenset({"latin_1", "cp1252", "ascii", "iso8859-1"})

_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
# Matches both <meta charset="x"> and <meta http-equiv=Content-Type content="…; charset=x">.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_META_SCAN_BYTES = 4096
_UTF16_PARITY = 0.9
_SNIFF_BYTES = 8192

_NEWLINES = re.compile(r"\r\n?")
# Valid UTF-8 overrides a GB declaration only with this many non-ASCII bytes (three CJK
# characters): a couple of GBK characters can be valid UTF-8 by accident, a page cannot.
_UTF8_EVIDENCE = 9
_ASCII_BYTES = bytes(range(128))

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),  # docx, xlsx, ofd, odt are zip containers
    (b"PK\x05\x06", "zip"),  # empty zip
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # .doc, .xls, .wps (OLE2 compound file)
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),  # JPEG
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"II*\x00", "image"),  # TIFF, the usual format of scanned documents
    (b"MM\x00*", "image"),
)
# Acrobat accepts `%PDF-` anywhere in the first 1024 bytes (some servers prepend junk).
_PDF_MAGIC = b"%PDF-"
_PDF_WINDOW = 1024

# Control bytes that never occur in text (tab, LF, FF, CR and ESC are allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_CONTROL_SHARE = 0.10

_HTML_START = re.compile(r"<!doctype\s+html|<html[\s>]", re.I)
_HTML_TAG = re.compile(r"<(?:body|table|p|div|head|title|meta|br|h[1-6])[\s>/]", re.I)
# What may precede the first tag of an HTML document: whitespace, comments, an XML prolog.
_HTML_PREAMBLE = re.compile(r"(?:\s+|<!--.*?-->|<\?xml[^>]*>)*", re.S)


def _normalise_label(label: str) -> str | None:
    """Map a declared charset label to a Python codec name, or None when it is unknown."""
    key = label.strip().strip("\"'").lower()
    if not key:
        return None
    if key in _GB_LABELS:
        return "gb18030"
    key = _LABEL_ALIASES.get(key, key)
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    if name in ("utf-16", "utf-32"):
        # A declared "utf-16" on bytes without a BOM: browsers read it as little-endian.
        return name + "-le"
    return name


def _declared_header(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return _normalise_label(m.group(1)) if m else None


def _declared_meta(data: bytes) -> str | None:
    head = data[:_META_SCAN_BYTES]
    if b"<" not in head:
        return None  # plain text: no tag at all (the case-insensitive pattern would try every byte)
    m = _META_CHARSET.search(head)
    return _normalise_label(m.group(1).decode("ascii", "replace")) if m else None


def _bom(data: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """Recognise BOM-less UTF-16 by its NUL bytes sitting on one parity (the high byte of ASCII).

    Not all of them: CJK code points such as 开 (U+5F00) put a NUL on the other side.
    """
    if 0 not in sample:
        return None  # (memchr; counting every byte is for the few samples that hold a NUL)
    nuls = sample.count(0)
    if nuls < max(4, len(sample) // 20):
        return None
    even = sample[0::2].count(0)
    odd = nuls - even
    if odd >= _UTF16_PARITY * nuls:
        name = "utf-16-le"
    elif even >= _UTF16_PARITY * nuls:
        name = "utf-16-be"
    else:
        return None
    cut = len(sample) - (len(sample) % 2)
    try:
        text = codecs.decode(sample[:cut], name)
    except UnicodeDecodeError:
        # The sample may end inside a surrogate pair; one retry two bytes shorter.
        try:
            text = codecs.decode(sample[: max(0, cut - 2)], name)
        except UnicodeDecodeError:
            return None
    # Binary data with regularly spaced NULs decodes too, but into control characters.
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f")
    return name if controls <= _CONTROL_SHARE * len(text) else None


def _high_bytes(data: bytes) -> int:
    return len(data.translate(None, _ASCII_BYTES))


def _finish(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    return text


def decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a fetched page; return (text, codec name actually used).

    Order: BOM → charset in the HTTP Content-Type → <meta> charset in the first 4 KB →
    strict UTF-8 → strict GB18030. A declaration is used only if the bytes decode strictly
    under it, with one exception: bytes that are valid, non-ASCII UTF-8 win over a GB-family
    declaration (saved copies are re-encoded to UTF-8 but keep their old `gb2312` meta; real
    GBK text is practically never valid UTF-8). If nothing decodes strictly, the candidate
    with the fewest U+FFFD replacements is used with errors="replace".
    """
    if not data:
        return "", "utf-8"
    bom = _bom(data)
    if bom is not None:
        name, skip = bom
        return _finish(data[skip:].decode(name, "replace")), name

    # BOM-less UTF-16 is recognised from its NUL pattern; no 8-bit codec could explain that.
    utf16 = _utf16_without_bom(data[:_SNIFF_BYTES])
    candidates: list[str] = [utf16] if utf16 else []
    weak: list[str] = []
    for declared in (_declared_header(content_type), _declared_meta(data)):
        if declared is None:
            continue
        if declared.startswith(("utf-16", "utf-32")) and declared != utf16:
            continue  # a UTF-16 label on bytes that do not look like UTF-16 is a lie
        if declared in _WEAK_CODECS:
            weak.append(declared)
        elif declared not in candidates:
            candidates.append(declared)
    if candidates and candidates[0] == "gb18030" and _high_bytes(data) >= _UTF8_EVIDENCE:
        try:
            return _finish(data.decode("utf-8")), "utf-8"
        except UnicodeDecodeError:
            pass
    for fallback in ("utf-8", "gb18030", *weak):
        if fallback not in candidates:
            candidates.append(fallback)

    for name in candidates:
        try:
            return _finish(data.decode(name)), name
        except UnicodeDecodeError:
            continue
    # Nothing decodes cleanly: keep the reading that damages the fewest characters.
    best_name, best_text, best_bad = candidates[0], "", -1
    for name in candidates:
        text = data.decode(name, "replace")
        bad = text.count("\ufffd")
        if best_bad < 0 or bad < best_bad:
            best_name, best_text, best_bad = name, text, bad
    return _finish(best_text), best_name


_ANY_MAGIC = tuple(magic for magic, _fmt in _MAGIC)


def magic_format(data: bytes) -> str | None:
    if data.startswith(_ANY_MAGIC):  # one call for the common case, a text that matches none
        for magic, fmt in _MAGIC:
            if data.startswith(magic):
                return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image"
    if _PDF_MAGIC in data[:_PDF_WINDOW]:
        return "pdf"
    return None


def looks_binary(data: bytes) -> bool:
    """True when the bytes are clearly not text, so a reader can refuse them with a clear message.

    Known document/image signatures count as binary; otherwise NUL bytes in the first 8 KB
    (unless the data is UTF-16, which is full of NULs) or more than 10 % control bytes.
    """
    if not data:
        return False
    if magic_format(data) is not None:
        return True
    if _bom(data) is not None and not data.startswith(codecs.BOM_UTF8):
        return False  # UTF-16/32 with BOM: NULs are expected
    sample = data[:_SNIFF_BYTES]
    if 0 in sample:
        return _utf16_without_bom(sample) is None
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls > _CONTROL_SHARE * len(sample)


def _head_text(data: bytes) -> str:
    """The first few KB as text: enough to look for tags and to tell whitespace-only from text."""
    head = data[:_SNIFF_BYTES]
    bom = _bom(head)
    if bom is not None:
        name, skip = bom
        return head[skip:].decode(name, "replace")
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return head.decode(utf16, "replace")
    for name in ("utf-8", "gb18030"):
        try:  # incremental: the 8 KB cut may fall inside a character
            return codecs.getincrementaldecoder(name)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
    return head.decode("latin-1")


def sniff_format(data: bytes) -> str | None:
    """Guess what a download is: "pdf", "zip", "ole", "image", "html", "text", or None.

    None means empty/whitespace-only or unrecognised binary. "zip" covers docx/xlsx/ofd and
    "ole" covers doc/xls/wps; telling those apart needs the container's directory, which is
    the job of the readers that handle them.
    """
    fmt = magic_format(data)
    if fmt is not None:
        return fmt
    if looks_binary(data):
        return None
    head = _head_text(data)
    if not head.strip():
        return None
    return "html" if looks_like_html(head) else "text"


def looks_like_html(head: str) -> bool:
    """Does this decoded start of a download read as an HTML page (a doctype, <html> or a common tag)?"""
    if "<" not in head:
        return False  # the common case, without the regexes below
    start = _HTML_PREAMBLE.match(head)
    rest = head[start.end() if start else 0 :]
    return bool(_HTML_START.match(rest) or _HTML_TAG.search(head))
