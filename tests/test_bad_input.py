"""Bad input: a clear ParseError or a partial Report with checks, never a crash, in bounded time and memory.

The crawler downloads thousands of odd files, so the parser's promise on what is not a clean report
is tested here case by case: nothing at all, binary formats, pages that are not reports, reports cut
short, reports in mangled encodings, huge and pathological inputs, and reports whose numbers do not
add up. Two invariants run through all of it:

* what comes back is either `ParseError` with a one-line reason, or a `Report`; any other exception
  is a crash and fails the test;
* a Report never carries a number that is not in the input: a truncated report gives a subset of
  the full report's cells with equal values, a non-report gives no cells at all.

Time and memory are measured only as guards against hangs and blow-ups (30 s, 1.5 GB: far beyond
anything a sane parser needs), never as speed targets.
"""

from __future__ import annotations

import codecs
import html as html_lib
import io
import json
import random
import re
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from extract import ParseError, Report, codes, parse_report

from .shared import CORPUS, REPO, SEEDS, need_shared

SEED_FILES = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
CORPUS_HTML = sorted(CORPUS.glob("*.html")) if CORPUS.is_dir() else []
SEED_IDS = [p.stem[:3] for p in SEED_FILES]

HANG_GUARD_SECONDS = 30.0  # a guard against hanging, not a speed target
MEMORY_GUARD_BYTES = 1_500_000_000  # a guard against blowing up, not a budget

CellMap = dict[tuple[str, str, str, str], tuple[object, object]]


# --- helpers -----------------------------------------------------------------------------------


def cells(report: Report) -> CellMap:
    """Every cell as (table, item/group, row, column) → (value, raw)."""
    return {(table, *c.key): (c.value, c.raw) for table, cs in report.tables.items() for c in cs}


def _parse(data: bytes, **kwargs: str | None) -> Report | ParseError:
    """parse_report, with ParseError returned; any other exception propagates (a crash fails the test)."""
    try:
        return parse_report(data, **kwargs)
    except ParseError as exc:
        return exc


def peak_memory(data: bytes, **kwargs: str | None) -> tuple[Report | ParseError, int]:
    """parse_report under tracemalloc: (result, peak bytes allocated by Python during the parse)."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    try:
        result = _parse(data, **kwargs)
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return result, peak


def guarded(data: bytes, *, memory: bool = True, **kwargs: str | None) -> Report | ParseError:
    """parse_report under the hang guard (timed without tracing, which slows parsing several times)
    and, with `memory`, the memory guard (a second, traced run)."""
    start = time.perf_counter()
    result = _parse(data, **kwargs)
    elapsed = time.perf_counter() - start
    assert elapsed < HANG_GUARD_SECONDS, f"parse_report took {elapsed:.1f} s on {len(data):,} bytes (hang guard)"
    if memory:
        result, peak = peak_memory(data, **kwargs)
        assert peak < MEMORY_GUARD_BYTES, f"parse_report peaked at {peak / 1e6:.0f} MB on {len(data):,} bytes"
    if isinstance(result, ParseError):
        assert_reason(str(result))
    return result


def assert_reason(message: str) -> None:
    """A ParseError's reason is one non-empty line of text, not a repr or a traceback."""
    assert message.strip(), "ParseError without a reason"
    assert "\n" not in message, f"reason is not one line: {message!r}"
    assert "Traceback" not in message


def assert_numbers_from_input(report: Report, text: str) -> None:
    """Every number the report gives is printed in the input (no invented tables)."""
    invented = [
        (table, *c.key, c.raw) for table, cs in report.tables.items() for c in cs
        if c.value is not None and (not c.raw or c.raw.strip() not in text)
    ]
    assert not invented, f"numbers that are not in the input: {invented[:5]}"


def nianbao(*args: str) -> subprocess.CompletedProcess[bytes]:
    """`python -m nianbao.cli ARGS` as a user runs it (this venv's python, from the repo root)."""
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        cwd=REPO, capture_output=True, timeout=120, check=False,
    )


def assert_cli_refuses(path: Path, *meanings: str) -> str:
    """`parse FILE` (and `--json`) exits 1 with exactly one stderr line naming the file; no traceback."""
    for extra in ((), ("--json",)):
        done = nianbao("parse", str(path), *extra)
        stderr = done.stderr.decode("utf-8", "replace")
        assert "Traceback" not in stderr, stderr
        assert done.returncode == 1, (done.returncode, stderr)
        assert done.stdout == b"", done.stdout[:200]
        lines = stderr.rstrip("\n").split("\n")
        assert len(lines) == 1 and lines[0].strip(), f"stderr is not one line: {stderr!r}"
        assert lines[0].startswith("nianbao: ") and path.name in lines[0], lines[0]
        for meaning in meanings:
            assert re.search(meaning, lines[0], re.I), f"{meaning!r} not in {lines[0]!r}"
    return lines[0]


def test_shared_material_is_present() -> None:
    """The parametrised tests below must not silently test nothing."""
    need_shared()
    assert len(SEED_FILES) >= 5
    assert CORPUS_HTML


# --- nothing to read ---------------------------------------------------------------------------

EMPTY_CASES = {
    "empty": b"",
    "whitespace": b" \n\t\r\n   \n",
    "crlf-only": b"\r\n" * 50,
    "ideographic-spaces": "\u3000\u3000\n\u3000\n".encode(),
    "utf8-bom": codecs.BOM_UTF8,
    "utf8-bom-whitespace": codecs.BOM_UTF8 + b"\r\n  \n",
    "utf16le-bom": codecs.BOM_UTF16_LE,
    "utf16be-bom": codecs.BOM_UTF16_BE,
    "utf16-bom-whitespace": "\ufeff \r\n \n".encode("utf-16-le"),
}


@pytest.mark.parametrize("data", EMPTY_CASES.values(), ids=EMPTY_CASES.keys())
def test_nothing_to_read_says_empty(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_report(data)
    assert_reason(str(info.value))
    assert "empty" in str(info.value).lower(), f"an input with no content should be called empty: {info.value}"


@pytest.mark.parametrize("name", ["empty", "whitespace", "utf8-bom", "utf16le-bom"])
def test_nothing_to_read_through_the_cli(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.txt"
    path.write_bytes(EMPTY_CASES[name])
    assert_cli_refuses(path, "not a report", "empty")


# --- binary formats ----------------------------------------------------------------------------


def random_garbage() -> bytes:
    """Seeded random bytes with NULs in them."""
    data = bytearray(random.Random(20250101).randbytes(8192))
    data[::61] = b"\x00" * len(data[::61])
    return bytes(data)


def small_zip() -> bytes:
    """A real ZIP, shaped like a DOCX (the container Word attachments come in)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document><w:body><w:p><w:t>一、总体情况</w:t></w:p></w:body></w:document>")
    return buf.getvalue()


def ole_file() -> bytes:
    """The OLE2 compound-file header of .doc/.xls/.wps, then sectors of junk."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    return header + random.Random(7).randbytes(4096)


PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x04\x00\x00\x00\x03\x00\x08\x02\x00\x00\x00"
PDF = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nstream\n" + random.Random(3).randbytes(2048)
       + b"\nendstream\n%%EOF\n")
# (bytes, what the message must say it is, whether it must say this document cannot be read)
# These are broken documents of formats the readers handle (extract/readers/formats.py): a PDF with no
# pages, a zip that is no office file, an OLE header over junk, a PNG header over junk.
BINARY_CASES: dict[str, tuple[bytes, str, bool]] = {
    "garbage-with-nuls": (random_garbage(), r"binary", False),
    "png-and-junk": (PNG_HEAD + random.Random(5).randbytes(3000), r"image|png", True),
    "pdf": (PDF, r"pdf", True),
    "pdf-after-blank-lines": (b"\r\n\r\n" + PDF, r"pdf", True),
    "zip-docx": (small_zip(), r"zip|docx", True),
    "ole-doc": (ole_file(), r"office|\bdoc\b|ole|wps", True),
}
UNREADABLE = r"not (?:readable|available|supported|read)|damaged|corrupt|cannot|no pages|unreadable"


@pytest.mark.parametrize("content_type", [None, "text/html; charset=utf-8"])
@pytest.mark.parametrize(("data", "kind", "broken"), BINARY_CASES.values(), ids=BINARY_CASES.keys())
def test_binary_formats_are_named(data: bytes, kind: str, broken: bool, content_type: str | None) -> None:
    """The reason says what the bytes are, and for a broken document that it cannot be read."""
    result = guarded(data, content_type=content_type)
    assert isinstance(result, ParseError), f"binary input parsed as a report: {result}"
    message = str(result)
    assert re.search(kind, message, re.I), f"the reason does not say what it is ({kind}): {message}"
    if broken:
        assert re.search(UNREADABLE, message, re.I), f"the reason does not say it cannot be read: {message}"


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_without_nuls_are_refused(seed: int) -> None:
    """High-byte noise decodes as *some* GB18030 text; it still must not become a report."""
    rng = random.Random(seed)
    for data in (bytes(b for b in rng.randbytes(8192) if b), bytes(rng.randrange(0x80, 0x100) for _ in range(8192))):
        result = guarded(data)
        assert isinstance(result, ParseError) or (result.cell_count == 0 and not result.sections), result


@pytest.mark.parametrize("name", BINARY_CASES.keys())
def test_binary_formats_through_the_cli(tmp_path: Path, name: str) -> None:
    data, kind, broken = BINARY_CASES[name]
    path = tmp_path / f"{name}.bin"
    path.write_bytes(data)
    assert_cli_refuses(path, "not a report", kind, *([UNREADABLE] if broken else []))


# --- pages that are not reports ----------------------------------------------------------------

NEWS_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="SiteName" content="沭阳县人民政府">
<meta name="ColumnName" content="部门动态">
<meta name="ArticleTitle" content="县政府召开2024年第三季度政务公开工作推进会">
<meta name="PubDate" content="2024-09-12 16:20">
<title>县政府召开2024年第三季度政务公开工作推进会_部门动态_沭阳县人民政府</title>
<link rel="stylesheet" href="/css/common.css">
<script src="/js/jquery.min.js"></script>
<script>var websiteId = "e1db2778d23d43adb015b099e7687e2b";</script>
</head>
<body>
<div class="header">
  <div class="logo"><img src="/images/logo.png" alt="沭阳县人民政府"></div>
  <ul class="nav">
    <li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
    <li><a href="/zmhd/">政民互动</a></li><li><a href="/zwfw/">政务服务</a></li>
    <li><a href="/zjsy/">走进沭阳</a></li>
  </ul>
</div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt;
  <a href="/bmdt/">部门动态</a></div>
<div class="container">
  <table class="xxgk-info">
    <tr><td>索引号：</td><td>K13210860/2024-00123</td><td>主题分类：</td><td>综合政务/政务公开</td></tr>
    <tr><td>发布机构：</td><td>沭阳县人民政府办公室</td><td>发文日期：</td><td>2024-09-12</td></tr>
    <tr><td>文号：</td><td>无</td><td>有效性：</td><td>有效</td></tr>
  </table>
  <div class="article">
    <h1>县政府召开2024年第三季度政务公开工作推进会</h1>
    <div class="info">发布日期：2024-09-12 16:20　来源：县政府办公室　浏览次数：1024</div>
    <div class="content">
      <p>9月12日上午，县政府召开2024年第三季度政务公开工作推进会，副县长王建国出席会议并讲话，
      县政府办公室主任李明主持会议。各乡镇（街道）、县各部门分管负责同志共86人参加会议。</p>
      <p>会议通报了前三季度全县政务公开工作情况：全县累计主动公开政府信息12,345条，
      受理政府信息公开申请67件，全部按期答复，未发生因政府信息公开引起的行政复议和行政诉讼。
      会议指出，今年以来全县政务公开工作取得明显成效，在全市第二季度考核中位列第3名。</p>
      <p>会议强调，一要提高思想认识，把政务公开作为转变政府职能的重要抓手；二要聚焦重点领域，
      做好财政预决算、重大建设项目、公共资源配置等信息公开；三要规范依申请公开办理，
      严格按照20个工作日的法定期限答复；四要加强平台建设，确保政府网站和政务新媒体安全稳定运行。</p>
      <p>会上，县发改局、县财政局、县自然资源和规划局等5个单位作了交流发言。</p>
    </div>
    <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a>【打印本页】【关闭窗口】</div>
    <div class="pages">上一篇：<a href="/a.html">县领导督查重点项目建设</a><br>
      下一篇：<a href="/b.html">全县安全生产工作会议召开</a></div>
  </div>
  <div class="related"><h3>相关链接</h3><ul>
    <li><a href="/1.html">2023年政府信息公开工作年度报告</a></li>
    <li><a href="/2.html">政府信息公开指南</a></li>
    <li><a href="/3.html">政府信息公开制度</a></li></ul></div>
</div>
<div class="footer">
  <p>主办单位：沭阳县人民政府办公室　承办单位：沭阳县大数据管理局</p>
  <p>网站标识码：3213220037　<a href="https://beian.miit.gov.cn">苏ICP备05007081号-1</a>
  　苏公网安备 32132202000123号</p>
  <p>联系电话：0527-83212345　地址：江苏省沭阳县沭城街道人民中路1号　邮编：223600</p>
</div>
</body>
</html>
"""

NOTICE_TEXT = """关于召开全县2024年度政务公开工作会议的通知

各乡镇人民政府、街道办事处，县各委办局，各直属单位：

为深入贯彻落实《中华人民共和国政府信息公开条例》，总结2024年度政务公开工作，部署2025年重点任务，\
经县政府同意，决定召开全县政务公开工作会议。现将有关事项通知如下：

一、会议时间

2025年1月15日（星期三）上午9:00，会期半天。

二、会议地点

县行政中心12楼第3会议室。

三、参会人员

县政府分管负责同志；各乡镇（街道）分管负责同志及政务公开工作人员各1名；县各部门分管负责同志1名。

四、会议议程

1.通报2024年度政务公开工作考核结果；
2.3个单位作交流发言；
3.县政府领导讲话。

五、有关要求

请各单位于1月10日前将参会人员回执（附件1）报送至县政府办公室政务公开科，联系人：张敏，电话：0527-83212345。

附件：1.参会回执

沭阳县人民政府办公室
2025年1月6日
"""

GUIDE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>沭阳县发展和改革局政府信息公开指南-沭阳县人民政府</title></head>
<body>
<div class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/xxgkzn/">信息公开指南</a></div>
<div class="content">
<h1>沭阳县发展和改革局政府信息公开指南</h1>
<p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》（以下简称《条例》），编制本指南。\
本指南每年更新，公民、法人或者其他组织可以在县政府门户网站查阅。</p>
<p>一、主动公开</p>
<p>（一）公开范围。本机关依照《条例》第二十条、第二十一条规定，主动公开机构职能、规范性文件、发展规划、\
行政许可、行政处罚、行政强制、行政事业性收费、政府集中采购等政府信息。</p>
<p>（二）公开方式。本机关通过县政府门户网站、政务新媒体、政府公报、政务服务中心等方式主动公开政府信息。</p>
<p>（三）公开时限。属于主动公开范围的政府信息，自该政府信息形成或者变更之日起20个工作日内予以公开。</p>
<p>二、依申请公开</p>
<p>（一）受理机构。名称：沭阳县发展和改革局办公室；办公地址：沭阳县人民中路1号12楼1203室；\
办公时间：周一至周五上午8:30-12:00，下午14:30-17:30（法定节假日除外）；联系电话：0527-83211234；\
传真：0527-83211235；邮政编码：223600。</p>
<p>（二）申请方式。申请人可以通过当面递交、邮寄、网上申请等方式提出政府信息公开申请。申请人可以委托代理人提出申请。</p>
<p>（三）办理时限。本机关收到申请，能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个工作日内\
予以答复；需要延长答复期限的，经负责人同意并告知申请人，延长的期限最长不得超过20个工作日。</p>
<p>（四）收费标准。依申请提供政府信息，不收取费用。但是，申请人申请公开政府信息的数量、频次明显超过合理范围的，\
可以按照《政府信息公开信息处理费管理办法》收取信息处理费：按件计收的，每件100元；按量计收的，\
30件以下（含30件）的不收费，31至50件的部分每件50元，51件以上的部分每件100元。</p>
<p>三、监督和救济</p>
<p>公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向县政府办公室投诉、举报\
（电话：0527-83212345），也可以依法申请行政复议或者提起行政诉讼。上级机关对违法行为予以纠正，\
对维持原决定的予以说明。</p>
<p>四、其他</p>
<p>本指南自2024年1月1日起施行，由沭阳县发展和改革局负责解释。</p>
</div>
<div class="footer">网站标识码：3213220037 苏ICP备05007081号-1</div>
</body></html>
"""

NON_REPORTS = {
    "news-article-page": NEWS_PAGE.encode("utf-8"),
    "news-article-page-gbk": NEWS_PAGE.replace('charset="utf-8"', 'charset="gbk"').encode("gbk"),
    "notice-plain-text": NOTICE_TEXT.encode("utf-8"),
}


@pytest.mark.parametrize("data", NON_REPORTS.values(), ids=NON_REPORTS.keys())
def test_non_report_is_not_a_report(data: bytes) -> None:
    """A government page that is not an annual report: ParseError, or at least nothing report-like."""
    result = guarded(data)
    if isinstance(result, Report):
        assert result.cell_count == 0, f"invented table cells: {list(cells(result))[:5]}"
        assert not result.sections, (
            "a non-report came back as a report with sections: "
            f"{[(s.number, s.kind, s.heading) for s in result.sections]}")


def test_disclosure_guide_has_no_tables() -> None:
    """A 政府信息公开指南 is numbered 一、二、三 and talks about 第二十条, 复议, 纠正, fees: still no cells."""
    result = guarded(GUIDE_PAGE.encode("utf-8"))
    if isinstance(result, Report):
        assert result.cell_count == 0, f"invented table cells: {list(cells(result))[:5]}"
        assert result.checks == [], result.checks


# --- truncated reports -------------------------------------------------------------------------

_TOKEN = re.compile(r"(?<![^\s|])\d+(?![^\s|])")  # a number standing alone between spaces/pipes


def numbered(text: str) -> str:
    """The seed with every table number replaced by a distinct one (1001, 1002, …).

    The seeds are mostly zeros, where a value read from the wrong cell still looks right; with
    distinct numbers a shifted cell is a different number."""
    start = min(i for i in (text.find("第二十条"), text.find("第二十條")) if i >= 0)
    counter = iter(range(1001, 1_000_000))
    return text[:start] + _TOKEN.sub(lambda _m: str(next(counter)), text[start:])


def seed_bytes(path: Path, variant: str) -> bytes:
    text = path.read_text(encoding="utf-8")
    return (numbered(text) if variant == "numbered" else text).encode("utf-8")


def _boundary(data: bytes, cut: int) -> int:
    """Move a cut back to a character boundary and out of a run of digits (a number cut in two is
    a different number the parser cannot know about)."""
    while 0 < cut < len(data) and 0x80 <= data[cut] < 0xC0:
        cut -= 1
    while 0 < cut < len(data) and data[cut - 1 : cut].isdigit() and data[cut : cut + 1].isdigit():
        cut -= 1
    return cut


def _after_tokens(data: bytes, anchor: bytes, n: int, *, last: bool = False) -> int:
    """The offset just after the n-th standalone number following the anchor (start or last occurrence)."""
    text = data.decode("utf-8")
    at = text.rfind(anchor.decode()) if last else text.find(anchor.decode())
    assert at >= 0, anchor
    match = list(_TOKEN.finditer(text, at))[n - 1]
    return len(text[: match.end()].encode("utf-8"))


def _mid_char(data: bytes, start: int, into: int = 1) -> int:
    """A cut `into` bytes inside the first multi-byte UTF-8 character at or after `start`."""
    i = start
    while data[i] < 0xC0:
        i += 1
    return i + into


def _find(data: bytes, *needles: str) -> int:
    found = [data.find(n.encode()) for n in needles if data.find(n.encode()) >= 0]
    assert found, needles
    return min(found)


def cut_points(data: bytes) -> dict[str, int]:
    req_start = _find(data, "本年新收")
    req_end = _find(data, "结转下年度", "結轉下年度")
    mid_requests = (req_start + req_end) // 2
    return {
        "25%": _boundary(data, len(data) // 4),
        "50%": _boundary(data, len(data) // 2),
        "75%": _boundary(data, len(data) * 3 // 4),
        "mid-requests-table": _boundary(data, mid_requests),
        "mid-new-row": _after_tokens(data, "本年新收".encode(), 4),
        "mid-review-row": _after_tokens(data, "尚未".encode(), 7, last=True),
        "mid-utf8-char-1": _mid_char(data, mid_requests, 1),
        "mid-utf8-char-2": _mid_char(data, mid_requests, 2),
        "mid-utf8-char-end": _mid_char(data, len(data) - 40, 1),
    }


CUT_NAMES = ["25%", "50%", "75%", "mid-requests-table", "mid-new-row", "mid-review-row", "mid-utf8-char-1",
             "mid-utf8-char-2", "mid-utf8-char-end"]


def _evaluable(rule: str, report: Report, full: Report) -> bool:
    """Could this rule be evaluated on the report's cells (every cell of at least one instance non-blank)?"""
    req = {(c.row, c.column): c.value for c in report.tables["requests"]}
    rev = {(c.group, c.column): c.value for c in report.tables["review_litigation"]}
    columns = [c for c, _ in codes.REQUEST_COLUMNS]

    def have(table: Mapping[tuple[str | None, str], object], keys: list[tuple[str, str]]) -> bool:
        return all(table.get(k) is not None for k in keys)

    if rule == "requests.balance":
        return any(have(req, [(r, col) for r in ("new", "carried_over", "total", "carried_forward")])
                   for col in columns)
    if rule == "requests.outcomes_sum":
        outcomes = {c.row for c in full.tables["requests"] if c.row in codes.OUTCOME_ROWS}
        return any(have(req, [("total", col), *((r, col) for r in outcomes)]) for col in columns)
    if rule == "requests.columns_sum":
        rows = {r for r, _c in req}
        return any(have(req, [(r, col) for col in columns]) for r in rows if r)
    if rule == "review_litigation.group_sum":
        return any(have(rev, [(g, col) for col, _ in codes.REVIEW_COLUMNS]) for g, _ in codes.REVIEW_GROUPS)
    return False


def truncation_problems(data: bytes, cut: int, full: Report) -> list[str]:
    """What is wrong with the parse of data[:cut] compared with the full parse ([] = fine)."""
    result = guarded(data[:cut], memory=False)
    if isinstance(result, ParseError):
        return []
    problems: list[str] = []
    full_cells, part = cells(full), cells(result)
    extra = sorted(set(part) - set(full_cells))
    if extra:
        problems.append(f"cut at {cut}: cells the full report does not have: {extra[:4]}")
    wrong = {k: (part[k], full_cells[k]) for k in set(part) & set(full_cells) if part[k][0] != full_cells[k][0]}
    if wrong:
        problems.append(f"cut at {cut}: wrong numbers (truncated, full): {sorted(wrong.items())[:4]}")
    full_checks = {c.rule: c for c in full.checks}
    for check in result.checks:
        if check.rule not in full_checks:
            problems.append(f"cut at {cut}: check {check.rule} the full report does not have")
        elif not check.ok and full_checks[check.rule].ok:
            problems.append(f"cut at {cut}: check {check.rule} fails only when truncated: {check.detail}")
        if not _evaluable(check.rule, result, full):
            problems.append(f"cut at {cut}: check {check.rule} reported though its cells are missing")
    return problems


VARIANTS = ["as-is", "numbered"]


@pytest.mark.parametrize("cut_name", CUT_NAMES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("seed", SEED_FILES, ids=SEED_IDS)
def test_truncated_report_gives_a_subset(seed: Path, variant: str, cut_name: str) -> None:
    """A report cut short gives ParseError or fewer cells, never a different number."""
    data = seed_bytes(seed, variant)
    full = parse_report(data)
    assert full.cell_count >= 190, "the full parse is the reference; it must be complete"
    cut = cut_points(data)[cut_name]
    assert 0 < cut < len(data)
    if cut_name.startswith("mid-utf8"):
        with pytest.raises(UnicodeDecodeError):
            data[:cut].decode("utf-8")
    assert truncation_problems(data, cut, full) == []


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("seed", SEED_FILES, ids=SEED_IDS)
def test_truncated_report_sweep(seed: Path, variant: str) -> None:
    """The same promise at every 2 % of the file."""
    data = seed_bytes(seed, variant)
    full = parse_report(data)
    problems: list[str] = []
    for pct in range(2, 100, 2):
        problems += truncation_problems(data, _boundary(data, len(data) * pct // 100), full)
    assert problems == []


def test_numbered_seeds_read_like_the_originals() -> None:
    """The numbered variant is only a fair reference if it parses into the same cells as the seed."""
    need_shared()
    for seed in SEED_FILES:
        original = cells(parse_report(seed.read_bytes()))
        renumbered = cells(parse_report(seed_bytes(seed, "numbered")))
        assert renumbered.keys() == original.keys(), seed.name
        values = [v for v, _raw in renumbered.values() if v is not None]
        assert len(set(values)) == len(values) > 150, seed.name


# --- mangled encodings -------------------------------------------------------------------------

ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "gb18030-undeclared": lambda t: t.encode("gb18030"),
    "utf16le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf16be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf16le-no-bom": lambda t: t.encode("utf-16-le"),
    "utf8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "utf8-crlf": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
}


@pytest.mark.parametrize("encode", ENCODINGS.values(), ids=ENCODINGS.keys())
@pytest.mark.parametrize("seed", SEED_FILES, ids=SEED_IDS)
def test_seed_in_another_encoding_parses_the_same(seed: Path, encode: Callable[[str], bytes]) -> None:
    text = seed.read_text(encoding="utf-8")
    reference = parse_report(text.encode("utf-8"))
    result = guarded(encode(text), memory=False)
    assert isinstance(result, Report), f"refused: {result}"
    assert cells(result) == cells(reference)
    assert result.to_dict() == reference.to_dict()


def seed_page(seed: Path) -> str:
    """A seed as a Word-style HTML page, one <p> per line, declaring UTF-8."""
    lines = seed.read_text(encoding="utf-8").replace("\xa0", " ").split("\n")
    body = "\n".join(f"<p>{html_lib.escape(line)}</p>" for line in lines)
    return f'<html><head><meta charset="utf-8"><title>{html_lib.escape(lines[0])}</title></head>' \
           f"<body><div class=\"content\">\n{body}\n</div></body></html>"


def _pages() -> dict[str, Path]:
    return {**{p.stem: p for p in CORPUS_HTML}, **{f"seed-{p.stem[:3]}": p for p in SEED_FILES}}


PAGES = _pages()


@pytest.mark.parametrize("header", [None, "text/html; charset=utf-8"], ids=["meta-utf8", "meta-and-header-utf8"])
@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_gbk_page_declaring_utf8_parses_the_same(page: Path, header: str | None) -> None:
    """Portals serve GBK bytes under a UTF-8 declaration; the page reads as its UTF-8 original."""
    html = page.read_text(encoding="utf-8").replace("\xa0", "&nbsp;") if page.suffix == ".html" else seed_page(page)
    assert re.search(r"""charset=["']?utf-8""", html, re.I), "the page must declare UTF-8"
    reference = parse_report(html.encode("utf-8"), content_type=header)
    assert reference.cell_count >= 190
    result = guarded(html.encode("gbk"), memory=False, content_type=header)
    assert isinstance(result, Report), f"refused: {result}"
    assert cells(result) == cells(reference)
    assert result.to_dict() == reference.to_dict()


# --- huge input --------------------------------------------------------------------------------


def repeated(data: bytes, size: int) -> bytes:
    return (data * (size // len(data) + 1))[:size]


def test_fifty_megabytes_is_refused_as_too_large() -> None:
    need_shared()
    data = repeated(SEED_FILES[0].read_bytes(), 50 * 1024 * 1024)
    guarded(data)
    result, peak = peak_memory(data)
    assert isinstance(result, ParseError), "50 MB of text parsed as one report"
    assert re.search(r"too (?:large|big)|larger than|exceeds|limit", str(result), re.I), str(result)
    # Refused before decoding or copying: either would allocate tens of MB more.
    assert peak < 10 * 1024 * 1024, f"{peak / 1e6:.0f} MB allocated to refuse {len(data) / 1e6:.0f} MB"


def test_just_over_32_megabytes_is_refused_too() -> None:
    need_shared()
    result = guarded(repeated(SEED_FILES[0].read_bytes(), 32 * 1024 * 1024 + 1))
    assert isinstance(result, ParseError)
    assert re.search(r"too (?:large|big)|larger than|exceeds|limit", str(result), re.I), str(result)


def test_fifty_megabytes_through_the_cli(tmp_path: Path) -> None:
    need_shared()
    path = tmp_path / "huge.txt"
    path.write_bytes(repeated(SEED_FILES[0].read_bytes(), 50 * 1024 * 1024))
    assert_cli_refuses(path, "not a report", r"too (?:large|big)|larger than|exceeds|limit")


@pytest.mark.parametrize(("size", "seed_index"), [(20 * 1024 * 1024, 4), (20 * 1024 * 1024, 0), (10 * 1024 * 1024, 0)],
                         ids=["20MB-pipes", "20MB-cell-per-line", "10MB-cell-per-line"])
def test_big_text_of_repeated_reports_is_bounded(size: int, seed_index: int) -> None:
    """Megabytes of report text: ParseError or a Report (of the first copy), within the guards."""
    need_shared()
    seed = SEED_FILES[seed_index].read_bytes()
    result = guarded(repeated(seed, size))
    if isinstance(result, Report):
        first = cells(parse_report(seed))
        assert set(cells(result).items()) <= set(first.items()), "numbers that the report does not have"


def test_largest_plausible_text_is_bounded() -> None:
    """3.5 million characters of report text (under any sane character cap): read within the guards."""
    need_shared()
    seed = SEED_FILES[0].read_text(encoding="utf-8")
    text = seed * (3_500_000 // len(seed))
    result = guarded(text.encode("utf-8"))
    if isinstance(result, Report):
        first = cells(parse_report(seed.encode("utf-8")))
        assert set(cells(result).items()) <= set(first.items()), "numbers that the report does not have"


# --- pathological text -------------------------------------------------------------------------

_NUMERALS = "一二三四五六七八九十"
_REPORT_P = "<p>某某局2023年政府信息公开工作年度报告</p><p>一、总体情况</p><p>本机关全年主动公开政府信息。</p>"
PATHOLOGICAL: dict[str, bytes] = {
    "100k-bare-headings": ("一、\n" * 100_000).encode(),
    "100k-same-heading": ("一、总体情况\n" * 100_000).encode(),
    "100k-cycling-headings": "".join(f"{_NUMERALS[i % 10]}、主动公开政府信息情况\n" for i in range(100_000)).encode(),
    "100k-table-row-labels": ("三、本年度办理结果\n（一）予以公开\n" * 50_000).encode(),
    "1M-char-line-cjk": ("一" * 1_000_000).encode(),
    "1M-char-line-labels": ("本年新收政府信息公开申请数量 0 " * 60_000)[:1_000_000].encode(),
    "1M-char-line-digits": ("0 " * 500_000).encode(),
    "1M-zero-lines": ("0\n" * 1_000_000).encode(),
    "10k-pipes": ("|" * 10_000).encode(),
    "10k-pipes-after-label": ("一、本年新收政府信息公开申请数量 |" + "0|" * 10_000).encode(),
    "10k-pipes-active-row": ("二、主动公开政府信息情况\n第二十条第（一）项\n" + "规章 |" * 10_000).encode(),
    "5000-nested-divs": ("<html><body>" + "<div>" * 5000 + _REPORT_P + "</div>" * 5000 + "</body></html>").encode(),
    "5000-nested-divs-unclosed": ("<html><body>" + "<div><p>一、" * 5000 + "</body></html>").encode(),
    "2000-nested-tables": ("<html><body>" + "<table><tr><td>" * 2000 + "一、本年新收政府信息公开申请数量 1"
                           + "</td></tr></table>" * 2000 + "</body></html>").encode(),
    "huge-rowspan-colspan": (
        "<html><body><p>三、收到和处理政府信息公开申请情况</p><table>"
        '<tr><td rowspan="99999" colspan="99999">一、本年新收政府信息公开申请数量</td><td>5</td></tr>'
        '<tr><td>总计</td><td colspan="99999">7</td></tr></table></body></html>').encode(),
    # Every row's first cell spans all rows below: each lands right of the last, a staircase (50 KB).
    "huge-spans-1000-rows": ("<html><body><p>三、收到和处理政府信息公开申请情况</p><table>"
                             + '<tr><td rowspan="99999" colspan="99999">x</td></tr>' * 1000
                             + "</table></body></html>").encode(),
    "bad-span-values": ('<html><body><table><tr><td rowspan="-1" colspan="abc">本年新收</td><td rowspan="1e9">1</td>'
                        '<td colspan="99999999999999999999">2</td></tr></table></body></html>').encode(),
    "20k-column-table": ("<html><body><p>三、收到和处理政府信息公开申请情况</p><table><tr>" + "<td>自然人</td>" * 20_000
                         + "</tr><tr><td>一、本年新收政府信息公开申请数量</td>" + "<td>3</td>" * 20_000
                         + "</tr></table></body></html>").encode(),
    "20k-row-table": ("<html><body><p>三、收到和处理政府信息公开申请情况</p><table>"
                      + "".join(f"<tr><td>{i}</td><td>{i}</td></tr>" for i in range(20_000))
                      + "</table></body></html>").encode(),
    "degenerate-html-doctype-only": b"<!DOCTYPE html>",
    "degenerate-xml-prolog-only": b'<?xml version="1.0" encoding="utf-8"?>',
    "degenerate-open-table": b"<html><body><table><tr><td>",
    "unknown-declared-charset": '<html><head><meta charset="x-bogus"></head><body><p>一、总体情况</p></body></html>'
                                .encode("gbk"),
}
_NUMBERLESS_PAGE = (
    "<html><body><h1>某某局2023年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>全年工作平稳有序。</p>"
    "<p>二、主动公开政府信息情况</p><table><tr><td colspan=\"4\">第二十条第（一）项</td></tr>"
    "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
    "<tr><td>规章</td><td></td><td>/</td><td>—</td></tr><tr><td>行政规范性文件</td><td>无</td><td></td><td></td></tr>"
    "</table><p>三、收到和处理政府信息公开申请情况</p><table>"
    "<tr><td rowspan=\"2\" colspan=\"2\">本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和</td>"
    "<td colspan=\"7\">申请人情况</td></tr><tr><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td>"
    "<td>法律服务机构</td><td>其他</td><td>总计</td></tr>"
    "<tr><td colspan=\"2\">一、本年新收政府信息公开申请数量</td>" + "<td>—</td>" * 7 + "</tr>"
    "<tr><td colspan=\"2\">二、上年结转政府信息公开申请数量</td>" + "<td>/</td>" * 7 + "</tr>"
    "</table><p>四、政府信息公开行政复议、行政诉讼情况</p><table><tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td>"
    "<td>尚未审结</td><td>总计</td></tr><tr>" + "<td>无</td>" * 5 + "</tr></table></body></html>"
)
PATHOLOGICAL["tables-without-numbers"] = _NUMBERLESS_PAGE.encode()


@pytest.mark.parametrize("data", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_is_bounded(data: bytes) -> None:
    """No crash, no hang, no blow-up; ParseError or a Report whose numbers all come from the input."""
    result = guarded(data)
    if isinstance(result, Report):
        assert_numbers_from_input(result, data.decode("utf-8", "replace"))
        result.to_json()  # the contract serialises


def test_tables_without_numbers_give_no_numbers() -> None:
    result = guarded(PATHOLOGICAL["tables-without-numbers"])
    if isinstance(result, Report):
        numbers = [(t, *c.key, c.value) for t, cs in result.tables.items() for c in cs if c.value is not None]
        assert numbers == []
        assert all(c.raw in (None, "", "/", "—", "无") for cs in result.tables.values() for c in cs)
        assert result.checks == [], "a check evaluated on blank cells"


# --- numbers that do not add up ----------------------------------------------------------------


def bump_number(text: str, anchor: str, nth: int, delta: int, *, last: bool = False) -> tuple[str, int]:
    """The text with the nth standalone number after the anchor increased by delta; and the old number."""
    at = text.rfind(anchor) if last else text.find(anchor)
    assert at >= 0, anchor
    match = list(_TOKEN.finditer(text, at))[nth - 1]
    old = int(match.group())
    return text[: match.start()] + str(old + delta) + text[match.end():], old


# (anchor, nth number after it, from the last occurrence, the edited cell, the rules that must fail)
EDITS = {
    "requests-new-total": ("本年新收", 7, False, ("requests", "", "new", "total"),
                           {"requests.balance", "requests.columns_sum"}),
    "review-total": ("尚未", 5, True, ("review_litigation", "review", "", "total"),
                     {"review_litigation.group_sum"}),
}


@pytest.mark.parametrize("edit", EDITS.keys())
@pytest.mark.parametrize("seed", SEED_FILES, ids=SEED_IDS)
def test_numbers_that_do_not_add_up_are_kept_and_flagged(seed: Path, edit: str) -> None:
    """A total edited by +5: still a Report, every cell kept, the edited one as printed, the rule failing."""
    anchor, nth, last, key, failing = EDITS[edit]
    text = seed.read_text(encoding="utf-8")
    original = parse_report(text.encode("utf-8"))
    assert all(c.ok for c in original.checks), "the seed itself must add up"
    edited_text, old = bump_number(text, anchor, nth, 5, last=last)
    result = guarded(edited_text.encode("utf-8"), memory=False)
    assert isinstance(result, Report), f"a report whose numbers do not add up was refused: {result}"

    before, after = cells(original), cells(result)
    assert after.keys() == before.keys(), "cells were dropped or added because a check failed"
    assert before[key][0] == old, "the edit must hit the intended cell"
    assert after[key] == (old + 5, str(old + 5))
    assert {k: v for k, v in after.items() if k != key} == {k: v for k, v in before.items() if k != key}

    checks = {c.rule: c for c in result.checks}
    assert checks.keys() == {c.rule for c in original.checks}, "a failing check must still be reported"
    for rule, check in checks.items():
        if rule in failing:
            assert check.ok is False, f"{rule} should fail: {check.detail}"
            assert str(old + 5) in check.detail, check.detail
        else:
            assert check.ok is True, f"{rule} should still hold: {check.detail}"
    assert result.to_dict()["checks"] == [c.to_dict() for c in result.checks]


def test_failing_checks_through_the_cli(tmp_path: Path) -> None:
    """Through `parse --json`, a failing check is data: exit 0, the check with ok false, the cell kept."""
    need_shared()
    seed = SEED_FILES[2]
    edited, old = bump_number(seed.read_text(encoding="utf-8"), "本年新收", 7, 5)
    path = tmp_path / "edited.txt"
    path.write_text(edited, encoding="utf-8")
    done = nianbao("parse", str(path), "--json")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    doc = json.loads(done.stdout.decode("utf-8"))
    failed = {c["rule"] for c in doc["checks"] if c["ok"] is False}
    assert failed == {"requests.balance", "requests.columns_sum"}
    cell = next(c for c in doc["tables"]["requests"] if c["row"] == "new" and c["column"] == "total")
    assert cell["value"] == old + 5
