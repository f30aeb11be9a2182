"""Termination signals unwound like Ctrl-C, so the commands' cleanup runs.

Python dies on SIGTERM/SIGHUP without running `finally` blocks: the parse workers' sessions (and any
LibreOffice they started) would be left to the kernel, their temporary folders on disk. Raised as
SystemExit instead, the pools close, kill what they started and remove the folders.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


@contextlib.contextmanager
def terminated_cleanly() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise SystemExit(128 + signal); the old handlers come back after."""

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    except ValueError:  # not the main thread (an embedding caller): leave signals alone
        yield
        return
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
