"""List pages in, next-page requests and rows out: every dialect and every rule of the generic walker, on
stored responses (tests/fixtures/lists/, bytes and headers as served), with each way a walk ends.

The loopback crawls (test_crawl_portals.py) check the same end to end; these pin down each pattern.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.coverage import coverage, coverage_table
from crawler.dialects import BY_NAME, DIALECTS, ListContext
from crawler.page import Link, links
from crawler.pager import (
    JS_CALL,
    JUMP_FORM,
    NEXT_TEXT,
    PAGE_NUMBERS,
    POSTBACK,
    SCRIPT_PAGER,
    URL_PATTERN,
    infer_template,
    more_links,
    read_pager,
)
from crawler.scriptlist import PAGE, api_template, read_api_answer, script_api
from crawler.spiders.portals import PortalsSpider
from crawler.titles import is_report_title
from crawler.walker import ListWalker
from tests.listfixtures import cases, stored_response


class Events:
    """What the walker counted, per host, and the columns it capped."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.capped: list[tuple[str, str]] = []

    def count(self, host: str, what: str) -> None:
        self.counts[(host, what)] += 1

    def cap(self, host: str, column: str) -> None:
        self.capped.append((host, column))

    def stops(self) -> set[str]:
        return {what for _host, what in self.counts if what.startswith("stop:")}


def walker(max_pages: int = 200) -> tuple[ListWalker, Events]:
    events = Events()
    return ListWalker(max_pages, count=events.count, capped=events.cap), events


def walk(case: str, w: ListWalker | None = None, **meta: Any) -> tuple[list[Request], Events | None]:
    events = None
    if w is None:
        w, events = walker()
    response = stored_response(case, **meta)
    return w.walk(response, links(response.selector, response.url)), events


def urls(requests: list[Request]) -> list[str]:
    return [r.url for r in requests]


def report_titles(rows: list[Link]) -> list[str]:
    return [r.title for r in rows if is_report_title(r.title)]


# --- the stored responses themselves -----------------------------------------------------------------


@pytest.mark.parametrize("case", cases())
def test_every_stored_list_decodes_as_served(case: str) -> None:
    response = stored_response(case)
    assert "\ufffd" not in response.text, "decoded with the wrong charset"


def test_a_gbk_page_stays_gbk_and_reads_with_its_characters() -> None:
    response = stored_response("trs-f1")
    assert response.headers[b"Content-Type"] == b"text/html"  # the charset is only in the page's <meta>
    assert response.body.decode("gbk") and "鄜城区" in response.text
    assert any("鄜城区人民政府2024年" in t for t in report_titles(links(response.selector, response.url)))


# --- each dialect: a stored page in, requests and rows out -----------------------------------------------


def dialect_out(case: str, name: str) -> tuple[list[Request], list[Link]]:
    response = stored_response(case)
    dialect = BY_NAME[name]
    if not response.meta.get("dialect"):
        assert [d.name for d in DIALECTS if d.detect(response)][:1] == [name]
    out = list(dialect.parse(response, ListContext(column=response.meta.get("column") or response.url,
                                                   max_pages=200)))
    return [o for o in out if isinstance(o, Request)], [o for o in out if isinstance(o, Link)]


def test_trs_dialect_computes_every_page_from_create_page_html() -> None:
    requests, _rows = dialect_out("trs-f1", "trs")
    assert urls(requests) == [f"http://www.f1-district.gov.cn/xxgk/xxgknb/index_{k}.html" for k in (1, 2, 3)]
    assert {r.meta["found_by"] for r in requests} == {"trs"} and [r.meta["page"] for r in requests] == [2, 3, 4]


def test_hanweb_dialect_reads_the_datastore_and_posts_to_dataproxy() -> None:
    requests, rows = dialect_out("hanweb-f2", "hanweb")
    assert report_titles(rows), "rows come from the CDATA records, invisible to a link scan"
    assert not report_titles(links(stored_response("hanweb-f2").selector, "http://www.f2-city.gov.cn/"))
    assert [r.method for r in requests] == ["POST", "POST"]
    assert urls(requests)[0].endswith("dataproxy.jsp?startrecord=16&endrecord=45&perpage=15")
    form = dict(parse_qsl(requests[0].body.decode()))
    assert {"col", "appid", "webid", "columnid", "unitid"} <= set(form)
    assert requests[0].headers[b"Referer"] == b"http://www.f2-city.gov.cn/col/col1229001/index.html"
    more, rows = dialect_out("hanweb-f2-proxy", "hanweb")
    assert more == [] and report_titles(rows), "a dataproxy answer only carries rows"


def test_gkmlpt_dialect_asks_the_api_of_each_report_category() -> None:
    requests, rows = dialect_out("gkmlpt-f3", "gkmlpt")
    assert rows == []
    assert urls(requests) == ["http://www.f3-gd.gov.cn/gkmlpt/api/all/20765?page=1&sid=755041",
                              "http://www.f3-gd.gov.cn/gkmlpt/api/all/20767?page=1&sid=755041"]
    more, rows = dialect_out("gkmlpt-f3-api", "gkmlpt")
    assert urls(more) == ["http://www.f3-gd.gov.cn/gkmlpt/api/all/20765?page=2&sid=755041"]  # 106 posts, 100 a page
    assert len(rows) == 100 and report_titles(rows)


def test_fjapi_dialect_reads_the_json_list_and_its_page_count() -> None:
    requests, rows = dialect_out("fjapi-f4", "fjapi")
    assert rows == [] and urls(requests) == ["http://www.f4-fj.gov.cn/fjdzapp/data?channelid=1377&prepage=5&page=1"]
    more, rows = dialect_out("fjapi-f4-api", "fjapi")
    assert urls(more) == [f"http://www.f4-fj.gov.cn/fjdzapp/data?channelid=1377&prepage=5&page={p}" for p in (2, 3)]
    assert len(rows) == 5 and report_titles(rows)  # prepage=5
    assert any(f.endswith((".ofd", ".OFD")) for r in rows for f in r.attachments), "files come with the rows"


def test_xxgkml_dialect_pages_by_currpage_up_to_the_declared_total() -> None:
    requests, _rows = dialect_out("xxgkml-f5", "xxgkml")
    assert urls(requests) == ["http://xxgk.f5-county.gov.cn/xxgkml/u001/zfxxgknb/list.shtml?currpage=2"]


def test_jpaas_dialect_pages_through_param_json_until_an_empty_answer() -> None:
    requests, rows = dialect_out("jpaas-f11", "jpaas")
    assert rows == [] and len(requests) == 1
    query = dict(parse_qsl(requests[0].url.split("?", 1)[1]))
    assert json.loads(query.pop("paramJson")) == {"pageNo": 1, "pageSize": "15"}
    assert query == {"webId": "3418", "pageId": "1229612345", "parseType": "bulidstatic", "pageType": "column",
                     "tagId": "当前栏目list", "tplSetId": "5fd7bc1a", "editType": "null"}
    more, rows = dialect_out("jpaas-f11-answer", "jpaas")
    assert report_titles(rows) and len(more) == 1 and more[0].meta["page"] == 2
    assert json.loads(dict(parse_qsl(more[0].url.split("?", 1)[1]))["paramJson"])["pageNo"] == 2
    assert dialect_out("jpaas-f11-end", "jpaas") == ([], [])


# --- the generic walker: each way of finding the next page ------------------------------------------------


def only(requests: list[Request], rule: str) -> list[str]:
    return [r.url for r in requests if r.meta["found_by"] == rule]


def test_next_page_link_by_its_text_on_a_gbk_page() -> None:
    requests, _ = walk("next-text-gbk")
    assert urls(requests) == ["http://www.nx1.gov.cn/xxgk/nb/list_2.html"]
    assert requests[0].meta | {"found_by": NEXT_TEXT, "kind": "list", "page": 2} == requests[0].meta
    assert requests[0].meta["column"] == "http://www.nx1.gov.cn/xxgk/nb/list.html"


@pytest.mark.parametrize("text", ["下一页", "下页", "后页", "下一頁", "›", "»", ">", "&gt;", "Next", "下一页>>",
                                  "［下一页］", "[下一页]"])
def test_every_next_word(text: str) -> None:
    body = (f'<html><body><ul><li><a href="/a/1.html">某县2024年政府信息公开工作年度报告</a></li></ul>'
            f'<div><a href="?page=2">{text}</a></div></body></html>').encode()
    response = HtmlResponse("http://www.x.gov.cn/nb/list.jsp", body=body, encoding="utf-8")
    found = [(c.rule, c.request.url) for c in read_pager(response, page=1).candidates]
    assert found == [(NEXT_TEXT, "http://www.x.gov.cn/nb/list.jsp?page=2")]


@pytest.mark.parametrize("text", ["上一页", "首页", "下一篇", "更多", "2025", "下载"])
def test_words_that_are_not_a_next_page(text: str) -> None:
    body = f'<html><body><div><a href="?page=2">{text}</a></div></body></html>'.encode()
    response = HtmlResponse("http://www.x.gov.cn/nb/list.jsp", body=body, encoding="utf-8")
    assert read_pager(response, page=1).candidates == []


def test_more_is_a_next_page_only_inside_a_pager_and_a_column_link_elsewhere() -> None:
    requests, _ = walk("more-links")
    assert urls(requests) == ["http://www.nx15.gov.cn/xxgk/list_2.html"]
    columns = {link.title: link.url for link in more_links(stored_response("more-links"))}
    assert columns == {"政府信息公开年报": "http://www.nx15.gov.cn/xxgk/nb/", "通知公告": "http://www.nx15.gov.cn/xxgk/tzgg/"}


def test_a_zero_based_run_of_page_numbers_up_to_the_last_page_link() -> None:
    requests, _ = walk("page-run-zero-based")
    reading = read_pager(stored_response("page-run-zero-based"), page=1)
    assert (reading.current, reading.total) == (1, 7)  # 尾页 is ?page=6, and ?page=1 is page 2
    expected = [f"http://www.nx2.gov.cn/gk/nb/list.jsp?page={v}" for v in range(1, 7)]
    assert sorted(urls(requests)) == sorted(expected)
    assert {r.meta["page"] for r in requests} == set(range(2, 8))


def test_a_static_trs_pager_index_n_numbering_detected() -> None:
    requests, _ = walk("trs-static-pager")
    assert sorted(urls(requests)) == [f"http://www.nx3.gov.cn/col/nb/index_{k}.shtml" for k in (1, 2, 3, 4)]
    assert {r.meta["found_by"] for r in requests} == {PAGE_NUMBERS, URL_PATTERN}  # 下一页 = the link "2"


def test_list_column_page_the_page_is_the_last_number() -> None:
    requests, _ = walk("list-12-3")
    assert sorted(urls(requests)) == ["http://www.nx4.gov.cn/news/list_12_2.html", "http://www.nx4.gov.cn/news/list_12_3.html"]


def test_n_html_pages_to_the_last_page_link() -> None:
    requests, _ = walk("n-html")
    assert sorted(urls(requests), key=lambda u: int(u.rsplit("/", 1)[1].split(".")[0])) == \
        [f"http://www.nx5.gov.cn/xwzx/nb/{n}.html" for n in range(2, 10)]


def test_page_n_paths_with_a_declared_total() -> None:
    requests, _ = walk("page-path")
    assert sorted(urls(requests)) == [f"http://www.nx6.gov.cn/nb/page/{n}/" for n in (2, 3, 4)]


@pytest.mark.parametrize("key", ["page", "pageNo", "pageIndex", "curPage", "currpage", "currentPage", "p", "pageNum"])
@pytest.mark.parametrize("first", [0, 1])
def test_query_page_keys_numbering_detected_from_the_pager(key: str, first: int) -> None:
    """`?KEY=N` pagers whose page 1 is KEY=0 or KEY=1: every page to 共4页 asked, with the numbering the
    pager's own links show."""
    anchors = "".join(f'<a href="list.do?cat=nb&{key}={n - 1 + first}">{n}</a> ' for n in (2, 3))
    row = '<li><a href="/a/1.html">某县2024年政府信息公开工作年度报告</a><span>2025-01-01</span></li>'
    body = (f'<html><body><ul>{row}</ul><div class="page">共4页 <span>1</span> {anchors}</div></body></html>').encode()
    url = "http://www.x.gov.cn/nb/list.do?cat=nb"
    response = HtmlResponse(url, body=body, encoding="utf-8", request=Request(url))
    w, _ = walker()
    got = {r.meta["page"]: r.url for r in w.walk(response, links(response.selector, response.url))}
    assert got == {n: f"http://www.x.gov.cn/nb/list.do?cat=nb&{key}={n - 1 + first}" for n in (2, 3, 4)}


def test_infer_template_needs_a_page_like_slot_for_a_single_link() -> None:
    assert infer_template([(2, "http://x.gov.cn/a/t20250101_123.html")]) is None
    one = infer_template([(2, "http://x.gov.cn/nb/index_1.html")])
    assert one is not None and one.render(5) == "http://x.gov.cn/nb/index_4.html"
    two = infer_template([(2, "http://x.gov.cn/list_12_2.html"), (3, "http://x.gov.cn/list_12_3.html")])
    assert two is not None and two.render(7) == "http://x.gov.cn/list_12_7.html"


def test_create_page_html_on_page_one_asks_both_numberings() -> None:
    """F1's page 1 says 4 pages; whether index_1 is page 2 or index_2 is, page 1 cannot tell: index_1 to
    index_4 are asked (a 404 or a repeat ends the extra one)."""
    requests, _ = walk("trs-f1")
    assert urls(requests) == [f"http://www.f1-district.gov.cn/xxgk/xxgknb/index_{k}.html" for k in (1, 2, 3, 4)]
    assert {r.meta["found_by"] for r in requests} == {SCRIPT_PAGER}


def test_the_haiyun_create_page_html_argument_order() -> None:
    """F8: `createPageHTML('page_div', 3, 1, 'index', 'html', 24)`, a div id first and a row count last;
    the TRS dialect does not know it, so the walker pages it (index_1 answers 404 there)."""
    response = stored_response("trs-haiyun-f8")
    assert "奉贤区" in response.text, "GBK by the header, not by the lying meta"
    assert not [d for d in DIALECTS if d.detect(response)]
    requests, _ = walk("trs-haiyun-f8")
    assert urls(requests) == [f"http://www.f8-sh.gov.cn/nw12344/index_{k}.html" for k in (1, 2, 3)]


def test_a_count_page_variable_under_a_directory_url() -> None:
    requests, _ = walk("count-page-var")
    assert urls(requests) == [f"http://www.nx7.gov.cn/xxgk/nb/index_{k}.shtml" for k in (1, 2, 3)]


def test_pager_functions_resolved_through_their_definition() -> None:
    requests, _ = walk("js-url-call")
    assert {r.meta["found_by"] for r in requests} == {JS_CALL, URL_PATTERN}
    expected = [f"http://www.nx8.gov.cn/gk/nb/list.jsp?curPage={n}&cat=nb" for n in (2, 3, 4, 5)]
    assert sorted(urls(requests)) == expected


def test_a_next_call_that_submits_a_form() -> None:
    requests, _ = walk("js-form-call")
    assert len(requests) == 1 and requests[0].method == "POST" and requests[0].meta["found_by"] == JS_CALL
    assert dict(parse_qsl(requests[0].body.decode())) == {"currentPage": "2", "cat": "nb"}
    assert requests[0].url == "http://www.nx9.gov.cn/eportal/nb/list.do"


def test_a_get_jump_box() -> None:
    requests, _ = walk("jump-get")
    assert [(r.method, r.url) for r in requests] == [
        ("GET", f"http://www.nx10.gov.cn/gk/nb/list.jsp?cat=nb&pageNo={n}") for n in (2, 3, 4)]
    assert {r.meta["found_by"] for r in requests} == {JUMP_FORM}


def test_a_post_jump_box_beside_its_words() -> None:
    requests, _ = walk("jump-post")
    assert [r.method for r in requests] == ["POST", "POST"]
    assert [dict(parse_qsl(r.body.decode())) for r in requests] == [{"cid": "7", "num": "2"}, {"cid": "7", "num": "3"}]


def test_an_aspnet_postback_pager() -> None:
    requests, _ = walk("aspnet-postback")
    assert len(requests) == 1, "one postback at a time: each needs the next page's __VIEWSTATE"
    post = requests[0]
    form = dict(parse_qsl(post.body.decode()))
    assert post.method == "POST" and post.url == "http://www.nx12.gov.cn/gk/list.aspx?cid=9"
    assert post.meta["found_by"] == POSTBACK and post.meta["page"] == 2
    assert form["__EVENTTARGET"] == "ctl00$main$pager" and form["__EVENTARGUMENT"] == "2"
    assert form["__VIEWSTATE"] == "/wEPDwUKMTY1NDU2MTA1MmRk" and form["__EVENTVALIDATION"] == "/wEWAgKq3ZzJBQ"
    assert "btnSearch" not in form, "the search button is not clicked"


# --- lists drawn by script from a data API (crawler/scriptlist.py) ----------------------------------------


@pytest.mark.parametrize(("case", "page_2"), [
    ("scriptapi-f15", "http://www.f15-json.gov.cn/api/cms/article/page?columnId=1586&pageNum=2&pageSize=10"),
    ("fjapi-f4", "http://www.f4-fj.gov.cn/fjdzapp/data?channelid=1377&prepage=5&page=2"),
    ("scriptapi-ajax", "http://www.f11-zj.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?parseType="
                      "bulidstatic&webId=3418&tplSetId=5fd7bc1a&pageType=column&tagId=%E5%BD%93%E5%89%8D%E6%A0%8F"
                      "%E7%9B%AElist&editType=null&pageId=1229612345&rows=15&pageNo=2"),
])
def test_the_api_a_script_calls_is_read_from_the_page(case: str, page_2: str) -> None:
    """fetch('…?pageNum=' + pageNum), $.getJSON('…&page=' + page) and $.ajax({url, data: $.extend({},
    unitParams, {rows, pageNo})}), with the page's own var values."""
    response = stored_response(case)
    api = script_api(response)
    assert api is not None and api.first == 1 and api.url(2) == page_2
    requests, _ = walk(case)
    assert [(r.url, r.meta["found_by"]) for r in requests] == [(api.url(1), "script_api")]


@pytest.mark.parametrize(("url", "page_3"), [
    ("http://x.gov.cn/api/list?cat=7&pageNum=1&pageSize=10", "http://x.gov.cn/api/list?cat=7&pageNum=3&pageSize=10"),
    ("http://x.gov.cn/unit?webId=1&paramJson=%7B%22pageNo%22%3A1%2C%22pageSize%22%3A%2215%22%7D",
     "http://x.gov.cn/unit?webId=1&paramJson=%7B%22pageNo%22%3A3%2C%22pageSize%22%3A%2215%22%7D"),
])
def test_the_data_request_a_rendered_page_made_opened_at_its_page_number(url: str, page_3: str) -> None:
    found = api_template(url)
    assert found is not None and found[1] == 1 and found[0].replace(PAGE, "3") == page_3
    assert api_template("http://x.gov.cn/api/config.json?v=2") is None


def test_a_page_without_an_api_call_has_none() -> None:
    assert script_api(stored_response("next-text-gbk")) is None
    assert script_api(stored_response("gkmlpt-f3")) is None  # the gkmlpt app's own script is not on the page


def test_a_json_answer_gives_rows_with_files_and_the_page_count() -> None:
    answer = read_api_answer(stored_response("scriptapi-f15-answer"))
    assert answer is not None and answer.pages == 3 and len(answer.rows) == 10
    assert all(r.url.startswith(("http://www.f15-json.gov.cn/", "https://mp.weixin.qq.com/", "http://www.f15-mirror"))
               for r in answer.rows)
    assert all(r.date is not None for r in answer.rows)
    last = read_api_answer(stored_response("scriptapi-f15-page3"))
    assert last is not None
    files = [f for r in last.rows for f in r.attachments]
    assert files == ["http://www.f15-json.gov.cn/upload/2024/01/22/6b629640206973279107.pdf"]


def test_an_html_fragment_answer_and_a_total_divided_by_the_rows_asked() -> None:
    answer = read_api_answer(stored_response("scriptapi-ajax-answer"))
    assert answer is not None and answer.pages == 4  # total 52, rows=15 in the query
    assert report_titles(answer.rows)


def test_the_first_api_answer_asks_for_the_other_pages_and_an_empty_one_ends_it() -> None:
    w, events = walker()
    requests, rows = w.walk_api(stored_response("scriptapi-f15-answer"))
    assert [r.meta["script_api"]["value"] for r in requests] == [2, 3] and [r.meta["page"] for r in requests] == [2, 3]
    assert requests[0].url.endswith("pageNum=2&pageSize=10") and rows
    more, rows = w.walk_api(stored_response("scriptapi-ajax-empty"))
    assert more == [] and rows == [] and events.stops() == {"stop:empty"}


# --- the generic walker: each way a walk ends ------------------------------------------------------------


def test_a_postback_that_answers_the_same_page_ends_the_column() -> None:
    w, events = walker()
    first, _ = walk("aspnet-postback", w)
    again, _ = walk("aspnet-postback", w, found_by=POSTBACK, page=2, column="http://www.nx12.gov.cn/gk/list.aspx?cid=9")
    assert first and again == []
    assert events.stops() == {"stop:postback_same"}


def test_a_page_repeating_earlier_rows_ends_the_column() -> None:
    w, events = walker()
    walk("next-text-gbk", w)
    assert urls(walk("next-text-gbk-page2", w)[0]) == ["http://www.nx1.gov.cn/xxgk/nb/list_3.html"]
    repeat = stored_response("next-text-gbk-page2").replace(url="http://www.nx1.gov.cn/xxgk/nb/list_3.html")
    assert w.walk(repeat, links(repeat.selector, repeat.url)) == []
    assert events.stops() == {"stop:repeat"}


def test_a_pager_that_loops_onto_its_own_page() -> None:
    """F5's page 2 still shows 下一页, pointing at page 2 itself."""
    w, events = walker()
    first, _ = walk("xxgkml-f5", w)
    assert urls(first) == ["http://xxgk.f5-county.gov.cn/xxgkml/u001/zfxxgknb/list.shtml?currpage=2"]
    assert walk("xxgkml-f5-page2", w)[0] == []
    assert events.stops() == {"stop:loop"}


def test_an_empty_page_ends_the_column() -> None:
    requests, events = walk("empty-page")
    assert requests == [] and events is not None and events.stops() == {"stop:empty"}


def test_no_page_past_the_declared_total() -> None:
    requests, events = walk("past-total")
    assert requests == [] and events is not None and events.stops() == {"stop:past_total"}


def test_the_column_page_cap_holds_for_walker_and_dialects_alike() -> None:
    w, events = walker(max_pages=2)
    column = "http://www.nx2.gov.cn/gk/nb/list.jsp"
    asked = [Request(f"{column}?page={n}", meta={"column": column}) for n in range(1, 5)]
    assert [w.admit(r) for r in asked] == [True, True, False, False]
    assert w.admit(Request(f"{column}?page=1", meta={"column": column})) is False  # asked before: not again
    assert events.capped == [("www.nx2.gov.cn", column)] and events.counts[("www.nx2.gov.cn", "stop:cap")] == 1


def test_a_column_a_dialect_claims_is_left_to_it() -> None:
    w, _ = walker()
    w.claim("http://www.f1-district.gov.cn/xxgk/xxgknb/index.html", "trs")
    assert walk("trs-f1", w)[0] == []


# --- the spider: dialects first, or the walker alone with NIANBAO_DIALECTS off ----------------------------


def spider(**settings: Any) -> PortalsSpider:
    crawler = get_crawler(PortalsSpider, {"NIANBAO_SCOPE_HOSTS": ["www.f1-district.gov.cn", "xxgk.f5-county.gov.cn"],
                                          **settings})
    s = PortalsSpider()
    s.crawler, s.portals = crawler, []
    s._setup()
    return s


@pytest.mark.parametrize(("dialects", "rule", "pages"), [(True, "trs", 3), (False, SCRIPT_PAGER, 4)])
def test_parse_list_pages_by_dialect_or_by_the_walker_alone(dialects: bool, rule: str, pages: int) -> None:
    s = spider(NIANBAO_DIALECTS=dialects)
    response = stored_response("trs-f1", kind="list", hops=1)
    out = list(s.parse_list(response))
    lists = [r for r in out if r.meta.get("kind") == "list" and "found_by" in r.meta]
    reports = sorted(r.url for r in out if r.meta.get("kind") == "article")
    assert {r.meta["found_by"] for r in lists} == {rule} and len(lists) == pages
    assert len(reports) == 4 and all("/xxgk/xxgknb/20" in u for u in reports), "the same rows either way"
    stats = s.crawler.stats.get_stats()  # type: ignore[union-attr]
    assert stats["nianbao/host/www.f1-district.gov.cn/list_pages"] == 1


def test_a_capped_column_is_named_in_the_stats_and_the_coverage() -> None:
    s = spider(NIANBAO_MAX_LIST_PAGES=2, NIANBAO_DIALECTS=False)
    list(s.parse_list(stored_response("trs-f1", kind="list")))
    stats = s.crawler.stats.get_stats()  # type: ignore[union-attr]
    column = "http://www.f1-district.gov.cn/xxgk/xxgknb/index.html"
    assert stats["nianbao/capped/www.f1-district.gov.cn"] == [column]
    assert stats["nianbao/list_cap_reached"] == 1


# --- the coverage report ------------------------------------------------------------------------------------


def test_coverage_per_host_from_the_crawl_counters() -> None:
    hosts = {"www.a.gov.cn": {"pages": 9, "list_pages": 4, "next:next_text": 2, "next:trs": 1, "reports": 5,
                              "stop:loop": 1, "list_end_404": 1, "capped": ["http://www.a.gov.cn/nb/"]},
             "files.a.gov.cn": {"pages": 3, "reports": 0}}
    cov = coverage(hosts)
    assert cov == {"www.a.gov.cn": {"list_pages": 4, "found_by": {"next_text": 2, "trs": 1}, "reports": 5,
                                    "stops": {"end_404": 1, "loop": 1}, "capped": ["http://www.a.gov.cn/nb/"]}}
    table = coverage_table(hosts).splitlines()
    assert table[0] == "list coverage:"
    row = next(line for line in table if "www.a.gov.cn" in line and "at the cap" not in line)
    assert row.split()[1:3] == ["4", "5"] and "next_text 2, trs 1" in row and "loop 1" in row
    assert "    at the cap: http://www.a.gov.cn/nb/" in table
    assert not [line for line in table if line.startswith("www.")], "a host's summary line stays unique"
