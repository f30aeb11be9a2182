"""Fixed-layout tables over page breaks (extract/readers/fixed_layout.py) and Word's generated numbering
(extract/readers/docx.py), on pages and documents built here so each case holds exactly one difficulty."""

from __future__ import annotations

import io
import re
import zipfile

from extract.readers.docx import read_docx
from extract.readers.fixed_layout import Page, Rule, Word, lay_out
from tests import formatgen

X = [50.0, 200.0, 260.0, 320.0, 380.0]  # column edges: a label column and three value columns
ROW = 20.0


def _table_page(rows: list[list[str]], top: float, *, open_bottom: bool = False, footer: str | None = "- 1 -",
                above: str | None = None) -> Page:
    """A page with one ruled table of `rows` starting at `top` (and an optional line of text above)."""
    words: list[Word] = []
    rules: list[Rule] = []
    if above:
        words.append(Word(above, 60, top - 30, 60 + 12 * len(above), top - 18))
    for r, row in enumerate(rows):
        y = top + r * ROW
        for c, text in enumerate(row):
            if text:
                words.append(Word(text, X[c] + 3, y + 5, X[c] + 3 + 6 * len(text), y + 15))
    bottom = top + len(rows) * ROW
    for r in range(len(rows) + (0 if open_bottom else 1)):
        rules.append(Rule(X[0], top + r * ROW, X[-1], top + r * ROW))
    for x in X:
        rules.append(Rule(x, top, x, bottom))
    if footer:
        words.append(Word(footer, 280, 800, 310, 810))
    return Page(595, 842, words, rules)


def test_row_split_by_a_page_break_is_one_row_again() -> None:
    """The label runs on over the break; the numbers sit on the first page only."""
    first = _table_page([["项目", "甲", "乙", "丙"], ["1.本年新收申请", "1", "2", "3"],
                         ["5.要求行政机关确认或重新出", "4", "5", "6"]], top=700, above="三、收到和处理申请情况")
    second = _table_page([["具已获取信息", "", "", ""], ["2.重复申请", "7", "8", "9"]], top=60, footer="- 2 -")
    text, grids = lay_out([first, second])
    assert grids == [[["项目", "甲", "乙", "丙"], ["1.本年新收申请", "1", "2", "3"],
                      ["5.要求行政机关确认或重新出具已获取信息", "4", "5", "6"], ["2.重复申请", "7", "8", "9"]]]
    assert "- 1 -" not in text and "- 2 -" not in text  # page numbers are furniture
    assert text == "三、收到和处理申请情况"


def test_header_repeated_on_the_next_page_is_dropped() -> None:
    header = ["项目", "甲", "乙", "丙"]
    first = _table_page([header, ["一、本年新收", "1", "2", "3"]], top=740)
    second = _table_page([header, ["二、上年结转", "4", "5", "6"]], top=60)
    _text, grids = lay_out([first, second])
    assert grids == [[header, ["一、本年新收", "1", "2", "3"], ["二、上年结转", "4", "5", "6"]]]


def test_table_left_open_at_the_page_bottom_still_has_its_last_row() -> None:
    """Word leaves out the bottom border of a table that goes on: the last row is still a row."""
    first = _table_page([["项目", "甲", "乙", "丙"], ["一、本年新收", "1", "2", "3"]], top=740, open_bottom=True)
    second = _table_page([["二、上年结转", "4", "5", "6"]], top=60)
    _text, grids = lay_out([first, second])
    assert grids == [[["项目", "甲", "乙", "丙"], ["一、本年新收", "1", "2", "3"], ["二、上年结转", "4", "5", "6"]]]


def test_a_new_row_on_the_next_page_is_not_glued_to_the_last() -> None:
    """Text at the top of the next page that starts a numbered row is a new row, not a continuation."""
    first = _table_page([["项目", "甲", "乙", "丙"], ["1.属于国家秘密", "1", "2", "3"]], top=740)
    second = _table_page([["2.其他法律行政法规禁止公开", "", "", ""]], top=60)
    _text, grids = lay_out([first, second])
    assert grids[0][-2:] == [["1.属于国家秘密", "1", "2", "3"], ["2.其他法律行政法规禁止公开", "", "", ""]]


def test_text_between_tables_breaks_the_join() -> None:
    first = _table_page([["项目", "甲", "乙", "丙"], ["一、本年新收", "1", "2", "3"]], top=700)
    second = _table_page([["项目", "甲", "乙", "丙"], ["二、上年结转", "4", "5", "6"]], top=120,
                         above="四、行政复议情况")
    _text, grids = lay_out([first, second])
    assert len(grids) == 2


_NUMBERING = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:abstractNum w:abstractNumId="7"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
    '<w:lvlText w:val="%1、"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
    '<w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>'
    "</w:numbering>"
)
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")


def _auto_numbered(docx: bytes) -> bytes:
    """The same document with its typed `一、` heading numbers replaced by Word's list numbering."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                parts = re.split(r"(<w:tbl>.*?</w:tbl>)", data.decode("utf-8"), flags=re.S)  # headings only
                count = 0
                for i in range(0, len(parts), 2):
                    parts[i], n = re.subn(
                        r"(<w:p\b[^>]*>)((?:(?!</w:p>).)*?<w:t(?: [^>]*)?>)([一二三四五六]、)",
                        r'\1<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr>\2',
                        parts[i], flags=re.S)
                    count += n
                assert count == 6, count  # the six top-level headings
                data = "".join(parts).encode("utf-8")
            z.writestr(info, data)
        if "word/numbering.xml" not in src.namelist():
            z.writestr("word/numbering.xml", _NUMBERING)
    return out.getvalue()


def test_word_generated_heading_numbers_come_back() -> None:
    filled = formatgen.fill_template(seed=5)
    plain = read_docx(filled.docx).text.split("\n")
    numbered = read_docx(_auto_numbered(filled.docx)).text.split("\n")
    headings = [line for line in numbered if _HEADING.match(line)]
    assert headings == [line for line in plain if _HEADING.match(line)]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、", "四、", "五、", "六、"]
