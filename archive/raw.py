"""The content-addressed store of raw bytes: every file the archive ever saw, exactly as received.

Interface (the crawler codes against it):

    class RawStore:
        def __init__(self, root: str | Path) -> None   # blobs at root/<sha[:2]>/<sha>
        def put(self, body: bytes) -> str              # sha256 hex; idempotent; atomic (tmp + os.replace)
        def get(self, sha256: str) -> bytes            # KeyError when absent
        def has(self, sha256: str) -> bool
        def path(self, sha256: str) -> Path

Why content-addressed: the same PDF linked from three pages is stored once, a re-crawl that finds
the same bytes writes nothing, and `nianbao rebuild` can re-parse every document from its hash alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def is_sha256(text: str) -> bool:
    """A lowercase hex sha256: the only names `path` accepts, so no caller can escape the root."""
    return bool(_SHA256.fullmatch(text))


class RawStore:
    """Blobs under root/<sha[:2]>/<sha>; written once, never modified."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256[:80]!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return is_sha256(sha256) and self.path(sha256).is_file()

    def put(self, body: bytes) -> str:
        """Store body and return its sha256. A crash mid-write leaves a temp file, never a torn blob."""
        sha = sha256_hex(body)
        target = self.path(sha)
        if target.is_file():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{sha[:8]}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise KeyError(sha256) from None

    def __iter__(self) -> Iterator[str]:
        """Every stored sha256 (in no particular order)."""
        if not self.root.is_dir():
            return
        for sub in self.root.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                for blob in sub.iterdir():
                    if is_sha256(blob.name):
                        yield blob.name
