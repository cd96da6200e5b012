"""The ``lint`` rule catalogue: stable IDs, default severities, selection and overrides.

Rules are declared with ``define()`` in the module that implements them (naming, structure,
cardinality). Each has a stable ID (``OBS000`` parse errors, ``OBS1xx`` naming, ``OBS2xx``
cardinality, ``OBS3xx`` structure, ``OBS4xx`` snapshot diffs), a kebab-case name, a default
severity, a one-line summary and an explanation for ``--explain``. The mechanism (selection,
overrides, baselines) is the shared one in ``analysis.catalogue``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from obsctl.analysis.catalogue import Catalogue, Hit, RuleSelection
from obsctl.model.findings import RuleInfo, Severity

__all__ = ["LINT", "RULES", "Hit", "RuleSelection", "define", "make_selection", "resolve_rule"]

LINT = Catalogue("lint")
RULES: dict[str, RuleInfo] = LINT.rules
"""Every rule, by ID, in definition order."""

define = LINT.define
resolve_rule = LINT.resolve


def make_selection(
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severities: Mapping[str, Severity] | None = None,
) -> RuleSelection:
    """A selection over the lint rules from plain values."""
    return LINT.selection(select=select, ignore=ignore, severities=severities)
