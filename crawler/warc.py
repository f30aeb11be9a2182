"""Export the archive's fetch log and raw bytes as a standard WARC file (warcio).

Why: web-archive tools (pywb, OpenWayback, warcio itself) read WARC; the archive keeps the same
facts (URL, status, headers, bytes, time) in SQLite + a content-addressed store, so the export is a
replay of the fetch log. Fetches whose bytes were not kept (errors, 304s) become request-less
`response` records with their headers and an empty body. Fetches that got no HTTP answer at all
(timeouts, resets, refused or given-up URLs: `status` empty, `error` set) have nothing to replay and
are left out; they stay in the archive's `fetches` table.
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import RawStore
from archive.store import default_raw_root

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 404: "Not Found",
            403: "Forbidden", 412: "Precondition Failed", 429: "Too Many Requests", 500: "Internal Server Error"}


def export_warc(db_path: str | Path, out_path: str | Path, raw_root: str | Path | None = None) -> int:
    """Write every logged fetch of the archive at db_path to out_path (gzip when it ends in .gz)."""
    raw = RawStore(raw_root if raw_root is not None else default_raw_root(db_path))
    con = sqlite3.connect(db_path)
    rows = con.execute("SELECT url, final_url, status, headers, sha256, fetched_at FROM fetches "
                       "WHERE status IS NOT NULL ORDER BY fetched_at, rowid").fetchall()
    con.close()
    count = 0
    with open(out_path, "wb") as fh:
        writer = WARCWriter(fh, gzip=str(out_path).endswith(".gz"))
        for url, final_url, status, headers, sha, fetched_at in rows:
            body = raw.get(sha) if sha and raw.has(sha) and status != 304 else b""
            pairs = [(k, v) for k, v in json.loads(headers or "[]")
                     if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")]
            pairs.append(("Content-Length", str(len(body))))
            http = StatusAndHeaders(f"{status} {_REASONS.get(status, 'Status')}", pairs, protocol="HTTP/1.1")
            record = writer.create_warc_record(final_url or url, "response", payload=io.BytesIO(body),
                                               http_headers=http,
                                               warc_headers_dict={"WARC-Date": _warc_date(fetched_at)})
            writer.write_record(record)
            count += 1
    return count


def _warc_date(iso: str | None) -> str:
    """WARC-Date wants second precision with a Z."""
    if not iso:
        return "1970-01-01T00:00:00Z"
    return iso.replace("+00:00", "Z")[:19] + "Z"
