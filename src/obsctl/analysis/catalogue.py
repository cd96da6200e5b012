"""The rule framework shared by every findings producer (``lint``, ``validate``, ``rules check``).

A producer owns one ``Catalogue`` and declares its rules with ``catalogue.define()`` (or
``add()`` for ready ``RuleInfo`` records) in the modules that implement them. Checks yield
``Hit`` objects (or ready ``Finding`` objects); a ``RuleSelection`` bound to the catalogue drops
the rules that are not selected and applies severity overrides, Ruff-style: ``select`` and
``ignore`` take rule IDs, ID prefixes (``OBS1``) or rule names; the longest match wins and an
explicit ``ignore`` beats a ``select`` of the same length. Baselines accept findings by a
line-independent key. ``--list-rules`` and ``--explain`` are answered from the catalogue as one
``RuleCatalog`` (one renderer pair for every producer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from obsctl.errors import UsageError
from obsctl.model.findings import Finding, Location, RuleInfo, Severity
from obsctl.model.record import Record

if TYPE_CHECKING:
    from obsctl.model.rule_catalog import RuleCatalog, RuleEntry


def clean_explanation(text: str) -> str:
    """Dedent an explanation and join each paragraph's lines into one line.

    >>> clean_explanation('''
    ...     first line
    ...     continues.
    ...
    ...     second paragraph''')
    'first line continues.\\n\\nsecond paragraph'
    """
    # inspect.cleandoc would do, but importing inspect costs ~10 ms of start-up for every
    # findings command; explanations only need their common indentation removed.
    lines = text.expandtabs().split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    cut = min(indents, default=0)
    lines = [lines[0].lstrip(), *(line[cut:] for line in lines[1:])]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    paragraphs = "\n".join(lines).split("\n\n")
    return "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)


class Catalogue:
    """The rules of one findings producer, by ID, in definition order.

    Attributes:
        tool: the producer's command (``lint``, ``validate``, ``rules check``), for hints.
        rules: every rule, by ID.
    """

    def __init__(self, tool: str) -> None:
        self.tool = tool
        self.rules: dict[str, RuleInfo] = {}

    def add(self, info: RuleInfo) -> RuleInfo:
        """Register a ready rule record.

        Raises:
            ValueError: the ID is already taken (a programming error).
        """
        if info.rule_id in self.rules:
            raise ValueError(f"duplicate rule id {info.rule_id}")
        self.rules[info.rule_id] = info
        return info

    def define(
        self,
        rule_id: str,
        name: str,
        severity: Severity,
        summary: str,
        explanation: str,
        help_uri: str | None = None,
    ) -> RuleInfo:
        """Declare a rule (at import time of its module) and return its metadata."""
        return self.add(
            RuleInfo(rule_id, name, severity, summary, clean_explanation(explanation), help_uri)
        )

    def resolve(self, token: str) -> list[RuleInfo]:
        """Rules matching an ID, an ID prefix or a rule name (case-insensitive)."""
        key = token.strip()
        upper = key.upper()
        if upper == "ALL":
            return list(self.rules.values())
        by_name = [r for r in self.rules.values() if r.name == key.lower()]
        if by_name:
            return by_name
        return [r for r in self.rules.values() if r.rule_id.startswith(upper)]

    def selection(
        self,
        *,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        severities: Mapping[str, Severity] | None = None,
    ) -> RuleSelection:
        """A selection over this catalogue from plain values (blank tokens dropped)."""
        return RuleSelection(
            select=tuple(s.strip() for s in select if s.strip()),
            ignore=tuple(s.strip() for s in ignore if s.strip()),
            severities=tuple((severities or {}).items()),
            catalogue=self,
        )

    def listing(self, selection: RuleSelection | None = None) -> RuleCatalog:
        """Every rule with its effective state (``--list-rules``)."""
        from obsctl.model.rule_catalog import RuleCatalog

        sel = selection or self.selection()
        return RuleCatalog(tuple(_entry(r, sel) for r in self.rules.values()))

    def explain(self, tokens: Sequence[str], selection: RuleSelection | None = None) -> RuleCatalog:
        """The rules named by ``tokens`` (an ID or a name each), explained (``--explain``).

        Raises:
            UsageError: a token that names no single rule.
        """
        from obsctl.model.rule_catalog import RuleCatalog

        sel = selection or self.selection()
        found: list[RuleInfo] = []
        for token in tokens:
            key = token.strip()
            rule = self.rules.get(key.upper()) or next(
                (r for r in self.rules.values() if r.name == key.lower()), None
            )
            if rule is None:
                raise UsageError(
                    f"unknown rule {token!r}",
                    hint=f"`obsctl {self.tool} --list-rules` shows every rule ID and name",
                )
            found.append(rule)
        return RuleCatalog(tuple(_entry(r, sel) for r in found), explain=True)


def _entry(rule: RuleInfo, sel: RuleSelection) -> RuleEntry:
    from obsctl.model.rule_catalog import RuleEntry

    return RuleEntry(
        rule_id=rule.rule_id,
        name=rule.name,
        default_severity=rule.severity.value,
        severity=sel.severity(rule).value,
        enabled=sel.enabled(rule),
        summary=rule.summary,
        explanation=rule.explanation,
        help_uri=rule.help_uri,
    )


_set = object.__setattr__


class Hit(Record):
    """One raw result of a check, before selection and overrides.

    A ``model.record.Record`` rather than a frozen dataclass (start-up time); read-only,
    compared and hashed over every field.

    Attributes:
        rule: the rule that fired.
        message: one line.
        line: 1-based line (0 when the finding is about the whole input).
        subject: what it is about (``metric`` or ``metric{label}``); part of the baseline key.
        hint: one line on how to fix it.
        col: 1-based column, 0 when unknown.
        text: the offending line's text, for code frames.
        extra: producer-specific fields for the JSON output (``group``, ``rule``).
    """

    __match_args__ = ("rule", "message", "line", "subject", "hint", "col", "text", "extra")
    __slots__ = __match_args__

    rule: RuleInfo
    message: str
    line: int
    subject: str
    hint: str | None
    col: int
    text: str | None
    extra: tuple[tuple[str, str], ...]

    def __init__(
        self,
        rule: RuleInfo,
        message: str,
        line: int = 0,
        subject: str = "",
        hint: str | None = None,
        col: int = 0,
        text: str | None = None,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        _set(self, "rule", rule)
        _set(self, "message", message)
        _set(self, "line", line)
        _set(self, "subject", subject)
        _set(self, "hint", hint)
        _set(self, "col", col)
        _set(self, "text", text)
        _set(self, "extra", extra)


def _match_len(token: str, rule: RuleInfo) -> int:
    key = token.strip()
    if key.upper() == "ALL":
        return 0
    if key.lower() == rule.name:
        return 100
    return len(key) if rule.rule_id.startswith(key.upper()) else -1


_EMPTY = Catalogue("")


class RuleSelection(Record):
    """Which rules of a catalogue run, and at which severity.

    A ``model.record.Record`` rather than a frozen dataclass (start-up time); read-only,
    compared, hashed and shown by ``select``, ``ignore`` and ``severities``.

    Attributes:
        select: IDs/prefixes/names to enable (empty: all).
        ignore: IDs/prefixes/names to disable.
        severities: per ID (or prefix/name) severity overrides.
        catalogue: the rules the tokens refer to.
    """

    __match_args__ = ("select", "ignore", "severities", "catalogue")
    __slots__ = (*__match_args__, "_cache")
    _compared = __match_args__[:3]

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    severities: tuple[tuple[str, Severity], ...]
    catalogue: Catalogue
    _cache: dict[str, bool]

    def __init__(
        self,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        severities: tuple[tuple[str, Severity], ...] = (),
        catalogue: Catalogue = _EMPTY,
    ) -> None:
        _set(self, "select", select)
        _set(self, "ignore", ignore)
        _set(self, "severities", severities)
        _set(self, "catalogue", catalogue)
        _set(self, "_cache", {})

    def __repr__(self) -> str:
        return (
            f"RuleSelection(select={self.select!r}, ignore={self.ignore!r}, "
            f"severities={self.severities!r})"
        )

    def with_flags(
        self, *, select: Sequence[str] = (), ignore: Sequence[str] = ()
    ) -> RuleSelection:
        """Command-line flags over a configured selection: ``--select`` replaces the
        configured ``select``, ``--ignore`` extends ``ignore``."""
        return RuleSelection(
            select=tuple(select) or self.select,
            ignore=(*self.ignore, *ignore),
            severities=self.severities,
            catalogue=self.catalogue,
        )

    def validate(self) -> list[str]:
        """Tokens that match no rule (for a clear usage error)."""
        tokens = [*self.select, *self.ignore, *(k for k, _ in self.severities)]
        return [t for t in tokens if not self.catalogue.resolve(t)]

    def check(self) -> None:
        """Raise a usage error naming the tokens that match no rule.

        Raises:
            UsageError: some ``--select``/``--ignore`` token names no rule.
        """
        bad = self.validate()
        if bad:
            raise UsageError(
                f"unknown rule(s) {', '.join(bad)}",
                hint=f"see `obsctl {self.catalogue.tool} --list-rules`",
            )

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
                    extra=h.extra,
                )
            )
        return out

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """Ready findings of selected rules; a severity override replaces the finding's own.

        For producers that build ``Finding`` objects directly (``validate``): a finding keeps
        the severity its check gave it unless the selection overrides its rule.
        """
        rules = self.catalogue.rules
        out = []
        for f in findings:
            rule = rules.get(f.rule_id)
            if rule is None:
                out.append(f)
                continue
            if not self.enabled(rule):
                continue
            overridden = any(_match_len(t, rule) >= 0 for t, _ in self.severities)
            out.append(f.replace(severity=self.severity(rule)) if overridden else f)
        return out

    def rule_infos(self) -> tuple[RuleInfo, ...]:
        """Enabled rules with their effective severities (for SARIF/JUnit metadata)."""
        return tuple(
            RuleInfo(r.rule_id, r.name, self.severity(r), r.summary, r.explanation, r.help_uri)
            for r in self.catalogue.rules.values()
            if self.enabled(r)
        )


# ---------------------------------------------------------------------------- baseline


def baseline_key(f: Finding, name_of: Callable[[str], str] | None = None) -> str:
    """A finding's identity for baselines: rule, input and subject (not line or counts).

    Counts and line numbers change from run to run; a baseline that accepted "metric x has
    many series" keeps accepting it while it stays in the same rule. ``name_of`` maps the
    input's name to the one the baseline uses (a path relative to the baseline's folder).
    """
    subject = f.subject or f.message
    name = name_of(f.location.file) if name_of is not None else f.location.file
    return f"{f.rule_id}|{name}|{subject}"


def apply_baseline(
    findings: Iterable[Finding],
    accepted: set[str],
    name_of: Callable[[str], str] | None = None,
) -> list[Finding]:
    """Findings whose ``baseline_key`` is not in ``accepted``."""
    return [f for f in findings if baseline_key(f, name_of) not in accepted]
