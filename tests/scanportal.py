"""A portal whose 年报 column lists reports slow to parse beside quick ones, served with the fixture portals.

Its first `scans` reports are pages saying "see the attachment", the attachment a TIFF scan of `frames`
pages of noise (OCR works on each for a second or more and finds no report: tests/hostilegen.py);
then two real report pages (samples/). Used by tests/test_crawl_parsing.py and bench/crawl_parsing.py.
"""

from __future__ import annotations

from crawler.testing.server import Site
from tests import hostilegen as gen
from tests.shared import REPO

HOST = "www.scan-nb.gov.cn"
ENTRY = f"http://{HOST}/xxgk/xxgknb/index.html"
HTML = [("Content-Type", "text/html; charset=utf-8")]
SAMPLE_PAGES = (("沭阳县发展和改革局2023年政府信息公开年度报告", "shuyang-fgj-2023.html"),
                ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "shanghai-office-2019.html"))


def scan_url(k: int = 0) -> str:
    return f"http://{HOST}/xxgk/xxgknb/2024{k:02d}/P02024{k:02d}20.tif"


def add_scan_portal(site: Site, scans: int = 1, frames: int = 1) -> str:
    """Add the portal to `site`; returns its entry URL. `scans` reports, each its own noise scan."""
    rows = []
    for k in range(scans):
        title = f"沭阳县第{k + 1}街道办事处2024年政府信息公开年度报告"
        href = f"./2024{k:02d}/t{k}.html"
        name = scan_url(k).rsplit("/", 1)[1]
        site.add(HOST, f"/xxgk/xxgknb/2024{k:02d}/t{k}.html",
                 f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>详见附件。</p>"
                 f'<p><a href="./{name}">附件：2024年年度报告.tif</a></p></article></body></html>'.encode(),
                 headers=HTML)
        site.add(HOST, scan_url(k).removeprefix(f"http://{HOST}"), gen.noise_tiff(frames, seed=20 + k),
                 headers=[("Content-Type", "image/tiff")])
        rows.append((href, title))
    for k, (title, sample) in enumerate(SAMPLE_PAGES):
        site.add(HOST, f"/xxgk/xxgknb/2023{k:02d}/p{k}.html", (REPO / "samples" / sample).read_bytes(), headers=HTML)
        rows.append((f"./2023{k:02d}/p{k}.html", title))
    items = "".join(f'<li><a href="{href}">{text}</a><span>2024-01-20</span></li>' for href, text in rows)
    site.add(HOST, "/robots.txt", b"User-agent: *\nAllow: /\n", headers=[("Content-Type", "text/plain")])
    site.add(HOST, "/xxgk/xxgknb/index.html", f"<html><body><ul>{items}</ul></body></html>".encode(), headers=HTML)
    return ENTRY
