"""`crawl(options)`: run one crawl from Python (the demo, tests, benchmarks) and get its totals back.

The crawl runs in a child process (`python -m crawler.main OPTIONS_JSON`): Twisted's reactor cannot
restart in one process, so a caller that crawls more than once (a test module, the benchmark) or
several crawls at once (`nianbao demo --workers N`, the frontier tests) needs a fresh one each time; a
child can also be killed at any moment without taking the caller down, which is how the resume test
interrupts it. Progress and the end totals arrive as JSON lines on the child's stdout.
`nianbao crawl` needs none of this: it crawls once, in its own process (crawler/main.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from crawler.options import LOOPBACK_SETTINGS, CrawlOptions

REPO_ROOT = Path(__file__).resolve().parents[1]


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


def command(options: CrawlOptions) -> list[str]:
    """The child's command line: the options as JSON, with progress as JSON lines on stdout, and
    politeness relaxed when a host map sends the crawl to loopback fixture portals (never for real hosts)."""
    settings = {**(LOOPBACK_SETTINGS if options.host_map else {}), **options.settings, "NIANBAO_PROGRESS_JSON": True}
    return [sys.executable, "-m", "crawler.main", replace(options, settings=settings).to_json()]


def spawn(cmd: list[str], **popen: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, text=True, encoding="utf-8", **popen)


def crawl(options: CrawlOptions, *, progress: Callable[[dict[str, Any]], None] | None = None,
          timeout: float | None = None) -> CrawlStats:
    """Crawl as options say, in a child process, and return the totals.

    progress, if given, is called with the running totals (pages, reports, attachments, errors,
    blocked, requests, elapsed) about once a second.
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        child = spawn(command(options), stdout=subprocess.PIPE, stderr=err)
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
