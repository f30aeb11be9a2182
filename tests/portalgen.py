"""Build the six fixture portals F1-F6 of ../shared/crawler/FIXTURE_SPEC.md into crawler/testing/portals/.

Why generated, then stored: each portal is hundreds of pages with realistic report bodies (from
`tests.reportgen`) and traps; writing them by hand would drift from the spec, and generating them at
test time would hide what the crawler is really served. So this script writes them once, byte for
byte as served (GBK stays GBK), each portal with a `site.json` (routes, headers, behaviours) and a
`truth.json` (the reports the crawler must emit, the decoys it must not). Run it again after changing
it: `python -m tests.portalgen`. It is deterministic (fixed seeds).
"""

# ruff: noqa: E501 - page templates and CJK fixture strings read better unbroken
from __future__ import annotations

import hashlib
import html
import json
import random
import re
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests import reportgen

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "crawler" / "testing" / "portals"
CORPUS = ROOT.parent / "shared" / "corpus"
UTF8_HTML = "text/html; charset=utf-8"
BLOB_MIN = 128 * 1024


def tiny_png(seed: int) -> bytes:
    """A distinct 2x2 PNG: image-only reports need distinct bytes, not megabytes."""
    raw = b"".join(b"\x00" + bytes([(seed * 37 + i * 11) % 256, (seed * 5) % 256, i * 60, 255] * 2) for i in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


_PDFS = ("hongze-2023.pdf", "hongze-2024.pdf", "huaian-2024.pdf")
_pdf_turn = [0]


def real_pdf() -> bytes:
    """A real report PDF from the shared corpus (text layer, parses in well under a second). A
    text-less PDF would send the parser to OCR for seconds each, which the tests cannot afford."""
    _pdf_turn[0] += 1
    return corpus(_PDFS[_pdf_turn[0] % len(_PDFS)])


def report_body(seed: int, agency: str, year: int) -> str:
    """The body HTML of a realistic report (tables in the official layout) for agency and year."""
    rng = random.Random(seed)
    r = reportgen.generate(rng, template="2021" if year >= 2021 else "2019")
    text = reportgen.render(r, "html", rng).text()
    inner = re.search(r'<div class="TRS_Editor" id="zoom">\n(.*?)\n</div>\n<div class="share">', text, re.S)
    assert inner, "reportgen's HTML layout changed"
    body = inner.group(1)
    if r.agency:
        body = body.replace(r.agency, agency)
    return body.replace(f"{r.year}年", f"{year}年")


def old_body(agency: str, year: int) -> str:
    """A pre-2019 report (2008 format): 概述 / 主动公开 / 依申请公开 … as paragraphs."""
    parts = [f"本报告是根据《中华人民共和国政府信息公开条例》要求，由{agency}编制的{year}年度政府信息公开年度报告。",
             "一、概述", f"{year}年，我区认真贯彻落实《条例》，政府信息公开工作有序推进。",
             "二、主动公开政府信息情况", f"{year}年共主动公开政府信息1,284条，其中规范性文件12件。",
             "三、依申请公开政府信息情况", "全年共受理政府信息公开申请7件，均已按期答复。",
             "四、政府信息公开的收费及减免情况", "未收取任何费用。",
             "五、因政府信息公开申请提起行政复议、行政诉讼的情况", "无。",
             "六、政府信息公开工作存在的主要问题及改进情况", "公开内容还不够全面，下一步将进一步规范。"]
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in parts)


@dataclass
class Portal:
    """Routes and truth of one portal being built."""

    name: str
    entry: str
    routes: list[dict[str, Any]] = field(default_factory=list)
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    reports: list[dict[str, Any]] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, url: str, body: bytes | str, *, status: int = 200, ctype: str | None = UTF8_HTML,
            method: str = "GET", encoding: str = "utf-8", headers: list[tuple[str, str]] | None = None,
            **options: Any) -> None:
        m = re.match(r"https?://([^/]+)(/.*)?$", url)
        assert m, url
        host, target = m.group(1), m.group(2) or "/"
        self.hosts.setdefault(host, {})
        data = body.encode(encoding, "xmlcharrefreplace") if isinstance(body, str) else body
        name = f"files/{host}/{len(self.routes):04d}-" + re.sub(r"[^\w.-]+", "_", target.strip("/"))[-60:]
        self.files[name] = data
        hdrs = ([("Content-Type", ctype)] if ctype else []) + list(headers or [])
        self.routes.append({"host": host, "method": method, "target": target, "status": status,
                            "headers": hdrs, "file": name, "options": options})

    def report(self, url: str, agency: str, year: int, fmt: str, attachments: list[str] | None = None,
               alternates: list[str] | None = None, title: str | None = None) -> None:
        self.reports.append({"agency": agency, "report_year": year, "canonical_url": url, "format": fmt,
                             "attachment_urls": attachments or [], "alternates": alternates or [],
                             "title": title})

    def write(self, root: Path) -> None:
        """Files as served; big ones (the corpus PDFs several portals share) once, by hash, in blobs/."""
        target = root / self.name
        if target.exists():
            shutil.rmtree(target)
        for route in self.routes:
            data = self.files[route["file"]]
            if len(data) > BLOB_MIN:
                ext = route["target"].rsplit(".", 1)[-1][:4].lower()
                route["file"] = f"../blobs/{hashlib.sha256(data).hexdigest()[:20]}.{ext}"
                path = root / "blobs" / route["file"].rsplit("/", 1)[-1]
            else:
                path = target / route["file"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        site = {"portal": self.name, "hosts": self.hosts, "routes": self.routes}
        (target / "site.json").write_text(json.dumps(site, ensure_ascii=False, indent=1), encoding="utf-8")
        truth = {"portal": self.name, "entry": self.entry, "hosts": sorted(self.hosts), "reports": self.reports,
                 "decoys": self.decoys, **self.extra}
        (target / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")


def head_meta(site: str, domain: str, code: str, column: str, title: str, pub: str) -> str:
    return (f'<meta name="SiteName" content="{site}"><meta name="SiteDomain" content="{domain}">'
            f'<meta name="SiteIDCode" content="{code}"><meta name="ColumnName" content="{column}">'
            f'<meta name="ArticleTitle" content="{html.escape(title)}"><meta name="PubDate" content="{pub}">'
            f'<meta name="ContentSource" content="{site}">')


def page(head: str, body: str, *, charset: str = "utf-8", title: str = "") -> str:
    meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset != "utf-8"
            else '<meta charset="utf-8">')
    return f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{html.escape(title)}</title>\n{head}\n</head>\n" \
           f"<body>\n{body}\n</body>\n</html>\n"


def attachment_links(urls: list[tuple[str, str]]) -> str:
    return "".join(f'<p><a href="{u}">{html.escape(n)}</a></p>' for u, n in urls)


# --- F1: TRS district portal, GBK, JS-only pager ---------------------------------------------------

def build_f1() -> Portal:
    host = "www.f1-district.gov.cn"
    base = f"http://{host}"
    site, code, owner = "鄜城区人民政府", "1506020001", "鄜城区人民政府"
    p = Portal("F1", f"{base}/")
    col = f"{base}/xxgk/xxgknb/"
    gbk = "text/html"  # no charset in the header: the meta tag says gb2312, the bytes are GBK

    def enc(text: str) -> bytes:
        return text.encode("gbk", "xmlcharrefreplace")

    footer = (f'<div class="footer">主办：{site}办公室 网站标识码：{code}</div>'
              f'<script id="_jiucuo_" sitecode="{code}" src="/jiucuo.js"></script>')
    latest = "t20250126_3001001.html"
    sidebar = (f'<div class="side"><h3>最新更新</h3><ul><li><a href="/xxgk/xxgknb/202501/{latest}">'
               f'{owner}2024年政府信息公开工作年度报告</a></li></ul></div>')
    p.add(f"{base}/", enc(page("", '<div class="nav"><a href="/xxgk/">政府信息公开</a> <a href="/xwzx/">新闻中心</a></div>'
                                   + footer, charset="gb2312", title=site)), ctype=gbk)
    p.add(f"{base}/xxgk/", enc(page("", '<ul><li><a href="/xxgk/xxgkzn/">政府信息公开指南</a></li>'
                                        '<li><a href="/xxgk/xxgkzd/">政府信息公开制度</a></li>'
                                        '<li><a href="/xxgk/xxgknb/">政府信息公开年报</a></li></ul>' + footer,
                                    charset="gb2312", title="政府信息公开")), ctype=gbk)
    p.add(f"{base}/robots.txt", "User-agent: *\nAllow: /\n", ctype="text/plain")

    def article(path: str, title: str, pub: str, body: str) -> None:
        head = head_meta(site, host, code, "政府信息公开年报", title, pub)
        text = (f'<h1>{html.escape(title)}</h1><div class="info">发布时间：{pub}</div>'
                f'<div class="TRS_Editor"><div class="Custom_UnionStyle">{body}</div></div>' + sidebar + footer)
        p.add(f"{col}{path}", enc(page(head, text, charset="gb2312", title=title)), ctype=gbk)

    rows: dict[int, list[str]] = {1: [], 2: [], 4: []}

    def row(pg: int, path: str, title: str, when: str) -> None:
        rows[pg].append(f'<li><a href="./{path}" target="_blank">{html.escape(title)}</a><span>{when}</span></li>')

    reports = [  # (page, path, year, pub, kind)
        (1, f"202501/{latest}", 2024, "2025-01-26", "html"),
        (1, "202403/t20240328_2748784.html", 2023, "2024-03-28", "attach"),
        (1, "202302/t20230210_2411002.html", 2022, "2023-02-10", "html"),
        (2, "202201/t20220125_2201031.html", 2021, "2022-01-25", "html"),
        (4, "202101/t20210128_1900001.html", 2020, "2021-01-28", "html"),
        (4, "202002/t20200220_1700002.html", 2019, "2020-02-20", "html"),
        (4, "201003/t20100330_0900001.html", 2009, "2010-03-30", "old"),
    ]
    for i, (pg, path, year, pub, kind) in enumerate(reports):
        title = f"{owner}{year}年政府信息公开{'' if kind == 'old' else '工作'}年度报告"
        url = f"{col}{path}"
        atts: list[str] = []
        if kind == "attach":
            stem = path.rsplit("/", 1)[0]
            pdf, docx = f"{col}{stem}/P020250131395372468914.pdf", f"{col}{stem}/P020250131395372468915.docx"
            body = (f"<p>详见附件。</p><p>附件：<a href=\"./P020250131395372468914.pdf\">{owner}{year}年政府信息公开工作年度报告.pdf</a></p>"
                    f"<p><a href=\"./P020250131395372468915.docx\">{owner}{year}年政府信息公开工作年度报告.docx</a></p>")
            p.add(pdf, real_pdf(), ctype="application/pdf")
            p.add(docx, corpus("template-2021-blank.docx"),
                  ctype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            atts = [pdf, docx]
        elif kind == "old":
            body = old_body(owner, year)
        else:
            body = report_body(100 + i, owner, year)
        article(path, title, pub, body)
        row(pg, path, title, pub)
        p.report(url, owner, year, "pdf" if kind == "attach" else "html", atts, title=title)
    # the _wap twin of the latest report, linked from page 2: the same report, not a second one
    p.add(f"{col}202501/t20250126_3001001_wap.html", enc(page("", "<p>手机版</p>", charset="gb2312")), ctype=gbk)
    row(2, "202501/t20250126_3001001_wap.html", f"{owner}2024年政府信息公开工作年度报告", "2025-01-26")
    # a repost of the region's report: published on this site, the agency is the region
    repost = "202402/t20240220_2700001.html"
    article(repost, "内蒙古自治区2023年政府信息公开工作年度报告", "2024-02-20",
            report_body(150, "内蒙古自治区人民政府", 2023))
    row(1, repost, "内蒙古自治区2023年政府信息公开工作年度报告", "2024-02-20")
    p.report(f"{col}{repost}", "内蒙古自治区", 2023, "html", title="内蒙古自治区2023年政府信息公开工作年度报告")
    news = ["召开2024年度工作会暨党风廉政建设工作会议", "一图读懂：鄜城区2023年重点工作",
            "鄜城区开展政务公开日活动", "区政府召开常务会议研究部署政务公开工作", "鄜城区政府网站2023年度工作年度报表",
            "一图读懂《鄜城区2023年政府信息公开工作年度报告》", "《鄜城区2023年政府信息公开工作年度报告》解读"]
    for j, title in enumerate(news):
        path = f"202{j % 4 + 1}0{j % 9 + 1}/t202{j % 4 + 1}0{j % 9 + 1}10_55500{j}.html"
        article(path, title, f"202{j % 4 + 1}-0{j % 9 + 1}-10", f"<p>{html.escape(title)}。</p>")
        row(1 if j < 4 else 2, path, title, f"202{j % 4 + 1}-0{j % 9 + 1}-10")
        p.decoys.append(f"{col}{path}")
    # an external-link row written by script: the target is a report on another fixture portal
    ext = "http://xxgk.f5-county.gov.cn/xxgkml/xzfb/zfxxgknb/202501/t20250121_800001.html"
    rows[2].append(f"<li><script>var strLink = '{ext}'; var strTitle = '洛川县人民政府办公室2024年政府信息公开工作年度报告';"
                   "document.write('<a href=\"'+strLink+'\">'+strTitle+'</a>');</script><span>2025-01-21</span></li>")
    for pg, items in rows.items():
        name = "index.html" if pg == 1 else f"index_{pg - 1}.html"
        pager = (f'<div class="page"><script>var currentPage = {pg - 1};//所在页从0开始\nvar countPage = 4//共多少页\n'
                 f'createPageHTML(4, {pg - 1}, "index", "html");</script></div>')
        body = f'<div class="list"><ul>{"".join(items)}</ul></div>{pager}{sidebar}{footer}'
        head = head_meta(site, host, code, "政府信息公开年报", "政府信息公开年报", "")
        p.add(f"{col}{name}", enc(page(head, body, charset="gb2312", title="政府信息公开年报")), ctype=gbk)
    p.add(f"{col}index_2.html", NOT_FOUND_PAGE, status=404)
    p.add(col, enc(page("", '<script>location.href="index.html"</script><a href="index.html">政府信息公开年报</a>',
                        charset="gb2312")), ctype=gbk)
    p.extra["encoding_probe"] = {"url": f"{col}202501/{latest}", "title": f"{owner}2024年政府信息公开工作年度报告"}
    return p


# The spec says six page images per scan; each costs the parser about a second of OCR, so two.
IMAGES_PER_SCAN = 2
NOT_FOUND_PAGE = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"


# --- F2: Hanweb JCMS city portal ---------------------------------------------------------------

def build_f2() -> Portal:
    host, base = "www.f2-city.gov.cn", "http://www.f2-city.gov.cn"
    p = Portal("F2", f"{base}/")
    site, owner = "梧州市人民政府", "梧州市人民政府"
    p.add(f"{base}/", page("", '<a href="/col/col1229001/index.html">政府信息公开年报</a>'
                               '<a href="/col/col1229002/index.html">政府信息公开指南</a>', title=site))
    p.add(f"{base}/robots.txt", "User-agent: *\nDisallow: /module/search/\n", ctype="text/plain")
    p.add(f"{base}/col/col1229002/index.html", page("", "<p>政府信息公开指南</p>"))

    def article(url: str, title: str, pub: str, body: str, index_no: str, agency: str = owner) -> bytes:
        head = head_meta(site, host, "4504000001", "政府信息公开年报", title, pub)
        text = (f'<table class="xxgk"><tr><td>索引号</td><td>{index_no}</td><td>发布机构</td><td>{agency}</td></tr>'
                f'<tr><td>生成日期</td><td>{pub}</td><td>文号</td><td></td></tr></table>'
                f'<h1>{html.escape(title)}</h1><div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">'
                f'{body}<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>'
                '<div class="gen">大汉版通发布系统</div>')
        data = page(head, text, title=title).encode()
        p.add(url, data)
        return data

    records: list[str] = []

    def record(url: str, title: str, when: str, *, cut: bool = False) -> None:
        shown = (title[:14] + "...") if cut else title
        records.append(f"<li><a href='{url}' title='{html.escape(title)}' target=\"_blank\">{html.escape(shown)}</a>"
                       f"<span>{when}</span></li>")

    depts = ["梧州市教育局", "梧州市财政局", "梧州市民政局", "梧州市卫生健康委员会", "梧州市人民政府办公室",
             "梧州市司法局"]
    for i, agency in enumerate(depts):
        year = 2024 - (i % 3)
        when = f"{year + 1}-01-{20 + i}"
        url = f"{base}/art/{year + 1}/1/{20 + i}/art_1229001_{5853 + i}.html"
        title = f"{agency}{year}年政府信息公开工作年度报告"
        body = report_body(200 + i, agency, year)
        atts: list[str] = []
        if i == 1:  # an attachment reachable only through a script variable inside #zoom
            name = "a1b2c3d4e5f60718293a4b5c6d7e8f90.pdf"
            body += f"<script>var file_appendix='/attach/0/{name}';</script>"
            p.add(f"{base}/attach/0/{name}", real_pdf(), ctype="application/pdf")
            atts = [f"{base}/attach/0/{name}"]
        if i == 2:  # Hanweb downfile.jsp → 302 → /attach/
            fid = "4e59a3178dec41fda94e6a596ebc228f"
            link = f"/module/download/downfile.jsp?classid=0&showname={quote(f'{year}年度报告.pdf')}&filename={fid}.pdf"
            body = f'<p>详见附件：<a href="{link}">{year}年度报告.pdf</a></p>'
            p.add(f"{base}{link}", b"", status=302, ctype=None, headers=[("Location", f"/attach/0/{fid}.pdf")])
            p.add(f"{base}/attach/0/{fid}.pdf", real_pdf(), ctype="application/pdf")
            atts = [f"{base}{link}"]
        data = article(url, title, when, body, f"001008003/{year + 1}-000{i + 12}", agency)
        record(url, title, when, cut=i % 2 == 0)
        alternates = []
        if i == 4:  # the same report re-posted under another column: same bytes, another URL
            twin = f"{base}/art/{year + 1}/1/{20 + i}/art_1229003_{5953 + i}.html"
            p.add(twin, data)
            record(twin, title, when)
            alternates = [twin]
        p.report(url, agency, year, "pdf" if i == 2 else "html", atts, alternates, title=title)
    # in-scope subdomain, absolute link
    sub = "http://zwgk.f2-city.gov.cn/art/2025/2/3/art_1229001_5901.html"
    title = "梧州市长洲区人民政府2024年政府信息公开工作年度报告"
    p.add(sub, page(head_meta("长洲区人民政府", "zwgk.f2-city.gov.cn", "4504050001", "年报", title, "2025-02-03"),
                    f'<h1>{title}</h1><div id="zoom">{report_body(230, "梧州市长洲区人民政府", 2024)}</div>'))
    record(sub, title, "2025-02-03")
    p.report(sub, "梧州市长洲区人民政府", 2024, "html", title=title)
    # out of scope: a non-gov host with a report-like title
    record("http://www.f2-mirror.com/art/2025/1/1/art_1_1.html", "梧州市2024年政府信息公开工作年度报告", "2025-01-01")
    p.decoys.append("http://www.f2-mirror.com/art/2025/1/1/art_1_1.html")
    decoys = ["梧州市2024年度政府网站年度工作报表", "关于做好2024年政府信息公开工作年度报告编制工作的通知",
              "《梧州市人民政府2024年政府信息公开工作年度报告》解读", "梧州市人民政府政府信息公开指南（2024年修订）"]
    for j, title in enumerate(decoys):
        url = f"{base}/art/2025/1/{5 + j}/art_1229001_{5800 + j}.html"
        article(url, title, f"2025-01-0{5 + j}", f"<p>{title}</p>", f"001008003/2025-0000{j}")
        record(url, title, f"2025-01-0{5 + j}")
        p.decoys.append(url)
    n = 0
    while len(records) < 47:  # the rest of the column: news that must not be fetched as reports
        n += 1
        url = f"{base}/art/2024/{n % 12 + 1}/{n % 27 + 1}/art_1229001_{5000 + n}.html"
        record(url, f"梧州市召开政务公开工作推进会（第{n}期）", f"2024-{n % 12 + 1:02d}-{n % 27 + 1:02d}")
    # order: newest first is not needed; keep reports spread over all pages
    rnd = random.Random(2)
    rnd.shuffle(records)
    first, rest = records[:15], records[15:]
    webname = quote(quote(site))
    nextgroup = (f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1934&path=/&columnid=1229001&unitid=4455560"
                 f"&webname={webname}&permissiontype=0")
    datastore = ("<datastore><nextgroup><![CDATA[<a href=\"" + nextgroup.replace("&", "&amp;") + "\"></a>]]></nextgroup>"
                 "<recordset>" + "".join(f"<record><![CDATA[{r}]]></record>" for r in first) + "</recordset></datastore>")
    col = (f'<div id="4455560"><script type="text/xml">{datastore}</script>'
           "<script>$('#4455560').jpage({totalRecord:47,perPage:15,dataStore:dataStore});</script></div>")
    p.add(f"{base}/col/col1229001/index.html", page(head_meta(site, host, "4504000001", "政府信息公开年报",
                                                              "政府信息公开年报", ""), col, title="政府信息公开年报"))
    form = ["col", "appid", "webid", "columnid", "unitid"]
    for start in (16, 46):
        end = min(start + 29, 47)
        chunk = rest[start - 16:end - 15]
        xml = ('<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>47</totalrecord><recordset>'
               + "".join(f"<record><![CDATA[{r}]]></record>" for r in chunk) + "</recordset></datastore>")
        p.add(f"{base}/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={end}&perpage=15", xml,
              method="POST", ctype="text/xml;charset=UTF-8", require_referer=True, require_form=form)
    return p


# --- F3: Guangdong gkmlpt ------------------------------------------------------------------------

def build_f3() -> Portal:
    host, base = "www.f3-gd.gov.cn", "http://www.f3-gd.gov.cn"
    p = Portal("F3", f"{base}/gkmlpt/index")
    sid = "755041"
    tree = ("[{id:20765,name:'政府信息公开年报',children:[]},{id:20766,name:'政府信息公开指南',children:[]},"
            "{id:20767,name:'部门政府信息公开年报',children:[]},{id:0,name:'外链',jump_url:'http://www.gd.gov.cn/'}]")
    shell = f"<div id='app'></div><script>window._CONFIG = {{ SID: '{sid}', TREE: {tree}, SERVICE_AREA_ID: 1 }};</script>"
    p.add(f"{base}/gkmlpt/index", page("", shell, title="政府信息公开"))
    p.add(f"{base}/gkmlpt/annualreport", page("", shell, title="年度报告"))
    p.add(f"{base}/robots.txt", "User-agent: *\nAllow: /\n", ctype="text/plain")

    def detail(pid: int, title: str, created: str, agency: str, body: str, atts: list[dict[str, str]]) -> str:
        a, b = str(pid)[0], str(pid)[:4]
        url = f"{base}/gkmlpt/content/{a}/{b}/post_{pid}.html"
        data = json.dumps({"id": pid, "title": title, "content": body, "publisher": agency, "attachment": atts},
                          ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E")
        text = (f'<h1 class="title"></h1><div class="article-content"></div>'
                f"<script>window._CONFIG = {{SID:'{sid}'}}; window._CONFIG.DETAIL = {data};</script>")
        doc = page(head_meta("佛冈县人民政府", host, "4418210001", "年度报告", title, created[:10]), text, title=title)
        p.add(url, doc)
        if pid == 9103540:  # the mobile twin the spec names
            p.add(f"{base}/gkmlpt/content/{a}/{b}/mpost_{pid}.html", doc)
        return url

    def article(pid: int, title: str, created: str, agency: str, atts: list[dict[str, str]],
                abolished: int = 0) -> dict[str, Any]:
        a, b = str(pid)[0], str(pid)[:4]
        return {"id": pid, "title": title, "url": f"{base}/gkmlpt/content/{a}/{b}/post_{pid}.html",
                "post_url": f"{base}/gkmlpt/content/post_{pid}.html", "identifier": f"114418210069555064X/{created[:4]}-00{pid % 1000}",
                "publisher": agency, "document_number": "", "created_at": created, "is_abolished": abolished,
                "attachment": atts}

    cat1: list[dict[str, Any]] = []
    units = ["佛冈县人民政府", "佛冈县教育局", "佛冈县财政局", "佛冈县石角镇人民政府", "佛冈县水头镇人民政府"]
    for i, agency in enumerate(units):
        year, pid = 2024 - i % 2, 9103540 + i
        title = f"{agency}{year}年政府信息公开工作年度报告"
        atts = []
        if i == 1:
            atts = [{"name": f"{title}.pdf", "type": "pdf", "url": f"{base}/attachment/0/88/88389/{pid}.pdf"}]
            p.add(atts[0]["url"], real_pdf(), ctype="application/pdf")
        created = f"{year + 1}-01-{20 + i} 10:00:00"
        url = detail(pid, title, created, agency, report_body(300 + i, agency, year), atts)
        cat1.append(article(pid, title, created, agency, atts))
        p.report(url, agency, year, "html", [a["url"] for a in atts], title=title)
    old_pid = 9103400
    old_title = "佛冈县人民政府2015年政府信息公开年度报告"
    url = detail(old_pid, old_title, "2016-03-01 09:00:00", "佛冈县人民政府", old_body("佛冈县人民政府", 2015), [])
    cat1.append(article(old_pid, old_title, "2016-03-01 09:00:00", "佛冈县人民政府", [], abolished=1))
    p.report(url, "佛冈县人民政府", 2015, "html", title=old_title)
    for j in range(100):  # notices in the same category: listed by the API, never fetched
        cat1.append(article(9100000 + j, f"佛冈县政务公开工作动态（{j + 1}）", "2024-06-01 09:00:00", "佛冈县人民政府", []))
    rnd = random.Random(3)
    rnd.shuffle(cat1)
    pages = [cat1[:100], cat1[100:]]
    for n, rows in enumerate(pages, 1):
        data = json.dumps({"classify": {"post_count": len(cat1)}, "articles": rows}, ensure_ascii=False)
        p.add(f"{base}/gkmlpt/api/all/20765?page={n}&sid={sid}", data, ctype="application/json;charset=UTF-8")
        if n == 1:  # page 0 repeats page 1
            p.add(f"{base}/gkmlpt/api/all/20765?page=0&sid={sid}", data, ctype="application/json;charset=UTF-8")
    dept = "佛冈县发展和改革局"
    pid = 9104001
    title = f"{dept}2024年政府信息公开工作年度报告"
    url = detail(pid, title, "2025-01-15 08:00:00", dept, report_body(320, dept, 2024), [])
    p.report(url, dept, 2024, "html", title=title)
    rows2 = [article(pid, title, "2025-01-15 08:00:00", dept, [])]
    # single-page mode: post_count says 150 but page 2 is a 404 (the end, not an error)
    p.add(f"{base}/gkmlpt/api/all/20767?page=1&sid={sid}",
          json.dumps({"classify": {"post_count": 150}, "articles": rows2}, ensure_ascii=False),
          ctype="application/json;charset=UTF-8")
    p.decoys += [f"{base}/gkmlpt/content/9/9100/post_{9100000 + j}.html" for j in range(3)]
    return p


# --- F4: Fujian JSON list API, OFD --------------------------------------------------------------

def build_f4() -> Portal:
    host, base = "www.f4-fj.gov.cn", "https://www.f4-fj.gov.cn"
    http = "http://www.f4-fj.gov.cn"
    p = Portal("F4", f"{http}/zwgk/zfxxgkndbg/")
    shell = ("<div id='list'></div><script>var channelid = '1377'; var prepage = 5;"
             "function load(page){ $.getJSON('/fjdzapp/data?channelid='+channelid+'&prepage='+prepage+'&page='+page,"
             " render); } load(1);</script>")
    p.add(f"{http}/zwgk/zfxxgkndbg/", page("", shell, title="政府信息公开工作年度报告"))
    p.add(f"{http}/robots.txt", "User-agent: *\nDisallow: /search/\n", ctype="text/plain")
    docs: list[dict[str, Any]] = []
    units = ["三明市", "三明市发展和改革委员会", "三明市教育局", "三明市财政局", "三明市生态环境局",
             "三明市交通运输局", "三明市梅列区人民政府", "三明市三元区人民政府"]
    for i, agency in enumerate(units):
        year = 2025 if i < 4 else 2024
        pub = f"{year + 1}.03.0{i % 9 + 1} 14:48:00"
        day = f"{year + 1}030{i % 9 + 1}"
        doc_id = 2192644 + i
        path = f"/zwgk/zfxxgkndbg/{day[:6]}/t{day}_{doc_id}.htm"
        title = f"{agency}{year}年政府信息公开工作年度报告" if i else "三明市政府信息公开工作年度报告"
        files = []
        atts: list[str] = []
        if i in (1, 2):
            ext = "OFD" if i == 2 else "ofd"
            name = f"P0{day}{doc_id}.{ext}"
            files = [{"appfile": name, "_href": f"./{name}"},
                     {"appfile": f"P0{day}{doc_id}.pdf", "_href": f"./P0{day}{doc_id}.pdf"}]
            d = f"{http}/zwgk/zfxxgkndbg/{day[:6]}/"
            p.add(d + name, b"PK\x03\x04ofd-" + name.encode(), ctype="application/ofd")
            p.add(d + f"P0{day}{doc_id}.pdf", real_pdf(), ctype="application/pdf")
            atts = [d + name, d + f"P0{day}{doc_id}.pdf"]
        period = f"<p>所列数据的统计期限为{year}年1月1日至{year}年12月31日。</p>"
        body = period + report_body(400 + i, agency if i else "三明市人民政府", year)
        text = (f'<h1>{html.escape(title)}</h1><div class="TRS_Editor">{body}</div>'
                + attachment_links([(f"./{f['appfile']}", f["appfile"]) for f in files]))
        p.add(f"{http}{path}", page(head_meta("三明市人民政府", host, "3504000001", "政府信息公开工作年度报告", title,
                                              pub[:10].replace(".", "-")), text, title=title))
        docs.append({"doctitle": title, "docreltime": pub, "url": f"{base}{path}", "idxid": "", "puborg": "",
                     "fileno": "", "docabstract": f"{str(year)[2:]}年度政府信息公开年度报告", "files": files})
        p.report(f"{http}{path}", agency if i else "三明市", year, "html", atts, title=title)
    decoy = f"{http}/zwgk/zfxxgkndbg/202503/t20250310_2190001.htm"
    p.add(decoy, page("", "<p>住房公积金2024年年度报告</p>"))
    docs.append({"doctitle": "三明市住房公积金2024年年度报告", "docreltime": "2025.03.10 09:00:00",
                 "url": decoy.replace("http://", "https://"), "files": []})
    p.decoys.append(decoy)
    for j in range(4):
        url = f"{http}/zwgk/zfxxgkndbg/202406/t2024060{j + 1}_21800{j}.htm"
        docs.append({"doctitle": f"三明市政务公开工作培训会召开（{j + 1}）", "docreltime": f"2024.06.0{j + 1} 09:00:00",
                     "url": url, "files": []})
    per, total = 5, len(docs)
    pages = (total + per - 1) // per
    for n in range(1, pages + 1):
        data = json.dumps({"error": False, "page": n, "prepage": per, "pageCount": pages, "recordCount": total,
                           "data": docs[(n - 1) * per:n * per]}, ensure_ascii=False)
        opts: dict[str, Any] = {}
        if n == 2:
            opts["delay_first"] = 6.0  # slow: longer than the test timeout once, then quick
        if n == 3:
            opts["fail_first"] = 1  # flaky: a 500, then 200
        p.add(f"{http}/fjdzapp/data?channelid=1377&prepage={per}&page={n}", data,
              ctype="application/json;charset=UTF-8", **opts)
    p.extra["slow"] = [f"/fjdzapp/data?channelid=1377&prepage={per}&page=2"]
    p.extra["flaky"] = [f"/fjdzapp/data?channelid=1377&prepage={per}&page=3"]
    return p


# --- F5: county xxgk catalog with unit subtrees --------------------------------------------------

def build_f5() -> Portal:
    host, base = "xxgk.f5-county.gov.cn", "http://xxgk.f5-county.gov.cn"
    www = "http://www.f5-county.gov.cn"
    p = Portal("F5", f"{www}/")
    county = "洛川县"
    p.add(f"{www}/", page("", f'<a href="javascript:if(confirm(\'您即将离开本站，是否继续？\'))window.location=\'{base}/xxgkml/index.html\'">信息公开目录</a>',
                          title=f"{county}人民政府"))
    p.add(f"{www}/index.html", page("", "<p>首页</p>", title=f"{county}人民政府"))
    p.add(f"{base}/robots.txt", "User-agent: *\nDisallow: /search/\n", ctype="text/plain")
    p.add(f"{www}/robots.txt", "User-agent: *\nAllow: /\n", ctype="text/plain")
    p.add(f"{base}/search/index.html", page("", "<p>搜索</p>"))
    names = ["县政府办", "县发展和改革局", "县教育局", "县科技局", "县公安局", "县民政局", "县司法局", "县财政局",
             "县人社局", "县自然资源局", "县生态环境局", "县住建局", "县交通局", "县水利局", "县农业农村局", "县商务局",
             "县文旅局", "县卫健局", "县退役军人局", "县应急局", "县审计局", "县市场监管局", "县统计局", "县医保局",
             "县林业局", "县城管局", "县行政审批局", "县信访局", "县乡村振兴局", "县粮食局",
             "城关街道", "凤栖街道", "旧县镇", "交口河镇", "老庙镇", "土基镇", "石头镇", "槐柏镇", "永乡镇", "菩堤乡"]
    codes = ["xzfb" if i == 0 else ("xjyj" if i == 2 else f"u{i:03d}") for i in range(len(names))]
    tree = []
    for name, code in zip(names, codes, strict=True):
        link = f"{base}/xxgkml/{code}/zfxxgknb/list.shtml"
        tree.append(f"<li><span>{name}</span> <a href=\"javascript:if(confirm('您即将离开本站'))window.location='{link}'\">"
                    "政府信息公开年报</a></li>")
    tree.append('<li><a href="/search/index.html?q=nb">年报检索</a></li>')
    p.add(f"{base}/xxgkml/index.html", page("", "<ul class='tree'>" + "".join(tree) + "</ul>", title="信息公开目录"))
    seq = 0

    def article(code: str, unit: str, title: str, day: str, body: str) -> str:
        nonlocal seq
        seq += 1
        url = f"{base}/xxgkml/{code}/zfxxgknb/{day[:6]}/t{day}_{800000 + seq}.html"
        table = (f"<table class='xxgk-meta'><tr><td>索引号</td><td>11610629MB1234567X/{day[:4]}-0000{seq}</td></tr>"
                 f"<tr><td>发布机构</td><td>{unit}</td></tr><tr><td>成文日期</td><td>{day[:4]}-{day[4:6]}-{day[6:]}</td></tr>"
                 f"<tr><td>公开日期</td><td>{day[:4]}-{day[4:6]}-{day[6:]}</td></tr><tr><td>文号</td><td></td></tr>"
                 "<tr><td>主题分类</td><td>政务公开</td></tr></table>")
        p.add(url, page(head_meta(f"{county}人民政府", host, "6106290001", "政府信息公开年报", title,
                                  f"{day[:4]}-{day[4:6]}-{day[6:]}"),
                        f"{table}<h1>{html.escape(title)}</h1><div class='xxgk-content'>{body}</div>", title=title))
        return url

    lists: dict[str, list[str]] = {code: [] for code in codes}

    def row(code: str, url: str, title: str, day: str) -> None:
        lists[code].append(f'<li><a href="{url}" mc="{html.escape(title)}" syh="11610629MB1234567X/{day[:4]}-00003" '
                           f'rq="{day[:4]}-{day[4:6]}-{day[6:]}">{html.escape(title)}</a></li>')

    def full(i: int) -> str:
        return f"{county}{names[i].removeprefix('县')}" if names[i].startswith("县") else f"{county}{names[i]}"

    # the county government office: two reports, the 2024 one also mirrored by the big5 gateway
    agency0 = f"{county}人民政府办公室"
    day = "20250121"
    title = f"{agency0}2024年政府信息公开工作年度报告"
    seq = 0
    u0 = article("xzfb", agency0, title, day, report_body(500, agency0, 2024))
    assert u0.endswith("t20250121_800001.html"), u0  # F1's script row points here
    row("xzfb", u0, title, day)
    big5 = f"{base}/gate/big5/{host}" + u0[len(base):]
    p.add(big5, page("", f"<h1>{reportgen.s2t(title)}</h1><div class='xxgk-content'>政府信息公開工作年度報告</div>"))
    row("xzfb", big5, reportgen.s2t(title), day)
    p.report(u0, agency0, 2024, "html", title=title)
    t23 = f"{agency0}2023年政府信息公开工作年度报告"
    u = article("xzfb", agency0, t23, "20240125", report_body(501, agency0, 2023))
    row("xzfb", u, t23, "20240125")
    p.report(u, agency0, 2023, "html", title=t23)
    # units with html reports, one of them paged over two list pages
    for i in (1, 3, 5, 7, 9):
        agency = full(i)
        for k, year in enumerate((2024, 2023) if i == 1 else (2024,)):
            title = f"{agency}{year}年政府信息公开工作年度报告"
            d = f"{year + 1}012{k + 2}"
            u = article(codes[i], agency, title, d, report_body(510 + i * 3 + k, agency, year))
            row(codes[i], u, title, d)
            p.report(u, agency, year, "html", title=title)
    # image-only reports (图片版) with a PDF版 link
    img_seed = 0
    for i in (11, 13, 15, 17):
        agency = full(i)
        title = f"{agency}2024年政府信息公开工作年度报告（图片版）"
        d = "20250121"
        imgs, body = [], []
        for n in range(IMAGES_PER_SCAN):
            img_seed += 1
            name = f"W020250121{i:03d}{n}.jpg"
            imgs.append(name)
            body.append(f'<p><img src="./{name}"></p>')
        pdf = f"P020250121{i:03d}.pdf"
        body.append(f'<p><a href="./{pdf}">PDF版</a></p>')
        u = article(codes[i], agency, title, d, "".join(body))
        folder = u.rsplit("/", 1)[0] + "/"
        for n, name in enumerate(imgs):
            p.add(folder + name, tiny_png(i * 10 + n), ctype="image/jpeg")
        p.add(folder + pdf, real_pdf(), ctype="application/pdf")
        row(codes[i], u, title, d)
        p.report(u, agency, 2024, "image", [folder + n for n in imgs] + [folder + pdf], title=title)
    # townships that publish only a .doc
    for i in (32, 34, 36):
        agency = f"{county}{names[i]}人民政府"
        title = f"{agency}2024年政府信息公开工作年度报告"
        d = "20250115"
        doc = f"P020250115{i:03d}.doc"
        u = article(codes[i], agency, title, d, f'<p>详见附件：<a href="./{doc}">{html.escape(title)}.doc</a></p>')
        p.add(u.rsplit("/", 1)[0] + "/" + doc, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + f"doc {i}".encode() * 64,
              ctype="application/msword")
        row(codes[i], u, title, d)
        p.report(u, agency, 2024, "docx", [u.rsplit("/", 1)[0] + "/" + doc], title=title)
    # one combined report for two years
    agency = f"{county}{names[38]}人民政府"
    title = f"{agency}2022-2023年度政府信息公开工作年度报告"
    u = article(codes[38], agency, title, "20240120", report_body(560, agency, 2023))
    row(codes[38], u, title, "20240120")
    p.report(u, agency, 2023, "html", title=title)
    # the education bureau: an old-year directory that now 301s to the home page
    lists["xjyj"].append(f'<li><a href="{base}/xxgkml/xjyj/zfxxgknb/2019/">2019年度</a></li>')
    p.add(f"{base}/xxgkml/xjyj/zfxxgknb/2019/", b"", status=301, ctype=None, headers=[("Location", f"{www}/index.html")])
    # a dead report link (soft-404 page, 200) on the 县科技局 list
    soft = f"{base}/xxgkml/{codes[3]}/zfxxgknb/202301/t20230110_799999.html"
    p.add(soft, page("", "<p>对不起，您访问的页面不存在或已删除！</p>", title="页面不存在"))
    row(codes[3], soft, f"{full(3)}2022年政府信息公开工作年度报告", "20230110")
    p.decoys.append(soft)
    # a unit that moved: its list is gone
    moved = codes[25]
    for i, code in enumerate(codes):
        items = lists[code]
        if code == moved:
            continue
        pages = [items[k:k + 15] for k in range(0, max(len(items), 1), 15)] if items else [[]]
        if i == 1:  # spread over two pages to exercise currpage
            pages = [items[:1], items[1:]]
        for n, chunk in enumerate(pages, 1):
            pager = f"<div class='page'>共{len(pages)}页 <a href='?currpage=2'>下一页</a></div>" if len(pages) > 1 else ""
            content = "".join(chunk) or "<li>暂无信息</li>"
            target = f"{base}/xxgkml/{code}/zfxxgknb/list.shtml" + ("" if n == 1 else f"?currpage={n}")
            p.add(target, page("", f"<h2>{names[i]} 政府信息公开年报</h2><ul>{content}</ul>{pager}", title="年报"))
    p.extra["never_requested"] = ["/search/index.html?q=nb"]
    return p


# --- F6: provincial aggregator behind a cookie challenge ------------------------------------------

def build_f6(others: dict[str, Portal]) -> Portal:
    host, base = "www.f6-prov.gov.cn", "http://www.f6-prov.gov.cn"
    p = Portal("F6", f"{base}/zfxxgknb/2025/index.html")
    p.hosts[host] = {"challenge": {"cookie": "FSSBBIl1UgzbN7N80S=f6a9d3c1e27b", "set_cookie": True},
                     "rate_limit": {"per_second": 5, "penalty": 30}, "forbid_ua": "Scrapy/"}
    prov = "江淮省"
    p.add(f"{base}/robots.txt", "User-agent: *\nAllow: /\n", ctype="text/plain")

    def article(path: str, agency: str, year: int, pub: str, body: str | None = None) -> str:
        title = f"{agency}{year}年政府信息公开工作年度报告"
        url = f"{base}{path}"
        p.add(url, page(head_meta(f"{prov}人民政府", host, "3400000001", "政府信息公开年报", title, pub),
                        f"<h1>{title}</h1><div id='UCAP-CONTENT'>{body or report_body(hash_seed(path), agency, year)}</div>",
                        title=title))
        p.report(url, agency, year, "html", title=title)
        return url

    links25: list[tuple[str, str]] = []
    gov = article("/zfxxgknb/2025/szf/t20260120_1.html", f"{prov}人民政府", 2025, "2026-01-20")
    links25.append((gov, f"{prov}人民政府2025年政府信息公开工作年度报告"))
    depts = ["发展和改革委员会", "教育厅", "科学技术厅", "公安厅", "民政厅", "司法厅"]
    for i, d in enumerate(depts):
        agency = f"{prov}{d}"
        url = article(f"/zfxxgknb/2025/bm/t202601{15 + i}_{10 + i}.html", agency, 2025, f"2026-01-{15 + i}")
        if i == 0:  # one department link uses https, which this host does not serve
            links25.append((url.replace("http://", "https://"), f"{agency}2025年政府信息公开工作年度报告"))
        else:
            links25.append((url, f"{agency}2025年政府信息公开工作年度报告"))
    links25.append((f"{base}/zfxxgknb/2025/bm/t20260130_99.html", f"{prov}财政厅2025年政府信息公开工作年度报告"))  # 404
    p.decoys.append(f"{base}/zfxxgknb/2025/bm/t20260130_99.html")
    # cities: reports found on the other portals too (dedupe across hosts) and the corpus PDFs
    cities = [others["F1"].reports[0], others["F2"].reports[0], others["F4"].reports[1], others["F5"].reports[0]]
    for r in cities:
        links25.append((r["canonical_url"], r["title"]))
    for name, agency, year in (("huaian-2024.pdf", "淮安市人民政府", 2024), ("hongze-2024.pdf", "淮安市洪泽区人民政府", 2024)):
        url = f"{base}/zfxxgknb/2025/sq/{name}"
        p.add(url, corpus(name), ctype="application/pdf")
        title = f"{agency}{year}年政府信息公开工作年度报告"
        links25.append((url, title))
        p.report(url, agency, year, "pdf", title=title)
    decoys = [("/zfxxgknb/2025/jd/t20260201_1.html", f"{prov}2025年政府信息公开工作年度报告解读"),
              ("/zfxxgknb/2025/jd/t20260201_2.html", f"图解：{prov}2025年政府信息公开工作年度报告"),
              ("/zfxxgknb/2025/jd/t20260201_3.html", f"{prov}人民政府2025年度政府网站工作年度报表")]
    for path, title in decoys:
        p.add(f"{base}{path}", page("", f"<p>{title}</p>"))
        links25.append((f"{base}{path}", title))
        p.decoys.append(f"{base}{path}")
    links25.append(("http://www.hongxingpaper.com/zfxxgknb/2025/szf/t20260120_1.html",
                    f"{prov}人民政府2025年政府信息公开工作年度报告"))
    p.decoys.append("http://www.hongxingpaper.com/zfxxgknb/2025/szf/t20260120_1.html")
    # two hosts that challenge us for real: a JS-only cookie wall and a slider
    walled = "http://www.f6-walled.gov.cn/xxgk/nb/t20260110_1.html"
    slider = "http://www.f6-slider.gov.cn/xxgk/nb/t20260111_1.html"
    p.hosts["www.f6-walled.gov.cn"] = {"challenge": {"cookie": "JSL=1", "set_cookie": False}}
    p.add("http://www.f6-walled.gov.cn/robots.txt", "User-agent: *\nAllow: /\n", ctype="text/plain")
    p.add(walled, page("", "<p>never served without the cookie</p>"))
    p.add("http://www.f6-slider.gov.cn/robots.txt", "User-agent: *\nAllow: /\n", ctype="text/plain")
    p.add(slider, page("", '<div id="nc_1_wrapper">请按住滑块，拖动到最右边</div><script src="/nc.js"></script>'))
    links25 += [(walled, f"{prov}统计局2025年政府信息公开工作年度报告"), (slider, f"{prov}审计厅2025年政府信息公开工作年度报告")]
    p.extra["blocked"] = [{"host": "www.f6-walled.gov.cn", "reason": "412"}, {"host": "www.f6-slider.gov.cn",
                                                                             "reason": "slider"}]
    p.extra["not_blocked"] = [host]
    hubs = ('<div class="years"><a href="/zfxxgknb/2024/">2024年度</a> <a href="/zfxxgknb/nbzt/2018nb/">2018年度</a>'
            '<a href="/zfxxgknb/2025/index.html">2025年度</a></div>')
    sections = {"省政府": links25[:1], "省直部门": links25[1:8], "设区市": links25[8:14], "其他": links25[14:]}
    body = "".join(f"<h3>{k}</h3><ul>" + "".join(f'<li><a href="{u}">{html.escape(t)}</a></li>' for u, t in v)
                   + "</ul>" for k, v in sections.items())
    p.add(f"{base}/zfxxgknb/2025/index.html", page("", f"<h2>2025年度政府信息公开工作年度报告汇总</h2>{hubs}{body}",
                                                    title="2025年度政府信息公开工作年度报告汇总"))
    l24 = [article("/zfxxgknb/2024/szf/t20250120_1.html", f"{prov}人民政府", 2024, "2025-01-20")]
    l24 += [article(f"/zfxxgknb/2024/bm/t202501{16 + i}_{20 + i}.html", f"{prov}{d}", 2024, f"2025-01-{16 + i}")
            for i, d in enumerate(depts[:3])]
    p.add(f"{base}/zfxxgknb/2024/", page("", hubs + "<ul>" + "".join(
        f'<li><a href="{u}">{html.escape(r["title"])}</a></li>' for u, r in zip(l24, p.reports[-4:], strict=True))
        + "</ul>", title="2024年度政府信息公开工作年度报告汇总"))
    old = article("/zfxxgknb/nbzt/2018nb/szf/t20190320_1.html", f"{prov}人民政府", 2018, "2019-03-20",
                  old_body(f"{prov}人民政府", 2018))
    p.add(f"{base}/zfxxgknb/nbzt/2018nb/", page("", f'<ul><li><a href="{old}">{prov}人民政府2018年政府信息公开工作年度报告'
                                                    "</a><span>2019-03-20</span></li></ul>", title="2018年年报"))
    return p


def hash_seed(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def build_all(root: Path = OUT) -> dict[str, Portal]:
    if (root / "blobs").exists():
        shutil.rmtree(root / "blobs")
    portals = {"F1": build_f1(), "F2": build_f2(), "F3": build_f3(), "F4": build_f4(), "F5": build_f5()}
    portals["F6"] = build_f6(portals)
    for portal in portals.values():
        portal.write(root)
    return portals


if __name__ == "__main__":
    built = build_all()
    for name, portal in built.items():
        size = sum(len(b) for b in portal.files.values())
        print(f"{name}: {len(portal.routes)} routes, {len(portal.reports)} reports, {size / 1024:.0f} KiB")
