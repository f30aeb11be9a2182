"""Scrapy's downloader with the per-host concurrency cap actually held (CONCURRENT_REQUESTS_PER_DOMAIN).

Why: since Scrapy moved the downloader to coroutines (2.13+, asyncio reactor), `_process_queue`
pops queued requests while `slot.free_transfer_slots() > 0`, but a popped request only enters
`slot.transferring` once its task first runs, on a later turn of the event loop. With no download
delay (the loopback tests and the benchmark) every queued request for a host leaves at once: the
fixture server saw 4 in flight to one host with a cap of 2. With a delay the loop stops after one
request, which hid it on real portals. Here a request counts as transferring from the moment it
is popped; `_download` adds it again (a set: no change) and removes it when the response is in.

The same slots are lent to requests Scrapy does not make (a rendered page's scripts and data calls, which
the browser fetches itself: crawler/browser_cap.py), so that the cap and the host's delay hold for both.
"""

from __future__ import annotations

from collections import deque
from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.core.downloader import Downloader

if TYPE_CHECKING:
    from scrapy.core.downloader import Slot


class _CountingQueue(deque[tuple["Request", Any]]):
    """A slot's queue whose `popleft` (the downloader taking the next request) marks it transferring."""

    def __init__(self, slot: Slot, items: deque[tuple[Request, Any]]) -> None:
        super().__init__(items)
        self.slot = slot

    def popleft(self) -> tuple[Request, Any]:
        request, deferred = super().popleft()
        self.slot.transferring.add(request)
        return request, deferred


class PerHostCapDownloader(Downloader):
    """`DOWNLOADER = "crawler.downloader.PerHostCapDownloader"` (crawler/settings.py)."""

    def _get_slot(self, request: Request, spider: Any = None) -> tuple[str, Slot]:
        key, slot = super()._get_slot(request)
        if not isinstance(slot.queue, _CountingQueue):
            slot.queue = _CountingQueue(slot, slot.queue)
        return key, slot

    # --- places lent to requests made outside Scrapy (a rendered page's own requests: crawler/browser_cap.py)

    def slot_for(self, url: str) -> tuple[str, Slot]:
        """The host's slot (made if new, with its DOWNLOAD_SLOTS settings), as Scrapy's own requests find it."""
        return self._get_slot(Request(url))

    def wait_for(self, url: str) -> float:
        """Seconds until the host's delay allows its next request (DOWNLOAD_DELAY, AutoThrottle's delay, or
        the pause after a 429/503, which the retry middleware sets as the slot's delay); 0: now."""
        _key, slot = self.slot_for(url)
        return max(0.0, slot.lastseen + slot.delay - monotonic()) if slot.delay else 0.0

    def lend(self, url: str) -> Request | None:
        """A place in the host's slot, if one is free: a stand-in request counted as transferring (and
        active, so that the slot is not collected) until `give_back`; the host's delay runs from now."""
        key, slot = self.slot_for(url)
        if slot.free_transfer_slots() <= 0:
            return None
        standin = Request(url, meta={self.DOWNLOAD_SLOT: key, "standin": True})
        slot.transferring.add(standin)
        slot.active.add(standin)
        slot.lastseen = monotonic()
        return standin

    def sent(self, url: str) -> None:
        """A request went to the host under a place already held: the host's delay runs from now."""
        self.slot_for(url)[1].lastseen = monotonic()

    def give_back(self, standin: Request) -> None:
        """The place is free again: Scrapy's queued requests for the host may take it at once."""
        slot = self.slots.get(standin.meta[self.DOWNLOAD_SLOT])
        if slot is None:
            return
        slot.transferring.discard(standin)
        slot.active.discard(standin)
        self._process_queue(slot)
