"""Conditional GET from the archive's validators, and 304s turned back into the stored page; for
servers that send no validators, reports under an unchanged list page are taken from the archive.

Why replay instead of skipping a 304: an unchanged list page still lists the reports (some of which
a killed run may not have finished), and an unchanged article still has to be matched with its
attachments. Replaying the archived bytes lets the spider walk the same path at the cost of a few
hundred bytes per page, and makes a resumed crawl end in the same state as an uninterrupted one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from crawler.archive_link import archive_for
from crawler.middlewares.challenge import challenge_reason
from crawler.middlewares.record import original_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def _unconditional(request: Request) -> Request:
    """The same request without validators (the copy keeps the headers: a bare replace() would be
    answered 304 again, forever)."""
    headers = Headers(request.headers)
    for name in (b"If-None-Match", b"If-Modified-Since"):
        headers.pop(name, None)
    return request.replace(headers=headers, meta={**request.meta, "no_conditional": True}, dont_filter=True)


class ConditionalGetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("NIANBAO_CONDITIONAL_GET", True)
        self.compare_lists = crawler.settings.getbool("NIANBAO_COMPARE_LISTS", True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> Response | None:
        if not self.enabled or request.method != "GET" or request.meta.get("no_conditional"):
            return None
        archive = archive_for(self.crawler)
        last = archive.last_ok(original_url(request))
        request.meta["previous_sha"] = last[0] if last else None  # RecordMiddleware compares with it
        if not last:
            return None
        sha, etag, last_modified = last
        if not etag and not last_modified:
            # No validators to ask with. A report linked from a list page that came back byte for byte
            # unchanged is not fetched again: the list-page comparison stands in for the conditional GET.
            if self.compare_lists and request.meta.get("list_unchanged") and archive.raw.has(sha):
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("nianbao/unchanged_list_skipped")
                request.meta.update(sha256=sha, replayed=True, unchanged=True)
                return self._from_archive(request, request.url, Headers(), sha, flag="archived")
            return None
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        return None

    def _stored_type(self, sha: str) -> str | None:
        row = archive_for(self.crawler).db.execute("SELECT content_type FROM documents WHERE sha256 = ?",
                                                   [sha]).fetchone()
        return str(row[0]) if row and row[0] else None

    def _from_archive(self, request: Request, url: str, headers: Headers, sha: str, *, flag: str) -> Response:
        """A 200 response with the archived bytes of sha (and their stored Content-Type)."""
        body = archive_for(self.crawler).raw.get(sha)
        stored_type = self._stored_type(sha)
        if stored_type and b"Content-Type" not in headers:
            headers["Content-Type"] = stored_type
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url=url, status=200, headers=headers, body=body, request=request, flags=[flag])

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status != 304:
            return response
        assert self.crawler.stats is not None
        sha = request.meta.get("sha256")
        archive = archive_for(self.crawler)
        if not sha or not archive.raw.has(sha):  # validators without bytes: ask again, unconditionally
            self.crawler.stats.inc_value("nianbao/not_modified_unknown")
            return _unconditional(request)
        replayed = self._from_archive(request, response.url, Headers(response.headers), sha, flag="replayed")
        if challenge_reason(replayed):
            # What was stored for this URL is a challenge page (a slider served as 200, say): not a page to
            # walk again. Ask once more without validators, so the challenge check sees the live answer.
            self.crawler.stats.inc_value("nianbao/not_modified_challenge")
            return _unconditional(request)
        request.meta["replayed"] = True
        self.crawler.stats.inc_value("nianbao/not_modified")
        return replayed
