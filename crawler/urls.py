"""URL rules of the crawler: canonical form for dedupe, the fetchable twin, scope, and file kinds.

Why: one report is reachable as `_wap` twins, `/gate/big5/{host}/` mirrors, gkmlpt `mpost_`/`post_url`
variants, http and https, with tracking parameters. Dedupe must see them as one URL, and the crawler
should fetch the plain page rather than a mirror that rewrites the text (big5 gateways convert the
characters to traditional script).
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "spm", "from", "isappinstalled",
     "share_token", "_t", "timestamp", "uid", "wxfrom", "sessionid", "jsessionid"}
)
# Attachment kinds by extension; the value is the report "format" the kind stands for.
DOC_EXTENSIONS = {
    "pdf": "pdf", "doc": "docx", "docx": "docx", "wps": "docx", "rtf": "docx", "ofd": "ofd",
    "xls": "xlsx", "xlsx": "xlsx", "et": "xlsx", "jpg": "image", "jpeg": "image", "png": "image", "gif": "image",
    "bmp": "image", "tif": "image", "tiff": "image", "zip": "zip", "rar": "zip",
}
_BIG5_GATE = re.compile(r"^/gate/big5/([^/]+)(/.*)?$", re.IGNORECASE)
_WAP = re.compile(r"_wap(\.s?html?)$", re.IGNORECASE)
_GKMLPT = re.compile(r"^/gkmlpt/content/(?:[^/]+/)*m?post_(\d+)\.html$", re.IGNORECASE)
_MPOST = re.compile(r"/mpost_(\d+)\.html$", re.IGNORECASE)


def _clean_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() not in TRACKING_PARAMS]
    return urlencode(pairs)


def _host_port(netloc: str, scheme: str) -> str:
    netloc = netloc.rsplit("@", 1)[-1].lower()
    if (scheme == "http" and netloc.endswith(":80")) or (scheme == "https" and netloc.endswith(":443")):
        netloc = netloc.rsplit(":", 1)[0]
    return netloc


def fetch_url(url: str) -> str:
    """The URL to request for a found link: the plain twin of mirrors (`_wap`, big5 gate, `mpost_`),
    scheme and path kept, fragment and tracking parameters dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    netloc = _host_port(parts.netloc, scheme)
    path = parts.path or "/"
    gate = _BIG5_GATE.match(path)
    if gate:
        netloc, path = gate.group(1).lower(), gate.group(2) or "/"
    path = _WAP.sub(r"\1", path)
    path = _MPOST.sub(r"/post_\1.html", path)
    if "/./" in path or "/../" in path:
        path = posixpath.normpath(path) + ("/" if path.endswith("/") else "")
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def canonical_url(url: str) -> str:
    """The identity of a page for dedupe: `fetch_url` with the scheme fixed to http, and gkmlpt's
    `/content/{a}/{b}/post_{id}` and `post_url` forms made one."""
    parts = urlsplit(fetch_url(url))
    path = parts.path
    gk = _GKMLPT.match(path)
    if gk:
        path = f"/gkmlpt/content/post_{gk.group(1)}.html"
    return urlunsplit(("http", _host_port(parts.netloc, "http"), path, parts.query, ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def join(base: str, href: str) -> str | None:
    """An absolute http(s) URL for an href, or None for mailto:, javascript: and friends."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    absolute = urljoin(base, href)
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def doc_kind(url: str) -> str | None:
    """The attachment kind ("pdf", "docx", "ofd", "image", ...) of a URL, from its extension; a
    `showname=`/`filename=` parameter counts (Hanweb downfile.jsp links)."""
    parts = urlsplit(url)
    candidates = [parts.path]
    candidates += [v for k, v in parse_qsl(parts.query) if k.lower() in ("filename", "showname", "file", "name")]
    for candidate in candidates:
        ext = candidate.rsplit(".", 1)[-1].lower() if "." in candidate.rsplit("/", 1)[-1] else ""
        if ext in DOC_EXTENSIONS:
            return DOC_EXTENSIONS[ext]
    return None


def in_scope(host: str, hosts: frozenset[str] | set[str], suffixes: tuple[str, ...]) -> bool:
    """A host we may fetch: listed, or under one of the suffixes (`.gov.cn` by default)."""
    host = host.lower().rstrip(".")
    if not host:
        return False
    if host in hosts:
        return True
    return any(host.endswith(s) if s.startswith(".") else host == s or host.endswith("." + s) for s in suffixes)


def is_private_address(address: str) -> bool:
    """Loopback, private, link-local, reserved or multicast: never fetched without permission."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return bool(ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified)


def looks_like_home(url: str) -> bool:
    """A site's home page: where soft failures (301-to-home) land."""
    path = urlsplit(url).path
    return path in ("", "/") or bool(re.fullmatch(r"/(index|default)\.(s?html?|jsp|aspx?|php)", path, re.IGNORECASE))
