"""The crawler's pure rules: canonical URLs, scope, titles and decoys, years and dates, challenge
detection, Retry-After, the registry and the WARC export of an archive."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.middlewares.challenge import challenge_reason
from crawler.middlewares.retry import retry_after_seconds
from crawler.registry import load_registry
from crawler.titles import is_column_link, is_report_title, title_facts
from crawler.urls import canonical_url, doc_kind, fetch_url, in_scope, is_private_address
from extract.dates import period_year, report_year, to_date

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("a", "b"), [
    ("https://www.x.gov.cn/a/t1_wap.html", "http://www.x.gov.cn/a/t1.html"),
    ("http://www.x.gov.cn/gate/big5/xxgk.x.gov.cn/a/t1.html", "http://xxgk.x.gov.cn/a/t1.html"),
    ("http://www.x.gov.cn/gkmlpt/content/9/9103/mpost_9103540.html", "http://www.x.gov.cn/gkmlpt/content/post_9103540.html"),
    ("http://WWW.X.gov.cn:80/a/t1.html?utm_source=wx#top", "http://www.x.gov.cn/a/t1.html"),
])
def test_canonical_url_makes_twins_one(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


def test_fetch_url_keeps_scheme_and_real_path() -> None:
    assert fetch_url("https://www.x.gov.cn/a/t1_wap.html") == "https://www.x.gov.cn/a/t1.html"
    assert fetch_url("http://x.gov.cn/gkmlpt/content/9/9103/post_1.html").endswith("/9/9103/post_1.html")


def test_scope_and_private_addresses() -> None:
    assert in_scope("www.nx.gov.cn", frozenset(), (".gov.cn",))
    assert not in_scope("www.hongxingpaper.com", frozenset(), (".gov.cn",))
    assert not in_scope("gov.cn.evil.com", frozenset(), (".gov.cn",))
    assert in_scope("listed.example.org", frozenset({"listed.example.org"}), ())
    assert all(map(is_private_address, ["127.0.0.1", "10.1.2.3", "169.254.1.1", "::1", "192.168.0.1"]))
    assert not is_private_address("202.108.22.5")


def test_doc_kind_reads_hanweb_showname() -> None:
    assert doc_kind("http://x/module/download/downfile.jsp?classid=0&filename=ab.pdf") == "pdf"
    assert doc_kind("http://x/P0202603.OFD") == "ofd"
    assert doc_kind("http://x/a/t1.html") is None


@pytest.mark.parametrize("title", [
    "鄂托克旗人民政府2024年政府信息公开工作年度报告", "宿迁市 2025 年政府信息公开工作年度报告",
    "2025年某厅政府信息公开年度报告", "高岭镇_2017年_政府信息公开工作年度报告",
    "城关镇2024年政府信息公开工作年度报告（图片版）", "三明市政府信息公开工作年度报告",
    "某縣2023年政府信息公開工作年度報告", "淮安市清江浦区2024年政府信息公开工作年度报告.pdf",
    "洪泽区2023年政府信息公开工作年度报告（图片版）.DOCX",
])
def test_report_titles(title: str) -> None:
    assert is_report_title(title)


@pytest.mark.parametrize("title", [
    "2024年度政府网站年度工作报表", "关于做好2024年政府信息公开工作年度报告编制工作的通知",
    "《某市2024年政府信息公开工作年度报告》解读", "某市政府信息公开指南（2024年修订）", "住房公积金2024年年度报告",
    "一图读懂：2024年政府信息公开工作年度报告", "图解：2025年政府信息公开工作年度报告", "政府信息公开年报",
    "召开2024年度工作会暨政府信息公开工作年度报告部署会", "政府信息公开制度", "2024年政府信息公开工作年度报告解读.pdf",
])
def test_decoys_rejected(title: str) -> None:
    assert not is_report_title(title)


def test_title_facts() -> None:
    assert title_facts("2025年某厅政府信息公开年度报告").agency == "某厅"
    combined = title_facts("2022-2023年度某镇政府信息公开工作年度报告")
    assert combined.years == (2022, 2023) and combined.year == 2023
    assert is_column_link("政府信息公开年报", "http://x/xxgk/xxgknb/")
    assert is_column_link("2024年度", "http://x/zfxxgknb/2024/")
    assert not is_column_link("某市2024年政府信息公开工作年度报告", "http://x/a/t1.html")


def test_year_from_title_then_period_then_publication() -> None:
    body = "所列数据统计期限为2025年1月1日至2025年12月31日。"
    assert report_year(2023, body, date(2026, 3, 5)) == 2023
    assert report_year(None, body, date(2026, 3, 5)) == 2025
    assert report_year(None, "自2025年1月1日起施行", date(2026, 3, 5)) == 2025
    assert report_year(None, "无日期", date(2024, 2, 1)) == 2023
    assert period_year("统计期限为2024年1月1日至2025年12月31日") is None
    assert to_date("2026.03.05 14:48:00") == date(2026, 3, 5)
    assert to_date(1737338400) == date(2025, 1, 20)


def _response(status: int, body: bytes) -> HtmlResponse:
    return HtmlResponse("http://x.gov.cn/", status=status, body=body, request=Request("http://x.gov.cn/"))


def test_challenges_detected() -> None:
    assert challenge_reason(_response(412, b"<script>document.cookie='a=1'</script>")) == "412 JS cookie challenge"
    assert "slider" in (challenge_reason(_response(200, '<div id="nc_1_wrapper">请按住滑块</div>'.encode())) or "")
    assert challenge_reason(_response(200, "<p>2024年政府信息公开工作年度报告</p>".encode())) is None


def test_retry_after() -> None:
    assert retry_after_seconds("30") == 30
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after_seconds("soon") is None


def test_registry_has_every_province_with_codes() -> None:
    portals = load_registry()
    provinces = [p for p in portals if p.level == "province"]
    assert len({p.region_code for p in provinces}) == 31  # every 省级行政区 of the mainland
    assert all(p.region_code and p.region_code.endswith("0000") and len(p.region_code) == 6 for p in provinces)


def test_registry_holds_every_entry_point_of_the_field_guide() -> None:
    import csv

    import yaml

    from tests.shared import SHARED, need_shared

    need_shared()
    with (SHARED / "crawler" / "entry-points.tsv").open(encoding="utf-8") as fh:
        wanted = [row["entry_url"].split()[0] for row in csv.DictReader(fh, delimiter="\t")]
    shipped = {p["entry"] for p in yaml.safe_load((ROOT / "crawler" / "portals.yml").read_text("utf-8"))["portals"]}
    assert [u for u in wanted if u not in shipped] == []


def test_warc_export_reads_back(tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    from archive import Archive, Fetch
    from crawler.warc import export_warc

    with Archive(tmp_path / "a.db") as archive:
        archive.record_fetch(Fetch("http://x.gov.cn/a.html", "http://x.gov.cn/a.html", 200,
                                   [("Content-Type", "text/html")], "<p>年报</p>".encode(), "2025-01-01T00:00:00Z"))
        archive.record_fetch(Fetch("http://x.gov.cn/b.html", "http://x.gov.cn/b.html", 404, [], b"",
                                   "2025-01-01T00:00:01Z"))
    assert export_warc(tmp_path / "a.db", tmp_path / "out.warc.gz") == 2
    with open(tmp_path / "out.warc.gz", "rb") as fh:
        records = [(r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                   for r in ArchiveIterator(fh)]
    assert records[0] == ("http://x.gov.cn/a.html", "<p>年报</p>".encode())
    assert records[1][1] == b""


def test_asking_again_unconditionally_drops_the_validators() -> None:
    """A 304 for bytes we cannot replay is asked again: without the validators, or it is a 304 forever."""
    from crawler.middlewares.conditional import _unconditional

    asked = Request("http://www.x.gov.cn/nb.html", headers={"If-None-Match": '"v1"', "Referer": "http://www.x.gov.cn/",
                                                            "If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    again = _unconditional(asked)
    assert b"If-None-Match" not in again.headers and b"If-Modified-Since" not in again.headers
    assert again.headers[b"Referer"] == b"http://www.x.gov.cn/" and again.meta["no_conditional"] and again.dont_filter
    assert b"If-None-Match" in asked.headers


def test_attachments_in_page_order_with_linked_and_shown_scans() -> None:
    from scrapy import Selector

    from crawler.page import attachments

    html = ('<div><p>详见附件：<a href="./P020250131.pdf">年度报告.pdf</a> <a href="./P020250131.docx">Word版</a></p>'
            '<a href="./W020250121_1.jpg">第1页</a><img src="./W020250121_2.jpg"><img src="/images/icon_print.png">'
            '<a href="/share/qrcode.png">扫一扫</a><a href="./t2.html">上一篇</a>'
            "<script>var file_appendix='P020250131_2.ofd';</script></div>")
    got = attachments(Selector(text=html), "http://www.x.gov.cn/xxgk/nb/202501/t1.html")
    base = "http://www.x.gov.cn/xxgk/nb/202501/"
    assert got == [base + n for n in ("P020250131.pdf", "P020250131.docx", "W020250121_1.jpg", "W020250121_2.jpg",
                                      "P020250131_2.ofd")]
    assert attachments(Selector(text=html), base + "t1.html", images=False) == [base + "P020250131.pdf",
                                                                                base + "P020250131.docx",
                                                                                base + "P020250131_2.ofd"]
