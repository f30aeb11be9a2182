"""The gold gate cannot switch itself off: under CI a missing ../shared stops the run, saying why.

Checked twice: the rule itself (tests/shared.py: missing_shared) over environments and folders, and
pytest for real on a copy of this suite's set-up in a temporary checkout with no ../shared beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared import SHARED_PARTS, missing_shared, shared_required

HERE = Path(__file__).resolve().parent


def _complete_shared(root: Path) -> Path:
    shared = root / "shared"
    for part in SHARED_PARTS:
        target = shared / part
        if target.suffix:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("# scorer\n", encoding="utf-8")
        else:
            target.mkdir(parents=True, exist_ok=True)
    return shared


@pytest.mark.parametrize(("environ", "required"), [
    ({}, False),
    ({"CI": ""}, False),
    ({"CI": "false"}, False),
    ({"CI": "0"}, False),
    ({"CI": "true"}, True),
    ({"CI": "1"}, True),
    ({"NIANBAO_REQUIRE_SHARED": "1"}, True),
    ({"NIANBAO_REQUIRE_SHARED": "0"}, False),
    ({"CI": "true", "NIANBAO_REQUIRE_SHARED": "0"}, True),  # no opt-out in CI
])
def test_when_shared_is_required(environ: dict[str, str], required: bool) -> None:
    assert shared_required(environ) is required


def test_missing_or_partial_shared_is_a_reason_only_when_required(tmp_path: Path) -> None:
    absent = tmp_path / "nowhere" / "shared"
    assert missing_shared(absent, {}) is None
    reason = missing_shared(absent, {"CI": "true"})
    assert reason is not None and str(absent) in reason and "gold" in reason
    shared = _complete_shared(tmp_path)
    assert missing_shared(shared, {"CI": "true"}) is None
    shutil.rmtree(shared / "corpus")
    partial = missing_shared(shared, {"NIANBAO_REQUIRE_SHARED": "1"})
    assert partial is not None and "corpus" in partial and "seeds" not in partial.split(" lacks ")[1].split(":")[0]


def _run_suite_without_shared(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """pytest on a checkout holding this suite's conftest.py and shared.py and one passing test."""
    tests = tmp_path / "checkout" / "tests"
    tests.mkdir(parents=True)
    for name in ("__init__.py", "conftest.py", "shared.py"):
        shutil.copy(HERE / name, tests / name)
    (tests / "test_one.py").write_text("def test_one() -> None:\n    assert True\n", encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "NIANBAO_REQUIRE_SHARED", "PYTEST_ADDOPTS")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
                          cwd=tests.parent, env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_ci_run_without_shared_fails_and_says_why(tmp_path: Path) -> None:
    assert not (tmp_path / "shared").exists()
    for env in ({"CI": "true"}, {"NIANBAO_REQUIRE_SHARED": "1"}):
        done = _run_suite_without_shared(tmp_path / next(iter(env)), **env)
        output = done.stdout + done.stderr
        assert done.returncode == pytest.ExitCode.USAGE_ERROR, output
        assert "lacks" in output and "gold tests" in output and "1 passed" not in output


def test_local_run_without_shared_still_runs(tmp_path: Path) -> None:
    done = _run_suite_without_shared(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
