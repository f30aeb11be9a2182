"""One writer per archive file at a time: a crawl, `nianbao add`, or `nianbao rebuild`.

Why: a rebuild copies the provenance tables and swaps a fresh file in; a crawl writing meanwhile
would lose its fetches with the old file. The scheduled crawl and an operator's rebuild or add are
exactly the two things that meet. The lock is `flock` on `<db>.lock`, so the kernel releases it
when its process dies: a crawl killed with SIGKILL leaves no stale lock behind. Readers (Datasette,
export) take no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class ArchiveBusy(RuntimeError):
    """Another process is writing this archive."""


class WriterLock:
    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> WriterLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise ArchiveBusy(f"{self.path.with_suffix('')} is being written by another nianbao process "
                              f"(pid {holder}); try again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing the descriptor drops the flock
        self._fd = None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
