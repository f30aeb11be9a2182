"""EXPERIMENT (measured against host leases, see the commit that removes it): a per-host semaphore in Redis.

Every worker may take a request of any host, when the host has fewer than CONCURRENT_REQUESTS_PER_DOMAIN
slots taken in `P:sem:<host>` (a sorted set of slot tokens scored by their expiry) and its next allowed
time has come; the slot is given back when the engine is done with the request.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from crawler.frontier import now_ms
from crawler.frontier_scheduler import OUT, FrontierScheduler
from crawler.urls import host_of

if TYPE_CHECKING:
    from scrapy import Request, Spider

_POP_ANY = """
local now = tonumber(ARGV[3])
local hosts = redis.call('ZRANDMEMBER', KEYS[1], tonumber(ARGV[8]))
for _, h in ipairs(hosts) do
  local sem = ARGV[2] .. h
  redis.call('ZREMRANGEBYSCORE', sem, '-inf', now)
  local nb = tonumber(redis.call('HGET', KEYS[2], h) or '0')
  if nb <= now and redis.call('ZCARD', sem) < tonumber(ARGV[5]) then
    local r = redis.call('ZPOPMIN', ARGV[1] .. h)
    if #r == 0 then
      redis.call('ZREM', KEYS[1], h)
    else
      local id = string.sub(r[1], 1, 16)
      redis.call('HSET', KEYS[3], id, h .. '\\n' .. r[2] .. '\\n' .. r[1])
      if redis.call('ZCARD', ARGV[1] .. h) == 0 then redis.call('ZREM', KEYS[1], h) end
      redis.call('ZADD', sem, now + tonumber(ARGV[4]), ARGV[7] .. '|' .. id)
      if tonumber(ARGV[6]) > 0 then redis.call('HSET', KEYS[2], h, now + tonumber(ARGV[6])) end
      return {h, id, string.sub(r[1], 17)}
    end
  end
end
return false
"""

_SLOT = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local nb = tonumber(redis.call('HGET', KEYS[2], ARGV[5]) or '0')
if nb <= now and redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[4])
  if tonumber(ARGV[6]) > 0 then redis.call('HSET', KEYS[2], ARGV[5], now + tonumber(ARGV[6])) end
  return 1
end
return 0
"""

SLOT = "frontier_slot"


class SemaphoreScheduler(FrontierScheduler):
    def open(self, spider: Spider) -> None:
        self.slots: dict[str, str] = {}  # token → host
        super().open(spider)
        self.cap = max(1, self.crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        self.delay_ms = int(self.crawler.settings.getfloat("DOWNLOAD_DELAY") * 1000)
        self._pop_any = self.frontier.redis.register_script(_POP_ANY)
        self._slot = self.frontier.redis.register_script(_SLOT)
        self._idle_until = 0.0

    def next_request(self) -> Request | None:
        request = self._chain_with_slot() or self._pop()
        if request is not None:
            host = host_of(request.url)
            self.out[host] = self.out.get(host, 0) + 1
            request.meta[OUT] = True
        return request

    def _chain_with_slot(self) -> Request | None:
        for i, request in enumerate(self.local):
            host = host_of(request.url)
            token = f"{self.worker}|c{uuid.uuid4().hex[:12]}"
            if self._slot(keys=[self.frontier.key("sem", host), self.frontier.key("notbefore")],
                          args=[now_ms(), self.ttl_ms, self.cap, token, host, self.delay_ms]):
                del self.local[i]
                self.slots[token] = host
                request.meta[SLOT] = token
                return request
        return None

    def _pop(self) -> Request | None:
        if time.monotonic() < self._idle_until:
            return None
        got = self._pop_any(keys=[self.frontier.key("hosts"), self.frontier.key("notbefore"),
                                  self.frontier.key("taken", self.worker)],
                            args=[self.frontier.key("q", ""), self.frontier.key("sem", ""), now_ms(), self.ttl_ms,
                                  self.cap, self.delay_ms, self.worker, 16])
        if not got:
            self._idle_until = time.monotonic() + 0.05
            return None
        host, task_id, payload = (got[0].decode(), got[1].decode(), bytes(got[2]))
        request = self._taken(task_id, payload)
        token = f"{self.worker}|{task_id}"
        self.slots[token] = host
        request.meta[SLOT] = token
        return request

    def _done(self, request: Request) -> None:
        token = request.meta.pop(SLOT, None)
        if token is not None:
            host = self.slots.pop(token, host_of(request.url))
            self.frontier.redis.zrem(self.frontier.key("sem", host), token)
        super()._done(request)

    def _maybe_release(self, host: str) -> None:
        return

    def _keep_alive(self) -> None:
        while not self._stop.wait(self.ttl_ms / 3000):
            self.frontier.heartbeat(self.worker, self.ttl_ms, [])
            expiry = now_ms() + self.ttl_ms
            pipe = self.frontier.redis.pipeline()
            for token, host in list(self.slots.items()):
                pipe.zadd(self.frontier.key("sem", host), {token: expiry}, xx=True)
            pipe.execute()

    def _look_around(self) -> None:
        self._count("requeued_dead", self.frontier.reap(self.worker))
