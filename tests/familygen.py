"""Build the ten list-family fixture portals F7-F17 (crawler/testing/FAMILIES.md) into crawler/testing/portals/.

Why a second generator beside `tests/portalgen.py`: F1-F6 follow ../shared/crawler/FIXTURE_SPEC.md,
these follow the other list dialects real portals use (field guide §2 "Other dialects seen" and the
CMSs county sites run on). Same rules: generated once, stored byte for byte as served (GBK stays GBK),
each with `site.json` and `truth.json`; deterministic page bytes (fixed seeds). The report bodies come
from `tests.reportgen` (HTML tables in the official layout) and `tests.formatgen` (the official DOCX
template filled in, and LibreOffice's PDF of it), always for the agency and year the title names.
Run it again after changing it: `python -m tests.familygen`.

Every family has: a home page → a 信息公开 gateway → the 年报 column; several list pages in its own
pager dialect; HTML reports, one report with an attached PDF ("详见附件"), one report listed as a
bare file (the row links the PDF/DOCX itself), one report listed on the last page only; decoys that
look close (工作要点, 预算公开, 政府工作报告, 编制通知, 解读, 网站工作年度报表, 一图读懂); news rows;
and at least one trap of its own kind (truth.json `traps` says which).
"""

# ruff: noqa: E501 - page templates and CJK fixture strings read better unbroken
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from tests.portalgen import NOT_FOUND_PAGE, OUT, UTF8_HTML, Portal, head_meta, page, report_body

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOW_ALL = "User-agent: *\nAllow: /\n"


# --- report files for the agency and year a title names -------------------------------------------

_files: dict[tuple[str, int, str], bytes] = {}
# PDFs already stored, by URL: LibreOffice embeds different font subsets from run to run, so a PDF
# is converted only when its route is new (delete portals/F… to convert them all again).
_stored_pdfs: dict[str, bytes] = {}


def remember_stored_pdfs(root: Path) -> None:
    for spec_path in root.glob("F*/site.json"):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        for route in spec["routes"]:
            path = spec_path.parent / route["file"]
            if dict(route["headers"]).get("Content-Type") == "application/pdf" and path.is_file():
                _stored_pdfs[f"http://{route['host']}{route['target']}"] = path.read_bytes()


def report_file(agency: str, year: int, kind: str, url: str = "") -> bytes:
    """The official 2021 template filled for agency and year, as DOCX or (LibreOffice) PDF."""
    from extract.readers.office import convert
    from tests.formatgen import fill_template

    if kind == "pdf" and url in _stored_pdfs:
        return _stored_pdfs[url]
    key = (agency, year, kind)
    if key not in _files:
        docx = fill_template(int(hashlib.sha1(f"{agency}{year}".encode()).hexdigest()[:6], 16), agency, year).docx
        docx = stable_docx(docx)
        _files[key] = docx if kind == "docx" else stable_pdf(convert(docx, ".docx", "pdf"), f"{agency}{year}")
    return _files[key]


def stable_docx(docx: bytes) -> bytes:
    """python-docx stamps each zip entry with the time of saving: fixed here, like stable_pdf."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 20, 9, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def stable_pdf(pdf: bytes, seed: str) -> bytes:
    """LibreOffice stamps the time, its checksum and a random /ID: fixed here, byte lengths kept (the
    xref stays valid), so running the generator again changes no stored file."""
    ident = hashlib.md5(seed.encode()).hexdigest().upper().encode()
    pdf = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:20250120090000", pdf)
    pdf = re.sub(rb"/DocChecksum /[0-9A-F]{32}", b"/DocChecksum /" + ident, pdf)
    return re.sub(rb"/ID \[\s*<([0-9A-F]{32})>\s*<([0-9A-F]{32})>",
                  lambda m: m.group(0).replace(m.group(1), ident).replace(m.group(2), ident), pdf)


# --- what every family lists ------------------------------------------------------------------------

@dataclass
class Spec:
    """One true report: who, which year, how it is published (html page, page + attached PDF, bare file)."""

    agency: str
    year: int
    kind: str  # "html" | "attach" | "pdf" | "docx"
    date: str  # YYYY-MM-DD, when it was listed
    year_first: bool = False  # "2024年{机关}政府信息公开工作年度报告"

    @property
    def title(self) -> str:
        if self.year_first:
            return f"{self.year}年{self.agency}政府信息公开工作年度报告"
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"


@dataclass
class Row:
    title: str
    url: str
    date: str
    kind: str = "news"  # "report" | "decoy" | "news"


def decoy_titles(place: str, owner: str) -> list[str]:
    """Titles that share words with a report and are not one."""
    return [f"{place}2025年政务公开工作要点", f"{owner}2025年部门预算公开", f"{place}2025年政府工作报告",
            "关于报送2024年政府信息公开工作年度报告的通知", f"《{owner}2024年政府信息公开工作年度报告》解读",
            f"{owner}2024年度政府网站工作年度报表", f"一图读懂{owner}2024年政府信息公开工作年度报告"]


NEWS = ["{place}召开政务公开工作推进会", "{place}开展“政务公开日”活动", "{place}组织政务公开业务培训",
        "{place}召开政府常务会议", "{place}发布2024年第四季度政务舆情回应情况", "{place}开展政策解读进社区活动",
        "{place}部署2025年政务公开重点工作", "{place}推进基层政务公开标准化规范化建设"]


@dataclass
class Family:
    """One family portal being built: its pages in its own encoding, its rows, its truth."""

    portal: Portal
    site: str  # SiteName
    code: str  # 网站标识码
    column: str  # ColumnName of the 年报 column
    encoding: str = "utf-8"
    ctype: str = UTF8_HTML
    meta_charset: str = "utf-8"
    rows: list[Row] = field(default_factory=list)
    seed: int = 0

    def html(self, url: str, body: str, *, title: str = "", head: str = "", **kw: Any) -> None:
        text = page(head, body, charset=self.meta_charset, title=title)
        self.portal.add(url, text.encode(self.encoding, "xmlcharrefreplace"), ctype=self.ctype, **kw)

    def meta(self, title: str, pub: str) -> str:
        return head_meta(self.site, urlsplit(self.portal.entry).hostname or "", self.code, self.column, title, pub)

    def reports(self, specs: list[Spec], *, article_url: Callable[[int, str], str],
                article: Callable[[str, str, str, str, str], str], file_url: Callable[[int, str, str], str],
                decoys: list[str], news: int, place: str) -> None:
        """Article pages, files and rows for the reports, decoys and news; rows newest first, the
        last spec (the oldest report) last, so it lands on the last list page only."""
        p = self.portal
        for i, spec in enumerate(specs):
            title = spec.title
            if spec.kind in ("pdf", "docx"):  # the row links the file itself
                url = file_url(i, spec.date, spec.kind)
                p.add(url, report_file(spec.agency, spec.year, spec.kind, url),
                      ctype="application/pdf" if spec.kind == "pdf" else DOCX)
                p.report(url, spec.agency, spec.year, spec.kind, title=title)
            else:
                url = article_url(i, spec.date)
                if spec.kind == "attach":
                    pdf = file_url(i, spec.date, "pdf")
                    p.add(pdf, report_file(spec.agency, spec.year, "pdf", pdf), ctype="application/pdf")
                    body = (f"<p>详见附件。</p><p>附件：<a href=\"{pdf}\">{html.escape(title)}.pdf</a></p>")
                    p.report(url, spec.agency, spec.year, "pdf", [pdf], title=title)
                else:
                    body = report_body(self.seed + i, spec.agency, spec.year)
                    p.report(url, spec.agency, spec.year, "html", title=title)
                self.html(url, article(url, title, spec.date, body, spec.agency), title=title,
                          head=self.meta(title, spec.date))
            self.rows.append(Row(title, url, spec.date, "report"))
        for j, title in enumerate(decoys):
            date = f"2025-0{1 + j % 3}-{10 + j:02d}"
            url = article_url(100 + j, date)
            self.html(url, article(url, title, date, f"<p>{html.escape(title)}。</p><p>（正文略）</p>", self.site),
                      title=title, head=self.meta(title, date))
            self.rows.append(Row(title, url, date, "decoy"))
            p.decoys.append(url)
        for n in range(news):
            title = NEWS[n % len(NEWS)].format(place=place) + (f"（{n // len(NEWS) + 1}）" if n >= len(NEWS) else "")
            date = f"2024-{12 - n % 12:02d}-{28 - n % 27:02d}"
            url = article_url(200 + n, date)
            self.html(url, article(url, title, date, f"<p>{html.escape(title)}。</p>", self.site), title=title,
                      head=self.meta(title, date))
            self.rows.append(Row(title, url, date))
        last = self.rows[len(specs) - 1]
        self.rows.remove(last)
        self.rows.sort(key=lambda r: r.date, reverse=True)
        self.rows.append(last)
        p.extra["last_page_only"] = last.url
        p.extra["attachment_only"] = [r["canonical_url"] for r, s in zip(p.reports, specs, strict=True)
                                      if s.kind in ("pdf", "docx")]

    def pages(self, per_page: int) -> list[list[Row]]:
        return [self.rows[k:k + per_page] for k in range(0, len(self.rows), per_page)]


def specs_for(owner: str, depts: list[str], attach_only: str, *, oldest: int = 2020) -> list[Spec]:
    """The reports every family lists: the last one is the oldest, on the last page only."""
    return [Spec(owner, 2024, "html", "2025-01-20"), Spec(depts[0], 2024, "html", "2025-01-18", year_first=True),
            Spec(depts[1], 2024, attach_only, "2025-01-16"), Spec(owner, 2023, "attach", "2024-01-22"),
            Spec(depts[2], 2023, "html", "2024-01-19"), Spec(depts[0], 2022, "html", "2023-01-17"),
            Spec(owner, oldest, "html", f"{oldest + 1}-01-15")]


def li(row: Row, href: str | None = None) -> str:
    return (f'<li><a href="{html.escape(href or row.url)}" title="{html.escape(row.title)}" target="_blank">'
            f"{html.escape(row.title)}</a><span class=\"date\">{row.date}</span></li>")


def home(f: Family, base: str, links: list[tuple[str, str]], robots: str = ALLOW_ALL) -> None:
    nav = "".join(f'<a href="{html.escape(u)}">{t}</a> ' for u, t in links)
    f.html(f"{base}/", f'<div class="nav"><a href="/">首页</a> {nav}</div>'
                       f'<div class="footer">主办：{f.site} 网站标识码：{f.code}</div>', title=f.site)
    f.portal.add(f"{base}/robots.txt", robots, ctype="text/plain")


# --- F7: Anhui 政务公开 platform, /public/column/{org}?type=4&catId=…&action=list&pageIndex=N ---------

def build_f7() -> Portal:
    base = "http://www.f7-ah.gov.cn"
    owner, place, org, cat = "岳西县人民政府", "岳西县", "2681", "7184171"
    f = Family(Portal("F7", f"{base}/"), owner, "3408280001", "政府信息公开年报", seed=700)
    col = f"{base}/public/column/{org}?type=4&catId={cat}&action=list"
    home(f, base, [(f"/public/column/{org}?type=2", "政务公开"), ("/xwzx/index.html", "新闻中心")])
    f.html(f"{base}/public/column/{org}?type=2",
           '<ul class="xxgk-nav">' + "".join(f'<li><a href="/public/column/{org}?type=4&amp;catId={c}&amp;action=list">{t}</a></li>'
                                             for c, t in (("7181001", "政府信息公开指南"), ("7181002", "政府信息公开制度"),
                                                          ("7181003", "法定主动公开内容"), (cat, "政府信息公开年报")))
           + "</ul>", title="政府信息公开")
    seq = iter(range(8870100, 8871000))

    def article_url(i: int, date: str) -> str:
        return f"{base}/public/{org}/{next(seq)}.html"

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<table class="table_suoyin"><tr><th>索引号：</th><td>11340828003096291X/{pub[:4]}-{int(url[-9:-5]) % 1000:05d}</td>'
                f'<th>发布机构：</th><td>{agency}</td></tr><tr><th>生成日期：</th><td>{pub}</td><th>文号：</th><td></td></tr></table>'
                f'<h1 class="newstitle">{html.escape(title)}</h1><div class="wzcon fontContent j-fontContent">{body}</div>')

    def file_url(i: int, date: str, kind: str) -> str:
        return f"{base}/group6/M00/0{i}/2B/wKg8BmW{date.replace('-', '')}AbCdE{i}.{kind}"

    owner_d = ["岳西县教育局", "岳西县财政局", "岳西县卫生健康委员会"]
    f.reports(specs_for(owner, owner_d, "pdf"), article_url=article_url, article=article, file_url=file_url,
              decoys=decoy_titles(place, owner)[:5], news=14, place=place)
    pages = f.pages(10)
    shown = 5  # the pager says 共5页 (47 条): it still counts withdrawn items; pages 4 and 5 are empty

    def list_url(n: int) -> str:
        return col if n == 1 else f"{col}&pageIndex={n}"

    for n in range(1, shown + 1):
        rows = pages[n - 1] if n <= len(pages) else []
        items = "".join(li(r) for r in rows) or '<li class="nodata">暂无数据</li>'
        pager = (f'<div class="pagination"><a href="{html.escape(list_url(1))}">首页</a>'
                 + (f'<a href="{html.escape(list_url(n - 1))}">上一页</a>' if n > 1 else "<span>上一页</span>")
                 + "".join(f'<a class="active">{k}</a>' if k == n else f'<a href="{html.escape(list_url(k))}">{k}</a>'
                           for k in range(1, shown + 1))
                 + (f'<a href="{html.escape(list_url(n + 1))}">下一页</a>' if n < shown else "<span>下一页</span>")
                 + f'<a href="{html.escape(list_url(shown))}">尾页</a><span class="total">共{shown}页 47条</span></div>')
        body = f'<h2>政府信息公开年报</h2><ul class="clearfix xxgk_nav_list">{items}</ul>{pager}'
        f.html(list_url(n), body, title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
        if n == 1:  # the same page under pageIndex=1 (a walker that counts from 1 asks for it)
            f.html(f"{col}&pageIndex=1", body, title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    f.portal.extra.update(list_pages=[{"url": list_url(n)} for n in range(1, len(pages) + 1)],
                          traps=["尾页 and the page numbers go to pageIndex=5 (共5页 47条), but pages 4 and 5 are empty (暂无数据)",
                                 "pageIndex=1 is page 1 again under another URL"],
                          model="Anhui 政务公开 platform (www.ah.gov.cn /public/column/{org}?type=4&catId=…&action=list, articles /public/{org}/{id}.html, FastDFS-style /group6/M00/… attachments)")
    return f.portal


# --- F8: Shanghai /nw12344/ lists, GBK with a lying meta, 1-based index_N pages ------------------------

def build_f8() -> Portal:
    base = "http://www.f8-sh.gov.cn"
    owner, place = "上海市奉贤区人民政府", "奉贤区"
    # GBK bytes, the header says so (charset=GBK), the template's meta still says utf-8
    f = Family(Portal("F8", f"{base}/"), owner, "3101200001", "政府信息公开年报", encoding="gbk",
               ctype="text/html; charset=GBK", meta_charset="utf-8", seed=800)
    home(f, base, [("/nw2319/index.html", "政府信息公开"), ("/nw2320/index.html", "新闻动态")])
    f.html(f"{base}/nw2319/index.html", '<ul><li><a href="/nw2321/index.html">政府信息公开指南</a></li>'
                                        '<li><a href="/nw12344/index.html">政府信息公开年报</a></li></ul>', title="政府信息公开")
    rng = random.Random(8)

    def article_url(i: int, date: str) -> str:
        if i == 6:  # the oldest report keeps the site's older article names (…/0001-12344_{id}.html)
            return f"{base}/nw12344/{date.replace('-', '')}/0001-12344_{54800 + i}.html"
        return f"{base}/nw12344/{date.replace('-', '')}/{rng.getrandbits(128):032x}.html"

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<div class="Article"><h2 id="ivs_title">{html.escape(title)}</h2><small class="PBtime">{pub}</small>'
                f'<div id="ivs_content" class="Article_content">{body}</div></div>')

    def file_url(i: int, date: str, kind: str) -> str:
        return f"{base}/cmsres/{i:02x}/{hashlib.md5(f'{date}{i}'.encode()).hexdigest()}.{kind}"

    depts = ["上海市奉贤区教育局", "上海市奉贤区民政局", "上海市奉贤区生态环境局"]
    f.reports(specs_for(owner, depts, "docx"), article_url=article_url, article=article, file_url=file_url,
              decoys=decoy_titles(place, owner)[1:5], news=13, place=place)
    pages = f.pages(9)
    total = len(pages)
    for n, rows in enumerate(pages, 1):
        name = "index.html" if n == 1 else f"index_{n}.html"
        pager = (f'<div id="page_div"></div><script>createPageHTML(\'page_div\',{total},{n},\'index\',\'html\','
                 f"{len(f.rows)});</script>")
        f.html(f"{base}/nw12344/{name}", f'<ul class="tadaty-list uli14 nowrapli list-date">{"".join(li(r) for r in rows)}</ul>{pager}',
               title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    f.portal.add(f"{base}/nw12344/index_1.html", NOT_FOUND_PAGE, status=404, ctype="text/html")
    f.portal.add(f"{base}/nw12344/index_{total + 1}.html", NOT_FOUND_PAGE, status=404, ctype="text/html")
    f.portal.extra.update(list_pages=[{"url": f"{base}/nw12344/index.html"}] + [{"url": f"{base}/nw12344/index_{n}.html"} for n in range(2, total + 1)],
                          encoding_probe={"url": f.portal.reports[1]["canonical_url"], "title": f.portal.reports[1]["title"]},
                          traps=["pager only as createPageHTML('page_div', total, current, 'index', 'html', rows) (TRS 海云 order: div id first, current page 1-based)",
                                 "page k is index_k.html from k=2: index_1.html is a 404 (TRS WCM numbering would guess it)",
                                 "bytes and Content-Type header GBK, <meta charset=utf-8> in the template lies"],
                          model="www.shanghai.gov.cn's /nw12344/ column shape (list ul.tadaty-list.uli14.nowrapli.list-date, articles /nw12344/YYYYMMDD/{32 hex}.html and older /nw12344/YYYYMMDD/0001-12344_{id}.html, body #ivs_content.Article_content, /cmsres/ files)")
    return f.portal


# --- F9: Beijing zfxxgk platform, javascript:next(N) → list.shtml?currentPage=N -------------------------

def build_f9() -> Portal:
    www, base = "http://www.f9-bj.gov.cn", "http://zfxxgk.f9-bj.gov.cn"
    owner, place, org = "北京市延庆区人民政府", "延庆区", "yqqzf"
    f = Family(Portal("F9", f"{www}/"), owner, "1101190001", "政府信息公开年报", seed=900)
    home(f, www, [(f"{base}/{org}/index.shtml", "政府信息公开"), ("/zwdt/index.html", "政务动态")])
    f.portal.add(f"{base}/robots.txt", ALLOW_ALL, ctype="text/plain")
    f.html(f"{base}/{org}/index.shtml", f'<ul class="gk-menu"><li><a href="/{org}/zfxxgkzn/list.shtml">政府信息公开指南</a></li>'
                                        f'<li><a href="/{org}/fdzdgknr/list.shtml">法定主动公开内容</a></li>'
                                        f'<li><a href="/{org}/zfxxgknb/list.shtml">政府信息公开年报</a></li></ul>', title="政府信息公开")
    seq = iter(range(3911200, 3912000))

    def article_url(i: int, date: str) -> str:
        d = date.replace("-", "")
        return f"{base}/{org}/zfxxgknb/{d[:6]}/t{d}_{next(seq)}.html"

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<div class="xl_title"><h1>{html.escape(title)}</h1></div><ul class="xl_info"><li>发布机构：{agency}</li>'
                f'<li>发布日期：{pub}</li></ul><div class="xl_content" id="mainText">{body}</div>')

    def file_url(i: int, date: str, kind: str) -> str:
        d = date.replace("-", "")
        return f"{base}/{org}/zfxxgknb/{d[:6]}/P0{d}{i:06d}.{kind}"

    depts = ["北京市延庆区发展和改革委员会", "北京市延庆区教育委员会", "北京市延庆区司法局"]
    f.reports(specs_for(owner, depts, "pdf"), article_url=article_url, article=article, file_url=file_url,
              decoys=decoy_titles(place, owner)[2:6], news=12, place=place)
    pages = f.pages(8)
    total = len(pages)
    col = f"{base}/{org}/zfxxgknb/list.shtml"
    script = ("<script>function next(page){var f=document.getElementById('pageForm');f.currentPage.value=page;f.submit();}</script>"
              '<form id="pageForm" name="pageForm" action="list.shtml" method="get"><input type="hidden" name="currentPage" value="1"></form>')
    bodies = {}
    for n, rows in enumerate(pages, 1):
        links = "".join(f"<span class='cur'>{k}</span>" if k == n else f'<a href="javascript:next({k})">{k}</a>'
                        for k in range(1, total + 1))
        # the last page's 下一页 is not disabled: it asks for currentPage=total+1, which answers the last page again
        pager = (f'<div class="page"><a href="javascript:next(1)">首页</a><a href="javascript:next({max(1, n - 1)})">上一页</a>{links}'
                 f'<a href="javascript:next({n + 1})">下一页</a><a href="javascript:next({total})">尾页</a>'
                 f"<span>共{total}页</span></div>")
        bodies[n] = f'<ul class="list">{"".join(li(r) for r in rows)}</ul>{pager}{script}'
        f.html(col if n == 1 else f"{col}?currentPage={n}", bodies[n], title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    f.html(f"{col}?currentPage=1", bodies[1], title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    f.html(f"{col}?currentPage={total + 1}", bodies[total], title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    f.portal.extra.update(list_pages=[{"url": col}] + [{"url": f"{col}?currentPage={n}"} for n in range(2, total + 1)],
                          traps=["every pager link is javascript:next(N); next() fills a GET form: list.shtml?currentPage=N",
                                 f"the last page's 下一页 is javascript:next({total + 1}); currentPage={total + 1} answers page {total} again (clamped)",
                                 "the 年报 column is on another host (zfxxgk.) than the entry page"],
                          model="Beijing district zfxxgk platform (zfxxgk.beijing.gov.cn/{org}/zfxxgknb/list.shtml, 慧兰-style javascript:next(N), eportal ?currentPage=N)")
    return f.portal


# --- F10: Yan'an-style N.html pages, whose last 下一页 loops back to 1.html ------------------------------

def build_f10() -> Portal:
    base = "http://www.f10-yanan.gov.cn"
    owner, place = "延安市宝塔区人民政府", "宝塔区"
    f = Family(Portal("F10", f"{base}/"), owner, "6106020001", "政府信息公开年报", seed=1000)
    col = f"{base}/zwgk/fdzdgknr/zfxxgknb/"
    home(f, base, [("/zwgk/index.html", "政务公开")])
    f.html(f"{base}/zwgk/index.html", '<ul><li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li>'
                                      '<li><a href="/zwgk/fdzdgknr/zfxxgknb/">政府信息公开年报</a></li></ul>', title="政务公开")
    seq = iter(range(1234500, 1235000))

    def article_url(i: int, date: str) -> str:
        d = date.replace("-", "")
        return f"{col}{d[:6]}/t{d}_{next(seq)}.html"

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<div class="article"><h1>{html.escape(title)}</h1><div class="info">来源：{agency} 发布时间：{pub}</div>'
                f'<div class="article-con">{body}</div></div>')

    def file_url(i: int, date: str, kind: str) -> str:
        d = date.replace("-", "")
        return f"{col}{d[:6]}/W0{d}{i:04d}.{kind}"

    depts = ["延安市宝塔区教育和体育局", "延安市宝塔区农业农村局", "延安市宝塔区审计局"]
    f.reports(specs_for(owner, depts, "docx", oldest=2019), article_url=article_url, article=article,
              file_url=file_url, decoys=decoy_titles(place, owner)[3:7], news=14, place=place)
    pages = f.pages(9)
    total = len(pages)
    for n, rows in enumerate(pages, 1):
        nxt = f"{n + 1}.html" if n < total else "1.html"  # the last page's 下一页 goes back to the first
        pager = (f'<div class="pages"><a href="1.html">首页</a><a href="{max(1, n - 1)}.html">上一页</a>'
                 f'<a href="{nxt}">下一页</a><a href="{total}.html">尾页</a><span>{n}/{total}</span></div>')
        body = f'<ul class="newslist">{"".join(li(r) for r in rows)}</ul>{pager}'
        f.html(f"{col}{n}.html", body, title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
        if n == 1:
            f.html(col, body, title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    f.portal.add(f"{col}{total + 1}.html", NOT_FOUND_PAGE, status=404, ctype="text/html")
    f.portal.extra.update(list_pages=[{"url": col}] + [{"url": f"{col}{n}.html"} for n in range(2, total + 1)],
                          traps=["pages are 1.html … N.html beside the column's index (1.html = the column page)",
                                 "the last page's 下一页 links back to 1.html: a pager loop"],
                          model="Yan'an-style county portal (field guide §2: N.html pagination)")
    return f.portal


# --- F11: 大汉 jpaas gateway JSON (pageNo=N) ------------------------------------------------------------

def build_f11() -> Portal:
    base = "http://www.f11-zj.gov.cn"
    owner, place, col_id, unit = "杭州市临安区人民政府", "临安区", "1229612345", "4873021"
    f = Family(Portal("F11", f"{base}/"), owner, "3301120001", "政府信息公开年报", seed=1100)
    home(f, base, [("/col/col1229612300/index.html", "政府信息公开")],
         robots="User-agent: *\nDisallow: /module/search/\n")
    f.html(f"{base}/col/col1229612300/index.html", f'<ul><li><a href="/col/col1229612301/index.html">政府信息公开指南</a></li>'
                                                   f'<li><a href="/col/col{col_id}/index.html">政府信息公开年报</a></li></ul>',
           title="政府信息公开")
    seq = iter(range(59012300, 59013000))

    def article_url(i: int, date: str) -> str:
        y, m, d = (int(x) for x in date.split("-"))
        return f"{base}/art/{y}/{m}/{d}/art_{col_id}_{next(seq)}.html"

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<div class="title">{html.escape(title)}</div><div class="info">发布日期：{pub} 信息来源：{agency}</div>'
                f'<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">{body}<meta name="ContentEnd">'
                "<!--ZJEG_RSS.content.end--></div>")

    def file_url(i: int, date: str, kind: str) -> str:
        return f"{base}/module/download/downfile.jsp?classid=0&filename={hashlib.md5(f'{date}{i}'.encode()).hexdigest()}.{kind}"

    depts = ["杭州市临安区教育局", "杭州市临安区民政局", "杭州市临安区交通运输局"]
    f.reports(specs_for(owner, depts, "pdf"), article_url=article_url, article=article, file_url=file_url,
              decoys=[decoy_titles(place, owner)[k] for k in (0, 3, 4, 6)], news=27, place=place)
    rows = 15
    pages = f.pages(rows)
    params = {"webId": "3418", "pageId": col_id, "parseType": "bulidstatic", "pageType": "column",
              "tagId": "当前栏目list", "tplSetId": "5fd7bc1a", "editType": "null"}
    gateway = "/api-gateway/jpaas-publish-server/front/page/build/unit"

    def api(page_no: int | None, *, bare: bool = False) -> str:
        query = dict(params)
        if bare:  # the pager as the field guide writes it: rows/pageNo beside the parameters
            query.update(rows=str(rows), pageNo=str(page_no))
        elif page_no is not None:
            query["paramJson"] = json.dumps({"pageNo": page_no, "pageSize": str(rows)}, separators=(",", ":"))
        return f"{base}{gateway}?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())

    def answer(markup: str) -> str:
        return json.dumps({"success": True, "code": "200", "message": "操作成功", "data": {"html": markup}},
                          ensure_ascii=False)

    def listing(n: int) -> str:
        return f'<ul class="list">{"".join(li(r) for r in pages[n - 1])}</ul>' if n <= len(pages) else ""

    # the column page holds no rows: a script tag names the gateway and its parameters (single-quoted JSON)
    query_data = "{" + ",".join(f"'{k}':'{v}'" for k, v in params.items()) + "}"
    f.html(f"{base}/col/col{col_id}/index.html",
           f'<div class="main-list"><div id="{unit}"></div>'
           f'<script type="text/javascript" src="/module/jslib/AuthorizedRead/unitbuild.js" url="{gateway}" '
           f'queryData="{query_data}" unitid="{unit}" pagesize="{rows}"></script></div>',
           title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    unitbuild = ("(function () {\n  var tag = document.currentScript;\n"
                 "  var url = tag.getAttribute('url'), size = tag.getAttribute('pagesize') || '15';\n"
                 "  var query = JSON.parse(tag.getAttribute('queryData').replace(/'/g, '\"'));\n"
                 "  var box = document.getElementById(tag.getAttribute('unitid'));\n"
                 "  function load(pageNo) {\n"
                 "    query.paramJson = JSON.stringify({pageNo: pageNo, pageSize: size});\n"
                 "    $.getJSON(url, query, function (res) {\n"
                 "      if (!res.data.html) { $(box).find('.more').remove(); return; }\n"
                 "      $(box).append(res.data.html).append('<a class=\"more\" href=\"javascript:;\">加载更多</a>');\n"
                 "      $(box).find('.more').one('click', function () { $(this).remove(); load(pageNo + 1); });\n"
                 "    });\n  }\n  load(1);\n})();\n")
    f.portal.add(f"{base}/module/jslib/AuthorizedRead/unitbuild.js", unitbuild, ctype="application/javascript")
    f.portal.add(api(None), answer(listing(1)), ctype="application/json;charset=UTF-8")
    for n in range(1, len(pages) + 2):  # one past the end: an empty html, where the script stops
        f.portal.add(api(n), answer(listing(n)), ctype="application/json;charset=UTF-8")
    for n in range(2, len(pages) + 1):  # bare pageNo is not read: the gateway answers page 1 again
        f.portal.add(api(n, bare=True), answer(listing(1)), ctype="application/json;charset=UTF-8")
    f.portal.extra.update(list_pages=[{"url": api(n)} for n in range(1, len(pages) + 1)],
                          traps=["the column page has no rows: <script src=…/unitbuild.js url=\"/api-gateway/…/unit\" queryData=\"{'webId':…}\"> names the gateway and its parameters in single-quoted JSON",
                                 "pages only through paramJson={\"pageNo\":N,\"pageSize\":\"15\"}; a bare pageNo=N (and rows=) is ignored and answers page 1 again",
                                 f"no page count anywhere: pageNo={len(pages) + 1} answers an empty html, the end",
                                 "attachments are downfile.jsp?…&filename=….pdf links"],
                          model="Hanweb 大汉 JPaaS page-build units (Zhejiang, also MIIT/SAMR/MOFCOM): /api-gateway/jpaas-publish-server/front/page/build/unit?webId&pageId&parseType=bulidstatic&pageType=column&tagId&tplSetId&paramJson={pageNo,pageSize} → {data:{html}}; articles /art/Y/M/D/art_{col}_{id}.html with #zoom")
    return f.portal


# --- F12: a JSP .do list, pageNo 0-based, jsessionid URL rewriting on the first answer --------------------

def build_f12() -> Portal:
    base = "http://www.f12-jsp.gov.cn"
    owner, place, catalog = "通化市东昌区人民政府", "东昌区", "4502"
    sid = "5F2E8A0C9B31D7A64E1F0B2C3D4E5F60"
    f = Family(Portal("F12", f"{base}/"), owner, "2205020001", "政府信息公开年报",
               ctype="text/html;charset=UTF-8", seed=1200)
    home(f, base, [("/gkml/index.do", "信息公开目录")])
    f.html(f"{base}/gkml/index.do", f'<ul class="tree"><li><a href="/gkml/list.do?catalogId=4501">政府信息公开指南</a></li>'
                                    f'<li><a href="/gkml/list.do?catalogId={catalog}">政府信息公开年报</a></li></ul>', title="信息公开目录")
    seq = iter(range(1, 1000))

    def article_url(i: int, date: str) -> str:
        return f"{base}/gkml/detail.do?id={date.replace('-', '')}{next(seq):03d}&catalogId={catalog}"

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<table class="gk-info"><tr><td>索引号</td><td>112205020135/{pub[:4]}-{url.split("id=")[1][8:11]}</td></tr><tr><td>发布机构</td>'
                f"<td>{agency}</td></tr><tr><td>发布日期</td><td>{pub}</td></tr></table>"
                f'<h1 class="title">{html.escape(title)}</h1><div class="content" id="content">{body}</div>')

    def file_url(i: int, date: str, kind: str) -> str:
        return f"{base}/gkml/download.do?fileId={8800 + i}&fileName={date.replace('-', '')}{i:02d}.{kind}"

    depts = ["通化市东昌区教育局", "通化市东昌区财政局", "通化市东昌区卫生健康局"]
    f.reports(specs_for(owner, depts, "pdf"), article_url=article_url, article=article, file_url=file_url,
              decoys=[decoy_titles(place, owner)[k] for k in (0, 1, 4, 5)], news=12, place=place)
    pages = f.pages(10)
    total = len(pages)

    def list_url(n: int, session: bool = False) -> str:
        path = f"list.do;jsessionid={sid}" if session else "list.do"
        return f"{base}/gkml/{path}?catalogId={catalog}&pageNo={n}&pageSize=10"

    def rewrite(url: str) -> str:  # Tomcat's URL rewriting, before the browser has sent the cookie back
        return url.replace("/gkml/detail.do?", f"/gkml/detail.do;jsessionid={sid}?")

    def render(n: int, session: bool) -> str:
        items = "".join(li(r, rewrite(r.url) if session else None) for r in pages[n])
        pager = (f'<div class="page">第{n + 1}页/共{total}页 <a href="{html.escape(list_url(0, session))}">首页</a>'
                 + (f'<a href="{html.escape(list_url(n - 1, session))}">上一页</a>' if n else "")
                 + (f'<a href="{html.escape(list_url(n + 1, session))}">下一页</a>' if n < total - 1 else "")
                 + f'<a href="{html.escape(list_url(total - 1, session))}">尾页</a></div>')
        return f'<ul class="list">{items}</ul>{pager}'

    # the column link's first answer: a new session, so the cookie and the rewritten links
    f.html(f"{base}/gkml/list.do?catalogId={catalog}", render(0, True), title="政府信息公开年报",
           head=f.meta("政府信息公开年报", ""), headers=[("Set-Cookie", f"JSESSIONID={sid}; Path=/; HttpOnly")])
    for n in range(total):
        f.html(list_url(n), render(n, False), title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    for report in f.portal.reports:
        if report["canonical_url"].startswith(f"{base}/gkml/detail.do") and any(
                report["canonical_url"] == r.url for r in pages[0]):
            report["alternates"] = [rewrite(report["canonical_url"])]
    f.portal.extra.update(list_pages=[{"url": f"{base}/gkml/list.do?catalogId={catalog}"}] + [{"url": list_url(n)} for n in range(1, total)],
                          traps=["pageNo is 0-based: pageNo=0 is the first page, 尾页 is pageNo=total-1",
                                 "the first answer sets JSESSIONID and rewrites its links with ;jsessionid=… (the same pages as without it)",
                                 "articles differ only by their query (detail.do?id=…); attachments are download.do?fileId=…&fileName=….pdf"],
                          model="JSP/Struts-style county catalogue (list.do?catalogId=…&pageNo=N, detail.do?id=…, Tomcat URL rewriting)")
    return f.portal


# --- F13: DedeCMS list_{typeid}_{N}.html, GBK, robots-disallowed /plus/ -----------------------------------

def build_f13() -> Portal:
    base = "http://www.f13-dede.gov.cn"
    owner, place, typeid = "临漳县人民政府", "临漳县", 12
    f = Family(Portal("F13", f"{base}/"), owner, "1304230001", "政府信息公开年报", encoding="gbk",
               ctype="text/html; charset=gb2312", meta_charset="gb2312", seed=1300)
    robots = ("User-agent: *\nDisallow: /plus/ad_js.php\nDisallow: /plus/advancedsearch.php\nDisallow: /plus/car.php\n"
              "Disallow: /plus/carbuyaction.php\nDisallow: /plus/shopcar.php\nDisallow: /plus/view.php\n"
              "Disallow: /plus/list.php\nDisallow: /plus/feedback.php\nDisallow: /plus/search.php\nDisallow: /dede/\n"
              "Disallow: /include\nDisallow: /templets\n")
    col = f"{base}/a/zwgk/xxgknb/"
    home(f, base, [("/a/zwgk/", "政务公开")], robots=robots)
    f.html(f"{base}/a/zwgk/", '<ul><li><a href="/a/zwgk/xxgkzn/">政府信息公开指南</a></li>'
                              '<li><a href="/a/zwgk/xxgknb/">政府信息公开年报</a></li></ul>', title="政务公开")
    aids = iter(range(340, 500))
    aid_of: dict[str, int] = {}

    def article_url(i: int, date: str) -> str:
        aid = next(aids)
        url = f"{col}{date[:4]}/{date[5:7]}{date[8:]}/{aid}.html"
        aid_of[url] = aid
        return url

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<div class="title"><h2>{html.escape(title)}</h2></div><div class="info"><small>时间:</small>{pub}'
                f'<small>来源:</small>{agency}</div><div class="content">{body}</div>'
                f'<div class="view-link"><a href="/plus/view.php?aid={aid_of.get(url, 0)}">动态浏览</a></div>')

    def file_url(i: int, date: str, kind: str) -> str:
        d = date.replace("-", "")[2:]
        return f"{base}/uploads/soft/{d}/1-{d}09351{i}.{kind}"

    depts = ["临漳县堃园街道办事处", "临漳县教育体育局", "临漳县民政局"]  # 堃: in GBK, not in GB2312
    f.reports(specs_for(owner, depts, "docx"), article_url=article_url, article=article, file_url=file_url,
              decoys=[decoy_titles(place, owner)[k] for k in (0, 2, 5, 6)], news=15, place=place)
    pages = f.pages(9)
    total = len(pages)

    def name(n: int) -> str:
        return f"list_{typeid}_{n}.html"

    for n, rows in enumerate(pages, 1):
        nums = "".join(f'<li class="thisclass"><a>{k}</a></li>' if k == n else f"<li><a href='{name(k)}'>{k}</a></li>"
                       for k in range(1, total + 1))
        pager = ('<ul class="pagelist">' + (f"<li><a href='{name(1)}'>首页</a></li>" if n > 1 else "<li><a>首页</a></li>")
                 + (f"<li><a href='{name(n - 1)}'>上一页</a></li>" if n > 1 else "")
                 + nums + (f"<li><a href='{name(n + 1)}'>下一页</a></li>" if n < total else "")
                 + f"<li><a href='{name(total)}'>末页</a></li>"
                 + f'<li><span class="pageinfo">共 <strong>{total}</strong>页<strong>{len(f.rows)}</strong>条</span></li></ul>')
        side = (f'<div class="side"><a href="/plus/list.php?tid={typeid}&amp;TotalResult={len(f.rows)}&amp;PageNo={min(n + 1, total)}">动态页</a>'
                '<form action="/plus/search.php"><input name="q" value="年度报告"></form>'
                f'<a href="/plus/search.php?kwtype=0&amp;q={quote("年度报告".encode("gbk"))}">搜索年度报告</a></div>')
        body = f'<ul class="e2">{"".join(li(r) for r in rows)}</ul><div class="dede_pages">{pager}</div>{side}'
        f.html(f"{col}{name(n)}", body, title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
        if n == 1:
            f.html(col, body, title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
            f.html(f"{col}index.html", body, title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    # the dynamic twins robots.txt forbids: served (a real site answers them), never to be asked
    disallowed = [f"{base}/plus/list.php?tid={typeid}&TotalResult={len(f.rows)}&PageNo={k}" for k in range(2, total + 1)]
    for k, url in enumerate(disallowed, 2):
        f.html(url, f'<ul class="e2">{"".join(li(r) for r in pages[k - 1])}</ul>', title="政府信息公开年报")
    for url, aid in aid_of.items():
        twin = f"{base}/plus/view.php?aid={aid}"
        f.portal.add(twin, f.portal.files[next(r["file"] for r in f.portal.routes if r["target"] == urlsplit(url).path)],
                     ctype=f.ctype)
        disallowed.append(twin)
    search = f"{base}/plus/search.php?kwtype=0&q={quote('年度报告'.encode('gbk'))}"
    f.html(search, '<ul class="e2">' + "".join(li(r) for r in f.rows if r.kind == "report") + "</ul>", title="搜索结果")
    disallowed.append(search)
    probe = next(r for r in f.portal.reports if "堃" in r["title"])
    f.portal.extra.update(list_pages=[{"url": col}] + [{"url": f"{col}{name(n)}"} for n in range(2, total + 1)],
                          robots_disallowed=disallowed,
                          encoding_probe={"url": probe["canonical_url"], "title": probe["title"]},
                          traps=["robots.txt forbids /plus/: every list page links the dynamic list.php twin and the search, every article its view.php twin",
                                 "GBK bytes served as charset=gb2312 (header and meta), with a GBK-only character (堃) in a title",
                                 "pages list_12_N.html beside the column's index.html (page 1 has no list_ name)"],
                          model="DedeCMS 5.x county site (/a/{dir}/ index.html + list_{typeid}_{N}.html, ul.pagelist 首页/上一页/下一页/末页 共N页, /uploads/soft/, the stock robots.txt)")
    return f.portal


# --- F14: ASP.NET WebForms, a postback-only pager ---------------------------------------------------------

def build_f14() -> Portal:
    return webforms(Family(Portal("F14", "http://www.f14-aspx.gov.cn/"), "淄博市博山区人民政府", "3703040001",
                           "政府信息公开年报", seed=1400), "博山区",
                    ["淄博市博山区教育和体育局", "淄博市博山区民政局", "淄博市博山区自然资源局"], rng_seed=14)


# --- F17: the same WebForms pager on a GBK site, whose server reads posted forms as GBK ----------------------

def build_f17() -> Portal:
    f = Family(Portal("F17", "http://www.f17-aspgbk.gov.cn/"), "长治市潞州区人民政府", "1404030001", "政府信息公开年报",
               encoding="gbk", ctype="text/html; charset=gb2312", meta_charset="gb2312", seed=1700)
    return webforms(f, "潞州区", ["长治市潞州区教育局", "长治市潞州区卫生健康和体育局", "长治市潞州区市场监督管理局"],
                    rng_seed=17, filters={"栏目": "年报", "关键字": "年度报告"})


def webforms(f: Family, place: str, depts: list[str], *, rng_seed: int, filters: dict[str, str] | None = None) -> Portal:
    """An ASP.NET WebForms county site with a postback-only AspNetPager. `filters`: fields the list form
    carries (a hidden column name, the prefilled keyword box) and the server re-reads on each postback;
    posted in any other encoding than the site's (GBK: web.config requestEncoding="gb2312") they no longer
    match, and the server answers page 1 again."""
    base, owner = f.portal.entry.rstrip("/"), f.site
    aspnet = [("X-AspNet-Version", "4.0.30319"), ("X-Powered-By", "ASP.NET"), ("Cache-Control", "private")]
    home(f, base, [("/xxgk/Default.aspx", "信息公开")])
    f.html(f"{base}/xxgk/Default.aspx", '<ul><li><a href="NewsList.aspx?ClassID=26">政府信息公开指南</a></li>'
                                        '<li><a href="NewsList.aspx?ClassID=27">政府信息公开年报</a></li></ul>', title="信息公开",
           headers=aspnet)
    ids = iter(range(5012, 5200))

    def article_url(i: int, date: str) -> str:
        return f"{base}/xxgk/NewsShow.aspx?ID={next(ids)}"

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<form method="post" action="./NewsShow.aspx?{urlsplit(url).query}" id="form1"><div class="aspNetHidden">'
                '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKLTM2NTQ4NzY5OWRk" /></div>'
                f'<h1><span id="lblTitle">{html.escape(title)}</span></h1><div class="info">发布时间：<span id="lblDate">{pub}</span>'
                f' 来源：<span id="lblSource">{agency}</span></div><div class="content" id="lblContent">{body}</div></form>')

    def file_url(i: int, date: str, kind: str) -> str:
        return f"{base}/UploadFiles/{date[:4]}/{int(date[5:7])}/{date.replace('-', '')}0935{i:05d}.{kind}"

    f.reports(specs_for(owner, depts, "pdf"), article_url=article_url, article=article, file_url=file_url,
              decoys=[decoy_titles(place, owner)[k] for k in (1, 2, 3, 4)], news=18, place=place)
    pages = f.pages(8)
    total = len(pages)
    target = f"{base}/xxgk/NewsList.aspx?ClassID=27"
    rng = random.Random(rng_seed)

    def blob(n: int) -> str:
        return base64.b64encode(bytes(rng.randrange(256) for _ in range(n))).decode()

    states = [(blob(180), blob(60)) for _ in range(total)]
    webforms = ("<script type=\"text/javascript\">\n//<![CDATA[\nvar theForm = document.forms['form1'];\n"
                "if (!theForm) {\n    theForm = document.form1;\n}\nfunction __doPostBack(eventTarget, eventArgument) {\n"
                "    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {\n        theForm.__EVENTTARGET.value = eventTarget;\n"
                "        theForm.__EVENTARGUMENT.value = eventArgument;\n        theForm.submit();\n    }\n}\n//]]>\n</script>\n")

    search = (f'<input name="关键字" type="text" id="txtKey" value="{html.escape(filters["关键字"])}" />'
              if filters and "关键字" in filters else '<input name="txtKey" type="text" id="txtKey" />')
    hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}" />\n' for k, v in (filters or {}).items()
                     if k != "关键字")

    def render(n: int) -> str:
        vs, ev = states[n - 1]
        nums = "".join(f'<span style="margin-right:5px;font-weight:Bold;color:red;">{k}</span>' if k == n else
                       f"<a href=\"javascript:__doPostBack('AspNetPager1','{k}')\" style=\"margin-right:5px;\">{k}</a>"
                       for k in range(1, total + 1))
        first = '<a disabled="disabled" style="margin-right:5px;">首页</a><a disabled="disabled" style="margin-right:5px;">上一页</a>' \
            if n == 1 else (f"<a href=\"javascript:__doPostBack('AspNetPager1','1')\" style=\"margin-right:5px;\">首页</a>"
                            f"<a href=\"javascript:__doPostBack('AspNetPager1','{n - 1}')\" style=\"margin-right:5px;\">上一页</a>")
        last = '<a disabled="disabled" style="margin-right:5px;">下一页</a><a disabled="disabled" style="margin-right:5px;">尾页</a>' \
            if n == total else (f"<a href=\"javascript:__doPostBack('AspNetPager1','{n + 1}')\" style=\"margin-right:5px;\">下一页</a>"
                                f"<a href=\"javascript:__doPostBack('AspNetPager1','{total}')\" style=\"margin-right:5px;\">尾页</a>")
        rows = "".join(f'<tr><td class="title"><a href="{html.escape(r.url)}" target="_blank" title="{html.escape(r.title)}">'
                       f'{html.escape(r.title)}</a></td><td class="date">{r.date}</td></tr>' for r in pages[n - 1])
        return (f'<form method="post" action="./NewsList.aspx?ClassID=27" id="form1">\n<div class="aspNetHidden">\n'
                '<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />\n'
                '<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />\n'
                f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{vs}" />\n</div>\n{webforms}'
                '<div class="aspNetHidden">\n<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="8F4C5D1E" />\n'
                f'<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="{ev}" />\n</div>\n'
                f'{hidden}<div class="search">{search}<input type="submit" name="btnSearch" value="搜索" id="btnSearch" /></div>\n'
                f'<table class="list">{rows}</table>\n'
                f'<div id="AspNetPager1" class="paginator">{first}{nums}{last}'
                f'<span style="margin-left:10px;">共{len(f.rows)}条 {n}/{total}页</span></div>\n</form>')

    f.html(target, render(1), title="政府信息公开年报", head=f.meta("政府信息公开年报", ""), headers=aspnet)
    valid = {"__VIEWSTATE": [vs for vs, _ in states], "__EVENTVALIDATION": [ev for _, ev in states]}
    for n in range(1, total + 1):
        f.html(target, render(n), title="政府信息公开年报", head=f.meta("政府信息公开年报", ""), method="POST", headers=aspnet,
               match_form={"__EVENTTARGET": "AspNetPager1", "__EVENTARGUMENT": str(n), **valid, **(filters or {})})
    # a POST without the page's state is no postback to ASP.NET: the first page again
    f.html(target, render(1), title="政府信息公开年报", head=f.meta("政府信息公开年报", ""), method="POST", headers=aspnet)
    postback = [{"url": target, "method": "POST", "form": {"__EVENTTARGET": "AspNetPager1", "__EVENTARGUMENT": str(n),
                                                           "__VIEWSTATE": states[0][0], "__EVENTVALIDATION": states[0][1],
                                                           **(filters or {})}}
                for n in range(2, total + 1)]
    traps = []
    if filters:
        f.portal.hosts[urlsplit(base).hostname or ""]["form_charset"] = f.encoding
        traps = [f"the list form carries Chinese fields ({', '.join(f'{k}={v}' for k, v in filters.items())}) that the server reads as "
                 f"{f.encoding.upper()}: posted as UTF-8 they do not match, and every postback answers page 1 again"]
    f.portal.extra.update(list_pages=[{"url": target}, *postback],
                          traps=["pages 2+ exist only as POST postbacks to the same URL: __EVENTTARGET=AspNetPager1, __EVENTARGUMENT=N with the page's __VIEWSTATE and __EVENTVALIDATION",
                                 "a POST without valid __VIEWSTATE/__EVENTVALIDATION answers page 1 again (200): the same page under a postback",
                                 "首页/上一页 and 下一页/尾页 are disabled anchors without href at the ends", *traps],
                          model="ASP.NET WebForms county site with the AspNetPager control (NewsList.aspx?ClassID=…, NewsShow.aspx?ID=…, /UploadFiles/)"
                          + (f", served as {f.meta_charset} with requestEncoding={f.meta_charset}" if filters else ""))
    return f.portal


# --- F15: a list drawn by script from a JSON endpoint (PageHelper shape) ------------------------------------

def build_f15() -> Portal:
    base = "http://www.f15-json.gov.cn"
    owner, place, column = "阜阳市颍州区人民政府", "颍州区", "1586"
    f = Family(Portal("F15", f"{base}/"), owner, "3412020001", "政府信息公开年报", seed=1500)
    home(f, base, [("/zwgk/index.html", "政务公开")])
    f.html(f"{base}/zwgk/index.html", '<ul><li><a href="/zwgk/zfxxgkzn/index.html">政府信息公开指南</a></li>'
                                      '<li><a href="/zwgk/zfxxgknb/index.html">政府信息公开年报</a></li></ul>', title="政务公开")
    seq = iter(range(2025012001, 2025013000))

    def article_url(i: int, date: str) -> str:
        return f"{base}/zwgk/zfxxgknb/{date[:7].replace('-', '')}/{next(seq)}.html"

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<div class="detail"><h1>{html.escape(title)}</h1><p class="source">发布时间：{pub} 来源：{agency}</p>'
                f'<div class="detail-content">{body}</div></div>')

    def file_url(i: int, date: str, kind: str) -> str:
        return f"{base}/upload/{date.replace('-', '/')}/{hashlib.sha1(f'{date}{i}'.encode()).hexdigest()[:20]}.{kind}"

    depts = ["阜阳市颍州区教育局", "阜阳市颍州区财政局", "阜阳市颍州区人力资源和社会保障局"]
    f.reports(specs_for(owner, depts, "pdf"), article_url=article_url, article=article, file_url=file_url,
              decoys=[decoy_titles(place, owner)[k] for k in (0, 1, 2, 3)], news=13, place=place)
    # off scope: a WeChat repost and a mirror site list reports too
    off = [Row(f"{owner}2024年政府信息公开工作年度报告", "https://mp.weixin.qq.com/s/Yz3kXv0Lm9dQ2bTfA1cR8w", "2025-01-21"),
           Row(f"{place}2024年政府信息公开工作年度报告", "http://www.f15-mirror.com/zwgk/zfxxgknb/202501/2025012001.html", "2025-01-20")]
    pinned = f.rows[0]  # 置顶: the newest report heads every page
    rows = [r for r in f.rows if r is not pinned]
    rows[2:2] = off
    per = 10
    pages = [rows[k:k + per - 1] for k in range(0, len(rows), per - 1)]
    api = "/api/cms/article/page"

    def item(r: Row, top: bool = False) -> dict[str, Any]:
        path = urlsplit(r.url)
        link = r.url if path.hostname != urlsplit(base).hostname else path.path
        atts = []
        rep = next((x for x in f.portal.reports if x["canonical_url"] == r.url), None)
        if rep and rep["attachment_urls"]:
            atts = [{"fileName": f"{r.title}.pdf", "fileUrl": urlsplit(a).path} for a in rep["attachment_urls"]]
        return {"id": abs(hash_str(r.url)) % 10**8, "title": r.title, "linkUrl": link, "publishTime": f"{r.date} 09:00:00",
                "source": owner, "isTop": 1 if top else 0, "attachList": atts}

    for n, chunk in enumerate(pages, 1):
        data = {"code": 0, "msg": "success", "data": {"total": len(rows) + 1, "pageNum": n, "pageSize": per,
                                                      "pages": len(pages), "isLastPage": n == len(pages),
                                                      "hasNextPage": n < len(pages),
                                                      "list": [item(pinned, True)] + [item(r) for r in chunk]}}
        f.portal.add(f"{base}{api}?columnId={column}&pageNum={n}&pageSize={per}", json.dumps(data, ensure_ascii=False),
                     ctype="application/json;charset=UTF-8")
    shell = (f'<div class="list-box"><ul id="articleList"></ul><div id="pager"></div></div>'
             f"<script>var columnId = '{column}', pageSize = {per};\n"
             "function load(pageNum) { fetch('" + api + "?columnId=' + columnId + '&pageNum=' + pageNum + '&pageSize=' + pageSize)"
             ".then(function (r) { return r.json(); }).then(function (res) { render(res.data); }); }\n"
             "function render(d) { document.getElementById('articleList').innerHTML = d.list.map(function (a) {"
             " return '<li><a href=\"' + a.linkUrl + '\">' + a.title + '</a><span>' + a.publishTime.substring(0, 10) + '</span></li>'; }).join('');"
             " pager(d.pageNum, d.pages); }\nload(1);</script>")
    f.html(f"{base}/zwgk/zfxxgknb/index.html", shell, title="政府信息公开年报", head=f.meta("政府信息公开年报", ""))
    f.portal.decoys += [r.url for r in off]
    f.portal.extra.update(list_pages=[{"url": f"{base}{api}?columnId={column}&pageNum={n}&pageSize={per}"} for n in range(1, len(pages) + 1)],
                          out_of_scope=[r.url for r in off],
                          traps=["the column page has no rows: its script fetches /api/cms/article/page?columnId=…&pageNum=N&pageSize=10 (PageHelper JSON: list, pages, hasNextPage)",
                                 "linkUrl is host-relative; two rows point off scope (a WeChat repost, a non-gov mirror)",
                                 "the 置顶 (isTop) report heads every page: one report, listed on every page"],
                          model="a Spring/PageHelper CMS column whose list is drawn by script from JSON (common on newer county sites)")
    return f.portal


def hash_str(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:12], 16)


# --- F16: WordPress /category/…/page/N/ -------------------------------------------------------------------

def build_f16() -> Portal:
    base = "http://www.f16-wp.gov.cn"
    owner, place = "安吉县天荒坪镇人民政府", "天荒坪镇"
    f = Family(Portal("F16", f"{base}/"), owner, "3305230101", "政府信息公开年报", ctype="text/html; charset=UTF-8",
               seed=1600)
    robots = (f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\nDisallow: /?s=\nDisallow: /search/\n\n"
              f"Sitemap: {base}/wp-sitemap.xml\n")
    cat = f"{base}/category/zwgk/xxgknb/"
    home(f, base, [("/category/zwgk/", "政务公开")], robots=robots)
    f.html(f"{base}/category/zwgk/", '<ul class="cat"><li><a href="/category/zwgk/xxgkzn/">政府信息公开指南</a></li>'
                                     '<li><a href="/category/zwgk/xxgknb/">政府信息公开年报</a></li></ul>', title="政务公开")
    ids = iter(range(1201, 1400))

    def article_url(i: int, date: str) -> str:
        pid = next(ids)
        slug = quote(f"年度报告-{pid}").lower() if i % 2 else f"post-{pid}"  # WordPress slugs are titles, %-encoded
        return f"{base}/{date.replace('-', '/')}/{slug}/"

    def article(url: str, title: str, pub: str, body: str, agency: str) -> str:
        return (f'<article class="post type-post status-publish"><header class="entry-header"><h1 class="entry-title">'
                f'{html.escape(title)}</h1><div class="entry-meta"><time class="entry-date published" datetime="{pub}T09:00:00+08:00">'
                f'{pub}</time></div></header><div class="entry-content">{body}</div></article>')

    def file_url(i: int, date: str, kind: str) -> str:
        return f"{base}/wp-content/uploads/{date[:4]}/{date[5:7]}/nb-{date.replace('-', '')}-{i}.{kind}"

    depts = ["安吉县天荒坪镇余村村民委员会", "安吉县天荒坪镇社区卫生服务中心", "安吉县天荒坪镇中心学校"]
    f.reports(specs_for(owner, depts, "docx", oldest=2021), article_url=article_url, article=article, file_url=file_url,
              decoys=[decoy_titles(place, owner)[k] for k in (0, 4, 5, 6)], news=11, place=place)
    pages = f.pages(8)
    total = len(pages)

    def page_url(n: int) -> str:
        return cat if n == 1 else f"{cat}page/{n}/"

    side = (f'<aside class="widget widget_search"><form role="search" method="get" action="{base}/"><input type="search" name="s"></form>'
            f'<a href="{base}/?s={quote("年度报告")}">搜索：年度报告</a></aside>')
    for n, rows in enumerate(pages, 1):
        links = "".join(f'<span aria-current="page" class="page-numbers current">{k}</span>' if k == n else
                        f'<a class="page-numbers" href="{page_url(k)}">{k}</a>' for k in range(1, total + 1))
        nav = ('<nav class="navigation pagination" aria-label="文章分页"><div class="nav-links">'
               + (f'<a class="prev page-numbers" href="{page_url(n - 1)}">上一页</a>' if n > 1 else "") + links
               + (f'<a class="next page-numbers" href="{page_url(n + 1)}">下一页</a>' if n < total else "") + "</div></nav>")
        posts = "".join(f'<article class="post"><h2 class="entry-title"><a href="{html.escape(r.url)}" rel="bookmark">'
                        f'{html.escape(r.title)}</a></h2><time class="entry-date published">{r.date}</time></article>' for r in rows)
        rel = (f'<link rel="prev" href="{page_url(n - 1)}">' if n > 1 else "") + \
              (f'<link rel="next" href="{page_url(n + 1)}">' if n < total else "")
        f.html(page_url(n), f'<main id="main">{posts}{nav}</main>{side}', title=f"政府信息公开年报 – {owner}",
               head=rel + f.meta("政府信息公开年报", ""))
    f.portal.add(f"{cat}page/1/", b"", status=301, ctype=None, headers=[("Location", cat)])
    f.portal.add(f"{cat}page/{total + 1}/", NOT_FOUND_PAGE, status=404, ctype="text/html; charset=UTF-8")
    search = f"{base}/?s={quote('年度报告')}"
    f.html(search, "".join(f'<h2><a href="{html.escape(r.url)}">{html.escape(r.title)}</a></h2>' for r in f.rows if r.kind == "report"),
           title="搜索结果")
    f.portal.extra.update(list_pages=[{"url": page_url(n)} for n in range(1, total + 1)], robots_disallowed=[search],
                          traps=["pages /category/…/page/N/ with rel=next and a.next.page-numbers; page/1/ 301s to the category; the page after the last is a 404",
                                 "robots.txt forbids /?s=: the sidebar links a search that lists the reports",
                                 "post URLs are dated permalinks, half of them with %-encoded Chinese slugs"],
                          model="WordPress town site (category archive /category/{slug}/page/N/, /wp-content/uploads/, the stock robots.txt plus /?s=)")
    return f.portal


BUILDERS: dict[str, Callable[[], Portal]] = {"F7": build_f7, "F8": build_f8, "F9": build_f9, "F10": build_f10,
                                             "F11": build_f11, "F12": build_f12, "F13": build_f13, "F14": build_f14,
                                             "F15": build_f15, "F16": build_f16, "F17": build_f17}


def build_all(root: Path = OUT, stored: Path | None = None) -> dict[str, Portal]:
    """Write F7-F17 into root (blobs/ is shared with F1-F6: big files by hash, never removed here),
    keeping the PDFs already stored under `stored` (default: root)."""
    remember_stored_pdfs(stored or root)
    portals = {name: build() for name, build in BUILDERS.items()}
    for name, portal in portals.items():
        portal.extra["family"] = name
        portal.write(root)
    return portals


if __name__ == "__main__":
    for name, portal in build_all().items():
        size = sum(len(b) for b in portal.files.values())
        print(f"{name}: {len(portal.routes)} routes, {len(portal.reports)} reports, {len(portal.decoys)} decoys, "
              f"{size / 1024:.0f} KiB")
