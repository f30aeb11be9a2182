"""Legacy binary Word (DOC) and Kingsoft WPS files → DOCX through LibreOffice headless.

antiword and catdoc flatten tables into streams of numbers; LibreOffice keeps the table grid with
its merged cells, so the DOCX reader does the rest. Each conversion runs in its own temporary
profile (concurrent conversions otherwise fight over one user profile and hang), with a time limit,
and its process group is killed when that runs out.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from ..model import ParseError

TIMEOUT_S = 120
INSTALL_HINT = ("LibreOffice is needed to read DOC/WPS files: install it with "
                "`apt-get install --no-install-recommends libreoffice-writer-nogui` "
                "(listed in scripts/apt-packages.txt; `bash scripts/system-packages.sh` installs it)")


@lru_cache(maxsize=1)
def soffice() -> str | None:
    """The LibreOffice binary on PATH, or None."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    return None


@lru_cache(maxsize=1)
def soffice_version() -> str:
    """`LibreOffice 7.4.7.2` or the like, for `source.reader`."""
    binary = soffice()
    if binary is None:
        return "LibreOffice (missing)"
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return "LibreOffice"
    words = out.split()
    return " ".join(words[:2]) if len(words) >= 2 else "LibreOffice"


def convert(data: bytes, suffix: str, target: str, *, timeout: float = TIMEOUT_S) -> bytes:
    """Convert a document's bytes with LibreOffice: `suffix` is the input's extension (`.doc`),
    `target` a --convert-to filter (`docx`, `pdf`, `doc:MS Word 97`). ParseError on any failure."""
    binary = soffice()
    if binary is None:
        raise ParseError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        out_dir = Path(tmp) / "out"
        cmd = [binary, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", target, "--outdir", str(out_dir), str(src)]
        env = {**os.environ, "HOME": tmp}
        # A process group of its own (killed whole on timeout) but the caller's session: a parse worker
        # that is killed takes its session, LibreOffice included, with it (archive/workers.py).
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, process_group=0)
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            _kill(proc)
            raise ParseError(f"LibreOffice did not finish converting within {timeout:.0f} s; gave up") from e
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): LibreOffice must not outlive its folder
            _kill(proc)
            raise
        results = list(out_dir.glob("in.*")) if out_dir.is_dir() else []
        if proc.returncode != 0 or not results:
            reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output file"]
            raise ParseError(f"LibreOffice could not convert this file ({reason[0][:120]})")
        return results[0].read_bytes()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """LibreOffice's whole process group (soffice forks soffice.bin), then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
