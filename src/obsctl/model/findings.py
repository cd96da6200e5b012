"""Findings reported by ``lint``, ``validate`` and ``rules check``; rule catalogues; locations."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from obsctl.model.record import Record


class Severity(StrEnum):
    """How serious a finding is. Ordered: ``INFO < WARNING < ERROR``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Numeric order for comparisons (info=0, warning=1, error=2)."""
        return _RANK[self]

    @property
    def sarif_level(self) -> str:
        """The SARIF 2.1.0 ``level`` for this severity."""
        return {"info": "note", "warning": "warning", "error": "error"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse a severity name (case-insensitive; ``note`` is accepted for ``info``)."""
        value = text.strip().lower()
        if value == "note":
            value = "info"
        return cls(value)


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


# The records below are ``Record`` classes instead of frozen dataclasses: every findings
# command imports them at start-up (see ``obsctl.model.record``).

_set = object.__setattr__


class Location(Record):
    """A place in a file: ``file:line:col`` (line and column 1-based, 0 when unknown)."""

    __match_args__ = ("file", "line", "col")
    __slots__ = __match_args__

    file: str
    line: int
    col: int

    def __init__(self, file: str, line: int = 0, col: int = 0) -> None:
        _set(self, "file", file)
        _set(self, "line", line)
        _set(self, "col", col)

    def _order(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.col)

    def __lt__(self, other: Location) -> bool:
        if other.__class__ is self.__class__:
            return self._order() < other._order()
        return NotImplemented

    def __le__(self, other: Location) -> bool:
        if other.__class__ is self.__class__:
            return self._order() <= other._order()
        return NotImplemented

    def __gt__(self, other: Location) -> bool:
        if other.__class__ is self.__class__:
            return self._order() > other._order()
        return NotImplemented

    def __ge__(self, other: Location) -> bool:
        if other.__class__ is self.__class__:
            return self._order() >= other._order()
        return NotImplemented

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.file}:{self.line}:{self.col}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


class Finding(Record):
    """One problem found by a rule.

    Attributes:
        rule_id: stable rule code, e.g. ``OBS101``.
        rule_name: kebab-case rule name, e.g. ``counter-total-suffix``.
        severity: effective severity after overrides.
        message: one line describing the problem.
        location: where it is.
        hint: optional one line on how to fix it.
        subject: what the finding is about (metric family, component ID); used for grouping
            and baselines.
        path: dotted path inside a structured document (``service.pipelines.traces``), if any.
        source_line: the offending line's text, for code frames (not compared).
        extra: producer-specific JSON fields (``rules check``: ``group``, ``rule``; not
            compared).
    """

    __match_args__ = (
        "rule_id",
        "rule_name",
        "severity",
        "message",
        "location",
        "hint",
        "subject",
        "path",
        "source_line",
        "extra",
    )
    __slots__ = __match_args__
    _compared = __match_args__[:8]  # not the code frame's text nor the JSON extras

    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    location: Location
    hint: str | None
    subject: str
    path: str
    source_line: str | None
    extra: tuple[tuple[str, str], ...]

    def __init__(
        self,
        rule_id: str,
        rule_name: str,
        severity: Severity,
        message: str,
        location: Location,
        hint: str | None = None,
        subject: str = "",
        path: str = "",
        source_line: str | None = None,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        _set(self, "rule_id", rule_id)
        _set(self, "rule_name", rule_name)
        _set(self, "severity", severity)
        _set(self, "message", message)
        _set(self, "location", location)
        _set(self, "hint", hint)
        _set(self, "subject", subject)
        _set(self, "path", path)
        _set(self, "source_line", source_line)
        _set(self, "extra", extra)

    @property
    def fingerprint(self) -> str:
        """A line-number-independent identity, for baselines."""
        return f"{self.rule_id}|{self.location.file}|{self.subject}|{self.message}"


class RuleInfo(Record):
    """Metadata of a rule, for ``--list-rules``, ``--explain`` and SARIF rule descriptors."""

    __match_args__ = ("rule_id", "name", "severity", "summary", "explanation", "help_uri")
    __slots__ = __match_args__

    rule_id: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    help_uri: str | None

    def __init__(
        self,
        rule_id: str,
        name: str,
        severity: Severity,
        summary: str,
        explanation: str = "",
        help_uri: str | None = None,
    ) -> None:
        _set(self, "rule_id", rule_id)
        _set(self, "name", name)
        _set(self, "severity", severity)
        _set(self, "summary", summary)
        _set(self, "explanation", explanation)
        _set(self, "help_uri", help_uri)


class FindingsReport(Record):
    """What ``lint`` and ``validate`` return: findings plus the context to render them.

    Attributes:
        tool: ``lint`` or ``validate`` (names the SARIF run and JUnit suite).
        findings: sorted by file, line, column, rule.
        rules: metadata of every rule that can appear in ``findings``.
        inputs: the inputs that were checked, in order (files, URLs, ``-``).
        summaries: per-input extra data for human/JSON output (e.g. cardinality tops).
        suppressed: findings a ``--baseline`` accepted (left out of ``findings``).
        chart_defaults: ``validate`` on Helm values: warnings and info about the chart's own
            default config (left out of ``findings``).
    """

    __match_args__ = (
        "tool",
        "findings",
        "rules",
        "inputs",
        "summaries",
        "suppressed",
        "chart_defaults",
    )
    __slots__ = __match_args__

    tool: str
    findings: tuple[Finding, ...]
    rules: tuple[RuleInfo, ...]
    inputs: tuple[str, ...]
    summaries: tuple[tuple[str, object], ...]
    suppressed: int
    chart_defaults: int

    def __init__(
        self,
        tool: str,
        findings: tuple[Finding, ...],
        rules: tuple[RuleInfo, ...],
        inputs: tuple[str, ...],
        summaries: tuple[tuple[str, object], ...] = (),
        suppressed: int = 0,
        chart_defaults: int = 0,
    ) -> None:
        _set(self, "tool", tool)
        _set(self, "findings", findings)
        _set(self, "rules", rules)
        _set(self, "inputs", inputs)
        _set(self, "summaries", summaries)
        _set(self, "suppressed", suppressed)
        _set(self, "chart_defaults", chart_defaults)

    def count(self, severity: Severity) -> int:
        """Number of findings of exactly ``severity``."""
        return sum(1 for f in self.findings if f.severity is severity)

    def reaches(self, threshold: Severity | None) -> bool:
        """True when any finding is at or above ``threshold`` (``None`` means never)."""
        if threshold is None:
            return False
        return any(f.severity.rank >= threshold.rank for f in self.findings)

    def fails(self, fail_on: str) -> bool:
        """Whether the run fails at the ``--fail-on`` threshold (``error`` … ``info``,
        or ``never``)."""
        return self.reaches(None if fail_on == "never" else Severity.parse(fail_on))


FAIL_ON_CHOICES = ("error", "warning", "info", "never")
"""The values of ``--fail-on``."""


class RuleRequest(NamedTuple):
    """The shared rule options of every findings command, as typed on the command line.

    A NamedTuple, not a frozen dataclass: every findings command builds one at start-up.

    Attributes:
        select / ignore: rule IDs, prefixes or names (``--select``, ``--ignore``).
        baseline: a baseline file whose accepted findings are not reported.
        write_baseline: accept every current finding into ``baseline`` instead of reporting.
        list_rules: list the rules and stop.
        explain: explain these rules and stop.
        stdin_name: the name findings, SARIF and baseline keys give standard input (``-``),
            as if it were that file (``--stdin-name``); default ``-``/``<stdin>``.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    baseline: str | None = None
    write_baseline: bool = False
    list_rules: bool = False
    explain: tuple[str, ...] = ()
    stdin_name: str | None = None
