"""The demo site as a reader meets it, for the browser tests: `nianbao demo --no-serve` builds the archive from
the fixture portals and the samples, `nianbao serve` serves it on a free loopback port.

tests/conftest.py's session fixture `demo_site` builds it once per worker; the browser modules share the
xdist group `demo_site` so one worker (`--dist loadgroup`) builds it once for all of them.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None,
                                    reason="Debian's chromium is not installed (scripts/apt-packages.txt lists it)")


@dataclass(frozen=True)
class DemoSite:
    db: Path
    url: str
    build_log: str  # the demo command's stderr (its summary lines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nianbao(*args: str) -> list[str]:
    return [sys.executable, "-m", "nianbao.cli", *args]


def build_demo(db: Path) -> str:
    built = subprocess.run(nianbao("demo", "--no-serve", "--db", str(db)), cwd=ROOT, capture_output=True,
                           text=True, timeout=400)
    assert built.returncode == 0, built.stderr[-3000:]
    return built.stderr


@contextmanager
def served(db: Path) -> Iterator[str]:
    """`nianbao serve` on a free port until the block ends; its URL once it answers."""
    port = free_port()
    server = subprocess.Popen(nianbao("serve", "--db", str(db), "--port", str(port)), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/versions.json", timeout=2):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "nianbao serve did not start"
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
