"""A Scrapy worker on the shared Redis frontier (crawler/frontier.py): scrapy-redis' scheduler, with host leases.

`nianbao crawl --frontier redis://HOST:PORT/DB` sets `SCHEDULER` to `FrontierScheduler` (a subclass of
scrapy-redis' `Scheduler`; requests are serialised by its queue code, fingerprinted by its dupefilter)
and adds `FrontierLink` to the extensions. What it adds to scrapy-redis, and why:

* Host leases. A worker takes requests only of hosts it holds a lease on (at most its fair share of the
  hosts with work waiting, at most CONCURRENT_REQUESTS of them, one request each first), so the
  per-host limits of this process's downloader are the limits of the whole cluster. It lets a host go when
  nothing of it is left in flight here and its queue is empty or another worker needs the share.
* Task leases. A request taken from Redis stays in this worker's taken-hash until the engine is done with
  it: its follow-up requests queued, its report archived (the engine's in-progress set tells; see
  `_Inprogress`). A killed worker therefore loses nothing: a restart under the same id, or another
  worker once the heartbeat key has expired, puts it back.
* Attachment chains stay here. The spider fetches a report's attachments one after another, carrying
  the report item, whose documents are raw files in *this* worker's part archive. Those requests never
  go to Redis: they wait in memory for their host's lease, and the report page's task stays taken until
  the last of them is done, so a kill mid-chain gives the whole report back to the queue.
* Start requests are queued once per crawl (`P:seeds`): a worker that starts late, or restarts, takes
  work from the queue at once instead of walking the portals again.
* Async start: the spider's `async def start()` (Scrapy 2.13+; scrapy-redis' RedisSpider still uses the
  removed `start_requests`) feeds this scheduler like any other.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from scrapy import signals
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

from crawler.frontier import Frontier
from crawler.shared_state import RedisHash, RedisHostSet, ReportMap
from crawler.urls import canonical_url, host_of

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)
TASK = "frontier_task"  # meta key: the Redis task a request belongs to (never serialised)
OUT = "frontier_out"  # meta key: handed to the engine by this scheduler (robots.txt requests are not)
CHAIN_KINDS = frozenset({"attachment"})


def worker_id(settings: BaseSettings) -> str:
    """This worker's name: NIANBAO_FRONTIER_WORKER, else host name and part archive (stable over restarts,
    so a restarted worker takes back what it had taken)."""
    given = settings.get("NIANBAO_FRONTIER_WORKER")
    if given:
        return str(given)
    db = settings.get("NIANBAO_DB") or f"pid{os.getpid()}"
    return f"{socket.gethostname()}:{Path(str(db)).stem}"


def frontier_for(settings: BaseSettings) -> Frontier:
    return Frontier(str(settings.get("NIANBAO_FRONTIER")), prefix=settings.get("NIANBAO_FRONTIER_KEY", "nianbao"))


class FrontierLink:
    """Extension, built before the middlewares: blocked hosts become one set for every worker."""

    def __init__(self, crawler: Crawler) -> None:
        frontier = frontier_for(crawler.settings)
        crawler.__dict__["nianbao_blocked_hosts"] = RedisHostSet(frontier.redis, frontier.key("state", "blocked"),
                                                                 worker_id(crawler.settings))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierLink:
        return cls(crawler)


class RequestCodec(RedisQueueBase):
    """scrapy-redis' request (de)serialisation (callbacks by name, pickled dict), without its queue."""

    def encode(self, request: Request) -> bytes:
        return bytes(self._encode_request(request))

    def decode(self, payload: bytes) -> Request:
        request: Request = self._decode_request(payload)
        return request


class _Inprogress(set):  # type: ignore[type-arg]
    """The engine's in-progress set: a request leaves it when the engine is completely done with it
    (downloaded, callback run, follow-ups scheduled, items through the pipelines)."""

    def __init__(self, done: Any, items: Iterable[Any]) -> None:
        super().__init__(items)
        self.done = done

    def remove(self, request: Any) -> None:
        super().remove(request)
        self.done(request)


@dataclass
class Held:
    since: float
    drained: bool = False  # its queue answered empty
    releasing: bool = False  # give it up once nothing of it is in flight here


class FrontierScheduler(RedisScheduler):
    crawler: Crawler
    frontier: Frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        s = crawler.settings
        frontier = frontier_for(s)
        frontier.redis.ping()
        sched = cls(server=frontier.redis, persist=True, dupefilter_key=frontier.seen_key,
                    serializer=load_object(s.get("SCHEDULER_SERIALIZER")) if s.get("SCHEDULER_SERIALIZER") else None)
        sched.crawler, sched.frontier, sched.stats = crawler, frontier, crawler.stats
        sched.worker = worker_id(s)
        sched.ttl_ms = int(s.getfloat("NIANBAO_FRONTIER_LEASE", 30.0) * 1000)
        per_host = max(1, s.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        sched.per_host_take = 2 * per_host
        sched.turn = s.getfloat("NIANBAO_FRONTIER_HOST_TURN", 60.0)
        # As many hosts as requests may be in flight: with a delay, a host has one request out most of the time.
        sched.max_hosts = max(1, s.getint("CONCURRENT_REQUESTS", 16))
        return sched

    worker: str
    ttl_ms: int
    per_host_take: int
    max_hosts: int
    turn: float

    # --- life -------------------------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.codec = RequestCodec(self.server, spider, self.frontier.key("q"), self.serializer)
        self.df = RFPDupeFilter(self.server, key=self.frontier.seen_key)
        self.local: deque[Request] = deque()  # attachment chains, waiting for their host's lease
        self.held: dict[str, Held] = {}
        self.out: dict[str, int] = {}  # host → requests handed to the engine and not done
        self.refs: dict[str, int] = {}  # task → requests of it not done (a report page and its chain)
        self.task_of_page: dict[str, str] = {}
        self.page_of_task: dict[str, str] = {}
        self.share = self.max_hosts
        self.delays: dict[str, float] = {}
        self._acquire_after = 0.0
        self._tried: dict[str, float] = {}  # host → when to ask for its lease again (chains)
        self._avoid: tuple[str, float] = ("", 0.0)  # a host given up for its turn, not to be taken back at once
        moved = self.frontier.register(self.worker, self.ttl_ms, {
            "host": socket.gethostname(), "pid": os.getpid(), "db": str(self.crawler.settings.get("NIANBAO_DB")),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        self._count("requeued_own", moved)
        # The spider's memory, shared (crawler/shared_state.py).
        r = self.frontier.redis
        spider.seen_reports = ReportMap(r, self.frontier.key("state", "seen_reports"))  # type: ignore[attr-defined]
        spider.seen_content = RedisHash(r, self.frontier.key("state", "seen_content"))  # type: ignore[attr-defined]
        spider.column_pages = RedisHash(r, self.frontier.key("state", "column_pages"))  # type: ignore[attr-defined]
        engine = self.crawler.engine
        assert engine is not None and engine._slot is not None
        engine._slot.inprogress = _Inprogress(self._done, engine._slot.inprogress)
        # An idle worker waits for others' work; look again twice a second rather than every 5 s.
        engine._SLOT_HEARTBEAT_INTERVAL = 0.5
        # Liveness from a thread: a report that takes the reactor ten seconds to parse (OCR, LibreOffice) must
        # not pass for a dead worker. The reactor's own loop gives dead workers' requests back and keeps the share.
        self._stop = threading.Event()
        self._pulse = threading.Thread(target=self._keep_alive, name="frontier-heartbeat", daemon=True)
        self._pulse.start()
        self.beat = task.LoopingCall(self._look_around)
        self.beat.start(max(0.2, self.ttl_ms / 3000), now=False)
        self.crawler.signals.connect(self._apply_delay, signal=signals.request_reached_downloader)

    def close(self, reason: str) -> None:
        if self.beat.running:
            self.beat.stop()
        self._stop.set()
        self._pulse.join(timeout=5)
        for host in list(self.held):
            self._release(host)
        # Stopped early (Ctrl-C, a page limit): what is still taken goes back for the others.
        self._count("given_back", self.frontier.requeue(self.worker, own=True))
        self.frontier.unregister(self.worker)

    def _count(self, what: str, n: int = 1) -> None:
        if self.stats is not None and n:
            self.stats.inc_value(f"frontier/{what}", n)

    # --- queueing ---------------------------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        request.meta.pop(TASK, None)
        request.meta.pop(OUT, None)
        if request.meta.get("kind") in CHAIN_KINDS:
            item = request.meta.get("item")
            root = self.task_of_page.get(getattr(item, "page_url", ""))
            if root is not None:
                request.meta[TASK] = root
                self.refs[root] = self.refs.get(root, 0) + 1
            else:
                self._count("chain_without_task")
            self.local.append(request)
            self._wake(host_of(request.url))
            return True
        host = host_of(request.url)
        if request.meta.get("is_start_request"):
            fingerprint, seen_key = self.df.request_fingerprint(request), self.frontier.key("seeds")
        elif request.dont_filter:
            fingerprint, seen_key = "", ""
        else:
            fingerprint, seen_key = self.df.request_fingerprint(request), self.frontier.seen_key
        reports = getattr(self.spider, "seen_reports", None)
        report = reports.take(canonical_url(request.url)) if isinstance(reports, ReportMap) else None
        if not self.frontier.push(host, self.codec.encode(request), priority=request.priority,
                                  fingerprint=fingerprint, seen_key=seen_key, report=report):
            self.df.log(request, self.spider)
            return False
        self._count("pushed")
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        self._wake(host)
        return True

    def _wake(self, host: str) -> None:
        held = self.held.get(host)
        if held is not None:
            held.drained = False

    def next_request(self) -> Request | None:
        request = self._next_chain() or self._next_held()
        if request is None and len(self.held) < min(self.share, self.max_hosts) \
                and time.monotonic() >= self._acquire_after:
            avoid, until = self._avoid
            host = self.frontier.acquire(self.worker, self.ttl_ms, avoid=avoid if time.monotonic() < until else "")
            if host is None:
                self._acquire_after = time.monotonic() + 0.2
            else:
                self._hold(host)
                request = self._next_held()
        if request is not None:
            host = host_of(request.url)
            self.out[host] = self.out.get(host, 0) + 1
            request.meta[OUT] = True
            if self.stats is not None:
                self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _next_chain(self) -> Request | None:
        for i, request in enumerate(self.local):
            host = host_of(request.url)
            if host in self.held or self._try_hold(host):
                del self.local[i]
                return request
        return None

    def _try_hold(self, host: str) -> bool:
        if time.monotonic() < self._tried.get(host, 0.0):
            return False
        if self.frontier.acquire(self.worker, self.ttl_ms, [host]) != host:
            self._tried[host] = time.monotonic() + 0.2
            return False
        self._hold(host)
        return True

    def _hold(self, host: str) -> None:
        self.held[host] = Held(time.monotonic())
        self._count("hosts_leased")
        delay = self.frontier.redis.hget(self.frontier.key("delay"), host)
        if delay is not None:
            self.delays[host] = float(delay)

    def _next_held(self) -> Request | None:
        for host in sorted(self.held, key=lambda h: self.out.get(h, 0)):
            held = self.held[host]
            if held.drained or held.releasing or self.out.get(host, 0) >= self.per_host_take:
                continue
            got = self.frontier.pop(host, self.worker)
            if got is None:
                held.drained = True
                self._maybe_release(host)
                continue
            return self._taken(*got)
        return None

    def _taken(self, task_id: str, payload: bytes) -> Request:
        """A request taken from Redis, tagged with its task (a report page's also heads its attachment chain)."""
        request = self.codec.decode(payload)
        request.meta[TASK] = task_id
        self.refs[task_id] = 1
        if request.meta.get("kind") == "article":
            page = canonical_url(request.url)
            self.task_of_page[page] = task_id
            self.page_of_task[task_id] = page
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or self.frontier.hosts_waiting() > 0 or self.frontier.others_busy(self.worker)

    def __len__(self) -> int:
        return len(self.local) + self.frontier.status().queued

    # --- done -------------------------------------------------------------------------------------
    def _done(self, request: Request) -> None:
        """The engine is done with request: count it off its host and its task; ack a finished task."""
        if not request.meta.pop(OUT, False):
            return
        host = host_of(request.url)
        self.out[host] -= 1
        task_id = request.meta.pop(TASK, None)
        if task_id is not None:
            self.refs[task_id] -= 1
            if self.refs[task_id] <= 0:
                del self.refs[task_id]
                page = self.page_of_task.pop(task_id, None)
                if page is not None and self.task_of_page.get(page) == task_id:
                    del self.task_of_page[page]
                self.frontier.ack(self.worker, task_id)
        self._maybe_release(host)

    # --- hosts ------------------------------------------------------------------------------------
    def _apply_delay(self, request: Request, spider: Spider | None = None) -> None:
        """A host whose delay another worker raised (Retry-After) starts here with that delay."""
        delay = self.delays.pop(host_of(request.url), None)
        if delay is None:
            return
        slot = getattr(self.crawler.engine, "downloader", None)
        slots = getattr(slot, "slots", {})
        key = request.meta.get("download_slot")
        if key in slots and slots[key].delay < delay:
            slots[key].delay = delay

    def _maybe_release(self, host: str) -> None:
        held = self.held.get(host)
        if held is None or self.out.get(host, 0) > 0 or not (held.drained or held.releasing):
            return
        if any(host_of(r.url) == host for r in self.local):
            return
        self._release(host)

    def _release(self, host: str) -> None:
        """Let host go, leaving its next allowed time and its delay for whoever takes it next."""
        held = self.held.pop(host, None)
        if held is not None and held.releasing:  # its turn is over, or the share: someone else's now
            self._avoid = (host, time.monotonic() + 1.0)
        downloader = getattr(self.crawler.engine, "downloader", None)
        slot = getattr(downloader, "slots", {}).get(host)
        not_before, delay = 0, None
        if slot is not None:
            wait = slot.delay - (time.monotonic() - slot.lastseen)
            not_before = int((time.time() + max(0.0, wait)) * 1000) if wait > 0 else 0
            default = self.crawler.settings.getfloat("DOWNLOAD_DELAY")
            delay = slot.delay if slot.delay > default else None
        self.frontier.release(self.worker, host, not_before_ms=not_before, delay=delay)

    def _keep_alive(self) -> None:
        """Renew this worker's heartbeat key and its hosts' leases, three times a lease, until closed."""
        while not self._stop.wait(self.ttl_ms / 3000):
            try:
                self.frontier.heartbeat(self.worker, self.ttl_ms, list(self.held))
            except redis.RedisError as exc:  # Redis away for a moment: try again next beat
                logger.warning("frontier heartbeat failed: %s", exc)

    def _look_around(self) -> None:
        """Give dead workers' requests back; keep this worker's fair share of the hosts."""
        self._count("requeued_dead", self.frontier.reap(self.worker))
        waiting, alive = self.frontier.hosts_waiting(), max(1, self.frontier.workers_alive())
        # Alone, a worker takes as many hosts as its downloader can serve; with others, its share of them.
        self.share = self.max_hosts if alive == 1 else max(1, math.ceil(waiting / alive))
        surplus = len(self.held) - self.share
        now = time.monotonic()
        for host in sorted(self.held, key=lambda h: self.held[h].since):
            held = self.held[host]
            over = surplus > 0 and waiting > 0
            # A host held for a whole turn goes round, so that every worker gets some (none waits forever).
            if not held.releasing and (over or (alive > 1 and now - held.since > self.turn)):
                held.releasing = True
                surplus -= 1
                self._maybe_release(host)
