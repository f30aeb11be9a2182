"""The shared crawl frontier in Redis: one request queue per host, one seen-set, host leases, task leases.

Why this shape (`nianbao crawl --frontier redis://…` on any number of machines):

* Requests wait in one sorted set per host (`P:q:<host>`, score = -priority, member = a 16-hex-digit
  sequence number + the request as scrapy-redis serialises it, so equal priorities pop first-in first-out).
  `P:hosts` lists the hosts with requests waiting.
* Politeness is held by giving each host to one worker at a time: a lease `P:lease:<host>` (SET NX PX,
  renewed while held). The holder's own Scrapy downloader then enforces 2 in flight, the delay,
  AutoThrottle and Retry-After for that host, and no other worker talks to it. When the holder lets go
  it leaves the host's next allowed time (`P:notbefore`) and its raised delay (`P:delay`) behind.
* A popped request is not gone: the pop moves it, in one Lua script, into the worker's `P:taken:<worker>`
  hash, and only the end of its processing (its follow-up requests queued, its report archived) deletes
  it there. A worker's liveness is a key with an expiry (`P:alive:<worker>`, renewed by a heartbeat): a
  killed worker's taken requests go back to their queues when it restarts under the same id, or when any
  other worker finds its heartbeat gone. This is Redis' reliable-queue pattern (an atomic move into a
  per-consumer processing structure plus a lease), with sorted sets because requests have priorities.
* The seen-set is scrapy-redis' dupefilter set (`P:seen`, its fingerprints); adding a fingerprint and
  queueing the request happen in the same script, so a kill between the two cannot leave a request
  marked seen and never queued.

Every multi-key step is a Lua script, so Redis runs it atomically; the keys of one crawl share a prefix
(`NIANBAO_FRONTIER_KEY`, default `nianbao`), which `nianbao frontier --clear` removes.
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
_REQUEUE = """
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local n = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 2, #all, 2 do
  local v = all[i]
  local a = string.find(v, '\\n', 1, true)
  local b = string.find(v, '\\n', a + 1, true)
  local host = string.sub(v, 1, a - 1)
  redis.call('ZADD', ARGV[1] .. host, tonumber(string.sub(v, a + 1, b - 1)), string.sub(v, b + 1))
  redis.call('ZADD', KEYS[3], 'NX', 0, host)
  n = n + 1
end
redis.call('DEL', KEYS[2])
return n
"""

# Lease one host: the candidates given, else a random sample of the hosts with requests waiting; never
# ARGV[5] (a host this worker just gave up for its turn, so that another worker gets it).
_ACQUIRE = """
local hosts = {}
if #ARGV > 5 then
  for i = 6, #ARGV do hosts[#hosts + 1] = ARGV[i] end
else
  hosts = redis.call('ZRANDMEMBER', KEYS[1], 64)
end
for _, h in ipairs(hosts) do
  local nb = tonumber(redis.call('HGET', KEYS[2], h) or '0')
  if h ~= ARGV[5] and nb <= tonumber(ARGV[4]) then
    local holder = redis.call('GET', ARGV[1] .. h)
    if holder == ARGV[2] then return h end
    if not holder and redis.call('SET', ARGV[1] .. h, ARGV[2], 'NX', 'PX', ARGV[3]) then return h end
  end
end
return false
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if tonumber(ARGV[3]) > 0 then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
  return 1
end
return 0
"""

_RENEW = """
local n = 0
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('PEXPIRE', k, ARGV[2]) n = n + 1 end
end
return n
"""


def as_text(value: Any) -> str:
    """A Redis reply as text (redis-py answers bytes unless asked to decode)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def now_ms() -> int:
    return int(time.time() * 1000)


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
        self.redis: redis.Redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self._push = self.redis.register_script(_PUSH)
        self._pop = self.redis.register_script(_POP)
        self._requeue = self.redis.register_script(_REQUEUE)
        self._acquire = self.redis.register_script(_ACQUIRE)
        self._release = self.redis.register_script(_RELEASE)
        self._renew = self.redis.register_script(_RENEW)

    # --- keys ---------------------------------------------------------------------------------------
    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

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
        """Give worker's taken requests back to the queues (-1: it is alive and not own)."""
        return int(self._requeue(keys=[self.key("alive", worker), self.key("taken", worker), self.key("hosts")],
                                 args=[self.key("q", ""), "1" if own else "0"]))

    # --- workers ------------------------------------------------------------------------------------
    def register(self, worker: str, ttl_ms: int, info: dict[str, Any]) -> int:
        """A worker starts: announce it and take back what an earlier run under the same id left taken."""
        self.redis.hset(self.key("workers"), worker, json.dumps(info, ensure_ascii=False))
        self.redis.set(self.key("alive", worker), "1", px=ttl_ms)
        stale = [as_text(k) for k in self.redis.scan_iter(match=self.key("lease", "*"))
                 if self.redis.get(k) == worker.encode()]
        if stale:
            self.redis.delete(*stale)
        return self.requeue(worker, own=True)

    def heartbeat(self, worker: str, ttl_ms: int, hosts: Iterable[str]) -> None:
        self.redis.set(self.key("alive", worker), "1", px=ttl_ms)
        keys = [self.key("lease", h) for h in hosts]
        if keys:
            self._renew(keys=keys, args=[worker, ttl_ms])

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
        got = self._acquire(keys=[self.key("hosts"), self.key("notbefore")],
                            args=[self.key("lease", ""), worker, ttl_ms, now_ms(), avoid, *candidates])
        return as_text(got) if got else None

    def release(self, worker: str, host: str, *, not_before_ms: int = 0, delay: float | None = None) -> None:
        self._release(keys=[self.key("lease", host), self.key("notbefore")], args=[worker, host, not_before_ms])
        if delay is not None:
            self.redis.hset(self.key("delay"), host, repr(delay))

    def delays(self) -> dict[str, float]:
        return {as_text(k): float(v) for k, v in self.redis.hgetall(self.key("delay")).items()}

    # --- state for the operator ---------------------------------------------------------------------
    def status(self) -> FrontierStatus:
        hosts = [as_text(h) for h in self.redis.zrange(self.key("hosts"), 0, -1)]
        queued = sum(int(self.redis.zcard(self.key("q", h))) for h in hosts)
        leased: dict[str, str] = {}
        for k in self.redis.scan_iter(match=self.key("lease", "*")):
            holder = self.redis.get(k)
            if holder:
                leased[as_text(k)[len(self.key("lease", "")):]] = as_text(holder)
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
        keys = list(self.redis.scan_iter(match=self.key("*"), count=1000))
        for i in range(0, len(keys), 500):
            self.redis.delete(*keys[i:i + 500])
        return len(keys)
