"""Every CSV the site gives out is a download a spreadsheet opens in Chinese.

Datasette 0.65 serves `.csv` as `text/plain` (shown in the browser) unless `?_dl=1`, and never with a
byte-order mark: Excel then reads UTF-8 as the local code page and every 机关 becomes mojibake. This
ASGI wrapper sits in front of every table, view, canned query and search `.csv` (streamed ones too):
a 200 answer of Datasette's CSV renderer becomes `text/csv; charset=utf-8`, an attachment (Datasette's
own file name kept, else the path's last part), and its body starts with the UTF-8 BOM. Errors (HTML),
`?_trace=1` debugging (HTML) and every other path pass through untouched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from datasette import hookimpl

BOM = "\ufeff".encode()
CSV_TYPE = b"text/csv; charset=utf-8"
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Message, Callable[[], Awaitable[Message]], Send], Awaitable[None]]


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((v for k, v in headers if k.lower() == name), None)


def download_headers(headers: list[tuple[bytes, bytes]], path: str) -> list[tuple[bytes, bytes]]:
    """The CSV renderer's headers as a download's: type, attachment, length grown by the BOM."""
    name = path.rstrip("/").rsplit("/", 1)[-1] or "download.csv"
    disposition = _header(headers, b"content-disposition") or f'attachment; filename="{name}"'.encode()
    length = _header(headers, b"content-length")
    kept = [(k, v) for k, v in headers
            if k.lower() not in (b"content-type", b"content-disposition", b"content-length")]
    extra = [(b"content-length", str(int(length) + len(BOM)).encode())] if length is not None else []
    return [*kept, (b"content-type", CSV_TYPE), (b"content-disposition", disposition), *extra]


def csv_downloads(app: App) -> App:
    async def wrapped(scope: Message, receive: Callable[[], Awaitable[Message]], send: Send) -> None:
        path = scope.get("path", "")
        if scope.get("type") != "http" or not path.endswith(".csv"):
            await app(scope, receive, send)
            return
        bom_due = False

        async def patched(message: Message) -> None:
            nonlocal bom_due
            if message["type"] == "http.response.start":
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers") or []]
                ctype = (_header(headers, b"content-type") or b"").lower()
                if message.get("status") == 200 and ctype.startswith((b"text/plain", b"text/csv")):
                    bom_due = True
                    message = {**message, "headers": download_headers(headers, path)}
            elif message["type"] == "http.response.body" and bom_due:
                bom_due = False
                message = {**message, "body": BOM + bytes(message.get("body", b""))}
            await send(message)

        await app(scope, receive, patched)

    return wrapped


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    return csv_downloads
