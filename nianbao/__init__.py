"""Nianbao Archive: the `nianbao` command. The parser lives in `extract`, the rest here."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _version() -> str:
    """The installed version, or pyproject.toml's when run from a checkout that is not installed,
    so `nianbao --version` never disagrees with the project file."""
    try:
        return version("nianbao-archive")
    except PackageNotFoundError:
        pass
    try:
        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return "0+unknown"


__version__ = _version()
