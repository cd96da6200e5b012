"""What ``--list-rules``, ``--explain`` and ``--write-baseline`` print (any findings command).

Kept apart from ``model.findings`` so that a plain run does not define these types at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """One rule of a catalogue, with its effective state.

    Attributes:
        rule_id / name: stable ID and kebab-case name.
        default_severity: the rule's own severity.
        severity: the severity after configuration overrides.
        enabled: whether the selection runs it.
        summary: one line.
        explanation: why the rule exists (``--explain``).
        help_uri: where the behaviour it checks is documented, if anywhere.
    """

    rule_id: str
    name: str
    default_severity: str
    severity: str
    enabled: bool
    summary: str
    explanation: str = ""
    help_uri: str | None = None


@dataclass(frozen=True, slots=True)
class RuleCatalog:
    """What ``--list-rules`` (every rule) and ``--explain`` (the named rules) print.

    Attributes:
        rules: the entries, in catalogue order (``--explain``: in the order asked).
        explain: print each rule's explanation instead of a one-line listing.
    """

    rules: tuple[RuleEntry, ...]
    explain: bool = False


@dataclass(frozen=True, slots=True)
class BaselineWritten:
    """``--write-baseline``: how many findings were accepted into which file."""

    path: str
    count: int
