"""Form submissions encoded as a browser encodes them (crawler/forms.py): the form's accept-charset first,
then the page's own encoding; a character the encoding lacks sent as a &#NNNN; reference."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

import pytest
from scrapy.http import HtmlResponse

from crawler.forms import form_charset, submit
from crawler.pager import POSTBACK, read_pager


def page(form: str, charset: str, *, header: bool = True) -> HtmlResponse:
    html = f'<html><head><meta charset="{charset}"></head><body>{form}</body></html>'
    headers = {"Content-Type": f"text/html; charset={charset}"} if header else {}
    return HtmlResponse("http://www.x.gov.cn/list.aspx?id=1", body=html.encode(charset, "xmlcharrefreplace"),
                        headers=headers)


def as_browser(text: str, charset: str) -> str:
    return text.encode(charset, "xmlcharrefreplace").decode(charset)


FIELDS = '<input type="hidden" name="栏目" value="年报"><input type="text" name="关键字" value="年度报告">'


@pytest.mark.parametrize(("charset", "accept", "sent"), [
    ("gbk", "", "gbk"),  # the page's own encoding
    ("gb2312", "", "gbk"),  # as browsers do: GB2312 means GBK
    ("gb18030", "", "gb18030"),
    ("utf-8", "", "utf-8"),
    ("utf-8", ' accept-charset="gbk"', "gbk"),  # accept-charset first
    ("gbk", ' accept-charset="utf-8"', "utf-8"),
    ("gbk", ' accept-charset="x-unknown, big5"', "big5hkscs"),  # its first label that names an encoding
])
def test_a_post_is_encoded_in_the_charset_a_browser_chooses(charset: str, accept: str, sent: str) -> None:
    response = page(f'<form method="post" action="list.aspx?id=1"{accept}>{FIELDS}</form>', charset)
    assert form_charset(response.selector.xpath("//form")[0], response) == sent
    request = submit(response, "//form", {"__EVENTARGUMENT": "2"})
    assert request.method == "POST"
    fields = {"栏目": "年报", "关键字": "年度报告", "__EVENTARGUMENT": "2"}
    as_sent = {as_browser(k, sent): as_browser(v, sent) for k, v in fields.items()}  # Big5 lacks 栏, 报, 关, 键
    assert dict(parse_qsl(request.body.decode("ascii"), encoding=sent)) == as_sent
    if sent != "utf-8":
        assert "年".encode(sent) in unquote_to_bytes(request.body.decode()), "the bytes of the page's charset"


def test_a_get_form_puts_its_fields_in_the_query_in_the_page_charset() -> None:
    response = page(f'<form method="get" action="search.asp?old=1">{FIELDS}</form>', "gbk")
    query = urlsplit(submit(response, "//form", {"page": "3"}).url).query
    assert dict(parse_qsl(query, encoding="gbk")) == {"栏目": "年报", "关键字": "年度报告", "page": "3"}
    assert "%C0%B8%C4%BF" in query, "栏目 in GBK bytes"


def test_a_page_without_a_declared_charset_read_as_gbk_from_its_meta() -> None:
    response = page(f'<form method="post">{FIELDS}</form>', "gbk", header=False)
    assert dict(parse_qsl(submit(response, "//form", {}).body.decode(), encoding="gbk"))["栏目"] == "年报"


def test_a_character_the_charset_lacks_is_sent_as_a_reference() -> None:
    response = page('<form method="post"><input type="hidden" name="q" value="x"></form>', "gbk")
    body = submit(response, "//form", {"q": "年报\U0001f600"}).body.decode()
    assert dict(parse_qsl(body, encoding="gbk"))["q"] == "年报&#128512;"


def test_a_utf16_page_submits_utf8() -> None:
    response = page(f'<form method="post">{FIELDS}</form>', "utf-16")
    assert form_charset(response.selector.xpath("//form")[0], response) == "utf-8"


def test_a_webforms_postback_on_a_gbk_page_keeps_its_chinese_fields_in_gbk() -> None:
    pager = ("<a href=\"javascript:__doPostBack('Pager1','2')\">下一页</a><span>1/3页</span>")
    form = ('<form method="post" action="./List.aspx?id=1" id="form1">'
            '<input type="hidden" name="__EVENTTARGET" value=""><input type="hidden" name="__EVENTARGUMENT" value="">'
            f'<input type="hidden" name="__VIEWSTATE" value="abc">{FIELDS}{pager}</form>')
    reading = read_pager(page(form, "gb2312"), page=1)
    post = next(c.request for c in reading.candidates if c.rule == POSTBACK)
    fields = dict(parse_qsl(post.body.decode("ascii"), encoding="gbk"))
    assert fields["栏目"] == "年报" and fields["关键字"] == "年度报告"
    assert fields["__EVENTTARGET"] == "Pager1" and fields["__EVENTARGUMENT"] == "2"
