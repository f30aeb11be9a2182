"""What the browser tests share: Debian's Chromium, the demo archive served for real, console errors.

The site is the README's main command for real: `nianbao demo --no-serve` crawls the fixture portals
and archives the samples, then `nianbao serve` serves that file (made once per test session by the
`demo_site` fixture of tests/conftest.py; the browser modules share an xdist group so one worker makes
it). Screenshots go to test-artifacts/browser/ (gitignored) so a failing CI run can be looked at.
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
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
MARKS = [pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None,
                            reason="Debian's chromium is not installed (scripts/apt-packages.txt lists it)"),
         pytest.mark.timeout(600), pytest.mark.e2e, pytest.mark.xdist_group("browser")]


@dataclass(frozen=True)
class DemoSite:
    url: str  # http://127.0.0.1:PORT, the archive under /nianbao
    db: Path
    log: str  # what `nianbao demo` printed on stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nianbao(*args: str) -> list[str]:
    return [sys.executable, "-m", "nianbao.cli", *args]


@contextmanager
def serve_demo(directory: Path) -> Iterator[DemoSite]:
    """Build the demo archive in directory and serve it until the block ends."""
    db = directory / "nianbao.db"
    built = subprocess.run(nianbao("demo", "--no-serve", "--db", str(db)), cwd=ROOT, capture_output=True,
                           text=True, timeout=400)
    assert built.returncode == 0, built.stderr[-3000:]
    port = free_port()
    server = subprocess.Popen(nianbao("serve", "--db", str(db), "--port", str(port)), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/versions.json", timeout=2):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "nianbao serve did not start"
                time.sleep(0.2)
        yield DemoSite(url, db, built.stderr)
    finally:
        server.terminate()
        server.wait(timeout=10)


def watch_console(page: Any) -> list[str]:
    """Every JavaScript error the page logs or throws, collected as it happens."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def no_sideways_scroll(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at a {width} px viewport"
