"""The crawl parses off the reactor: a document slow to parse never stalls the downloads.

A loopback crawl of fixture portal F3 (every page served slowly, so its crawl spans several seconds)
beside a small portal whose one report is a scan of noise: OCR works on it past the parse wall limit.
Downloads of F3 go on while that parse runs; the archive ends up as a serial replay (`rebuild --jobs 1`)
of the same items makes it; an interrupted crawl archives the document being parsed with its reason.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from crawler.options import CrawlOptions
from crawler.run import command, crawl, spawn
from crawler.testing.server import PortalServer, Site, load_portals, serve_portals
from tests.dbrows import differences
from tests.scanportal import ENTRY as SCAN_ENTRY
from tests.scanportal import HOST as SCAN_HOST
from tests.scanportal import add_scan_portal, scan_url

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]
LIMIT_S = 5  # the parse wall limit of these crawls: the scan's OCR (12 pages of noise) always reaches it
F3_DELAY_S = 1.0  # every F3 response: its crawl (11 requests, 2 at a time, most in sequence) spans over 5 s


def _site() -> Site:
    """F3 as stored, each response delayed, and the scan portal (one scan, two real report pages)."""
    site = load_portals(("F3",))
    for route in site.routes.values():
        route.options["delay"] = F3_DELAY_S
    add_scan_portal(site, frames=12)
    return site


@pytest.fixture
def parse_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wall limit, for the crawl's child and for the rebuild run here."""
    monkeypatch.setenv("NIANBAO_PARSE_TIMEOUT_S", str(LIMIT_S))


@pytest.fixture
def server() -> Iterator[PortalServer]:
    with serve_portals(site=_site()) as running:
        yield running


def _when(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _fetched(db: Path) -> dict[str, float]:
    with sqlite3.connect(db) as con:
        return {url: _when(at) for url, at in con.execute("SELECT url, fetched_at FROM fetches")}


def _document(db: Path, url: str) -> tuple[str, str]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT parse_status, parse_error FROM documents WHERE url = ?", [url]).fetchone()


def test_downloads_go_on_while_a_document_parses_and_rows_equal_a_serial_replay(
        server: PortalServer, parse_env: None, tmp_path: Path) -> None:
    db = tmp_path / "crawl.db"
    stats = crawl(CrawlOptions(db=str(db), entries=(*server.entries(), SCAN_ENTRY), allow_private_hosts=True,
                               host_map=server.host_map, parse_jobs=2))
    assert stats.returncode == 0, stats.stderr[-3000:]
    assert _document(db, scan_url()) == ("failed", f"parse stopped: over its time limit ({LIMIT_S} s)")

    # The scan's parse began once it was fetched and ran for LIMIT_S seconds at least; a reactor blocked
    # by it (the pipeline before) records no fetch in that window.
    fetched = _fetched(db)
    start = fetched[scan_url()]
    during = sorted(url for url, at in fetched.items() if start + 0.5 < at < start + LIMIT_S - 0.5)
    assert any("f3-gd" in url for url in during), (start, sorted(fetched.items(), key=lambda kv: kv[1]))
    assert stats.reports == 10  # F3's seven and the three of the other portal, each archived once

    # What the crawl stored is what one writer replaying the same items in order with one worker stores.
    from archive.rebuild import rebuild

    serial = tmp_path / "serial.db"
    shutil.copy(db, serial)
    rebuild(serial, tmp_path / "crawl-raw", jobs=1)
    assert differences(db, serial) == {}
    with sqlite3.connect(db) as con:
        read = con.execute("SELECT count(*) FROM reports WHERE cells > 100").fetchone()[0]
    assert read == 3  # F3's one PDF report and the two sample pages: the comparison covers their cells


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_crawl_stopped_during_a_parse_archives_the_document_with_the_reason(
        server: PortalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sig: signal.Signals) -> None:
    """Stopped while the scan is parsed (its wall limit far off): the crawl ends within the grace, and the
    scan's report is archived, the scan unparsed with why; nothing fetched is lost."""
    monkeypatch.setenv("NIANBAO_PARSE_TIMEOUT_S", "120")
    db = tmp_path / "stopped.db"
    cmd = command(CrawlOptions(db=str(db), entries=(SCAN_ENTRY,), allow_private_hosts=True, host_map=server.host_map,
                               parse_jobs=1, settings={"NIANBAO_PARSE_STOP_GRACE": 1.0}))
    with open(os.devnull, "w") as null:
        child = spawn(cmd, stdout=null, stderr=null)
        deadline = time.monotonic() + 60
        while not any(r.target.endswith(".tif") for r in server.requests):
            assert time.monotonic() < deadline and child.poll() is None, "the scan was never fetched"
            time.sleep(0.05)
        time.sleep(1.5)  # fetched, recorded, handed to the parse worker
        stopped = time.monotonic()
        child.send_signal(sig)
        child.wait(timeout=60)
    assert time.monotonic() - stopped < 30  # not the 120 s of the wall limit, nor the OCR's own time
    status, error = _document(db, scan_url())
    assert status == "failed" and error.startswith("parse not finished: the crawl was stopped"), error
    with sqlite3.connect(db) as con:
        sources = {url: json.loads(d) for url, d in con.execute("SELECT page_url, documents FROM report_sources")}
        scan_sha = con.execute("SELECT sha256 FROM documents WHERE url = ?", [scan_url()]).fetchone()[0]
        pages = {url for (url,) in con.execute("SELECT url FROM fetches WHERE status = 200 AND url LIKE ? "
                                                 "AND url NOT LIKE '%/index.html'", [f"http://{SCAN_HOST}/%.html"])}
    assert sources[f"http://{SCAN_HOST}/xxgk/xxgknb/202400/t0.html"][1:] == [scan_sha]
    assert set(sources) == pages  # every report page fetched before the stop is archived
