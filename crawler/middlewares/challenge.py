"""Anti-bot challenges (412/521 JS cookie walls, sliders, WAF pages) are recorded, not bypassed.

Policy: a challenge that also sends its cookie in an ordinary `Set-Cookie` header gets the one
retry any HTTP client with a cookie jar would make. We never run the page's JavaScript, compute a
cookie, or solve a slider: if the retry is challenged again, or the cookie exists only in script,
the host is marked blocked in the archive with the reason, and the crawl stops asking that host.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest

from crawler.archive_link import archive_for
from crawler.urls import host_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

CHALLENGE_STATUSES = {412: "412 JS cookie challenge", 521: "521 JS cookie challenge"}
_MARKERS = (
    (re.compile("nc_1_wrapper|noCaptcha|滑动验证|拖动到最右边|NWAF".encode(), re.I), "slider captcha"),
    (re.compile(rb"\xe7\x94\xb5\xe4\xbf\xa1\xe4\xba\x91\xe9\x98\xb2\xe6\x8a\xa4"), "WAF block page"),  # 电信云防护
    (re.compile(rb"document\.cookie\s*=.{0,400}(location\.reload|location\.href|window\.location)", re.S),
     "JS cookie challenge"),
)


def challenge_reason(response: Response) -> str | None:
    """Why a response is a challenge rather than content, or None."""
    if response.status in CHALLENGE_STATUSES:
        return CHALLENGE_STATUSES[response.status]
    if response.status in (200, 403, 405) and len(response.body) < 16384:
        for pattern, reason in _MARKERS:
            if pattern.search(response.body):
                return f"{response.status} {reason}"
    return None


class ChallengeMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.blocked: set[str] = crawler.__dict__.setdefault("nianbao_blocked_hosts", set())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        reason = challenge_reason(response)
        if reason is None:
            return response
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("nianbao/challenges")
        if response.headers.getlist("Set-Cookie") and not request.meta.get("challenge_retry"):
            return request.replace(meta={**request.meta, "challenge_retry": True, "no_conditional": True},
                                   dont_filter=True)
        host = host_of(request.url)
        if host not in self.blocked:
            self.blocked.add(host)
            archive_for(self.crawler).mark_blocked(host, reason, request.url)
            self.crawler.stats.inc_value("nianbao/blocked_hosts")
            self.crawler.stats.set_value(f"nianbao/blocked/{host}", reason)
        raise IgnoreRequest(f"blocked ({reason}): {request.url}")
