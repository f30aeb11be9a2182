"""Shared pytest set-up: the gold gate, Hypothesis profiles, the demo site the browser tests visit.

Under CI (or NIANBAO_REQUIRE_SHARED=1) the run stops at once when ../shared is missing: its gold
tests would otherwise skip and the suite pass (tests/shared.py: missing_shared).

`nianbao` (the default profile) keeps the property tests fast enough for every CI run; set
NIANBAO_HYPOTHESIS_PROFILE=thorough for a long hunt before a release or after a parser change.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from tests.shared import missing_shared

if TYPE_CHECKING:
    from tests.browser_site import DemoSite


def pytest_configure(config: pytest.Config) -> None:
    problem = missing_shared()
    if problem:
        raise pytest.UsageError(problem)


settings.register_profile(
    "nianbao", max_examples=60, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("NIANBAO_HYPOTHESIS_PROFILE", "nianbao"))


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """The demo archive, crawled once and served by `nianbao serve`, for every browser test module.
    (Imported here, not at the top: tests/test_shared_gate.py runs this file alone in a bare checkout.)"""
    from tests.browser_site import serve_demo

    with serve_demo(tmp_path_factory.mktemp("demo")) as site:
        yield site
