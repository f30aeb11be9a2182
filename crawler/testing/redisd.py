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

    def __init__(self, process: subprocess.Popen[bytes], port: int, workdir: str, bus_port: int | None = None) -> None:
        self.process, self.port, self.workdir = process, port, workdir
        self.bus_port = bus_port  # a cluster node's bus

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


def start_redis(attempts: int = 5, *, cluster: bool = False) -> RedisServer:
    """A redis-server on a free loopback port; with `cluster`, a node of a Redis Cluster (its bus on a second
    free port) that `start_redis_cluster` joins to others."""
    # Debian installs it in /usr/bin, which a minimal PATH (cron, systemd) may lack.
    binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")
    if binary is None:
        raise RedisUnavailable("redis-server not found: install the Debian package redis-server (make setup does)")
    for _ in range(attempts):
        port = _free_port()
        workdir = tempfile.mkdtemp(prefix="nianbao-redis-")
        bus = _free_port() if cluster else None
        node = ["--cluster-enabled", "yes", "--cluster-port", str(bus), "--cluster-config-file",
                f"{workdir}/nodes.conf"] if cluster else []
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                 "no", "--dir", workdir, "--protected-mode", "yes", "--loglevel", "warning", *node],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        server = RedisServer(proc, port, workdir, bus)
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


SLOTS = 16384


class RedisClusterServers:
    """Redis Cluster nodes, each a redis-server of its own holding a share of the hash slots."""

    def __init__(self, nodes: list[RedisServer]) -> None:
        self.nodes = nodes

    @property
    def url(self) -> str:
        """Any node's URL: a cluster client learns the others from it."""
        return self.nodes[0].url

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def start_redis_cluster(nodes: int = 3, timeout: float = 30.0) -> RedisClusterServers:
    """`nodes` cluster nodes on loopback, the slots split between them, introduced to each other (CLUSTER
    ADDSLOTSRANGE and MEET, what `redis-cli --cluster create` does), returned once every node says ok."""
    servers: list[RedisServer] = []
    try:
        for _ in range(nodes):
            servers.append(start_redis(cluster=True))
        clients = [redis.Redis(port=s.port, socket_timeout=5) for s in servers]
        for k, client in enumerate(clients):
            client.execute_command("CLUSTER", "ADDSLOTSRANGE", SLOTS * k // nodes, SLOTS * (k + 1) // nodes - 1)
        for client in clients[1:]:
            client.execute_command("CLUSTER", "MEET", "127.0.0.1", servers[0].port, servers[0].bus_port)
        deadline = time.monotonic() + timeout
        while not all(c.execute_command("CLUSTER", "INFO").decode().find("cluster_state:ok") >= 0 for c in clients):
            if time.monotonic() > deadline:
                raise RedisUnavailable(f"the {nodes} Redis Cluster nodes did not agree within {timeout:g} s")
            time.sleep(0.1)
        for client in clients:
            client.close()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return RedisClusterServers(servers)


@contextlib.contextmanager
def running_redis_cluster(nodes: int = 3) -> Iterator[RedisClusterServers]:
    """A Redis Cluster of `nodes` for the duration of the block."""
    cluster = start_redis_cluster(nodes)
    try:
        yield cluster
    finally:
        cluster.stop()
