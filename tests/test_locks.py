"""Locks that hold: one writer per archive file, whatever path it is reached by, taken once for a
whole crawl (two crawls started together: one wins, the other exits 2 in one line), and what a
killed rebuild leaves beside the file removed by the next writer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive, ArchiveBusy
from archive.lock import WriterLock
from crawler.testing.server import Site, serve_portals

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[1]
HOLD = ("import sys, time; from archive import Archive; a = Archive(sys.argv[1]); print('open', flush=True); "
        "time.sleep(60)")


def _holder(db: Path) -> subprocess.Popen[str]:
    """Another process with the archive open (a writer), until killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    return proc


def _slow_site() -> Site:
    """One portal whose entry page takes 3 s: a crawl of it holds its archive that long at least."""
    site = Site()
    site.add("www.slow.gov.cn", "/robots.txt", b"User-agent: *\nAllow: /\n", headers=[("Content-Type", "text/plain")])
    site.add("www.slow.gov.cn", "/xxgk/", "<html><body>政府信息公开</body></html>".encode(),
             headers=[("Content-Type", "text/html; charset=utf-8")], delay=3)
    return site


@pytest.mark.e2e  # two loopback crawls
def test_two_crawls_started_together_one_wins_the_other_exits_2_in_one_line(tmp_path: Path) -> None:
    import json

    from crawler.options import LOOPBACK_SETTINGS

    db = tmp_path / "a.db"
    with serve_portals(site=_slow_site()) as server:
        cmd = [sys.executable, "-m", "nianbao.cli", "crawl", "http://www.slow.gov.cn/xxgk/", "--db", str(db),
               "--host-map", json.dumps(server.host_map), "--set=LOG_LEVEL=\"ERROR\"",
               *[f"--set={k}={json.dumps(v)}" for k, v in LOOPBACK_SETTINGS.items() if k != "LOG_LEVEL"],
               "--set=DOWNLOAD_TIMEOUT=10"]
        procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        results = [(p.wait(timeout=90), p.stderr.read() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "Traceback" not in loser and "ArchiveBusy" not in loser
    lines = loser.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nianbao crawl: ") and "being written by another nianbao" in lines[0]
    assert [r.target for r in server.requests].count("/xxgk/") == 1, "only the winner crawled"


def test_a_crawl_holds_the_lock_its_archive_borrows(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    held = WriterLock(db).hold_for_process()
    try:
        with Archive(db):  # the crawl's own archive, in the process that holds the lock
            probe = subprocess.run([sys.executable, "-c", "import sys; from archive import Archive; "
                                    "Archive(sys.argv[1])", str(db)], cwd=ROOT, capture_output=True, text=True)
            assert probe.returncode != 0 and "ArchiveBusy" in probe.stderr
        # the archive closed, the crawl still runs: the lock is still held
        probe = subprocess.run([sys.executable, "-c", "import sys; from archive import Archive; "
                                "Archive(sys.argv[1])", str(db)], cwd=ROOT, capture_output=True, text=True)
        assert probe.returncode != 0 and "ArchiveBusy" in probe.stderr
    finally:
        held.release()
    Archive(db).close()


def test_the_same_archive_through_a_symlink_is_the_same_lock(tmp_path: Path) -> None:
    real = tmp_path / "data" / "nianbao.db"
    real.parent.mkdir()
    Archive(real).close()
    link = tmp_path / "current.db"
    link.symlink_to(real)
    linked_dir = tmp_path / "linked"
    linked_dir.symlink_to(real.parent)
    assert WriterLock(link).path == WriterLock(real).path == WriterLock(linked_dir / "nianbao.db").path
    holder = _holder(real)
    try:
        for path in (link, linked_dir / "nianbao.db"):
            with pytest.raises(ArchiveBusy, match=f"pid {holder.pid}"):
                Archive(path)
        crawl = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", "--db", str(link), "http://www.x.gov.cn/"],
                               cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert crawl.returncode == 2 and "being written by another nianbao process" in crawl.stderr
    finally:
        holder.kill()
        holder.wait()


def test_rebuilding_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    from archive.rebuild import rebuild
    from tests.archive_db import fetch

    real = tmp_path / "nianbao.db"
    with Archive(real) as archive:
        url = "http://www.x.gov.cn/nb.html"
        sha = archive.record_fetch(fetch(url, "某局2024年政府信息公开工作年度报告\n一、总体情况\n本局依法公开。\n"
                                          .encode(), "text/plain; charset=utf-8"))
        archive.add_report([sha], page_url=url)
    link = tmp_path / "current.db"
    link.symlink_to(real)
    rebuild(link, tmp_path / "nianbao-raw")
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert not [p for p in tmp_path.iterdir() if ".rebuild-" in p.name]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_next_writer_removes_what_a_killed_rebuild_left(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive(db).close()
    dead = _dead_pid()
    left = [tmp_path / f".a.db.rebuild-{dead}{suffix}" for suffix in ("", "-wal", "-shm", ".lock")]
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = tmp_path / f".a.db.rebuild-{alive.pid}"  # a live process's: not ours to remove
        other = tmp_path / f".b.db.rebuild-{dead}"  # another archive's: not this writer's business
        for path in (*left, running, other):
            path.write_bytes(b"x")
        with Archive(db):
            assert not any(p.exists() for p in left)
            assert running.exists() and other.exists()
    finally:
        alive.kill()
        alive.wait()


def test_a_killed_rebuild_leaves_nothing_after_the_next_crawl_add_or_rebuild(tmp_path: Path) -> None:
    """The real thing: `nianbao rebuild` killed while it writes its fresh file, then `nianbao add`."""
    import signal
    import time

    from tests.archive_db import build

    built = build(tmp_path, generated=40)
    proc = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "rebuild", "--db", str(built.db)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(built.db.parent.glob(f".{built.db.name}.rebuild-*")):
        assert proc.poll() is None and time.monotonic() < deadline, "the rebuild ended before it could be killed"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(built.db.parent.glob(f".{built.db.name}.rebuild-*")), "the killed rebuild left its files"
    sample = tmp_path / "r.txt"
    sample.write_text("某局2024年政府信息公开工作年度报告\n一、总体情况\n本局依法公开。\n", encoding="utf-8")
    added = subprocess.run([sys.executable, "-m", "nianbao.cli", "add", str(sample), "--db", str(built.db)],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert added.returncode in (0, 1), added.stderr
    assert not list(built.db.parent.glob(f".{built.db.name}.rebuild-*"))
