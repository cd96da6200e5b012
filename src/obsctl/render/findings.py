"""Renderers for ``FindingsReport`` (``lint`` and ``validate``): text, json, sarif, junit, github.

Human text groups findings by file with the offending line as a code frame; the machine
formats are stable: JSON carries ``schema_version``; SARIF is 2.1.0 with rule metadata, each
result's ``level`` and ``startLine``; JUnit has one test case per rule × input; GitHub output is
workflow commands (annotations).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from html import escape as _html_escape

from rich.console import Console
from rich.text import Text

from obsctl import __version__
from obsctl.model.findings import Finding, FindingsReport, RuleInfo, Severity
from obsctl.render import emit, renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, write_json


def xml_escape(text: str) -> str:
    """Escape text content for XML (``&``, ``<``, ``>``; quotes too, which is harmless).

    ``xml.sax.saxutils`` would do, but importing it pulls in urllib/http/email (~25 ms of
    start-up) for three replacements.
    """
    return _html_escape(text, quote=True)


def quoteattr(text: str) -> str:
    """An XML attribute value, quoted."""
    return '"' + _html_escape(text, quote=True).replace("\n", "&#10;") + '"'


_SEV_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
INFORMATION_URI = "https://github.com/obsctl/obsctl"


def summary_line(report: FindingsReport) -> str:
    """``2 errors, 1 warning, 0 info in 3 inputs``."""
    e, w, i = (report.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    n = len(report.inputs)
    return (
        f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}, {i} info "
        f"in {n} input{'s' * (n != 1)}"
    )


def _by_file(findings: tuple[Finding, ...]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[f.location.file].append(f)
    return groups


@renderer(FindingsReport, "text")
def render_findings_text(report: FindingsReport, consoles: Consoles) -> None:
    """Findings grouped by file, each with its position, rule, message, code frame and hint.

    Per-input summaries (e.g. cardinality tops) are rendered after the findings through their
    own registered ``text`` renderers; the one-line count goes to stderr.
    """
    out = consoles.out
    # On a terminal, messages wrap under themselves; piped (CI logs, grep) a finding stays on
    # one line, as linters print them.
    isatty = getattr(out.file, "isatty", None)
    body_width = max(24, out.width - _INDENT) if isatty and isatty() else 1 << 20
    for file, findings in _by_file(report.findings).items():
        out.print(Text(file, style="bold underline"), soft_wrap=True)
        for f in findings:
            pos = (
                f"{f.location.line}:{f.location.col}"
                if f.location.col
                else (f"{f.location.line}" if f.location.line else "-")
            )
            head = Text("  ")
            head.append(pos.ljust(7) + " ")
            head.append(f.severity.value.ljust(8), style=_SEV_STYLE[f.severity])
            body = Text(f"{f.rule_id} ", style="bold")
            body.append(Text(f.message))
            if f.path:
                body.append(Text(f"  [{f.path}]", style="dim"))
            _print_hanging(out, head, body, body_width)
            if f.source_line is not None and f.location.line:
                gutter = f"{' ' * (_INDENT - 9)}{f.location.line:>6} | "
                frame = Text(gutter, style="dim")
                room = max(20, out.width - len(gutter))
                frame.append(Text(_clip(f.source_line.rstrip("\n"), room)))
                out.print(frame, soft_wrap=True)
                if f.location.col and f.location.col <= room:
                    caret = " " * (f.location.col - 1)
                    out.print(
                        Text(f"{' ' * (len(gutter) - 2)}| {caret}^", style="dim"), soft_wrap=True
                    )
            if f.hint:
                _print_hanging(
                    out,
                    Text(" " * (_INDENT - 6) + "hint: ", style="cyan"),
                    Text(f.hint),
                    body_width,
                )
        out.print()
    for _input, summary in report.summaries:
        try:
            emit(summary, "text", consoles)
        except LookupError:
            continue
    consoles.err.print(Text(summary_line(report), style="bold" if report.findings else "green"))


_INDENT = 18
"""Column where a finding's message starts (after position and severity)."""


def _print_hanging(out: Console, head: Text, body: Text, width: int) -> None:
    """``head`` then ``body`` wrapped to ``width``, continuation lines indented under it."""
    lines = body.wrap(out, width)
    pad = " " * len(head.plain)
    for i, line in enumerate(lines):
        line.rstrip()
        out.print(Text.assemble(head if i == 0 else pad, line), soft_wrap=True)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finding_to_dict(f: Finding) -> dict[str, object]:
    """The stable JSON shape of one finding."""
    return {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "severity": f.severity.value,
        "message": f.message,
        "hint": f.hint,
        "file": f.location.file,
        "line": f.location.line or None,
        "column": f.location.col or None,
        "subject": f.subject or None,
        "path": f.path or None,
    }


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


@renderer(FindingsReport, "json")
def render_findings_json(report: FindingsReport, consoles: Consoles) -> None:
    """``{"schema_version", "tool", "inputs", "summary", "findings", "summaries"}``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "tool": report.tool,
            "inputs": list(report.inputs),
            "summary": {s.value: report.count(s) for s in Severity},
            "findings": [finding_to_dict(f) for f in report.findings],
            "summaries": {name: _plain(value) for name, value in report.summaries},
        },
        consoles,
    )


def _rule_descriptor(rule: RuleInfo) -> dict[str, object]:
    desc: dict[str, object] = {
        "id": rule.rule_id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation or rule.summary},
        "defaultConfiguration": {"level": rule.severity.sarif_level},
        "properties": {"tags": [rule.rule_id[:3].lower()]},
    }
    if rule.help_uri:
        desc["helpUri"] = rule.help_uri
    return desc


def sarif_document(report: FindingsReport) -> dict[str, object]:
    """The SARIF 2.1.0 log for ``report``."""
    rules = list(report.rules)
    known = {r.rule_id for r in rules}
    for f in report.findings:
        if f.rule_id not in known:
            known.add(f.rule_id)
            rules.append(RuleInfo(f.rule_id, f.rule_name, f.severity, f.message))
    index = {r.rule_id: i for i, r in enumerate(rules)}
    results = []
    for f in report.findings:
        physical: dict[str, object] = {
            "artifactLocation": {"uri": f.location.file.lstrip("./") or f.location.file},
        }
        if f.location.line:
            region: dict[str, int] = {"startLine": f.location.line}
            if f.location.col:
                region["startColumn"] = f.location.col
            physical["region"] = region
        result: dict[str, object] = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": f.severity.sarif_level,
            "message": {"text": f.message + (f" (hint: {f.hint})" if f.hint else "")},
            "locations": [{"physicalLocation": physical}],
            "partialFingerprints": {"obsctlFingerprint/v1": f.fingerprint},
        }
        if f.path or f.subject:
            result["properties"] = {
                k: v for k, v in (("path", f.path), ("subject", f.subject)) if v
            }
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "obsctl",
                        "semanticVersion": __version__,
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(r) for r in rules],
                    }
                },
                "automationDetails": {"id": f"obsctl/{report.tool}/"},
                "results": results,
            }
        ],
    }


@renderer(FindingsReport, "sarif")
def render_findings_sarif(report: FindingsReport, consoles: Consoles) -> None:
    """SARIF 2.1.0 (GitHub code scanning, GitLab, Azure DevOps)."""
    write_json(sarif_document(report), consoles)


def junit_document(report: FindingsReport) -> str:
    """JUnit XML: one ``testsuite`` per input, one ``testcase`` per rule.

    A rule fails on an input when it reported a warning or error there; info findings are
    listed in ``system-out`` of a passing case.
    """
    per_input: dict[str, dict[str, list[Finding]]] = {i: defaultdict(list) for i in report.inputs}
    for f in report.findings:
        per_input.setdefault(f.location.file, defaultdict(list))[f.rule_id].append(f)
    rules = {r.rule_id: r for r in report.rules}
    for f in report.findings:
        rules.setdefault(f.rule_id, RuleInfo(f.rule_id, f.rule_name, f.severity, f.message))
    suites = []
    total_tests = total_fail = 0
    for file, by_rule in per_input.items():
        cases = []
        failures = 0
        for rule_id in sorted(rules):
            rule = rules[rule_id]
            found = by_rule.get(rule_id, [])
            name = quoteattr(f"{rule_id} {rule.name}")
            failing = [f for f in found if f.severity is not Severity.INFO]
            body = ""
            if failing:
                failures += 1
                text = "\n".join(f"{f.location}: {f.severity.value}: {f.message}" for f in failing)
                body = (
                    f"<failure message={quoteattr(failing[0].message)} "
                    f"type={quoteattr(failing[0].severity.value)}>"
                    f"{xml_escape(text)}</failure>"
                )
            infos = [f for f in found if f.severity is Severity.INFO]
            if infos:
                body += (
                    "<system-out>"
                    + xml_escape("\n".join(f"{f.location}: info: {f.message}" for f in infos))
                    + "</system-out>"
                )
            cases.append(f"    <testcase classname={quoteattr(file)} name={name}>{body}</testcase>")
        total_tests += len(cases)
        total_fail += failures
        suites.append(
            f"  <testsuite name={quoteattr(f'obsctl {report.tool}: {file}')} "
            f'tests="{len(cases)}" failures="{failures}" errors="0" skipped="0">\n'
            + "\n".join(cases)
            + "\n  </testsuite>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="obsctl {report.tool}" tests="{total_tests}" '
        f'failures="{total_fail}" errors="0">\n' + "\n".join(suites) + "\n</testsuites>\n"
    )


@renderer(FindingsReport, "junit")
def render_findings_junit(report: FindingsReport, consoles: Consoles) -> None:
    """JUnit XML for CI test reporters."""
    consoles.out.file.write(junit_document(report))
    consoles.out.file.flush()


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_lines(report: FindingsReport) -> list[str]:
    """GitHub Actions workflow commands, one annotation per finding."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for f in report.findings:
        props = [f"file={_gh_escape_prop(f.location.file)}"]
        if f.location.line:
            props.append(f"line={f.location.line}")
            if f.location.col:
                props.append(f"col={f.location.col}")
        props.append(f"title={_gh_escape_prop(f'{f.rule_id} {f.rule_name}')}")
        message = f.message + (f" (hint: {f.hint})" if f.hint else "")
        lines.append(f"::{level[f.severity]} {','.join(props)}::{_gh_escape_data(message)}")
    return lines


@renderer(FindingsReport, "github")
def render_findings_github(report: FindingsReport, consoles: Consoles) -> None:
    """Workflow commands that GitHub Actions turns into annotations."""
    stream = consoles.out.file
    for line in github_lines(report):
        stream.write(line + "\n")
    stream.flush()
    consoles.err.print(Text(summary_line(report)))
