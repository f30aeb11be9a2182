"""Issue 18: documents named by their raw file wait in a busy worker's pipe, so the worker never idles while
the one writer stores a report; the worker derives each report's rows beside its parse; and a document held
behind another is never charged for that one's crash or deadline. Then the batch a rebuild writes in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive import Archive, Fetch
from archive.rows import derive
from archive.workers import PIPELINE, Limits, ParsePool
from tests import hostilegen as gen
from tests.dbrows import differences
from tests.shared import REPO

SAMPLES = sorted((REPO / "samples").glob("0*.txt"))  # five real reports as text


def _files(tmp_path: Path, *bodies: bytes) -> list[Path]:
    paths = []
    for k, body in enumerate(bodies):
        path = tmp_path / f"doc{k}"
        path.write_bytes(body)
        paths.append(path)
    return paths


def test_a_busy_worker_holds_the_next_file_and_derives_the_rows(tmp_path: Path) -> None:
    paths = _files(tmp_path, *(p.read_bytes() for p in SAMPLES[:3]))
    with ParsePool(1) as pool:
        for k, path in enumerate(paths):
            pool.submit(k, path=path)
        (worker,) = pool._busy
        assert len(worker.jobs) == PIPELINE and len(pool._queue) == 3 - PIPELINE  # one parsing, one in its pipe
        outcomes = [pool.result(k) for k in range(3)]
    for outcome in outcomes:
        assert outcome.kind == "ok" and outcome.report is not None
        assert outcome.derived == derive(outcome.report)  # the worker's rows are the writer's own
        assert outcome.derived.cells and outcome.derived.fts_sections


def test_bytes_are_never_held_behind_a_busy_worker() -> None:
    """A document sent as bytes may be larger than the pipe: the writer would block until the worker read it."""
    with ParsePool(1) as pool:
        pool.submit("a", SAMPLES[0].read_bytes())
        pool.submit("b", SAMPLES[1].read_bytes())
        assert [len(w.jobs) for w in pool._busy] == [1] and len(pool._queue) == 1
        assert pool.result("a").kind == pool.result("b").kind == "ok"
    with pytest.raises(TypeError):
        ParsePool(1).submit("both", b"x", path="/dev/null")


def test_a_crash_ahead_sends_the_held_document_to_the_next_worker(tmp_path: Path) -> None:
    """calamine aborts its process on the first file; the report waiting in that worker's pipe is parsed by
    the worker started after it, and gets its own outcome, not the crash."""
    limits = Limits(memory_mb=1024, cpu_s=30, wall_s=30, caps={"sheet_cells": 1e12})
    crash, text = _files(tmp_path, gen.far_cells_xlsx(), SAMPLES[0].read_bytes())
    with ParsePool(1, limits) as pool:
        pool.submit("crash", path=crash)
        pool.submit("text", path=text)
        assert [len(w.jobs) for w in pool._busy] == [2]
        crashed, parsed = pool.result("crash"), pool.result("text")
    assert crashed.kind == "crash" and crashed.error and "signal 6" in crashed.error
    assert parsed.kind == "ok" and parsed.report is not None and parsed.report.cell_count > 100


@pytest.mark.e2e  # OCR
def test_the_held_documents_clock_starts_when_its_parse_does(tmp_path: Path) -> None:
    """Twelve pages of noise to OCR (9 s here) overrun a 4 s wall clock; the report behind waited those 4 s in
    the pipe and is not over its own limit."""
    scan, text = _files(tmp_path, gen.noise_tiff(), SAMPLES[1].read_bytes())
    with ParsePool(1, Limits(wall_s=4)) as pool:
        pool.submit("scan", path=scan)
        pool.submit("text", path=text)
        slow, parsed = pool.result("scan"), pool.result("text")
    assert slow.kind == "limit" and slow.error and "time limit (4 s)" in slow.error
    assert parsed.kind == "ok"


def test_a_raw_file_gone_is_the_documents_reason(tmp_path: Path) -> None:
    with ParsePool(1) as pool:
        pool.submit("gone", path=tmp_path / "missing")
        outcome = pool.result("gone")
        assert pool.parse(SAMPLES[0].read_bytes()).kind == "ok"  # the worker goes on
    assert outcome.kind == "bug" and outcome.error and outcome.error.startswith("cannot read the raw file")


def test_forgetting_a_held_document_drops_its_result(tmp_path: Path) -> None:
    paths = _files(tmp_path, SAMPLES[0].read_bytes(), SAMPLES[1].read_bytes())
    with ParsePool(1) as pool:
        pool.submit("kept", path=paths[0])
        pool.submit("dropped", path=paths[1])
        pool.forget("dropped")
        assert pool.result("kept").kind == "ok"
        assert pool.in_flight == 0
        pool.submit("after", path=paths[1])  # the dropped one's reply, still in the pipe, is not taken for it
        assert pool.result("after").kind == "ok" and pool.in_flight == 0


def _sample_archive(db: Path) -> tuple[Archive, list[tuple[str, str]]]:
    archive = Archive(db)
    items = []
    for k, path in enumerate(SAMPLES):
        url = f"http://www.example.gov.cn/nb/{k}.txt"
        items.append((archive.record_fetch(Fetch(url, url, 200, [("Content-Type", "text/plain; charset=utf-8")],
                                                 path.read_bytes(), "2026-01-01T00:00:00Z")), url))
    return archive, items


def test_a_batch_writes_the_rows_a_report_at_a_time_would(tmp_path: Path) -> None:
    """Savepoints and commits every 2 reports, the register refreshed at the end: the same rows."""
    one, items = _sample_archive(tmp_path / "one.db")
    seen = "2026-01-01T00:00:00.000000Z"
    with one:
        for sha, url in items:
            one.replay([sha], page_url=url, hints={}, first_seen=seen, last_seen=seen)
    batched, items = _sample_archive(tmp_path / "batch.db")
    with batched, batched.batch(commit_every=2):
        for sha, url in items:
            batched.replay([sha], page_url=url, hints={}, first_seen=seen, last_seen=seen)
    assert differences(tmp_path / "one.db", tmp_path / "batch.db") == {}


def test_a_batch_that_fails_keeps_nothing_uncommitted(tmp_path: Path) -> None:
    archive, items = _sample_archive(tmp_path / "a.db")
    with archive:
        with pytest.raises(KeyError), archive.batch(commit_every=3):
            for sha, url in items[:4]:
                archive.add_report([sha], page_url=url)
            archive.add_report(["0" * 64], page_url="http://www.example.gov.cn/never-fetched")
        with pytest.raises(RuntimeError), archive.batch(), archive.batch():
            pass
    with sqlite3.connect(tmp_path / "a.db") as con:
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 3  # the first commit of 3
        assert {r[0] for r in con.execute("SELECT id FROM agencies")} == {  # the register of what was committed
            r[0] for r in con.execute("SELECT agency_id FROM reports WHERE is_current AND agency_id IS NOT NULL")}
        assert con.execute("SELECT count(*) FROM agencies").fetchone()[0] > 0


def test_a_parse_worker_derives_rows_without_the_stores_imports() -> None:
    """The package's names are lazy: importing archive.rows in a worker brings neither sqlite-utils nor the
    store (a third of a second more for every worker started)."""
    import subprocess
    import sys

    probe = "import sys, archive.rows; print(sorted(m for m in ('sqlite_utils', 'archive.store') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"
