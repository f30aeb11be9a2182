"""Scrapy's downloader with the per-host concurrency cap actually held (CONCURRENT_REQUESTS_PER_DOMAIN).

Why: since Scrapy moved the downloader to coroutines (2.13+, asyncio reactor), `_process_queue`
pops queued requests while `slot.free_transfer_slots() > 0`, but a popped request only enters
`slot.transferring` once its task first runs, on a later turn of the event loop. With no download
delay (the loopback tests and the benchmark) every queued request for a host leaves at once: the
fixture server saw 4 in flight to one host with a cap of 2. With a delay the loop stops after one
request, which hid it on real portals. Here a request counts as transferring from the moment it
is popped; `_download` adds it again (a set: no change) and removes it when the response is in.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader import Downloader

if TYPE_CHECKING:
    from scrapy import Request
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
