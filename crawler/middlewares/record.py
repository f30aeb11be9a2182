"""Every response the crawler receives goes to the archive as it came (status, headers, bytes).

Why here, as a downloader middleware after decompression and redirects: the spider may drop a
response (404, decoy, soft-404) but the archive still keeps what was fetched, and `request.meta
["sha256"]` tells the spider and the pipeline which stored bytes a response was; `request.meta
["unchanged"]` whether they are the bytes the URL answered last time. A download that brought no
response (timeout, reset, cut-off body, DNS …) gets its row too, with the reason (crawler/failures.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest

from archive import Fetch
from crawler.archive_link import archive_for
from crawler.failures import classify, record_failure

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def original_url(request: Request) -> str:
    """The URL first asked for (before redirects): what the archive's fetch log is keyed by."""
    redirects = request.meta.get("redirect_urls") or [request.url]
    return str(redirects[0])


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


class RecordMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if "archived" in response.flags:  # served from the archive, not fetched: nothing to record
            return response
        if "playwright" in response.flags:  # a DOM rendered by the browser, not bytes a server sent; its raw
            return response  # page was recorded when first fetched, its data requests are fetched (and kept) apart
        archive = archive_for(self.crawler)
        if "previous_sha" in request.meta:  # looked up already by ConditionalGetMiddleware
            before = request.meta["previous_sha"]
        else:
            last = archive.last_ok(original_url(request)) if response.status == 200 else None
            before = last[0] if last else None
        headers = [(_text(k), _text(v)) for k, values in response.headers.items() for v in values]
        referer = request.headers.get("Referer")
        fetch = Fetch(
            url=original_url(request), final_url=response.url, status=response.status, headers=headers,
            body=response.body, fetched_at=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            method=request.method, referer=_text(referer) if referer else None,
        )
        request.meta["sha256"] = archive.record_fetch(fetch)
        # The same bytes as last time (or a 304): the spider's list-page comparison reads this.
        request.meta["unchanged"] = response.status == 304 or (response.status == 200 and before is not None
                                                                and before == request.meta["sha256"])
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("nianbao/recorded")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Each failed attempt, as the downloader raised it (retries come after: they are attempts too)."""
        if isinstance(exception, IgnoreRequest):  # refused before any download: recorded where refused
            return
        kind, detail = classify(exception, request.meta.get("download_timeout"))
        record_failure(self.crawler, request, kind, detail)
