"""Rule unit tests (``promtool test rules`` files): what a test file says, and the results.

Input side: :class:`UnitTestFile` (``rule_files``, ``evaluation_interval``, ``tests[]``) with
its :class:`TestGroup` entries, and the rule groups of the rule files (:class:`RuleGroup`).
Output side: :class:`RulesTestReport` → :class:`FileResult` → :class:`GroupResult` →
:class:`TestFailure`, the shape of ``obsctl rules test -o json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# ----------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class InputSeries:
    """``input_series[]``: a series selector and its values in the expanding notation."""

    series: str
    values: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class ExpectedAlert:
    """``exp_alerts[]``: labels (``alertname`` is added) and annotations of a firing alert."""

    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class AlertTestCase:
    """``alert_rule_test[]``: which alerts fire at ``eval_time_ms``."""

    eval_time_ms: int
    alertname: str
    expected: tuple[ExpectedAlert, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class ExpectedSample:
    """``exp_samples[]``: a series (``labels`` is a selector string) and its value."""

    labels: str
    value: float


@dataclass(frozen=True, slots=True)
class ExprTestCase:
    """``promql_expr_test[]``: the samples ``expr`` returns at ``eval_time_ms``."""

    expr: str
    eval_time_ms: int
    expected: tuple[ExpectedSample, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class TestGroup:
    """``tests[]``: one group of series and the assertions made over them."""

    __test__ = False  # not a pytest class

    name: str
    interval_ms: int
    input_series: tuple[InputSeries, ...]
    alert_tests: tuple[AlertTestCase, ...]
    expr_tests: tuple[ExprTestCase, ...]
    external_labels: tuple[tuple[str, str], ...] = ()
    external_url: str = ""
    start_ms: int = 0
    line: int = 0


@dataclass(frozen=True, slots=True)
class UnitTestFile:
    """A whole test file (``rule_files`` still as written: globs relative to the file)."""

    rule_files: tuple[str, ...]
    evaluation_interval_ms: int
    group_eval_order: tuple[str, ...]
    tests: tuple[TestGroup, ...]
    fuzzy_compare: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """A recording (``record``) or alerting (``alert``) rule of a rule group."""

    kind: Literal["record", "alert"]
    name: str
    expr: str
    for_ms: int = 0
    keep_firing_for_ms: int = 0
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    source: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """A rule group: its rules in order, evaluated together every evaluation interval."""

    name: str
    rules: tuple[Rule, ...]
    interval_ms: int | None = None
    query_offset_ms: int = 0
    limit: int = 0
    source: str = ""


# ----------------------------------------------------------------------------- results

FailureKind = Literal["alert", "expr", "error"]


@dataclass(frozen=True, slots=True)
class TestFailure:
    """One failed assertion (or an evaluation error) in a test group.

    ``expected``/``got`` are lists of alerts (``{"labels", "annotations"}``) for ``alert``
    failures and of samples (``{"labels", "value"}``) for ``expr`` failures.
    """

    __test__ = False

    kind: FailureKind
    eval_time_s: float
    message: str
    alertname: str | None = None
    expr: str | None = None
    expected: list[dict[str, object]] = field(default_factory=list)
    got: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GroupResult:
    """The outcome of one ``tests[]`` entry."""

    name: str
    failures: tuple[TestFailure, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True, slots=True)
class UncoveredAlert:
    """An alerting rule that no ``alert_rule_test`` of the run names (``--coverage``)."""

    alertname: str
    source: str
    line: int
    group: str


@dataclass(frozen=True, slots=True)
class FileResult:
    """One test file: its groups' results, or the error that stopped it."""

    file: str
    groups: tuple[GroupResult, ...] = ()
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.error is None and all(g.passed for g in self.groups)


@dataclass(frozen=True, slots=True)
class RulesTestReport:
    """What ``obsctl rules test`` returns."""

    files: tuple[FileResult, ...]
    coverage: tuple[UncoveredAlert, ...] | None = None
    """Alerting rules no test exercises (only with ``--coverage``)."""

    @property
    def passed(self) -> bool:
        return all(f.passed for f in self.files)
