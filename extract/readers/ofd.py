"""OFD (GB/T 33190, China's fixed-layout format: a ZIP of XML) → narrative text and table grids.

An OFD page is text objects at positions and path objects (the ruling lines) — the same two
things a PDF page is made of, so the words and straight path segments go to the fixed-layout
reader (fixed_layout.py) that PDFs use. Units are millimetres; they are turned into points so the
layout tolerances mean the same thing in both formats.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
from typing import Any

from lxml import etree

from ..model import ParseError, Source
from .document import ReadDocument
from .fixed_layout import Page, Rule, Word, lay_out
from .safezip import SafeZip

READER_VERSION = "0.1.0"
MAX_PAGES = 80
_MM = 72 / 25.4
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?")
_TOKENS = re.compile(r"[MLQBACSmlqbacs]|-?\d+(?:\.\d+)?(?:[eE]-?\d+)?")


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _floats(text: str | None) -> list[float]:
    return [float(x) for x in _NUM.findall(text or "")]


def _xml(z: SafeZip, name: str) -> Any:
    try:
        return etree.fromstring(z.read(name), _PARSER)
    except etree.XMLSyntaxError as e:
        raise ParseError(f"damaged OFD, not readable: {name} is not well-formed XML ({e})") from e


def _child(el: Any, name: str) -> Any | None:
    for c in el.iter():
        if _local(c.tag) == name:
            return c
    return None


def _deltas(spec: str | None, n: int) -> list[float]:
    """DeltaX/DeltaY: numbers, or `g COUNT VALUE` for a run of equal steps."""
    out: list[float] = []
    tokens = (spec or "").split()
    i = 0
    while i < len(tokens) and len(out) < n:
        if tokens[i] == "g" and i + 2 < len(tokens):
            out += [float(tokens[i + 2])] * min(int(float(tokens[i + 1])), n)
            i += 3
        else:
            with contextlib.suppress(ValueError):
                out.append(float(tokens[i]))
            i += 1
    return out


def _text_words(obj: Any) -> list[Word]:
    box = _floats(obj.get("Boundary"))
    if len(box) < 4:
        return []
    bx, by = box[0], box[1]
    size = (_floats(obj.get("Size")) or [box[3]])[0]
    words = []
    for code in obj:
        if _local(code.tag) != "TextCode" or not (code.text or "").strip():
            continue
        text = code.text or ""
        x = bx + (_floats(code.get("X")) or [0.0])[0]
        y = by + (_floats(code.get("Y")) or [size])[0]
        dx = _deltas(code.get("DeltaX"), len(text) - 1)
        dy = _deltas(code.get("DeltaY"), len(text) - 1)
        if dy and sum(abs(d) for d in dy) > sum(abs(d) for d in dx):  # vertical text: one word a character
            for i, ch in enumerate(text):
                yy = y + sum(dy[:i])
                words.append(Word(ch, x * _MM, (yy - size) * _MM, (x + size) * _MM, yy * _MM))
            continue
        width = sum(dx) + size if dx else size * len(text)
        words.append(Word(text.strip(), x * _MM, (y - size) * _MM, (x + width) * _MM, y * _MM))
    return words


def _path_rules(obj: Any) -> list[Rule]:
    box = _floats(obj.get("Boundary"))
    data = _child(obj, "AbbreviatedData")
    if len(box) < 4 or data is None:
        return []
    bx, by = box[0], box[1]
    tokens = _TOKENS.findall(data.text or "")
    rules: list[Rule] = []
    cur: tuple[float, float] | None = None
    start: tuple[float, float] | None = None
    i = 0
    while i < len(tokens):
        op = tokens[i].upper()
        i += 1
        args: list[float] = []
        while i < len(tokens) and not tokens[i].isalpha():
            args.append(float(tokens[i]))
            i += 1
        if op in ("M", "S") and len(args) >= 2:
            cur = start = (args[0], args[1])
        elif op == "L" and len(args) >= 2 and cur is not None:
            nxt = (args[0], args[1])
            rules.append(_rule(cur, nxt, bx, by))
            cur = nxt
        elif op == "C" and cur is not None and start is not None:
            rules.append(_rule(cur, start, bx, by))
            cur = start
        elif len(args) >= 2:
            cur = (args[-2], args[-1])
    return [r for r in rules if min(r.x1 - r.x0, r.bottom - r.top) <= 3.0]  # points: straight lines only


def _rule(a: tuple[float, float], b: tuple[float, float], bx: float, by: float) -> Rule:
    x0, x1 = sorted((a[0] + bx, b[0] + bx))
    y0, y1 = sorted((a[1] + by, b[1] + by))
    return Rule(x0 * _MM, y0 * _MM, x1 * _MM, y1 * _MM)


def _page(z: SafeZip, path: str, size: list[float]) -> Page:
    root = _xml(z, path)
    words: list[Word] = []
    rules: list[Rule] = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "TextObject":
            words += _text_words(el)
        elif name == "PathObject":
            rules += _path_rules(el)
    physical = _child(root, "PhysicalBox")
    box = _floats(physical.text if physical is not None else None) or size
    return Page(box[2] * _MM, box[3] * _MM, words, rules)


def read_ofd(data: bytes) -> ReadDocument:
    """Read an OFD document's first document body."""
    z = SafeZip(data, "OFD")
    if not z.has("OFD.xml"):
        raise ParseError("not an OFD document: a ZIP without OFD.xml")
    root = _xml(z, "OFD.xml")
    doc_root = _child(root, "DocRoot")
    if doc_root is None or not (doc_root.text or "").strip():
        raise ParseError("damaged OFD, not readable: OFD.xml names no DocRoot")
    doc_path = doc_root.text.strip().lstrip("/")
    doc = _xml(z, doc_path)
    base = posixpath.dirname(doc_path)
    physical = _child(doc, "PhysicalBox")
    size = _floats(physical.text if physical is not None else None) or [0, 0, 210, 297]
    pages: list[Page] = []
    warnings: list[str] = []
    page_els = [el for el in doc.iter() if _local(el.tag) == "Page" and el.get("BaseLoc")]
    if len(page_els) > MAX_PAGES:
        warnings.append(f"ofd: only the first {MAX_PAGES} of {len(page_els)} pages were read")
    for el in page_els[:MAX_PAGES]:
        loc = el.get("BaseLoc", "").lstrip("/")
        path = loc if z.has(loc) else posixpath.normpath(posixpath.join(base, loc))
        pages.append(_page(z, path, size))
    if not pages:
        raise ParseError("OFD document without pages")
    text, grids = lay_out(pages)
    return ReadDocument(text, grids, Source("ofd", f"nianbao-ofd {READER_VERSION}"), warnings=warnings)
