"""A real `redis-server` on a free loopback port, without persistence, for the tests and `nianbao demo --workers`.

Why a real server and not a fake: the frontier is Lua scripts, expiring keys and ZPOPMIN/ZRANDMEMBER;
only Redis itself says they behave. redis-server needs an explicit port, so one is picked free first
(and picked again if another process took it before the server bound it).
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import redis


class RedisUnavailable(RuntimeError):
    """redis-server is not installed (Debian: `redis-server`, listed in scripts/apt-packages.txt)."""


def _die_with_parent() -> None:
    """In the child before exec (Linux): end redis-server when the process that started it ends, even by a
    SIGKILL or a test timeout, so no server outlives its test."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One redis-server process: `url` for clients, `stop()` ends it."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, workdir: str) -> None:
        self.process, self.port, self.workdir = process, port, workdir

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_redis(attempts: int = 5) -> RedisServer:
    # Debian installs it in /usr/bin, which a minimal PATH (cron, systemd) may lack.
    binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")
    if binary is None:
        raise RedisUnavailable("redis-server not found: install the Debian package redis-server (make setup does)")
    for _ in range(attempts):
        port = _free_port()
        workdir = tempfile.mkdtemp(prefix="nianbao-redis-")
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                 "no", "--dir", workdir, "--protected-mode", "yes", "--loglevel", "warning"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        server = RedisServer(proc, port, workdir)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if redis.Redis(port=port, socket_timeout=1).ping():
                    return server
            except redis.ConnectionError:
                time.sleep(0.05)
        server.stop()  # the port was taken meanwhile, or the server did not come up: another port
    raise RedisUnavailable(f"redis-server did not start on a free port in {attempts} attempts")


@contextlib.contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A redis-server for the duration of the block."""
    server = start_redis()
    try:
        yield server
    finally:
        server.stop()
