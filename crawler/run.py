"""`crawl(...)`: run one crawl from Python (the demo, tests, benchmarks) and get its totals back.

The crawl runs in a child process (`python -m crawler.main`): Twisted's reactor cannot restart in
one process, and a child can be killed at any moment without taking the caller down, which is also
how the resume test interrupts it. Progress arrives as JSON lines on the child's stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]

# Politeness relaxed for loopback fixture portals (tests, demo, bench): never for real hosts.
LOOPBACK_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY_JITTER": 0,
    "NIANBAO_RETRY_BACKOFF": 0.1, "NIANBAO_RETRY_MAX_WAIT": 2.0, "NIANBAO_RETRY_AFTER_MAX": 10.0, "DOWNLOAD_TIMEOUT": 3,
    "NIANBAO_PROGRESS_INTERVAL": 1.0, "LOG_LEVEL": "WARNING",
}


@dataclass
class CrawlStats:
    """The end totals of a crawl: pages, reports, attachments, errors, blocked hosts, per host.
    returncode: 0 done, 2 usage or archive busy, 3 done but incomplete (crawler/failures.py)."""

    returncode: int
    reason: str | None = None
    requests: int = 0
    pages: int = 0
    reports: int = 0
    attachments: int = 0
    errors: int = 0
    not_modified: int = 0
    elapsed: float = 0.0
    blocked: list[str] = field(default_factory=list)
    failed: dict[str, int] = field(default_factory=dict)  # kind → fetches recorded as failed (crawler/failures.py)
    incomplete: dict[str, int] = field(default_factory=dict)  # those of the kinds that make the exit code 3
    budget_spent: list[str] = field(default_factory=list)  # hosts whose time budget ran out
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)  # per host: lists walked, how (coverage.py)
    stderr: str = ""

    @classmethod
    def from_summary(cls, returncode: int, summary: dict[str, Any], stderr: str) -> CrawlStats:
        keys = ("reason", "requests", "pages", "reports", "attachments", "errors", "not_modified", "elapsed",
                "blocked", "failed", "incomplete", "budget_spent", "hosts", "coverage")
        return cls(returncode=returncode, stderr=stderr, **{k: summary[k] for k in keys if k in summary})


def command(entry_urls: Sequence[str], db_path: str | Path, *, allow_private_hosts: bool = False,
            host_map: dict[str, str] | None = None, max_pages: int | None = None, registry: str | None = None,
            settings: dict[str, Any] | None = None, stats_file: str | Path | None = None,
            frontier: str | None = None, worker_id: str | None = None) -> list[str]:
    """The child command line for one crawl (a worker on the shared frontier at `frontier`, if given)."""
    cmd = [sys.executable, "-m", "crawler.main", "--db", str(db_path), *entry_urls]
    if frontier:
        cmd += ["--frontier", frontier]
    if worker_id:
        cmd += ["--worker-id", worker_id]
    if registry:
        cmd += ["--registry", registry]
    if max_pages:
        cmd += ["--max-pages", str(max_pages)]
    if allow_private_hosts:
        cmd.append("--allow-private-hosts")
    if host_map:
        cmd += ["--host-map", json.dumps(host_map)]
    merged = {**(LOOPBACK_SETTINGS if host_map else {}), **(settings or {}), "NIANBAO_PROGRESS_JSON": True}
    if stats_file:
        merged["NIANBAO_STATS_FILE"] = str(stats_file)
    cmd += [f"--set={k}={json.dumps(v)}" for k, v in merged.items()]
    return cmd


def spawn(cmd: list[str], **popen: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, text=True, encoding="utf-8", **popen)


def crawl(entry_urls: Sequence[str], db_path: str | Path, *, allow_private_hosts: bool = False,
          host_map: dict[str, str] | None = None, max_pages: int | None = None, registry: str | None = None,
          settings: dict[str, Any] | None = None, progress: Callable[[dict[str, Any]], None] | None = None,
          timeout: float | None = None, frontier: str | None = None, worker_id: str | None = None) -> CrawlStats:
    """Crawl entry_urls (or the registry) into the archive at db_path and return the totals.

    progress, if given, is called with the running totals (pages, reports, attachments, errors,
    blocked, requests, elapsed) about once a second.
    """
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as tmp:
        cmd = command(entry_urls, db_path, allow_private_hosts=allow_private_hosts, host_map=host_map,
                      max_pages=max_pages, registry=registry, settings=settings,
                      stats_file=Path(tmp) / "stats.json", frontier=frontier, worker_id=worker_id)
        with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
            child = spawn(cmd, stdout=subprocess.PIPE, stderr=err)
            summary: dict[str, Any] = {}
            assert child.stdout is not None
            for line in child.stdout:
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "progress" in msg and progress:
                    progress(msg["progress"])
                summary = msg.get("summary", summary)
            rc = child.wait(timeout=timeout)
            err.seek(0)
            stderr = err.read()
        return CrawlStats.from_summary(rc, summary, stderr)
