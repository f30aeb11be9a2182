"""Shared pytest set-up: Hypothesis profiles.

`nianbao` (the default) keeps the property tests fast enough for every CI run; set
NIANBAO_HYPOTHESIS_PROFILE=thorough for a long hunt before a release or after a parser change.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "nianbao", max_examples=60, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("NIANBAO_HYPOTHESIS_PROFILE", "nianbao"))
