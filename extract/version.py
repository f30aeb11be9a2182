"""The parser's version, derived from its own code: a digest of every source file of `extract/`.

Why not a number by hand: the archive stores the version on each report and skips re-parsing a
report whose version is the current one, so a version nobody remembered to bump (it stayed 0.1.0
through dozens of parser changes) keeps stale parses forever. A digest changes with every change
to the parser and with nothing else; the cost is that a change to a comment also re-parses, which
only costs time. Computed once at import (about 400 KB read and hashed: a millisecond or two).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def source_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """SHA-256 over the relative path and bytes of every .py file under package_dir, in path order,
    so a file added, removed, renamed or edited changes it, and the same sources give the same
    digest in a checkout and in an installed wheel."""
    digest = hashlib.sha256()
    files = sorted(package_dir.rglob("*.py"), key=lambda p: p.relative_to(package_dir).as_posix())
    if not files:  # sources stripped from a frozen install: nothing to derive a version from
        raise RuntimeError(f"no parser sources under {package_dir}: cannot derive the parser version")
    for path in files:
        digest.update(path.relative_to(package_dir).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


PARSER_VERSION = f"src-{source_digest()[:16]}"
