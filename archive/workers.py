"""Parsing in worker processes with limits: a document that blows up takes down its worker, never the crawl.

A parser runs native code (pdfium, calamine, onnxruntime, LibreOffice) on untrusted bytes: a crafted
file can abort the process (calamine: "memory allocation of 549755813888 bytes failed"), eat the
machine's memory or spin for minutes. So every document is parsed in a worker process of its own
session with an address-space limit (RLIMIT_AS), a CPU-time limit per document (RLIMIT_CPU, raised
by the worker before each document) and a wall-clock deadline; when a worker dies or overruns, its
whole session (LibreOffice included) is killed, its temporary folder removed, and the document gets
the reason as its `parse_error`. Workers are long-lived (OCR models load once per worker) and
restarted after a failure.

`ParsePool(jobs=N)` keeps N workers; callers `submit` documents ahead (a bounded window) and take
`result`s in their own order, so one writer commits in the original order while N parse. A caller that
must not block (the crawl, on Twisted's reactor) `poll`s instead and asks whether a document is `ready`;
`stop` ends parsing at once (an interrupted crawl), each unfinished document getting the reason.
`serve()` is the worker itself (a loop over pickled jobs on stdin).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Literal

from extract.model import ParseError, Report

if TYPE_CHECKING:
    from archive.rows import Derived

_HEADER = struct.Struct("!Q")
_STDERR_TAIL = 4000  # bytes of a dead worker's stderr kept for its reason
_OUT_OF_MEMORY = ("failed to map segment", "Cannot allocate memory", "bad_alloc", "bad allocation",
                  "memory allocation of")
_FATAL = ("memory allocation of", "Fatal Python error", "thread '", "terminate called", "Segmentation fault")

Kind = Literal["ok", "not_report", "bug", "limit", "crash", "stopped"]


@dataclass(frozen=True)
class Limits:
    """Per-document limits of a worker, and the document caps handed to extract/readers/limits.py there.

    Defaults fit real reports: a 50-page scanned PDF (its first 30 pages OCR'd) took 165 s of CPU and
    965 MB, and 596 s of wall-clock time on a 2-core machine loaded 6 times over; the wall clock is
    for hangs, the CPU limit for work, so it is the more generous of the two."""

    memory_mb: int = 4096  # address space of a worker and of what it starts (LibreOffice)
    cpu_s: int = 600  # CPU seconds per document
    wall_s: float = 1800.0  # wall-clock seconds per document (LibreOffice's own timeout is shorter)
    caps: Mapping[str, float] = field(default_factory=dict)  # extract.readers.limits.Caps overrides

    ENV: ClassVar[dict[str, str]] = {"memory_mb": "NIANBAO_PARSE_MEMORY_MB", "cpu_s": "NIANBAO_PARSE_CPU_S",
                                     "wall_s": "NIANBAO_PARSE_TIMEOUT_S"}
    CAP_PREFIX: ClassVar[str] = "NIANBAO_CAP_"  # NIANBAO_CAP_OCR_PAGES=10 → caps["ocr_pages"] = 10

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Limits:
        """Defaults, then NIANBAO_PARSE_* / NIANBAO_CAP_* from the environment, then explicit overrides
        (the CLI's options; None means not given)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, var in cls.ENV.items():
            if env.get(var):
                values[name] = _number(var, env[var])
        caps = {k[len(cls.CAP_PREFIX):].lower(): _number(k, v) for k, v in env.items()
                if k.startswith(cls.CAP_PREFIX) and v}
        values.update({k: v for k, v in overrides.items() if v is not None and k != "caps"})
        caps.update(overrides.get("caps") or {})
        return cls(**values, caps=caps)


def _number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"{name}={text!r} must be positive")
    return int(value) if value.is_integer() else value


@dataclass(frozen=True)
class Outcome:
    """One document's parse: a report, or why not (`kind` says whose fault: the input, a limit, a bug)."""

    kind: Kind
    report: Report | None = None
    error: str | None = None
    seconds: float = 0.0  # the parse in its worker (not counting a reply waiting to be read); else dispatch to end
    derived: Derived | None = None  # the report's rows, derived in the worker beside the parse


class WorkerFailure(Exception):
    """A parse that ended in a limit, a crash or a parser bug rather than an answer about the document."""

    def __init__(self, message: str, kind: Kind) -> None:
        super().__init__(message)
        self.kind = kind


WORKER_PEAK_MB = 1200  # the largest parse worker measured (OCR of a page at the render cap): bench/hostile.py


def default_jobs() -> int:
    """Parse workers by default: one per core this process may run on, but no more than the machine's
    memory holds at a worker's measured peak (each may reach `Limits.memory_mb` of address space; few do)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        memory_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)
    except (AttributeError, OSError, ValueError):
        return cores
    return max(1, min(cores, memory_mb // WORKER_PEAK_MB))


class WorkerParser:
    """parse_report's signature, run in a worker kept for the next call: ParseError as in-process,
    WorkerFailure for a limit or a crash. `close()` ends the worker (the CLI's commands do, on exit)."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits
        self.pool: ParsePool | None = None

    def __call__(self, data: bytes, *, content_type: str | None = None, url: str | None = None) -> Report:
        if self.pool is None:
            self.pool = ParsePool(1, self.limits)
        outcome = self.pool.parse(data, content_type=content_type, url=url)
        if outcome.report is not None:
            return outcome.report
        if outcome.kind == "not_report":
            raise ParseError(outcome.error or "not a report")
        raise WorkerFailure(outcome.error or "the parser failed", outcome.kind)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


_local = threading.local()
_shared: list[ParsePool] = []


def shared_pool() -> ParsePool:
    """One worker for this process (and thread) for callers that parse a document at a time (a crawl's
    add_report, merge): started once rather than once per Archive opened, with the limits of the
    environment (restarted when they change). Closed when the process exits."""
    limits = Limits.from_env()
    pool: ParsePool | None = getattr(_local, "pool", None)
    if pool is not None and pool.owner == os.getpid() and pool.limits == limits:
        return pool
    if pool is not None:
        pool.close()
        _shared.remove(pool)
    pool = _local.pool = ParsePool(1, limits)
    if not _shared:
        atexit.register(_close_shared)
    _shared.append(pool)
    return pool


def _close_shared() -> None:
    for pool in _shared:
        pool.close()
    _shared.clear()


# --- the parent's side --------------------------------------------------------------------------------


def _send(stream: IO[bytes], obj: object) -> None:
    blob = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(blob)))
    stream.write(blob)
    stream.flush()


def _session_members(sid: int) -> list[int]:
    """Every live process of a session (Linux /proc): the worker and what it started, LibreOffice included.
    Zombies are left out: they hold no files and write nothing more."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        after = stat[stat.rfind(")") + 2:].split()  # state ppid pgrp session …
        if len(after) > 3 and int(after[3]) == sid and after[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _kill_session(sid: int, *, spare: int | None = None, wait_s: float = 5.0) -> None:
    """SIGKILL every process of a session (but `spare`), then wait until they are gone: a killed process
    is not dead at once, and LibreOffice writing its profile meanwhile would refill a folder being removed."""
    deadline = time.monotonic() + wait_s
    while members := [pid for pid in _session_members(sid) if pid != spare]:
        for pid in members:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            return
        time.sleep(0.02)


def _remove_folder(folder: Path) -> None:
    """rmtree, once more if something still wrote into it while it went."""
    for _ in range(3):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.05)


_FOLDER_PREFIX = "nianbao-worker-"
# This file loaded on its own, not as archive.workers: importing the archive package (sqlite-utils …)
# would double a worker's start-up time, and a worker needs only extract.
_LAUNCH = ("import importlib.util as u, sys; s = u.spec_from_file_location('nianbao_parse_worker', sys.argv[1]); "
           "m = sys.modules[s.name] = u.module_from_spec(s); s.loader.exec_module(m); m.serve()")


def _sweep_stale_folders() -> None:
    """Temporary folders of workers whose parent was killed outright (SIGKILL leaves no time to clean up):
    named after the parent's pid, removed once that process is gone."""
    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{_FOLDER_PREFIX}*-*"):
        pid = folder.name[len(_FOLDER_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or Path(f"/proc/{pid}").exists():
            continue
        shutil.rmtree(folder, ignore_errors=True)


PIPELINE = 2  # documents a worker holds at once: the one it parses and, when it names a raw file, the next


class _Worker:
    """One worker process in a session of its own, with its own temporary folder (TMPDIR).

    It may hold a second job behind the one it parses (`PIPELINE`): a job that names a raw file is a few
    bytes in the pipe, so the worker starts it the moment it replies, not when the writer, busy storing
    the report before, next looks at the pool (that idle gap was a third of a `--jobs 1` rebuild)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{_FOLDER_PREFIX}{os.getpid()}-"))
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (kept open for the worker's life)
        env = {**os.environ, "TMPDIR": str(self.tmp), "PYTHONUNBUFFERED": "1", "RUST_BACKTRACE": "0",
               "NIANBAO_WORKER_PARENT": str(os.getpid())}
        self.proc = subprocess.Popen([sys.executable, "-c", _LAUNCH, __file__], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, env=env, start_new_session=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.buf = bytearray()
        self.log_start = 0
        self.jobs: deque[_Job] = deque()  # the first is being parsed, the rest wait in its pipe
        self.deadline = 0.0
        self.broken = False  # it takes no more (a job could not be sent, or the pool stopped): retired when free
        with contextlib.suppress(OSError):  # it died at start: the first job will say why
            _send(self.stdin, {"memory_mb": limits.memory_mb, "cpu_s": limits.cpu_s, "caps": dict(limits.caps)})

    def fileno(self) -> int:
        return self.stdout.fileno()

    @property
    def job(self) -> _Job:
        """The document being parsed."""
        return self.jobs[0]

    def takes(self, job: _Job) -> bool:
        """Whether this busy worker can hold `job` behind its own without ever blocking the sender."""
        return not self.broken and job.path is not None and len(self.jobs) < PIPELINE

    def start(self, job: _Job) -> bool:
        try:
            _send(self.stdin, (job.data if job.path is None else job.path, job.content_type, job.url))
        except OSError:
            self.broken = True
            return False
        self.jobs.append(job)
        if len(self.jobs) == 1:
            self._begin(job)
        return True

    def _begin(self, job: _Job) -> None:
        self.deadline, job.started = time.monotonic() + self.limits.wall_s, time.monotonic()
        self.log_start = self.log.seek(0, os.SEEK_END)  # what it prints from here on is about this document

    def advance(self) -> _Job:
        """The first job's reply is in: the next one (already in the pipe) is being parsed from now."""
        done = self.jobs.popleft()
        if self.jobs:
            self._begin(self.jobs[0])
        return done

    def read_replies(self) -> list[tuple[Kind, Any, float]]:
        """Read what is available; the replies now complete (a large one comes in pieces). EOFError when
        the worker has gone."""
        chunk = os.read(self.fileno(), 1 << 20)
        if not chunk:
            raise EOFError
        self.buf += chunk
        replies = []
        while len(self.buf) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self.buf)
            if len(self.buf) < _HEADER.size + size:
                break
            replies.append(pickle.loads(bytes(self.buf[_HEADER.size:_HEADER.size + size])))
            del self.buf[:_HEADER.size + size]
        return replies

    def death_reason(self) -> str:
        """Why the worker ended: the signal or exit code, and the last line it printed (Rust's abort message)."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        end = self.log.seek(0, os.SEEK_END)
        self.log.seek(max(self.log_start, end - _STDERR_TAIL))
        lines = [ln.strip() for ln in self.log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        # Rust's "memory allocation of … bytes failed", Python's "Fatal Python error: …", else the last line.
        last = next((ln for ln in lines if ln.startswith(_FATAL)), lines[-1] if lines else "")
        if code is not None and code < 0:
            sig = signal.Signals(-code)
            why = {signal.SIGXCPU: f"over its CPU-time limit ({self.limits.cpu_s:g} s)",
                   signal.SIGABRT: "aborted", signal.SIGSEGV: "crashed (segmentation fault)",
                   signal.SIGKILL: "killed"}.get(sig, f"killed by {sig.name}")
            text = f"parser process {why} (signal {-code})"
            if sig in (signal.SIGXCPU, signal.SIGKILL):
                return text  # what it last printed says nothing about why
        else:
            text = f"parser process exited with code {code}"
        return f"{text}: {last[:300]}" if last else text

    def kill(self) -> None:
        """The worker's whole session, then its temporary folder (LibreOffice's profile and files)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.proc.pid, signal.SIGKILL)
        _kill_session(self.proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self.cleanup()

    def close(self) -> None:
        """Ask the worker to stop (end of its input), then make sure of it."""
        with contextlib.suppress(OSError):
            self.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self.kill()

    def cleanup(self) -> None:
        for stream in (self.stdout, self.log):
            with contextlib.suppress(OSError):
                stream.close()
        with contextlib.suppress(OSError):
            self.stdin.close()
        _remove_folder(self.tmp)


@dataclass(eq=False)
class _Job:
    key: object
    data: bytes | None  # the document, or None when the worker reads it from `path`
    content_type: str | None
    url: str | None
    path: str | None = None  # a raw file that is never modified (archive/raw.py)
    started: float = 0.0


class ParsePool:
    """N worker processes; documents submitted ahead, results taken in any order (usually submission order).

    `submit` queues a document under a key (ignored when that key is queued or done already); `result`
    runs the pool until that key's outcome is in and hands it over. A caller that submits a window of
    documents ahead and takes results in order gets N-way parsing with one writer in the original order.
    Not thread-safe: one thread owns a pool (the crawl's is driven from the reactor by `poll`).
    """

    def __init__(self, jobs: int = 1, limits: Limits | None = None) -> None:
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.jobs = jobs
        self.limits = limits or Limits.from_env()
        self._idle: list[_Worker] = []
        self._busy: list[_Worker] = []
        self._queue: deque[_Job] = deque()
        self._keys: set[object] = set()
        self._done: dict[object, Outcome] = {}
        self._orphans: set[object] = set()  # forgotten while running
        self._stopped: str | None = None  # why nothing more is parsed (stop)
        self.owner = os.getpid()  # a forked child must not close its parent's workers
        _sweep_stale_folders()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if os.getpid() == self.owner:
            workers = self._idle + self._busy
            for worker in workers:  # all told first, so they exit together, not one 0.2 s wait after another
                with contextlib.suppress(OSError):
                    worker.stdin.close()
            for worker in workers:
                worker.close()
        self._idle, self._busy = [], []
        self._queue.clear()
        self._keys.clear()
        self._done.clear()
        self._orphans.clear()

    @property
    def in_flight(self) -> int:
        """Documents submitted and not yet taken: what a caller bounds its window by."""
        return len(self._keys)

    def submit(self, key: object, data: bytes | None = None, *, path: str | Path | None = None,
               content_type: str | None = None, url: str | None = None) -> None:
        """Queue a document: its bytes, or the `path` of a file that is never modified (a raw file), which
        the worker reads itself, so the bytes never cross the pipe and the worker can hold it in advance."""
        if (data is None) == (path is None):
            raise TypeError("submit takes the document's bytes or its path, not both")
        if key in self._keys:
            return
        self._keys.add(key)
        if self._stopped is not None:
            self._done[key] = Outcome("stopped", error=self._stopped)
            return
        self._queue.append(_Job(key, data, content_type, url, None if path is None else str(path)))
        self._dispatch()

    def __contains__(self, key: object) -> bool:
        """Submitted and not yet taken (nor forgotten)."""
        return key in self._keys

    def poll(self) -> None:
        """Take whatever replies have come, end workers past their deadline, start queued documents; never
        waits (the crawl calls this from Twisted's reactor, which must keep downloading meanwhile). Reads
        on while a worker has more to say: a reply larger than the pipe's buffer comes in pieces."""
        while self._step(timeout=0.0):
            pass

    def ready(self, key: object) -> bool:
        """Whether `result(key)` would return at once (as of the last `poll` or `result`)."""
        if key not in self._keys:
            raise KeyError(f"{key!r} was never submitted")
        return key in self._done

    def stop(self, reason: str, *, running: bool = True) -> None:
        """Parse nothing more: each queued document, and each running one (its worker killed) unless
        `running` is False, gets a `stopped` outcome with the reason, as does every document submitted
        from now on. For a crawl being interrupted: what it fetched is archived unparsed, with why."""
        self._stopped = reason
        for job in self._queue:
            self._done[job.key] = Outcome("stopped", error=reason)
        self._queue.clear()
        for worker in list(self._busy):
            stopped = list(worker.jobs)[0 if running else 1:]  # those held in its pipe never started
            for job in stopped:
                self._record(job, Outcome("stopped", error=reason))
            if running:
                worker.jobs.clear()
                self._retire(worker)
            else:  # the running one finishes; then the worker goes, with what its pipe still holds
                worker.jobs = deque([worker.job])
                worker.broken = True

    def result(self, key: object) -> Outcome:
        if key not in self._keys:
            raise KeyError(f"{key!r} was never submitted")
        while key not in self._done:
            self._step()
        self._keys.discard(key)
        return self._done.pop(key)

    def forget(self, key: object) -> None:
        """Drop a document submitted ahead that will not be asked for (its report turned out unchanged)."""
        if key not in self._keys:
            return
        self._keys.discard(key)
        self._done.pop(key, None)
        for job in self._queue:
            if job.key == key:
                self._queue.remove(job)
                return
        if any(job.key == key for worker in self._busy for job in worker.jobs):  # its result is dropped when it comes
            self._orphans.add(key)

    def parse(self, data: bytes, *, content_type: str | None = None, url: str | None = None) -> Outcome:
        key = object()
        self.submit(key, data, content_type=content_type, url=url)
        return self.result(key)

    # --- running ---------------------------------------------------------------------------------

    def _worker_for(self, job: _Job) -> _Worker | None:
        """An idle worker, else a new one while fewer than `jobs` run, else a busy one that can hold it."""
        if self._idle:
            return self._idle.pop()
        if len(self._busy) < self.jobs:
            return _Worker(self.limits)
        holders = [w for w in self._busy if w.takes(job)]
        return min(holders, key=lambda w: len(w.jobs)) if holders else None

    def _dispatch(self) -> None:
        while self._stopped is None and self._queue and (worker := self._worker_for(self._queue[0])) is not None:
            job = self._queue.popleft()
            if worker.start(job):
                if worker not in self._busy:
                    self._busy.append(worker)
            elif worker.jobs:  # it died while busy: its end of output will say so; the job goes to another
                self._queue.appendleft(job)
            else:  # dead before it got the job (it could not even start, or died idle)
                self._record(job, Outcome("crash", error=worker.death_reason()))
                worker.kill()

    def _record(self, job: _Job, outcome: Outcome) -> None:
        if job.key in self._orphans:
            self._orphans.discard(job.key)
            return
        elapsed = time.monotonic() - job.started if job.started else 0.0
        self._done[job.key] = replace(outcome, seconds=outcome.seconds or elapsed)

    def _replied(self, worker: _Worker, outcome: Outcome, *, keep: bool) -> None:
        """The worker's first job is done; a worker not kept is replaced and what it held goes back first."""
        self._record(worker.advance(), outcome)
        if not keep or worker.broken:
            self._retire(worker)
        elif not worker.jobs:
            self._busy.remove(worker)
            self._idle.append(worker)

    def _retire(self, worker: _Worker) -> None:
        for job in reversed(worker.jobs):  # never started by a worker that is gone: parsed by the next one
            job.started = 0.0
            self._queue.appendleft(job)
        worker.jobs.clear()
        if worker in self._busy:
            self._busy.remove(worker)
        worker.kill()

    def _step(self, timeout: float | None = None) -> bool:
        """Wait for one event (a reply, a death, a deadline) among the busy workers; at most `timeout`
        seconds when given (0: only what is there already). Whether a worker had something to read."""
        self._dispatch()
        if not self._busy:
            return False
        until_deadline = max(0.0, min(w.deadline for w in self._busy) - time.monotonic())
        timeout = until_deadline if timeout is None else min(timeout, until_deadline)
        ready, _w, _x = select.select(self._busy, [], [], timeout)
        for worker in ready:
            try:
                replies = worker.read_replies()
            except (EOFError, OSError):
                self._replied(worker, Outcome(_kind_of_death(worker), error=worker.death_reason()), keep=False)
                continue
            for kind, payload, seconds in replies:
                if kind == "ok":
                    report, derived = payload
                    self._replied(worker, Outcome("ok", report=report, seconds=seconds, derived=derived), keep=True)
                else:  # the worker exits after a MemoryError: its heap is not to be trusted
                    self._replied(worker, Outcome(kind, error=str(payload), seconds=seconds), keep=kind != "limit")
        now = time.monotonic()
        for worker in [w for w in self._busy if w.deadline <= now]:
            self._replied(worker, Outcome(
                "limit", error=f"parse stopped: over its time limit ({self.limits.wall_s:g} s)"), keep=False)
        self._dispatch()
        return bool(ready)


def _kind_of_death(worker: _Worker) -> Kind:
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.proc.wait(timeout=5)
    return "limit" if worker.proc.returncode == -signal.SIGXCPU else "crash"


# --- the worker's side --------------------------------------------------------------------------------


def _recv(stream: IO[bytes]) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    return pickle.loads(stream.read(size))


def _die_with_parent(parent: int) -> None:
    """A parent killed outright (SIGKILL: no time to clean up) takes its worker with it, and the worker
    takes its session (LibreOffice) and its folder: Linux sends it SIGTERM when the parent dies
    (PR_SET_PDEATHSIG), handled here between two bytecodes (or when a native call returns)."""
    import ctypes

    def clean_up(signum: int, _frame: object) -> None:
        me = os.getpid()
        _kill_session(me, spare=me)
        folder = Path(os.environ.get("TMPDIR", ""))
        if folder.name.startswith(_FOLDER_PREFIX):
            _remove_folder(folder)
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, clean_up)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the request took effect
        clean_up(signal.SIGTERM, None)


def serve() -> None:
    """The worker loop: a hello with the limits, then (bytes, content type, url) jobs until end of input."""
    import resource

    _die_with_parent(int(os.environ.get("NIANBAO_WORKER_PARENT", os.getppid())))
    source = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a library printing to stdout must not garble the replies
    hello = _recv(source)
    if hello is None:
        return
    memory = int(hello["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort or SIGXCPU must not leave a core file behind
    cpu_s = int(hello["cpu_s"])

    from archive.rows import derive  # the package's names are lazy: this brings no sqlite-utils in
    from extract.parse import parse_report
    from extract.readers import limits as caps

    caps.configure(**hello["caps"])
    while (job := _recv(source)) is not None:
        data, content_type, url = job
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(used.ru_utime + used.ru_stime) + cpu_s + 1
        resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
        start = time.monotonic()
        reply, fatal = _parse(data, content_type, url, hello["memory_mb"], parse_report, derive)
        del data, job
        elapsed = time.monotonic() - start
        try:
            _send(replies, (*reply, elapsed))
        except MemoryError:
            _send(replies, ("limit", f"parse stopped: over its memory limit ({hello['memory_mb']} MB)", elapsed))
            fatal = True
        if fatal:
            return


def _parse(data: bytes | str, content_type: str | None, url: str | None, memory_mb: int,
           parse_report: Callable[..., Report], derive: Callable[[Report], Derived]) -> tuple[tuple[str, Any], bool]:
    """One job in the worker: (reply, whether the worker must exit after it). `data` is the document or the
    path of its raw file."""
    if isinstance(data, str):
        try:
            data = Path(data).read_bytes()
        except OSError as exc:
            return ("bug", f"cannot read the raw file: {exc}"), False
    try:
        report = parse_report(data, content_type=content_type, url=url)
    except ParseError as exc:
        return ("not_report", str(exc) or "not a report"), False
    except MemoryError:
        return ("limit", f"parse stopped: over its memory limit ({memory_mb} MB)"), True
    except RecursionError:
        return ("bug", "parser failed: RecursionError: nesting too deep"), False
    except Exception as exc:  # a parser bug is the document's failure, with its reason
        if any(sign in str(exc) for sign in _OUT_OF_MEMORY):  # a library could not map or allocate
            why = f"parse stopped: over its memory limit ({memory_mb} MB): {type(exc).__name__}: {exc}"
            return ("limit", why), True
        return ("bug", f"parser failed: {type(exc).__name__}: {exc}"), False
    try:
        return ("ok", (report, derive(report))), False
    except MemoryError:
        return ("limit", f"parse stopped: over its memory limit ({memory_mb} MB)"), True
    except Exception as exc:  # our bug, not the document's, and said so
        return ("bug", f"deriving the report's rows failed: {type(exc).__name__}: {exc}"), False


if __name__ == "__main__":
    serve()
