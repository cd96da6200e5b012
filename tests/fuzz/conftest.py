"""Hypothesis profiles for the fuzz suite.

``ci`` (the default) is a fixed budget: derandomised, a set number of examples per target and
a per-example deadline, so the suite takes the same time on every run. ``deep`` is for
hunting locally: ``HYPOTHESIS_PROFILE=deep pytest tests/fuzz``. A failure found there is
kept as a regression case: an ``@example`` on the property, or a file under
``tests/fuzz/regressions/<target>/`` (replayed by ``test_regressions``).
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=timedelta(seconds=2),
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "deep",
    max_examples=5000,
    deadline=timedelta(seconds=5),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
