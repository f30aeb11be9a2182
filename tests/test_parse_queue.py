"""The crawl's parsing off the reactor, without a crawl: the pool polled without waiting, stopped with a
reason, and the queue that stores items in arrival order with a bounded window (crawler/archive_queue.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, Fetch
from archive.workers import Limits, ParsePool
from crawler import archive_queue
from crawler.archive_queue import STOPPED, ArchiveQueue
from tests import hostilegen as gen
from tests.dbrows import rows
from tests.shared import REPO

SAMPLES = sorted((REPO / "samples").glob("0*.txt"))  # five real reports as text


def _until_ready(pool: ParsePool, key: object, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not pool.ready(key):
        assert time.monotonic() < deadline, f"{key} not parsed in {within} s"
        pool.poll()
        time.sleep(0.02)


def test_poll_never_waits_and_stop_gives_every_unfinished_document_the_reason() -> None:
    with ParsePool(1, Limits(wall_s=120)) as pool:
        pool.submit("scan", gen.noise_png())
        pool.submit("text", SAMPLES[0].read_bytes())  # queued behind the scan
        started = time.monotonic()
        for _ in range(10):
            pool.poll()
        assert time.monotonic() - started < 1.0  # ten polls while the scan is parsed: no waiting
        assert not pool.ready("scan") and not pool.ready("text")
        pool.stop("the crawl was stopped")
        assert pool.ready("scan") and pool.ready("text")
        assert pool.result("scan").error == pool.result("text").error == "the crawl was stopped"
        pool.submit("later", SAMPLES[1].read_bytes())
        assert pool.ready("later") and pool.result("later").kind == "stopped"
        with pytest.raises(KeyError):
            pool.ready("never")


def test_stop_sparing_the_running_parse_lets_it_finish() -> None:
    with ParsePool(1) as pool:
        pool.submit("running", SAMPLES[0].read_bytes())
        pool.submit("queued", SAMPLES[1].read_bytes())
        pool.poll()
        pool.stop("stopped", running=False)
        assert pool.ready("queued") and pool.result("queued").kind == "stopped"
        _until_ready(pool, "running")
        outcome = pool.result("running")
    assert outcome.kind == "ok" and outcome.report is not None and outcome.report.cell_count > 100


class _ManualLoop:
    """The looping call, driven by the test's own loop instead of a reactor."""

    def __init__(self, func: Any) -> None:
        self.running = False

    def start(self, interval: float, now: bool = True) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


def _archive_of(db: Path) -> tuple[Archive, list[tuple[list[str], str]]]:
    """An archive holding the five sample reports as fetched pages; the items: each, then the first again."""
    archive = Archive(db)
    items = []
    for k, path in enumerate(SAMPLES):
        url = f"http://www.example.gov.cn/nb/{k}.txt"
        sha = archive.record_fetch(Fetch(url, url, 200, [("Content-Type", "text/plain; charset=utf-8")],
                                         path.read_bytes(), "2026-01-01T00:00:00Z"))
        items.append(([sha], url))
    return archive, [*items, items[0]]


@pytest.mark.parametrize("jobs", [1, 2])
def test_items_are_stored_in_arrival_order_within_the_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              jobs: int) -> None:
    """Items stored in the order they came, whatever order their parses end in; never more than the window
    of documents parsing ahead; the rows those of add_report called item after item; a stop archives the
    rest unparsed, with the reason."""
    monkeypatch.setattr(archive_queue, "create_looping_call", _ManualLoop)
    serial, items = _archive_of(tmp_path / "serial.db")
    with serial:
        expected = [serial.add_report(docs, page_url=url).status for docs, url in items]
    assert expected == ["new"] * 5 + ["unchanged"]

    archive, items = _archive_of(tmp_path / "queued.db")
    stored: list[int] = []
    results: list[tuple[int, str]] = []
    window = 2 * jobs
    with archive, ParsePool(jobs) as pool:
        archive.parse_pool = pool
        queue = ArchiveQueue(archive, pool, window=window, running=lambda: True)

        def store(n: int, docs: list[str], url: str) -> str:
            stored.append(n)
            return archive.add_report(docs, page_url=url).status

        for n, (docs, url) in enumerate(items):
            d = queue.add(docs, url, lambda n=n, docs=docs, url=url: store(n, docs, url))
            d.addCallback(lambda status, n=n: results.append((n, status)))
            assert pool.in_flight <= window
        deadline = time.monotonic() + 120
        while len(queue):
            assert time.monotonic() < deadline
            queue.pump()
            assert pool.in_flight <= window
            time.sleep(0.02)
        assert not queue._loop.running  # idle: the poll stops
    assert stored == list(range(6))
    assert results == list(enumerate(expected))
    for table in ("sections", "cells", "checks", "check_cells"):
        assert rows(tmp_path / "queued.db", table) == rows(tmp_path / "serial.db", table)


def test_a_stopped_queue_stores_the_rest_unparsed_with_the_reason(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_queue, "create_looping_call", _ManualLoop)
    archive, items = _archive_of(tmp_path / "stopped.db")
    running = [True]
    with archive, ParsePool(1) as pool:
        archive.parse_pool = pool
        queue = ArchiveQueue(archive, pool, window=2, running=lambda: running[0], grace=0.0)
        done: list[Any] = []
        for docs, url in items[:5]:
            queue.add(docs, url, lambda docs=docs, url=url: archive.add_report(docs, page_url=url)).addBoth(
                done.append)
        running[0] = False  # SIGINT: nothing parsed yet, the grace is 0
        queue.pump()
        assert len(queue) == 0
        idle: list[None] = []
        queue.drain().addCallback(idle.append)
        assert idle == [None]
    assert [outcome.status for outcome in done] == ["failed"] * 5
    assert {error for outcome in done for error in outcome.errors.values()} == {STOPPED}
    stopped = {row[0] for row in rows(tmp_path / "stopped.db", "report_sources")}
    assert len(stopped) == 5  # each archived (a re-crawl or rebuild parses them)


def test_crawl_jobs_option_sets_the_crawls_parse_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from scrapy.settings import Settings

    import crawler.main
    from crawler.options import CrawlOptions
    from nianbao import cli

    seen: list[CrawlOptions] = []
    monkeypatch.setattr(crawler.main, "run_crawl", lambda options: seen.append(options) or 0)
    db = str(tmp_path / "a.db")
    done = CliRunner().invoke(cli.main, ["crawl", "--db", db, "--jobs", "3", "http://www.example.gov.cn/"])
    assert done.exit_code == 0, done.output
    settings = Settings({"NIANBAO_PARSE_JOBS": None})
    seen[0].apply(settings)
    assert seen[0].parse_jobs == 3 and settings.getint("NIANBAO_PARSE_JOBS") == 3
    refused = CliRunner().invoke(cli.main, ["crawl", "--db", db, "--jobs", "0", "http://www.example.gov.cn/"])
    assert refused.exit_code == 2 and len(seen) == 1
