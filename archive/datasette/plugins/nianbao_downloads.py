"""Every CSV the site gives out is a download a spreadsheet opens in Chinese.

Datasette 0.65 serves `.csv` as `text/plain` (shown in the browser) unless `?_dl=1`, and never with a
byte-order mark: Excel then reads UTF-8 as the local code page and every 机关 becomes mojibake. This
ASGI wrapper sits in front of every table, view, canned query and search `.csv` (streamed ones too):
a 200 answer of Datasette's CSV renderer becomes `text/csv; charset=utf-8`, an attachment (Datasette's
own file name kept, else the path's last part), and its body starts with the UTF-8 BOM. Errors (HTML),
`?_trace=1` debugging (HTML) and every other path pass through untouched.

`&_headers=zh` on any of them gives Chinese column headers: each column's Chinese label from the
metadata's column descriptions (its lead before " — "), the table's own first, else any table's
(canned queries and SQL name their columns after the tables'); a column without one keeps its name.
"""

from __future__ import annotations

import csv
import io
import re
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
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


_CJK = re.compile(r"[\u3400-\u9fff]")
_LEAD = re.compile(r"^[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\s]+")


def chinese_label(description: str) -> str | None:
    """A column description's Chinese lead: the part before " — " ("版本 — Version id …" → 版本), else its
    opening run of Chinese ("标题 as printed" → 标题); None when it does not open in Chinese."""
    lead, sep, _rest = description.partition(" — ")
    if sep and _CJK.match(lead.strip()):
        return lead.strip()
    run = _LEAD.match(description)
    return run.group(0).strip() if run and _CJK.search(run.group(0)) else None


def column_labels(metadata: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """table → column → Chinese label, and under "" every column's first label over all tables."""
    labels: dict[str, dict[str, str]] = {"": {}}
    for database in (metadata.get("databases") or {}).values():
        for table, config in (database.get("tables") or {}).items():
            for column, description in (config.get("columns") or {}).items():
                label = chinese_label(str(description))
                if label:
                    labels.setdefault(table, {})[column] = label
                    labels[""].setdefault(column, label)
    return labels


def chinese_header_row(body: bytes, table: str, labels: Mapping[str, Mapping[str, str]]) -> bytes:
    """The CSV's first line with each column's Chinese label; the rest as it was."""
    line, sep, rest = body.partition(b"\r\n")
    if not sep:
        return body  # the header line is not whole in this chunk: leave it rather than guess
    names = next(csv.reader([line.decode("utf-8")]))
    own, anywhere = labels.get(table, {}), labels.get("", {})
    out = io.StringIO()
    chosen = [own.get(n) or anywhere.get(n) or n for n in names]
    twice = {label for label in chosen if chosen.count(label) > 1}  # two columns, one label: say which is which
    chosen = [f"{label}（{name}）" if label in twice and label != name else label
              for label, name in zip(chosen, names, strict=True)]
    csv.writer(out, lineterminator="\r\n").writerow(chosen)
    return out.getvalue().encode("utf-8") + rest


def csv_downloads(app: App, labels: Callable[[], Mapping[str, Mapping[str, str]]] = dict) -> App:
    async def wrapped(scope: Message, receive: Callable[[], Awaitable[Message]], send: Send) -> None:
        path = scope.get("path", "")
        if scope.get("type") != "http" or not path.endswith(".csv"):
            await app(scope, receive, send)
            return
        query = urllib.parse.parse_qs(bytes(scope.get("query_string") or b"").decode("latin-1"))
        zh = query.get("_headers") == ["zh"]
        table = urllib.parse.unquote(path.rsplit("/", 1)[-1][: -len(".csv")])
        bom_due = False

        async def patched(message: Message) -> None:
            nonlocal bom_due
            if message["type"] == "http.response.start":
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers") or []]
                ctype = (_header(headers, b"content-type") or b"").lower()
                if message.get("status") == 200 and ctype.startswith((b"text/plain", b"text/csv")):
                    bom_due = True
                    headers = download_headers(headers, path)
                    if zh:  # the header row changes length: the body goes out without a stated length
                        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and bom_due:
                bom_due = False
                body = bytes(message.get("body", b""))
                message = {**message, "body": BOM + (chinese_header_row(body, table, labels()) if zh else body)}
            await send(message)

        await app(scope, receive, patched)

    return wrapped


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    cache: dict[str, dict[str, dict[str, str]]] = {}

    def labels() -> Mapping[str, Mapping[str, str]]:
        if "labels" not in cache:
            cache["labels"] = column_labels(datasette.metadata() or {})
        return cache["labels"]

    return lambda app: csv_downloads(app, labels)
