"""Where the project's shared material lives (../shared beside the repo) and how to load its scorer."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
GOLD_SEEDS = SHARED / "gold" / "seeds"
CORPUS = SHARED / "corpus"


def need_shared() -> None:
    """Skip, saying why, when ../shared is not beside this checkout."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present")


def scorer() -> ModuleType:
    """The shared score_report.py itself, so tests score exactly as the project's gold is scored."""
    path = SHARED / "tools" / "score_report.py"
    spec = importlib.util.spec_from_file_location("score_report", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
