"""Send requests for mapped hostnames to a loopback server, keeping URL and Host header intact.

Why a proxy and not a URL rewrite: the fixture portals are many `*.gov.cn` names on one loopback
port. Routing through `meta["proxy"]` makes Scrapy send the absolute URL to 127.0.0.1:port, so
the response URL, relative links, cookies, robots.txt and per-host slots all stay those of the real
hostname, exactly as on the internet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.urls import host_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class HostMapMiddleware:
    def __init__(self, host_map: dict[str, str]) -> None:
        self.host_map = {k.lower(): v for k, v in host_map.items()}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMapMiddleware:
        return cls(dict(crawler.settings.getdict("NIANBAO_HOST_MAP")))

    def process_request(self, request: Request) -> None:
        target = self.host_map.get(host_of(request.url))
        if target:
            request.meta["proxy"] = f"http://{target}"
