"""Rule registry for ``obsctl lint``: stable IDs, default severities, selection and overrides.

Rules are declared with ``define()`` in the module that implements them (naming, structure,
cardinality) and collected here. Each has a stable ID (``OBS000`` parse errors, ``OBS1xx``
naming, ``OBS2xx`` cardinality, ``OBS3xx`` structure, ``OBS4xx`` snapshot diffs), a kebab-case
name, a default severity, a one-line summary and an explanation for ``--explain``.

Checks yield ``Hit`` objects; ``RuleSelection`` turns them into ``Finding`` objects, dropping
the rules that are not selected and applying severity overrides, Ruff-style: ``select`` and
``ignore`` take rule IDs, ID prefixes (``OBS1``) or rule names; the longest match wins and an
explicit ``ignore`` beats a ``select`` of the same length.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from obsctl.model.findings import Finding, Location, RuleInfo, Severity

RULES: dict[str, RuleInfo] = {}
"""Every rule, by ID, in definition order."""


def define(rule_id: str, name: str, severity: Severity, summary: str, explanation: str) -> RuleInfo:
    """Declare a rule (at import time of its module) and return its metadata."""
    if rule_id in RULES:
        raise ValueError(f"duplicate rule id {rule_id}")
    paragraphs = inspect.cleandoc(explanation).split("\n\n")
    text = "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)
    info = RuleInfo(rule_id, name, severity, summary, text)
    RULES[rule_id] = info
    return info


@dataclass(frozen=True, slots=True)
class Hit:
    """One raw result of a check, before selection and overrides.

    Attributes:
        rule: the rule that fired.
        message: one line.
        line: 1-based line (0 when the finding is about the whole input).
        subject: what it is about (``metric`` or ``metric{label}``); part of the baseline key.
        hint: one line on how to fix it.
        col: 1-based column, 0 when unknown.
        text: the offending line's text, for code frames.
    """

    rule: RuleInfo
    message: str
    line: int = 0
    subject: str = ""
    hint: str | None = None
    col: int = 0
    text: str | None = None


def resolve_rule(token: str) -> list[RuleInfo]:
    """Rules matching an ID, an ID prefix or a rule name (case-insensitive)."""
    key = token.strip()
    upper = key.upper()
    if upper == "ALL":
        return list(RULES.values())
    by_name = [r for r in RULES.values() if r.name == key.lower()]
    if by_name:
        return by_name
    return [r for r in RULES.values() if r.rule_id.startswith(upper)]


def _match_len(token: str, rule: RuleInfo) -> int:
    key = token.strip()
    if key.upper() == "ALL":
        return 0
    if key.lower() == rule.name:
        return 100
    return len(key) if rule.rule_id.startswith(key.upper()) else -1


@dataclass(frozen=True, slots=True)
class RuleSelection:
    """Which rules run and at which severity.

    Attributes:
        select: IDs/prefixes/names to enable (empty: all).
        ignore: IDs/prefixes/names to disable.
        severities: per ID (or prefix/name) severity overrides.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: tuple[tuple[str, Severity], ...] = ()
    _cache: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def validate(self) -> list[str]:
        """Tokens that match no rule (for a clear usage error)."""
        tokens = [*self.select, *self.ignore, *(k for k, _ in self.severities)]
        return [t for t in tokens if not resolve_rule(t)]

    def enabled(self, rule: RuleInfo) -> bool:
        """Whether ``rule`` runs."""
        hit = self._cache.get(rule.rule_id)
        if hit is not None:
            return hit
        best_sel = max(
            (_match_len(t, rule) for t in self.select), default=0 if not self.select else -1
        )
        best_ign = max((_match_len(t, rule) for t in self.ignore), default=-1)
        result = best_sel >= 0 and not (best_ign >= 0 and best_ign >= best_sel)
        self._cache[rule.rule_id] = result
        return result

    def severity(self, rule: RuleInfo) -> Severity:
        """The effective severity of ``rule``."""
        best = -1
        sev = rule.severity
        for token, value in self.severities:
            n = _match_len(token, rule)
            if n > best:
                best, sev = n, value
        return sev

    def findings(self, hits: Iterable[Hit], source: str) -> list[Finding]:
        """Selected hits as findings located in ``source``."""
        out = []
        for h in hits:
            if not self.enabled(h.rule):
                continue
            out.append(
                Finding(
                    rule_id=h.rule.rule_id,
                    rule_name=h.rule.name,
                    severity=self.severity(h.rule),
                    message=h.message,
                    location=Location(source, h.line, h.col),
                    hint=h.hint,
                    subject=h.subject,
                    source_line=h.text,
                )
            )
        return out

    def rule_infos(self) -> tuple[RuleInfo, ...]:
        """Enabled rules with their effective severities (for SARIF/JUnit metadata)."""
        return tuple(
            RuleInfo(r.rule_id, r.name, self.severity(r), r.summary, r.explanation, r.help_uri)
            for r in RULES.values()
            if self.enabled(r)
        )


def make_selection(
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severities: Mapping[str, Severity] | None = None,
) -> RuleSelection:
    """Build a ``RuleSelection`` from plain values."""
    return RuleSelection(
        select=tuple(s for s in select if s.strip()),
        ignore=tuple(s for s in ignore if s.strip()),
        severities=tuple((severities or {}).items()),
    )
