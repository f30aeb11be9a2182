"""Shared pytest set-up: the gold gate, Hypothesis profiles, the served demo site of the browser tests.

Under CI (or NIANBAO_REQUIRE_SHARED=1) the run stops at once when ../shared is missing: its gold
tests would otherwise skip and the suite pass (tests/shared.py: missing_shared).

`nianbao` (the default profile) keeps the property tests fast enough for every CI run; set
NIANBAO_HYPOTHESIS_PROFILE=thorough for a long hunt before a release or after a parser change.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.shared import missing_shared


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
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The demo archive built once and served (tests/demo_site.py); browser modules take xdist_group("demo_site")."""
    from tests.demo_site import DemoSite, build_demo, served

    db = tmp_path_factory.mktemp("demo") / "nianbao.db"
    log = build_demo(db)
    with served(db) as url:
        yield DemoSite(db=db, url=url, build_log=log)
