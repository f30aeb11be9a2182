"""A form of a page submitted as a browser submits it: its own method, action and fields (form2request),
the fields encoded in the charset the browser would choose.

Why: form2request (like FormRequest) encodes fields as UTF-8, and a GBK portal's server decodes what
it is sent as GBK (ASP.NET's `requestEncoding="gb2312"`, old ASP and JSP sites): a hidden 栏目=年报 or a
search word arrives as mojibake, and the server answers page 1 again, an empty list or an error. A browser
takes the first label of the form's `accept-charset` that names an encoding, else the page's own encoding
(a UTF-16 one becomes UTF-8), and sends a character that encoding lacks as a `&#NNNN;` reference
(HTML's "selecting a form submission encoding").
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from form2request import form2request
from parsel import Selector
from scrapy import Request
from scrapy.http import TextResponse
from w3lib.encoding import resolve_encoding


def form_charset(form: Selector, response: TextResponse) -> str:
    """The encoding a browser submits `form` of `response` in (a Python codec name)."""
    for label in re.split(r"[\s,]+", form.attrib.get("accept-charset", "")):
        name = resolve_encoding(label) if label else None
        if name:
            explicit_18030 = "18030" in label
            break
    else:
        name = resolve_encoding(response.encoding) or "utf-8"
        explicit_18030 = b"18030" in (response.headers.get("Content-Type") or b"") + response.body[:2048]
    if codecs.lookup(name).name.startswith("utf-16"):
        return "utf-8"
    # GBK and GB2312 pages are read as their superset GB18030 (w3lib), but a browser submits them as GBK
    # (WHATWG: both labels mean GBK, whose encoder sends a &#NNNN; for a character GBK lacks).
    return "gbk" if codecs.lookup(name).name == "gb18030" and not explicit_18030 else name


def submit(response: TextResponse, form_xpath: str, data: dict[str, str]) -> Request:
    """The request a form of the page sends (its own method, action and fields, data overriding), as a
    script submits it: no button clicked. (form2request: FormRequest.from_response is deprecated.)"""
    form = response.selector.xpath(form_xpath)
    request = form2request(form, data, click=False).to_scrapy(callback=None)
    charset = form_charset(form[0], response)
    if codecs.lookup(charset).name == "utf-8":
        return request
    if request.method == "GET":
        parts = urlsplit(request.url)
        return request.replace(url=parts._replace(query=_encoded(parts.query, charset)).geturl())
    if request.headers.get("Content-Type", b"").startswith(b"text/plain"):
        return request.replace(body=request.body.decode("utf-8").encode(charset, "xmlcharrefreplace"))
    return request.replace(body=_encoded(request.body.decode("ascii"), charset).encode("ascii"))


def _encoded(query: str, charset: str) -> str:
    """form2request's UTF-8 urlencoding of the fields, encoded again in `charset`."""
    pairs = parse_qsl(query, keep_blank_values=True, encoding="utf-8")
    return urlencode(pairs, encoding=charset, errors="xmlcharrefreplace")
