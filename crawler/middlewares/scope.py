"""Refuse requests outside the crawl's scope, to private addresses, or to hosts already blocked.

Why before anything else: a link on a government page can point anywhere (spam mirrors, intranet
addresses); nothing leaves the machine unless the host is in scope and resolves to a public address
(or the user said `--allow-private-hosts`, as the tests and the demo do for their loopback portals).
A refused private address is recorded in `fetches` and counted: the crawl's summary names it and the
crawl exits INCOMPLETE (crawler/failures.py), so a refusal is never mistaken for an empty portal.
"""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest

from crawler.failures import PRIVATE, record_failure
from crawler.urls import host_of, in_scope, is_private_address

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class ScopeMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.host_map: dict[str, str] = dict(s.getdict("NIANBAO_HOST_MAP"))
        self.hosts = frozenset(h.lower() for h in [*s.getlist("NIANBAO_SCOPE_HOSTS"), *self.host_map])
        # With a host map (test mode, demo) only mapped hosts exist: nothing may reach the network.
        self.suffixes: tuple[str, ...] = () if self.host_map else tuple(s.getlist("NIANBAO_SCOPE_SUFFIXES"))
        self.allow_private = s.getbool("NIANBAO_ALLOW_PRIVATE_HOSTS")
        self.blocked: set[str] = crawler.__dict__.setdefault("nianbao_blocked_hosts", set())
        self._private: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    def _refuse(self, reason: str, request: Request) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"nianbao/refused/{reason}")
        raise IgnoreRequest(f"{reason}: {request.url}")

    async def _is_private(self, host: str) -> bool:
        if host in self.host_map:  # sent to that address by the operator on purpose (fixture portals)
            return False
        if host not in self._private:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
            except OSError:
                self._private[host] = False  # unresolvable: the download fails on its own terms
            else:
                self._private[host] = any(is_private_address(str(info[4][0])) for info in infos)
        return self._private[host]

    async def refusal(self, url: str, *, retry: bool = False) -> str | None:
        """Why a URL may not be fetched (blocked_host, out_of_scope, private_address), or None. Also asked
        for the requests a rendered page makes (crawler/browser.py), which bypass this middleware."""
        host = host_of(url)
        if host in self.blocked and not retry:
            return "blocked_host"
        if not in_scope(host, self.hosts, self.suffixes):
            return "out_of_scope"
        if not self.allow_private and (is_private_address(host) or await self._is_private(host)):
            return "private_address"
        return None

    async def process_request(self, request: Request) -> None:
        reason = await self.refusal(request.url, retry=bool(request.meta.get("challenge_retry")))
        if reason == "private_address":
            record_failure(self.crawler, request, PRIVATE, f"{host_of(request.url)} is a private address "
                                                           "(--allow-private-hosts to fetch it)")
        if reason:
            self._refuse(reason, request)
