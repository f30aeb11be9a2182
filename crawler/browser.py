"""Lists drawn by script that nothing else reads: the column page rendered in headless Chromium
(scrapy-playwright, Debian's /usr/bin/chromium), its rows read from the rendered DOM, and the data API
the page called while rendering handed back to the walker, which then fetches the other pages as JSON
without the browser.

Why so narrow: a browser costs a second or more of CPU a page and runs the portal's scripts. Only a
column page with no rows, no pager and no API call we can read from its script goes through it; every
request the page makes is held to the crawl's own rules here (scope, private addresses, robots.txt,
documents, scripts and data only), since those requests bypass Scrapy's downloader middlewares, and to
the host's place in Scrapy's downloader slots: the per-host cap, its delay, a 429/503 pause
(crawler/browser_cap.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.browser_cap import BrowserCap
from crawler.middlewares.scope import ScopeMiddleware
from crawler.urls import host_of

if TYPE_CHECKING:
    from playwright.async_api import Request as PageRequest
    from playwright.async_api import Route
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import Settings

HANDLER = "crawler.browser.GuardedBrowserHandler"
_KINDS = frozenset({"document", "script", "xhr", "fetch"})
# Chromium's own traffic (component updates, sync, safe browsing, metrics) off: the browser asks the portal
# for the page and what the page asks for, nothing else. Debian's /usr/bin/chromium wrapper exports Google
# API keys, and its updater and network-time pings still go out despite the flags: their hosts resolve to
# nothing (and skip the fixture proxy, so that they are resolved here, not by the proxy).
_CHROMIUM_HOME = ("*.google.com", "*.googleapis.com", "*.gvt1.com", "*.gstatic.com", "*.googleusercontent.com")
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
         "--disable-client-side-phishing-detection", "--disable-breakpad", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions", "--disable-component-extensions-with-background-pages",
         "--no-pings", "--component-updater=disable-pings",
         "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,"
         "CertificateTransparencyComponentUpdater,OptimizationGuideModelDownloading,NetworkTimeServiceQuerying",
         f"--host-resolver-rules={', '.join(f'MAP {d} ~NOTFOUND' for d in _CHROMIUM_HOME)}"]


def configure(settings: Settings, host_map: dict[str, str]) -> bool:
    """Install the browser handler when NIANBAO_BROWSER is on and the executable exists; with a host
    map (fixture portals) the browser goes through the same loopback proxy as everything else."""
    exe = str(settings.get("NIANBAO_BROWSER_EXECUTABLE") or "")
    if not settings.getbool("NIANBAO_BROWSER") or not exe or not Path(exe).exists():
        return False
    launch: dict[str, Any] = {"executable_path": exe, "headless": True,
                              "args": _ARGS}
    targets = sorted(set(host_map.values()))
    if targets:
        launch["proxy"] = {"server": f"http://{targets[0]}", "bypass": ",".join(_CHROMIUM_HOME)}
    timeout_ms = int(settings.getfloat("NIANBAO_BROWSER_TIMEOUT") * 1000)
    chosen = {"DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER}, "PLAYWRIGHT_BROWSER_TYPE": "chromium",
              "PLAYWRIGHT_LAUNCH_OPTIONS": launch, "PLAYWRIGHT_MAX_CONTEXTS": 1, "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 1,
              "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_ms}
    for key, value in chosen.items():  # one page at a time, crawl-wide: a browser is the costly path
        settings.set(key, value, priority="cmdline")
    return True


class GuardedBrowserHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, with the crawl's scope, private-address and robots.txt rules applied
    to every request a rendered page makes (images, fonts and styles are not fetched at all), and each
    request that may go held to its host's place in the downloader's slots first."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawler = crawler
        self.user_agent = str(crawler.settings.get("USER_AGENT") or "")
        self.abort_request = None  # asked in _make_request_handler, before a place is taken
        self.cap = BrowserCap(crawler)
        self._start_lock = asyncio.Lock()
        self._started = False

    # Playwright's driver (a node process) starts with the first page to render, not with every crawl: the
    # handler serves all http(s) downloads, and most crawls render no page at all (bench/crawl.py --startup).

    async def _maybe_launch_in_thread(self) -> None:
        """At engine start (scrapy-playwright starts its driver here): nothing."""

    def _engine_started(self) -> Any:
        """The same for Scrapy before 2.14."""
        return None

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        """A page to render: the driver started first, once (a driver that failed to start is tried again by
        the next page; the request fails as a browser failure, counted per host)."""
        async with self._start_lock:
            if not self._started:
                await self._launch()
                self._started = True
        return await super()._download_request(request, spider)

    def _make_request_handler(self, context_name: str, method: str, url: str, headers: Any, body: bytes | None,
                              encoding: str, spider: Spider, initial_request_done: asyncio.Event,
                              ) -> Callable[[Route, PageRequest], Awaitable[None]]:
        """scrapy-playwright's route handler for one rendered page (it sends the request on, with the
        render request's method, body and headers for the navigation), behind our rules and the cap."""
        send_on = super()._make_request_handler(context_name=context_name, method=method, url=url, headers=headers,
                                                body=body, encoding=encoding, spider=spider,
                                                initial_request_done=initial_request_done)
        cap = self.cap.page(url)

        async def handle(route: Route, request: PageRequest) -> None:
            if await self._abort(request):
                await route.abort()
                self.stats.inc_value("playwright/request_count/aborted")
                return
            if not await self.cap.take(cap, request):
                return  # the page closed while the request waited for its place
            try:
                await send_on(route, request)
            except BaseException:
                self.cap.give_back(cap, request)
                raise
            self.cap.sent(request)

        return handle

    def _middleware(self, kind: type[Any]) -> Any:
        engine = self._crawler.engine
        if engine is None:
            return None
        return next((m for m in engine.downloader.middleware.middlewares if isinstance(m, kind)), None)

    async def _abort(self, request: PageRequest) -> bool:
        assert self._crawler.stats is not None
        if request.resource_type not in _KINDS:
            return True
        host = host_of(request.url)
        scope: ScopeMiddleware | None = self._middleware(ScopeMiddleware)
        reason = await scope.refusal(request.url) if scope else "no_scope_guard"
        if reason is None:
            robots: RobotsTxtMiddleware | None = self._middleware(RobotsTxtMiddleware)
            parser = robots._parsers.get(urlsplit(request.url).netloc) if robots else None
            if parser is None or not hasattr(parser, "allowed"):
                reason = "robots_unknown"  # a host whose robots.txt the crawl has not read: not asked
            elif not parser.allowed(request.url, self.user_agent):
                reason = "robots"
        if reason:
            self._crawler.stats.inc_value(f"nianbao/host/{host}/browser_refused:{reason}")
            return True
        return False
