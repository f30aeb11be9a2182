"""The per-host cap, the host's delay and a 429/503 pause, held for the requests a rendered page makes.

Why: the browser fetches a rendered page's scripts and data calls itself, outside Scrapy's downloader,
whose slot per host holds CONCURRENT_REQUESTS_PER_DOMAIN (crawler/downloader.py), the delay (DOWNLOAD_DELAY,
AutoThrottle) and the retry middleware's pause after a 429/503. A page firing ten data calls at once would
put ten requests in flight to a portal that gets two from us. So each request of the page waits for a place
in that same slot before it may go, and for the host's delay:

- the page's own place: the render request holds one in the slot for as long as the page is open; under
  it the page's navigation goes first, then one of the page's requests at a time;
- or a free place of the slot, lent as a stand-in counted as transferring (crawler/downloader.py), so that
  Scrapy's requests and the browser's together never exceed the cap.

A place is given back when its request finishes or fails, or its page closes. The host's delay runs from
when a request is let go and again from its answer. Each response the page gets is reported on Scrapy's
`response_downloaded` signal as the downloader reports its own, so that AutoThrottle learns the host's
latency and a 429/503 pauses the host (crawler/middlewares/retry.py) for both.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.http import Response

from crawler.downloader import PerHostCapDownloader
from crawler.urls import host_of

if TYPE_CHECKING:
    from playwright.async_api import Page
    from playwright.async_api import Request as PageRequest
    from playwright.async_api import Response as PageResponse
    from scrapy.crawler import Crawler

POLL = 0.02  # seconds between looks at a full slot (Scrapy frees places without telling anyone)


@dataclass(eq=False)
class _Place:
    url: str
    standin: Request | None  # None: the page's own place
    started: float


@dataclass(eq=False)
class PageCap:
    """The places one rendered page holds. `host`: the host of the render request (its own place's)."""

    host: str
    own_busy: bool = False
    closed: bool = False
    watching: bool = False
    places: dict[Any, _Place] = field(default_factory=dict)  # browser request → its place


class BrowserCap:
    """Places in Scrapy's downloader slots for the requests of rendered pages (see the module's docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    def _downloader(self) -> PerHostCapDownloader | None:
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        return downloader if isinstance(downloader, PerHostCapDownloader) else None

    def page(self, url: str) -> PageCap:
        """A page about to render `url` (the render request, which holds a place of its host already)."""
        return PageCap(host_of(url))

    async def take(self, cap: PageCap, request: PageRequest) -> bool:
        """Wait for a place and the host's delay; False when the page closed meanwhile (the request is not
        to go). The page's navigation waits for the delay too: the browser may take seconds to start after
        Scrapy sent the render request on, and other requests to the host may have gone meanwhile."""
        self._watch(cap, request)
        downloader = self._downloader()
        if downloader is None:  # no slots to share (not this project's downloader): nothing is held
            return not cap.closed
        url = request.url
        while not cap.closed:
            wait = downloader.wait_for(url)
            if wait > 0:
                await asyncio.sleep(min(wait, 1.0))  # looked at again: a 429 may lengthen it meanwhile
                continue
            if host_of(url) == cap.host and not cap.own_busy:
                cap.own_busy = True
                downloader.sent(url)
                cap.places[request] = _Place(url, None, time.monotonic())
                return True
            standin = downloader.lend(url)
            if standin is not None:
                cap.places[request] = _Place(url, standin, time.monotonic())
                return True
            await asyncio.sleep(POLL)
        return False

    def sent(self, request: PageRequest) -> None:
        """The browser has the request to send: the host's delay runs from now (the browser's own latency,
        its first connection to a host above all, would otherwise shorten the delay the host sees)."""
        downloader = self._downloader()
        if downloader is not None:
            downloader.sent(request.url)

    def give_back(self, cap: PageCap, request: Any) -> None:
        place = cap.places.pop(request, None)
        if place is None:
            return
        if place.standin is None:
            cap.own_busy = False
            return
        downloader = self._downloader()
        if downloader is not None:
            downloader.give_back(place.standin)

    def close(self, cap: PageCap) -> None:
        """The page is gone: whatever it still held is free (its requests went with it)."""
        cap.closed = True
        for request in list(cap.places):
            self.give_back(cap, request)

    def _watch(self, cap: PageCap, request: PageRequest) -> None:
        """Follow the page's requests to their end, from its first request that names the page."""
        if cap.watching:
            return
        try:
            page: Page = request.frame.page
        except Exception:  # a worker's request has no frame: a later request of the page will name it
            return
        cap.watching = True
        page.on("requestfinished", lambda r: self.give_back(cap, r))
        page.on("requestfailed", lambda r: self.give_back(cap, r))
        page.on("response", lambda r: self._report(cap, r))
        page.on("close", lambda _p: self.close(cap))
        page.on("crash", lambda _p: self.close(cap))

    def _report(self, cap: PageCap, response: PageResponse) -> None:
        """A response of the page: the host's delay runs again from its arrival (the browser sends a request
        some time after it was let go, its first connection above all, and the page asks for its scripts and
        data only once the page has come: counted from the answer, the host sees at least the delay between
        the two), and it is told to the crawl as the downloader tells its own (not the navigation's: the
        render request's response is told by the downloader)."""
        place = cap.places.get(response.request)
        downloader = self._downloader()
        if place is None or downloader is None:
            return
        downloader.sent(response.url)
        if place.standin is None and response.request.is_navigation_request() \
                and response.request.frame.parent_frame is None:
            return
        key, _slot = downloader.slot_for(response.url)
        latency = time.monotonic() - place.started
        self.crawler.signals.send_catch_log(
            signal=signals.response_downloaded,
            response=Response(response.url, status=response.status, headers=dict(response.headers)),
            request=Request(response.url, meta={"download_slot": key, "download_latency": latency, "browser": True}),
            spider=self.crawler.spider)
