"""The shared crawl frontier in Redis: one request queue per host, one seen-set, host leases, task leases.

Why this shape (`nianbao crawl --frontier redis://…` on any number of machines):

* Requests wait in one sorted set per host (`P:q:<host>`, score = -priority, member = a 16-hex-digit
  sequence number + the request as scrapy-redis serialises it, so equal priorities pop first-in first-out).
  `P:hosts` lists the hosts with requests waiting.
* Politeness is held by giving each host to one worker at a time: a lease, the host's field in `P:leases`
  ("worker expiry", by the Redis server's clock, renewed while held). The holder's own Scrapy downloader then
  enforces 2 in flight, the delay, AutoThrottle and Retry-After for that host, and no other worker talks to
  it. When the holder lets go it leaves the host's next allowed time (`P:notbefore`) and its raised delay
  (`P:delay`) behind.
* A popped request is not gone: the pop moves it, in one Lua script, into the worker's `P:taken:<worker>`
  hash, and only the end of its processing (its follow-up requests queued, its report archived) deletes
  it there. A worker's liveness is a key with an expiry (`P:alive:<worker>`, renewed by a heartbeat): a
  killed worker's taken requests go back to their queues when it restarts under the same id, or when any
  other worker finds its heartbeat gone. This is Redis' reliable-queue pattern (an atomic move into a
  per-consumer processing structure plus a lease), with sorted sets because requests have priorities.
* The seen-set is scrapy-redis' dupefilter set (`P:seen`, its fingerprints); adding a fingerprint and
  queueing the request happen in the same script, so a kill between the two cannot leave a request
  marked seen and never queued.

Every multi-key step is a Lua script, so Redis runs it atomically, and a script touches only the keys it
is given (Redis' rule for scripts: a lease is a field of one hash, not a key per host; the requeue is told
the queues it writes). The keys of one crawl share a prefix (`NIANBAO_FRONTIER_KEY`, default `nianbao`) in
braces, `{nianbao}:…`, which `nianbao frontier --clear` removes: a Redis Cluster hash tag, so the whole crawl
lives in one slot and a cluster serves it like one server (`connect` picks the cluster client).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis

_PUSH = """
if ARGV[1] ~= '' then
  if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
end
local id = redis.call('INCR', KEYS[4])
redis.call('ZADD', KEYS[2], ARGV[2], string.format('%016x', id) .. ARGV[3])
redis.call('ZADD', KEYS[3], 'NX', 0, ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[5], ARGV[5], ARGV[6]) end
return 1
"""

_POP = """
local r = redis.call('ZPOPMIN', KEYS[1])
if #r == 0 then redis.call('ZREM', KEYS[3], ARGV[1]) return false end
local id = string.sub(r[1], 1, 16)
redis.call('HSET', KEYS[2], id, ARGV[1] .. '\\n' .. r[2] .. '\\n' .. r[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('ZREM', KEYS[3], ARGV[1]) end
return {id, string.sub(r[1], 17)}
"""

# Give a worker's taken requests back to their hosts' queues, unless it is alive (ARGV[2] = '1': even then:
# the worker itself, restarting under its old id).
# Give a worker's taken requests back to their hosts' queues, unless it is alive (ARGV[1] = '1': even then:
# the worker itself, restarting under its old id). KEYS[4…] are the queues of the hosts ARGV[2…] (the caller
# read them from the taken hash first); an entry of another host stays, and is counted in the second answer.
_REQUEUE = """
if ARGV[1] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return {-1, 0} end
local queue = {}
for i = 2, #ARGV do queue[ARGV[i]] = KEYS[i + 2] end
local moved, left = 0, 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local v = all[i + 1]
  local a = string.find(v, '\\n', 1, true)
  local b = string.find(v, '\\n', a + 1, true)
  local host = string.sub(v, 1, a - 1)
  if queue[host] then
    redis.call('ZADD', queue[host], tonumber(string.sub(v, a + 1, b - 1)), string.sub(v, b + 1))
    redis.call('ZADD', KEYS[3], 'NX', 0, host)
    redis.call('HDEL', KEYS[2], all[i])
    moved = moved + 1
  else
    left = left + 1
  end
end
return {moved, left}
"""

# Host leases are fields of one hash (KEYS[3]: host → "worker expiry-ms", by the server's clock), so that a
# script touches only the keys it is given. The holder of a host, or false when nobody holds it now.
_HOLDER = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function holder(leases, host)
  local v = redis.call('HGET', leases, host)
  if not v then return false end
  local sp = string.find(v, ' ', 1, true)
  if tonumber(string.sub(v, sp + 1)) <= now then return false end
  return string.sub(v, 1, sp - 1)
end
"""

# Lease one host: the candidates given, else a random sample of the hosts with requests waiting; never
# ARGV[4] (a host this worker just gave up for its turn, so that another worker gets it).
_ACQUIRE = _HOLDER + """
local hosts = {}
if #ARGV > 4 then
  for i = 5, #ARGV do hosts[#hosts + 1] = ARGV[i] end
else
  hosts = redis.call('ZRANDMEMBER', KEYS[1], 64)
end
for _, h in ipairs(hosts) do
  local nb = tonumber(redis.call('HGET', KEYS[2], h) or '0')
  if h ~= ARGV[4] and nb <= tonumber(ARGV[3]) then
    local who = holder(KEYS[3], h)
    if who == ARGV[1] then return h end
    if not who then
      redis.call('HSET', KEYS[3], h, ARGV[1] .. ' ' .. (now + tonumber(ARGV[2])))
      return h
    end
  end
end
return false
"""

_RELEASE = _HOLDER + """
if holder(KEYS[1], ARGV[2]) == ARGV[1] then
  redis.call('HDEL', KEYS[1], ARGV[2])
  if tonumber(ARGV[3]) > 0 then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
  return 1
end
return 0
"""

# Renew the leases of the hosts ARGV[3…] that ARGV[1] holds.
_RENEW = _HOLDER + """
local n = 0
for i = 3, #ARGV do
  if holder(KEYS[1], ARGV[i]) == ARGV[1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1] .. ' ' .. (now + tonumber(ARGV[2])))
    n = n + 1
  end
end
return n
"""

# Drop every lease ARGV[1] holds (a worker restarting under its old id), and the expired ones on the way.
_DROP_LEASES = _HOLDER + """
local n = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local who = holder(KEYS[1], all[i])
  if who == ARGV[1] or not who then redis.call('HDEL', KEYS[1], all[i]) n = n + 1 end
end
return n
"""

# The hosts leased now, as {host, holder, …}, by the server's clock.
_LEASED = _HOLDER + """
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local who = holder(KEYS[1], all[i])
  if who then out[#out + 1] = all[i] out[#out + 1] = who end
end
return out
"""


def as_text(value: Any) -> str:
    """A Redis reply as text (redis-py answers bytes unless asked to decode)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def glob_escape(text: str) -> str:
    """text matched literally by SCAN's MATCH (its glob knows * ? [ ] and \\)."""
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


def now_ms() -> int:
    return int(time.time() * 1000)


def connect(url: str) -> redis.Redis:
    """A client for the frontier's Redis: a Redis Cluster's own client when the server says it is one of a
    cluster (a crawl's keys share one hash slot, so its scripts run on one node), else a plain one."""
    client = redis.Redis.from_url(url)
    try:
        enabled = client.info("cluster").get("cluster_enabled")
    except (redis.RedisError, OSError):
        return client  # unreachable now: the first command says so where it is used
    if not enabled:
        return client
    client.close()
    from redis.cluster import RedisCluster

    # The commands used here are the same on both clients (RedisCluster is not a subclass of Redis).
    return RedisCluster.from_url(url)  # type: ignore[return-value]


def reach_frontier(url: str) -> None:
    """Say now, in one line, that the frontier's Redis cannot be reached (ValueError), not from inside the crawl."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, OSError) as exc:
        raise ValueError(f"--frontier {url}: cannot reach Redis: {exc}") from None


@dataclass
class WorkerState:
    """One worker as `nianbao frontier` shows it."""

    worker: str
    alive: bool
    in_flight: int
    hosts: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class FrontierStatus:
    queued: int
    hosts_queued: int
    seen: int
    workers: list[WorkerState]
    blocked: dict[str, str]
    leased: dict[str, str]

    @property
    def finished(self) -> bool:
        return self.queued == 0 and not any(w.in_flight for w in self.workers)


class Frontier:
    """The Redis side of the frontier: keys and atomic steps, nothing of Scrapy (also used by the CLI)."""

    def __init__(self, url: str, prefix: str = "nianbao") -> None:
        self.url = url
        self.redis: redis.Redis = connect(url)
        self.prefix = prefix
        self._push = self.redis.register_script(_PUSH)
        self._pop = self.redis.register_script(_POP)
        self._requeue = self.redis.register_script(_REQUEUE)
        self._acquire = self.redis.register_script(_ACQUIRE)
        self._release = self.redis.register_script(_RELEASE)
        self._renew = self.redis.register_script(_RENEW)
        self._drop_leases = self.redis.register_script(_DROP_LEASES)
        self._leased = self.redis.register_script(_LEASED)

    # --- keys ---------------------------------------------------------------------------------------
    def key(self, *parts: str) -> str:
        """`{prefix}:part:…`: the braces are a Redis Cluster hash tag, so every key of one crawl is in one
        slot and each script's keys live on one node."""
        return ":".join((f"{{{self.prefix}}}", *parts))

    @property
    def seen_key(self) -> str:
        return self.key("seen")

    # --- requests -----------------------------------------------------------------------------------
    def push(self, host: str, payload: bytes, *, priority: int = 0, fingerprint: str = "", seen_key: str = "",
             report: tuple[str, str] | None = None) -> bool:
        """Queue a request for host, unless its fingerprint is already in seen_key (then False). report:
        (page, value) written to the shared report map in the same step (see crawler/shared_state.py)."""
        page, value = report or ("", "")
        keys = [seen_key or self.seen_key, self.key("q", host), self.key("hosts"), self.key("seq"),
                self.key("state", "seen_reports")]
        return bool(self._push(keys=keys, args=[fingerprint, -priority, payload, host, page, value]))

    def pop(self, host: str, worker: str) -> tuple[str, bytes] | None:
        """The next request of host, now taken by worker: (task id, payload)."""
        got = self._pop(keys=[self.key("q", host), self.key("taken", worker), self.key("hosts")], args=[host])
        if not got:
            return None
        task, payload = got
        return as_text(task), bytes(payload)

    def ack(self, worker: str, task: str) -> None:
        """The taken request is done: its follow-ups are queued and its report archived."""
        self.redis.hdel(self.key("taken", worker), task)

    def requeue(self, worker: str, *, own: bool = False) -> int:
        """Give worker's taken requests back to the queues (-1: it is alive and not own). The script is told
        the queues it may write (their hosts read from the taken hash just before); it moves what it was
        told of, so a round that finds more (the hash changed between the two) runs again."""
        total = 0
        for _ in range(10):
            taken = self.redis.hvals(self.key("taken", worker))
            # each value: the host, then a pickled request (not text)
            hosts = sorted({(v if isinstance(v, bytes) else v.encode()).split(b"\n", 1)[0].decode() for v in taken})
            moved, left = self._requeue(
                keys=[self.key("alive", worker), self.key("taken", worker), self.key("hosts"),
                      *(self.key("q", h) for h in hosts)], args=["1" if own else "0", *hosts])
            if int(moved) < 0:
                return -1
            total += int(moved)
            if not int(left):
                return total
        raise redis.RedisError(f"the taken requests of {worker} kept changing while being given back")

    # --- workers ------------------------------------------------------------------------------------
    def register(self, worker: str, ttl_ms: int, info: dict[str, Any]) -> int:
        """A worker starts: announce it and take back what an earlier run under the same id left taken."""
        self.redis.hset(self.key("workers"), worker, json.dumps(info, ensure_ascii=False))
        self.redis.set(self.key("alive", worker), "1", px=ttl_ms)
        self._drop_leases(keys=[self.key("leases")], args=[worker])
        return self.requeue(worker, own=True)

    def heartbeat(self, worker: str, ttl_ms: int, hosts: Iterable[str]) -> None:
        self.redis.set(self.key("alive", worker), "1", px=ttl_ms)
        self._renew(keys=[self.key("leases")], args=[worker, ttl_ms, *hosts])

    def reap(self, me: str) -> int:
        """Requeue the taken requests of every worker whose heartbeat has run out. Returns how many."""
        n = 0
        for raw in self.redis.hkeys(self.key("workers")):
            worker = as_text(raw)
            if worker != me:
                moved = self.requeue(worker)
                if moved >= 0:
                    n += moved
                    self.redis.hdel(self.key("workers"), worker)
        return n

    def unregister(self, worker: str) -> None:
        self.redis.delete(self.key("alive", worker))
        self.redis.hdel(self.key("workers"), worker)

    def workers_alive(self) -> int:
        return sum(1 for w in self.redis.hkeys(self.key("workers"))
                   if self.redis.exists(self.key("alive", as_text(w))))

    def others_busy(self, me: str) -> bool:
        """Does another worker (alive, or dead and not yet reaped) hold taken requests?"""
        return any(self.redis.hlen(self.key("taken", as_text(w))) for w in self.redis.hkeys(self.key("workers"))
                   if as_text(w) != me)

    # --- hosts --------------------------------------------------------------------------------------
    def hosts_waiting(self) -> int:
        return int(self.redis.zcard(self.key("hosts")))

    def acquire(self, worker: str, ttl_ms: int, candidates: Iterable[str] = (), avoid: str = "") -> str | None:
        got = self._acquire(keys=[self.key("hosts"), self.key("notbefore"), self.key("leases")],
                            args=[worker, ttl_ms, now_ms(), avoid, *candidates])
        return as_text(got) if got else None

    def release(self, worker: str, host: str, *, not_before_ms: int = 0, delay: float | None = None) -> None:
        self._release(keys=[self.key("leases"), self.key("notbefore")], args=[worker, host, not_before_ms])
        if delay is not None:
            self.redis.hset(self.key("delay"), host, repr(delay))

    def delays(self) -> dict[str, float]:
        return {as_text(k): float(v) for k, v in self.redis.hgetall(self.key("delay")).items()}

    # --- state for the operator ---------------------------------------------------------------------
    def status(self) -> FrontierStatus:
        hosts = [as_text(h) for h in self.redis.zrange(self.key("hosts"), 0, -1)]
        queued = sum(int(self.redis.zcard(self.key("q", h))) for h in hosts)
        flat = [as_text(v) for v in self._leased(keys=[self.key("leases")])]
        leased = dict(zip(flat[::2], flat[1::2], strict=True))
        workers = []
        for raw, info in sorted(self.redis.hgetall(self.key("workers")).items()):
            w = as_text(raw)
            workers.append(WorkerState(w, bool(self.redis.exists(self.key("alive", w))),
                                       int(self.redis.hlen(self.key("taken", w))),
                                       sorted(h for h, holder in leased.items() if holder == w), json.loads(info)))
        blocked = {as_text(k): as_text(v) for k, v in self.redis.hgetall(self.key("state", "blocked")).items()}
        return FrontierStatus(queued, len(hosts), int(self.redis.scard(self.seen_key)), workers, blocked, leased)

    def clear(self) -> int:
        """Delete every key of this crawl (its queue, seen-set, leases and shared state). Returns how many."""
        keys = list(self.redis.scan_iter(match=glob_escape(self.key()) + ":*", count=1000))
        for i in range(0, len(keys), 500):
            self.redis.delete(*keys[i:i + 500])
        return len(keys)
