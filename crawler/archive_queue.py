"""Report items into the archive in arrival order, their documents parsed in a pool off the reactor.

Why: parsing is seconds for a PDF (minutes of OCR for a scan, up to the wall limit for a hostile file),
and done on Twisted's reactor thread it stops every download meanwhile. Here an item's documents go to
a `ParsePool` of N workers as soon as it arrives; a looping call polls the pool without waiting and
hands each item, in the order items came, to the one writer (`store`: `Archive.add_report`, whose
parses are then ready) once its documents are parsed. At most `window` documents are submitted and
not yet stored: later items wait their turn, and with them the coroutine Scrapy awaits (backpressure).

A crawl being stopped (SIGINT/SIGTERM: `Crawler.crawling` turns false) gives running parses `grace`
seconds, then stops the pool: every document not parsed by then is stored with the reason (the item is
archived, its document `parse_status = failed`), so nothing fetched is lost; `nianbao rebuild` or the
next crawl parses it.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy.utils.asyncio import create_looping_call
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from archive import Archive
    from archive.workers import ParsePool

logger = logging.getLogger(__name__)

POLL_S = 0.02  # how often the pool is polled while parses are pending
STOPPED = "parse not finished: the crawl was stopped before it was (the next crawl or `nianbao rebuild` parses it)"


@dataclass(eq=False)
class _Entry:
    documents: list[str]
    page_url: str
    store: Callable[[], Any]  # the writer's work for this item, run in arrival order once parses are in
    done: Deferred[Any] = field(default_factory=Deferred)
    keys: list[object] = field(default_factory=list)  # pool keys of its documents (none: nothing to parse)
    turn: bool = False  # at the head of the queue: its parse need was checked against the archive as it is


class ArchiveQueue:
    """Items submitted with `add` are stored one at a time, in the order they were added, by their own
    `store` callable, each once its documents are parsed; `drain` waits for all of them."""

    def __init__(self, archive: Archive, pool: ParsePool, *, window: int, running: Callable[[], bool],
                 grace: float = 10.0) -> None:
        self.archive, self.pool, self.window = archive, pool, max(1, window)
        self.running, self.grace = running, grace
        self.waiting: deque[_Entry] = deque()  # added, nothing submitted yet (the window is full)
        self.queue: deque[_Entry] = deque()  # submitted, not yet stored; the head is stored next
        self.stopping_since: float | None = None
        self._loop = create_looping_call(self._tick)
        self._pumping = False
        self._idle: list[Deferred[None]] = []

    def __len__(self) -> int:
        return len(self.waiting) + len(self.queue)

    def add(self, documents: list[str], page_url: str, store: Callable[[], Any]) -> Deferred[Any]:
        """Queue an item; the Deferred fires with what `store` returned (or fails with what it raised)."""
        entry = _Entry(list(dict.fromkeys(documents)), page_url, store)
        self.waiting.append(entry)
        self.pump()
        return entry.done

    def drain(self) -> Deferred[None]:
        """Fires once every item added is stored."""
        idle: Deferred[None] = Deferred()
        self._idle.append(idle)
        self.pump()
        return idle

    # --- the pump ---------------------------------------------------------------------------------

    def _tick(self) -> None:
        try:
            self.pump()
        except Exception:  # the pool itself failed (no process could start): fail the items, not the crawl
            logger.exception("parsing of report items failed")
            failure = Failure()
            for entry in [*self.queue, *self.waiting]:
                entry.done.errback(failure)
            self.queue.clear()
            self.waiting.clear()
            self._settle()

    def pump(self) -> None:
        """Everything that can happen now without waiting: parses taken in, heads stored, items admitted."""
        if self._pumping:  # a store's callbacks may add an item: the running pump takes it
            return
        self._pumping = True
        try:
            self._check_stop()
            moved = True
            while moved:
                self.pool.poll()
                moved = False
                while self.queue and self._head_ready():
                    self._store(self.queue.popleft())
                    moved = True
                while self.waiting and (not self.queue or self.pool.in_flight < self.window):
                    self._admit(self.waiting.popleft())
                    moved = True
        finally:
            self._pumping = False
        self._settle()

    def _settle(self) -> None:
        """Poll while anything is pending; say so to `drain` once nothing is."""
        if len(self):
            if not self._loop.running:
                self._loop.start(POLL_S, now=False)
            return
        if self._loop.running:
            self._loop.stop()
        idle, self._idle = self._idle, []
        for d in idle:
            d.callback(None)

    def _check_stop(self) -> None:
        if self.running():
            return
        now = time.monotonic()
        if self.stopping_since is None:
            self.stopping_since = now
            self.pool.stop(STOPPED, running=False)  # nothing new starts; running parses get the grace
            logger.info("crawl stopping: %d report items still to store, parses running get %g s",
                        len(self), self.grace)
        if now - self.stopping_since >= self.grace:
            self.pool.stop(STOPPED)

    def _admit(self, entry: _Entry) -> None:
        """Submit the item's documents now, unless this version is archived by this parser already (a
        re-crawl's unchanged report: nothing to parse); checked again when its turn comes."""
        if not self.archive.parsed_already(entry.documents, entry.page_url):
            entry.keys = self._submit(entry.documents)
        self.queue.append(entry)

    def _submit(self, documents: list[str]) -> list[object]:
        """Pool keys for the documents in the raw store (a missing one is add_report's error to raise)."""
        return [self.archive.parse_ahead(sha) for sha in documents if self.archive.raw.has(sha)]

    def _head_ready(self) -> bool:
        entry = self.queue[0]
        if not entry.turn:
            # Earlier items are stored now, so the archive says exactly whether add_report will parse;
            # a document shared with an earlier item had its result taken by it: submitted again.
            entry.turn = True
            if self.archive.parsed_already(entry.documents, entry.page_url):
                self._forget(entry)
            elif any(key not in self.pool for key in entry.keys) or not entry.keys:
                entry.keys = self._submit(entry.documents)
                self.pool.poll()
        return all(self.pool.ready(key) for key in entry.keys)

    def _store(self, entry: _Entry) -> None:
        try:
            result = entry.store()
        except Exception:
            entry.done.errback(Failure())
        else:
            entry.done.callback(result)
        finally:
            self._forget(entry)

    def _forget(self, entry: _Entry) -> None:
        """Results the writer did not ask for (the version turned out archived): dropped, window freed."""
        for key in entry.keys:
            self.pool.forget(key)
        entry.keys = []
