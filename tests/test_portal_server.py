"""The fixture server answers the way real web servers do where the list families need it: POST
postbacks chosen by their form fields (ASP.NET), query parameters read by name in any order and
JSON-valued ones as JSON (jpaas `paramJson`), servlet path parameters (`;jsessionid=…`) ignored and
%-escapes in paths decoded when looking a page up."""

from __future__ import annotations

import http.client
from urllib.parse import urlencode

import pytest

from crawler.testing.server import Site, serve_portals

HTML = [("Content-Type", "text/html; charset=utf-8")]


def site() -> Site:
    s = Site()
    s.add("www.t.gov.cn", "/List.aspx?ClassID=27", b"page 1 (GET)", headers=HTML)
    for n in (2, 3):
        s.add("www.t.gov.cn", "/List.aspx?ClassID=27", f"page {n}".encode(), method="POST", headers=HTML,
              match_form={"__EVENTTARGET": "AspNetPager1", "__EVENTARGUMENT": str(n), "__VIEWSTATE": ["vs1", "vs2"]})
    s.add("www.t.gov.cn", "/List.aspx?ClassID=27", b"page 1 (not a postback)", method="POST", headers=HTML)
    s.add("www.t.gov.cn", "/list.do?catalogId=4502&pageNo=1", b"list 1", headers=HTML)
    s.add("www.t.gov.cn", "/2025/01/20/%e5%b9%b4%e6%8a%a5/", b"post", headers=HTML)
    s.add("www.t.gov.cn", '/unit?webId=3418&paramJson={"pageNo":2,"pageSize":"15"}', b"unit 2", headers=HTML)
    return s


def ask(port: int, method: str, target: str, form: dict[str, str] | None = None) -> tuple[int, bytes]:
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    body = urlencode(form).encode() if form is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    con.request(method, f"http://www.t.gov.cn{target}", body=body, headers=headers)
    reply = con.getresponse()
    data = reply.read()
    con.close()
    return reply.status, data


@pytest.fixture(scope="module")
def port() -> int:  # type: ignore[misc]
    with serve_portals(site=site()) as server:
        yield server.port


@pytest.mark.parametrize(("form", "expect"), [
    ({"__EVENTTARGET": "AspNetPager1", "__EVENTARGUMENT": "2", "__VIEWSTATE": "vs1"}, b"page 2"),
    ({"__EVENTTARGET": "AspNetPager1", "__EVENTARGUMENT": "3", "__VIEWSTATE": "vs2", "txtKey": ""}, b"page 3"),
    ({"__EVENTTARGET": "AspNetPager1", "__EVENTARGUMENT": "3", "__VIEWSTATE": "forged"}, b"page 1 (not a postback)"),
    ({"__EVENTTARGET": "AspNetPager1", "__EVENTARGUMENT": "3"}, b"page 1 (not a postback)"),
    ({}, b"page 1 (not a postback)"),
])
def test_postback_answered_by_its_form_fields(port: int, form: dict[str, str], expect: bytes) -> None:
    assert ask(port, "POST", "/List.aspx?ClassID=27", form) == (200, expect)


def test_get_of_a_postback_page_is_its_first_page(port: int) -> None:
    assert ask(port, "GET", "/List.aspx?ClassID=27") == (200, b"page 1 (GET)")


@pytest.mark.parametrize("target", ["/list.do?catalogId=4502&pageNo=1", "/list.do?pageNo=1&catalogId=4502",
                                    "/list.do;jsessionid=5F2E8A0C?catalogId=4502&pageNo=1"])
def test_query_order_and_path_parameters_do_not_matter(port: int, target: str) -> None:
    assert ask(port, "GET", target) == (200, b"list 1")


def test_other_query_values_are_other_pages(port: int) -> None:
    assert ask(port, "GET", "/list.do?catalogId=4502&pageNo=2")[0] == 404
    assert ask(port, "GET", "/list.do?catalogId=4502")[0] == 404


@pytest.mark.parametrize("target", ["/2025/01/20/%e5%b9%b4%e6%8a%a5/", "/2025/01/20/%E5%B9%B4%E6%8A%A5/"])
def test_percent_escapes_in_paths_are_read_as_the_characters(port: int, target: str) -> None:
    assert ask(port, "GET", target) == (200, b"post")


@pytest.mark.parametrize("param", ['{"pageNo":2,"pageSize":"15"}', '{"pageSize": 15, "pageNo": "2"}',
                                   "%7B%22pageNo%22%3A2%2C%22pageSize%22%3A%2215%22%7D"])
def test_json_parameters_are_read_as_json(port: int, param: str) -> None:
    assert ask(port, "GET", f"/unit?paramJson={param.replace(' ', '%20')}&webId=3418") == (200, b"unit 2")
    assert ask(port, "GET", "/unit?webId=3418&paramJson=%7B%22pageNo%22%3A3%7D")[0] == 404
