"""One writer per archive file at a time: a crawl, `nianbao add`, or `nianbao rebuild`.

Why: a rebuild copies the provenance tables and swaps a fresh file in; a crawl writing meanwhile
would lose its fetches with the old file. The scheduled crawl and an operator's rebuild or add are
exactly the two things that meet. The lock is `flock` on `<db>.lock`, so the kernel releases it
when its process dies: a crawl killed with SIGKILL leaves no stale lock behind. Readers (Datasette,
export) take no lock.

* Keyed by the database's real path (symlinks resolved): the same file reached through a link is
  the same lock, never a second writer.
* Taken once and held: a command that writes (the crawl) calls `hold_for_process()` at its start and
  keeps the lock to its end; every `Archive` the same process opens on that file borrows it. There is
  no check-then-lock window in which a second process can slip in.
* The writer that takes the lock removes what a killed rebuild left beside the file
  (`.<db>.rebuild-<pid>*` of a process that no longer runs): nobody else ever would.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

_PROCESS_HOLDS: dict[str, WriterLock] = {}  # lock path → the lock this process holds for its whole run


class ArchiveBusy(RuntimeError):
    """Another process is writing this archive."""


def real_db_path(db_path: str | Path) -> Path:
    """The file a path names in the end (symlinks of the file and of its folders resolved)."""
    return Path(os.path.realpath(db_path))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def rebuild_leftovers(db_path: Path) -> list[Path]:
    """Files a rebuild of db_path (a real path) left behind when it was killed: `.<name>.rebuild-<pid>`
    and its `-wal`, `-shm`, `.lock`, for pids no longer running."""
    prefix = f".{db_path.name}.rebuild-"
    found = []
    with contextlib.suppress(OSError):
        for entry in db_path.parent.iterdir():
            if not entry.name.startswith(prefix):
                continue
            digits = entry.name[len(prefix):].split(".", 1)[0].split("-", 1)[0]
            if digits.isdigit() and int(digits) != os.getpid() and not _pid_alive(int(digits)):
                found.append(entry)
    return sorted(found)


class WriterLock:
    def __init__(self, db_path: str | Path) -> None:
        self.db_path = real_db_path(db_path)
        self.path = Path(f"{self.db_path}.lock")
        self._fd: int | None = None
        self._borrowed = False

    def acquire(self) -> WriterLock:
        if str(self.path) in _PROCESS_HOLDS:  # this process holds it for its whole run: borrow it
            self._borrowed = True
            return self
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise ArchiveBusy(f"{self.db_path} is being written by another nianbao process "
                              f"(pid {holder}); try again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        for leftover in rebuild_leftovers(self.db_path):  # we hold the lock: no rebuild of this file runs
            leftover.unlink(missing_ok=True)
        return self

    def hold_for_process(self) -> WriterLock:
        """Acquire, and let every later `acquire` of the same file in this process borrow this lock
        (until `release`): how a crawl keeps the archive from its first line to its last."""
        self.acquire()
        if not self._borrowed:
            _PROCESS_HOLDS[str(self.path)] = self
        return self

    def release(self) -> None:
        if self._borrowed:
            self._borrowed = False
            return
        if self._fd is None:
            return
        if _PROCESS_HOLDS.get(str(self.path)) is self:
            del _PROCESS_HOLDS[str(self.path)]
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing the descriptor drops the flock
        self._fd = None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
