"""Where the project's shared material lives (../shared beside the repo) and how to load its scorer."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
GOLD_SEEDS = SHARED / "gold" / "seeds"
CORPUS = SHARED / "corpus"


# What the gold gate reads: without any of these the gold tests would have nothing to score.
SHARED_PARTS = ("seeds", "gold/seeds", "corpus", "tools/score_report.py")


def shared_required(environ: Mapping[str, str] = os.environ) -> bool:
    """CI (any CI sets CI=true) or NIANBAO_REQUIRE_SHARED=1: the gold tests must run, not skip."""
    def on(name: str) -> bool:
        return environ.get(name, "").strip().lower() not in ("", "0", "false", "no")

    return on("CI") or on("NIANBAO_REQUIRE_SHARED")


def missing_shared(shared: Path = SHARED, environ: Mapping[str, str] = os.environ) -> str | None:
    """Why this run must stop, or None. Without ../shared the gold tests skip and the suite passes,
    so the 100 % gold gate would switch itself off unnoticed exactly where it matters: in CI."""
    if not shared_required(environ):
        return None
    missing = [part for part in SHARED_PARTS if not (shared / part).exists()]
    if not missing:
        return None
    return (f"{shared} lacks {', '.join(missing)}: the gold tests (every seed and corpus cell scored at 100 %) "
            "would be skipped, and a passing run would not mean the parser is right. Put the project's shared "
            "material beside this checkout (../shared), or run outside CI without NIANBAO_REQUIRE_SHARED.")


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
