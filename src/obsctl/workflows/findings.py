"""The part every findings command shares: rule options, the catalogue, baselines.

``run_findings`` answers ``--list-rules``/``--explain`` from the producer's catalogue, checks
``--select``/``--ignore``, runs the producer with the resulting selection, then applies
``--baseline`` or writes it (``--write-baseline``). ``lint``, ``validate`` and ``rules check``
call it with their own producer, so the shared options behave identically on all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from obsctl.analysis.catalogue import Catalogue, RuleSelection, apply_baseline, baseline_key
from obsctl.errors import UsageError
from obsctl.model.findings import Finding, FindingsReport, RuleRequest

if TYPE_CHECKING:
    from obsctl.model.rule_catalog import BaselineWritten, RuleCatalog

    FindingsOutcome: TypeAlias = FindingsReport | RuleCatalog | BaselineWritten
    """What a findings command prints: the report, the catalogue, or the baseline it wrote."""


def run_findings(
    catalogue: Catalogue,
    request: RuleRequest,
    produce: Callable[[RuleSelection], FindingsReport],
    *,
    configured: RuleSelection | None = None,
) -> FindingsOutcome:
    """Apply the shared rule options around one run of ``produce``.

    Args:
        catalogue: the producer's rules.
        request: the shared options as typed.
        produce: runs the checks with a selection and returns the full report.
        configured: the selection from config files (flags go over it); default: every rule.

    Raises:
        UsageError: unknown rules, ``--write-baseline`` without ``--baseline``, an unreadable
            baseline.
    """
    from obsctl.lifetime import end_without_teardown

    # These commands read their inputs and write the report (and a baseline, closed when
    # written): nothing is left open for the interpreter's teardown to close.
    end_without_teardown()
    selection = (configured or catalogue.selection()).with_flags(
        select=_split(request.select), ignore=_split(request.ignore)
    )
    if request.explain:
        return catalogue.explain(_split(request.explain), selection)
    if request.list_rules:
        return catalogue.listing(selection)
    baseline = request.baseline
    if request.write_baseline and not baseline:
        baseline = DEFAULT_BASELINE
    selection.check()
    accepted = (
        read_baseline(baseline) if baseline is not None and not request.write_baseline else None
    )
    report = produce(selection)
    if request.write_baseline:
        assert baseline is not None
        from obsctl.model.rule_catalog import BaselineWritten

        count = write_baseline(baseline, report.findings, tool=catalogue.tool)
        return BaselineWritten(baseline, count)
    if accepted is not None and baseline is not None:
        kept = tuple(apply_baseline(report.findings, accepted, name_of=input_namer(baseline)))
        report = report.replace(findings=kept, suppressed=len(report.findings) - len(kept))
    return report


DEFAULT_BASELINE = "obsctl-baseline.json"
"""Where ``--write-baseline`` writes without ``--baseline``."""


def input_namer(baseline: str) -> Callable[[str], str]:
    """How the baseline at ``baseline`` names inputs: files by their path relative to its
    folder (so ``./m.prom``, ``m.prom`` and a run from another directory agree); stdin
    (``-``), URLs and other names as they are.

    >>> input_namer("ci/obsctl-baseline.json")("ci/../m.prom")
    '../m.prom'
    >>> input_namer("b.json")("https://h/metrics")
    'https://h/metrics'
    """
    import os.path

    folder = Path(baseline).absolute().parent

    def name(file: str) -> str:
        if file in ("", "-") or "://" in file or file.startswith("<"):
            return file
        return Path(os.path.relpath(Path(file).absolute(), folder)).as_posix()

    return name


def _split(values: Sequence[str]) -> list[str]:
    """Repeated and comma-separated values as one list (blanks dropped)."""
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def read_baseline(path: str) -> set[str]:
    """The accepted finding keys in a baseline file.

    Raises:
        UsageError: the file cannot be read or is not a baseline.
    """
    import json  # only runs that use a baseline need it

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(
            f"cannot read baseline {path}: {exc.strerror}",
            hint="create it with --write-baseline",
        ) from None
    except ValueError:
        raise UsageError(f"baseline {path} is not JSON") from None
    keys = doc.get("accepted") if isinstance(doc, dict) else None
    if not isinstance(keys, list):
        raise UsageError(f"baseline {path} has no 'accepted' list")
    return {str(k) for k in keys}


def write_baseline(path: str, findings: Sequence[Finding], *, tool: str) -> int:
    """Write every finding's key to ``path``; returns how many.

    Raises:
        UsageError: the file cannot be written.
    """
    import json

    keys = sorted({baseline_key(f, input_namer(path)) for f in findings})
    doc = {"schema_version": 1, "tool": f"obsctl {tool}", "accepted": keys}
    try:
        Path(path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write baseline {path}: {exc.strerror}") from None
    return len(keys)
