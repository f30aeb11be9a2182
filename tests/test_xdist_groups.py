"""`make test` relies on `--dist loadgroup`: the demo site, the seventeen-portal crawls and the frontier's
Redis each belong to one xdist worker through `xdist_group`. pytest 9.2 made that mark a silent no-op (it
ignores the node-id suffix xdist 3.8 groups by, pytest-xdist issue 1386), so the demo was built on both
workers and module fixtures ran twice. This runs a grouped module on two workers with the locked versions
and fails if the group is split."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

GROUPED = '''
import pytest

pytestmark = [pytest.mark.xdist_group("together")]


@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    pass
'''


def test_an_xdist_group_runs_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p",
                           "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path),
                           str(tmp_path / "test_grouped.py")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    workers = re.findall(r"\[(gw\d+)\] \[\s*\d+%\] PASSED \S+test_grouped\[\d\]", done.stdout)
    assert len(workers) == 6, done.stdout[-2000:]
    assert len(set(workers)) == 1, f"the group was split over workers {sorted(set(workers))}"
