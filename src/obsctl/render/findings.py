"""Renderers for ``FindingsReport`` (``lint`` and ``validate``): text, json, sarif, junit, github.

Human text groups findings by file with the offending line as a code frame; the machine
formats are stable: JSON carries ``schema_version``; SARIF is 2.1.0 with rule metadata, each
result's ``level`` and ``startLine``; JUnit has one test case per rule × input; GitHub output is
workflow commands (annotations).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from obsctl import __version__
from obsctl.model.collector import PipelineGraph
from obsctl.model.findings import Finding, FindingsReport, RuleInfo, Severity
from obsctl.render import emit, renderer
from obsctl.render.console import Consoles, paint


def xml_escape(text: str) -> str:
    """Escape text content for XML (``&``, ``<``, ``>``; quotes too, which is harmless).

    ``xml.sax.saxutils`` would do, but importing it pulls in urllib/http/email (~25 ms of
    start-up) for three replacements.
    """
    from html import escape

    return escape(text, quote=True)


def quoteattr(text: str) -> str:
    """An XML attribute value, quoted."""
    return '"' + xml_escape(text).replace("\n", "&#10;") + '"'


_SEV_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
INFORMATION_URI = "https://github.com/obsctl/obsctl"


def summary_line(report: FindingsReport) -> str:
    """``2 errors, 1 warning, 0 info in 3 inputs``."""
    e, w, i = (report.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    n = len(report.inputs)
    line = (
        f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}, {i} info "
        f"in {n} input{'s' * (n != 1)}"
    )
    if report.suppressed:
        line += f"; {report.suppressed} suppressed by the baseline"
    if report.chart_defaults:
        n = report.chart_defaults
        line += f"; {n} about the Helm chart's default config not shown"
    return line


def _by_file(findings: tuple[Finding, ...]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[f.location.file].append(f)
    return groups


@renderer(FindingsReport, "text")
def render_findings_text(report: FindingsReport, consoles: Consoles) -> None:
    """Findings grouped by file, each with its position, rule, message, code frame and hint.

    Plain text (no Rich: this is the hot path of CI runs). On a terminal, messages wrap under
    themselves; piped (CI logs, grep) a finding stays on one line, as linters print them.
    Per-input summaries (e.g. cardinality tops) are rendered after the findings through their
    own registered ``text`` renderers; the one-line count goes to stderr.
    """
    color = consoles.out_color
    width = consoles.out_width
    body_width = max(24, width - _INDENT) if consoles.out_is_terminal else 0
    lines: list[str] = []
    for file, findings in _by_file(report.findings).items():
        lines.append(paint(file, "bold underline", color))
        for f in findings:
            lines.extend(_finding_lines(f, color, width, body_width))
        lines.append("")
    if lines:
        consoles.out_stream.write("\n".join(lines) + "\n")
        consoles.out_stream.flush()
    for _input, summary in report.summaries:
        try:
            emit(summary, "text", consoles)
        except LookupError:
            continue
    style = "bold" if report.findings else "green"
    consoles.write_err(paint(summary_line(report), style, consoles.err_color) + "\n")


_INDENT = 18
"""Column where a finding's message starts (after position and severity)."""


def _finding_lines(f: Finding, color: bool, width: int, body_width: int) -> list[str]:
    loc = f.location
    pos = f"{loc.line}:{loc.col}" if loc.col else (f"{loc.line}" if loc.line else "-")
    head = (
        "  " + pos.ljust(7) + " " + paint(f.severity.value.ljust(8), _SEV_STYLE[f.severity], color)
    )
    body = f"{f.rule_id} {f.message}" + (f"  [{f.path}]" if f.path else "")
    out = _hanging(head, body, _INDENT, body_width)
    if color:
        out[0] = out[0].replace(f.rule_id, paint(f.rule_id, "bold", True), 1)
    if f.source_line is not None and loc.line:
        gutter = f"{' ' * (_INDENT - 9)}{loc.line:>6} | "
        room = max(20, width - len(gutter))
        out.append(paint(gutter, "dim", color) + _clip(f.source_line.rstrip("\n"), room))
        if loc.col and loc.col <= room:
            out.append(paint(f"{' ' * (len(gutter) - 2)}| {' ' * (loc.col - 1)}^", "dim", color))
    if f.hint:
        hint_head = " " * (_INDENT - 6) + paint("hint: ", "cyan", color)
        out.extend(_hanging(hint_head, f.hint, _INDENT, body_width))
    return out


def _hanging(head: str, body: str, indent: int, width: int) -> list[str]:
    """``head`` + ``body``; wrapped to ``width`` (0: never) under the body's first column."""
    if not width or len(body) <= width:
        return [head + body]
    import textwrap

    wrapped = textwrap.wrap(body, width, break_on_hyphens=False) or [""]
    return [head + wrapped[0], *(" " * indent + line for line in wrapped[1:])]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finding_to_dict(f: Finding) -> dict[str, object]:
    """The stable JSON shape of one finding (plus the producer's own fields, if any)."""
    doc: dict[str, object] = {
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
    doc.update(f.extra)
    return doc


def _plain(value: object) -> object:
    if isinstance(value, PipelineGraph):
        return value.as_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


@renderer(FindingsReport, "json")
def render_findings_json(report: FindingsReport, consoles: Consoles) -> None:
    """``{"schema_version", "tool", "inputs", "summary", "findings", "summaries"}``."""
    from obsctl.render.json import SCHEMA_VERSION, write_json  # orjson: ~6 ms, JSON only

    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "tool": report.tool,
            "inputs": list(report.inputs),
            # "suppressed" appears when a baseline left findings out, "chart_defaults" when
            # findings about a Helm chart's own defaults were.
            "summary": {s.value: report.count(s) for s in Severity}
            | ({"suppressed": report.suppressed} if report.suppressed else {})
            | ({"chart_defaults": report.chart_defaults} if report.chart_defaults else {}),
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
    from obsctl.render.json import write_json

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
    consoles.out_stream.write(junit_document(report))
    consoles.out_stream.flush()


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
    stream = consoles.out_stream
    for line in github_lines(report):
        stream.write(line + "\n")
    stream.flush()
    consoles.write_err(summary_line(report) + "\n")
