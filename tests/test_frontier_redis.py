"""The Redis side of the shared frontier (crawler/frontier.py) against a real redis-server, and against a real
Redis Cluster of three nodes: queueing with the seen-set, taking and acknowledging, a dead worker's requests
given back, host leases held by one worker, the operator's command."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.frontier import Frontier
from crawler.testing.redisd import RedisClusterServers, RedisServer, running_redis, running_redis_cluster

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module", params=["server", "cluster"])
def server(request: pytest.FixtureRequest) -> Iterator[RedisServer | RedisClusterServers]:
    """One redis-server; then a cluster, where a script may touch only keys of the slot it was sent to."""
    with running_redis() if request.param == "server" else running_redis_cluster() as srv:
        yield srv


def test_a_crawls_keys_share_one_cluster_slot(server: RedisServer | RedisClusterServers) -> None:
    from redis.cluster import RedisCluster, key_slot

    frontier = Frontier(server.url, prefix="t")
    assert isinstance(frontier.redis, RedisCluster) == isinstance(server, RedisClusterServers)
    keys = [frontier.key("q", "a.gov.cn"), frontier.key("q", "b.gov.cn"), frontier.key("leases"), frontier.seen_key,
            frontier.key("taken", "w1"), frontier.key("state", "seen_reports")]
    assert len({key_slot(k.encode()) for k in keys}) == 1


@pytest.fixture
def frontier(server: RedisServer) -> Iterator[Frontier]:
    f = Frontier(server.url, prefix="t")
    f.clear()
    yield f
    f.clear()


def test_the_server_runs_without_persistence(server: RedisServer | RedisClusterServers) -> None:
    import redis

    config = redis.Redis.from_url(server.url).config_get("save")
    assert config["save"] == "" and redis.Redis.from_url(server.url).config_get("appendonly")["appendonly"] == "no"


def test_seen_requests_are_queued_once_and_pop_in_priority_then_arrival_order(frontier: Frontier) -> None:
    assert frontier.push("a.gov.cn", b"first", fingerprint="f1")
    assert not frontier.push("a.gov.cn", b"first again", fingerprint="f1"), "the seen-set drops a repeat"
    assert frontier.push("a.gov.cn", b"second", fingerprint="f2")
    assert frontier.push("a.gov.cn", b"urgent", fingerprint="f3", priority=5)
    assert frontier.push("a.gov.cn", b"unfiltered")  # dont_filter: no fingerprint
    assert frontier.push("a.gov.cn", b"unfiltered")
    got = [frontier.pop("a.gov.cn", "w1") for _ in range(6)]
    assert [g[1] for g in got if g] == [b"urgent", b"first", b"second", b"unfiltered", b"unfiltered"]
    assert got[-1] is None and frontier.hosts_waiting() == 0, "an empty host leaves the waiting list"


def test_taken_requests_come_back_when_their_worker_dies(frontier: Frontier) -> None:
    frontier.register("w1", 300, {})
    frontier.register("w2", 60_000, {})
    for n in range(3):
        frontier.push("a.gov.cn", f"r{n}\x80\n".encode("latin-1"))  # a pickled request is not text
    taken = [frontier.pop("a.gov.cn", "w1") for _ in range(3)]
    assert all(taken)
    frontier.ack("w1", taken[0][0])  # type: ignore[index]
    assert frontier.status().workers[0].in_flight == 2
    assert frontier.reap("w2") == 0, "w1 is alive: nothing is taken from it"
    assert frontier.others_busy("w2")
    time.sleep(0.4)  # w1's heartbeat key expires
    assert frontier.reap("w2") == 2
    back = sorted(frontier.pop("a.gov.cn", "w2")[1] for _ in range(2))  # type: ignore[index]
    assert back == [b"r1\x80\n", b"r2\x80\n"] and frontier.pop("a.gov.cn", "w2") is None
    assert not frontier.others_busy("w2")


def test_a_restarted_worker_takes_back_its_own(frontier: Frontier) -> None:
    frontier.register("w1", 60_000, {})
    frontier.push("a.gov.cn", b"r")
    assert frontier.pop("a.gov.cn", "w1")
    assert frontier.register("w1", 60_000, {}) == 1, "the new run under the same id requeues at once"
    assert frontier.pop("a.gov.cn", "w1") is not None


def test_a_host_is_leased_to_one_worker_at_a_time_and_waits_out_its_delay(frontier: Frontier) -> None:
    frontier.push("a.gov.cn", b"r")
    assert frontier.acquire("w1", 60_000) == "a.gov.cn"
    assert frontier.acquire("w2", 60_000) is None
    assert frontier.acquire("w2", 60_000, ["a.gov.cn"]) is None
    frontier.release("w2", "a.gov.cn")  # not its lease: no effect
    assert frontier.acquire("w2", 60_000) is None
    frontier.release("w1", "a.gov.cn", not_before_ms=int(time.time() * 1000) + 300, delay=4.0)
    assert frontier.acquire("w2", 60_000) is None, "the host's next allowed time holds for the next worker"
    time.sleep(0.35)
    assert frontier.acquire("w2", 60_000) == "a.gov.cn"
    assert frontier.delays() == {"a.gov.cn": 4.0}
    assert frontier.status().leased == {"a.gov.cn": "w2"}


def test_a_lease_runs_out_when_its_holder_stops_renewing(frontier: Frontier) -> None:
    frontier.push("a.gov.cn", b"r")
    assert frontier.acquire("w1", 200) == "a.gov.cn"
    frontier.heartbeat("w1", 200, ["a.gov.cn"])
    assert frontier.acquire("w2", 200) is None
    time.sleep(0.3)
    assert frontier.acquire("w2", 200) == "a.gov.cn"


def test_clear_removes_the_crawl_and_only_it(frontier: Frontier, server: RedisServer | RedisClusterServers) -> None:
    other = Frontier(server.url, prefix="other")
    other.push("b.gov.cn", b"x")
    frontier.push("a.gov.cn", b"r", fingerprint="f")
    assert frontier.clear() >= 3
    assert frontier.status().queued == 0 and frontier.status().seen == 0
    assert other.status().queued == 1
    other.clear()


def nianbao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])


def test_the_frontier_command_shows_queue_workers_leases_blocked_and_clears(frontier: Frontier,
                                                                           server: RedisServer | RedisClusterServers
                                                                           ) -> None:
    from crawler.shared_state import RedisHostSet

    frontier.register("alpha:part-1", 60_000, {"db": "part-1.db"})
    for n in range(3):
        frontier.push("a.gov.cn", f"r{n}".encode(), fingerprint=f"f{n}")
    frontier.push("b.gov.cn", b"s", fingerprint="g")
    assert frontier.acquire("alpha:part-1", 60_000, ["a.gov.cn"]) == "a.gov.cn"
    assert frontier.pop("a.gov.cn", "alpha:part-1")
    RedisHostSet(frontier.redis, frontier.key("state", "blocked"), "alpha:part-1").add("walled.gov.cn")
    shown = nianbao("frontier", "--frontier", server.url, "--key", "t")
    assert shown.returncode == 0, shown.stderr
    assert "3 requests queued over 2 hosts, 4 requests seen, 1 hosts leased" in shown.stdout
    row = next(line for line in shown.stdout.splitlines() if line.startswith("alpha:part-1"))
    assert row.split()[1:4] == ["yes", "1", "1:"] and "a.gov.cn" in row
    assert "walled.gov.cn: alpha:part-1" in shown.stdout
    state = json.loads(nianbao("frontier", "--frontier", server.url, "--key", "t", "--json").stdout)
    assert state["workers"][0]["in_flight"] == 1 and state["leased"] == {"a.gov.cn": "alpha:part-1"}
    refused = nianbao("frontier", "--frontier", server.url, "--key", "t", "--clear")
    assert refused.returncode == 2 and "not clearing a running crawl" in refused.stderr
    cleared = nianbao("frontier", "--frontier", server.url, "--key", "t", "--clear", "--force")
    assert cleared.returncode == 0 and frontier.status().queued == 0 and not frontier.status().workers


def test_the_frontier_command_says_when_redis_is_not_there() -> None:
    done = nianbao("frontier", "--frontier", "redis://127.0.0.1:1/0")
    assert done.returncode == 2 and "nianbao: frontier redis://127.0.0.1:1/0:" in done.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["--shard", "1/2", "--frontier", "redis://127.0.0.1:6379/0"], "exclude each other"),
    (["--frontier", "http://127.0.0.1:6379/0"], "give a Redis URL"),
    (["--frontier", "redis://127.0.0.1:1/0"], "cannot reach Redis"),
])
def test_crawl_refuses_a_frontier_it_cannot_use(tmp_path: Path, args: list[str], says: str) -> None:
    done = nianbao("crawl", "http://www.x.gov.cn/", "--db", str(tmp_path / "x.db"), *args)
    assert done.returncode == 2 and says in done.stderr
