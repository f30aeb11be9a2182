"""What the archive keeps out of the database, because the database is published as it is.

* A file added from the operator's disk is named `local:<sha256[:12]>/<file name>`, never by its
  absolute path (`file:///home/someone/...` tells the world a user name and folder layout). The
  content digest, not the folder, keeps two different files with one name (`report.pdf` from two
  folders) from becoming versions of one page, and makes re-adding the same bytes idempotent (same
  name, same report_key). An edited file is therefore a new sighting of its publication (agency and
  year decide which counts, archive/identity.py), not a new version of a page.
* Response headers that carry a session or credentials (cookies, authorization) are kept as
  `[redacted]` with their name: the fetch log still shows that a portal set a cookie (evidence for a
  challenge page), while the value — a session someone could replay — never reaches the database, the
  site, the export or the WARC. Conditional GET needs only ETag/Last-Modified; the crawler keeps its
  cookies in memory (Scrapy's cookie jar), not here. `WWW-Authenticate`/`Proxy-Authenticate` are a
  server's challenge (realm, scheme), no secret of ours: kept.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

LOCAL_SCHEME = "local:"
REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"set-cookie", "set-cookie2", "cookie", "authorization", "proxy-authorization"})


def local_url(path: Path, body: bytes) -> str:
    """The published name of a file added from disk: its name and a digest of its bytes, no folder."""
    return f"{LOCAL_SCHEME}{hashlib.sha256(body).hexdigest()[:12]}/{path.name}"


def redact_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers as received, with the value of every cookie/credential header replaced."""
    return [(k, REDACTED if k.strip().lower() in SECRET_HEADERS else v) for k, v in headers]
