"""Renderers for ``obsctl rules test``: a readable diff per failing group, JSON, JUnit XML."""

from __future__ import annotations

from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from obsctl.model.rule_unittests import FileResult, RulesTestReport, TestFailure
from obsctl.render import renderer
from obsctl.render.console import Consoles, paint
from obsctl.render.json import SCHEMA_VERSION, json_float, write_json


def _duration(seconds: float) -> str:
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    out = []
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms >= size:
            out.append(f"{ms // size}{unit}")
            ms %= size
    if ms:
        out.append(f"{ms}ms")
    return "".join(out)


def _labels(d: object) -> str:
    assert isinstance(d, dict)
    inner = ", ".join(f'{k}="{_esc(str(v))}"' for k, v in sorted(d.items()))
    return "{" + inner + "}"


def _esc(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _line(item: dict[str, object], kind: str) -> str:
    if kind == "alert":
        ann = item.get("annotations") or {}
        text = _labels(item["labels"])
        if ann:
            text += "  annotations " + _labels(ann)
        return text
    value = item["value"]
    assert isinstance(value, float)
    return f"{_labels(item['labels'])} {_num(value)}"


def _num(v: float) -> str:
    text = str(json_float(v))
    return text[:-2] if text.endswith(".0") else text


def _diff(f: TestFailure) -> list[tuple[str, str]]:
    """Expected vs got, item by item: ``-`` only expected, ``+`` only got, `` `` both."""
    exp = [_line(x, f.kind) for x in f.expected]
    got = [_line(x, f.kind) for x in f.got]
    rows: list[tuple[str, str]] = []
    got_left = list(got)
    for e in exp:
        if e in got_left:
            got_left.remove(e)
            rows.append((" ", e))
        else:
            rows.append(("-", e))
    rows.extend(("+", g) for g in got_left)
    order = {"-": 0, "+": 1, " ": 2}
    # keep pairs of a changed item together: sort by the label part, then -/+
    rows.sort(key=lambda r: (r[1].split("  annotations", 1)[0].rsplit(" ", 1)[0], order[r[0]]))
    return rows


def _failure_lines(f: TestFailure, color: bool) -> list[str]:
    when = _duration(f.eval_time_s)
    if f.kind == "error":
        return [paint(f"    error: {f.message}", "red", color)]
    if f.kind == "alert":
        n_exp, n_got = len(f.expected), len(f.got)
        head = (
            f"    alert {f.alertname} at {when}: expected {n_exp} firing "
            f"alert{'s' if n_exp != 1 else ''}, got {n_got}"
        )
    elif not f.expected and not f.got:
        return [f"    expr {f.expr} at {when}: {f.message.split('err: ', 1)[-1]}"]
    else:
        head = f"    expr {f.expr} at {when}: expected {len(f.expected)} samples, got {len(f.got)}"
    out = [head]
    for sign, text in _diff(f):
        style = {"-": "red", "+": "green", " ": "dim"}[sign]
        out.append(paint(f"      {sign} {text}", style, color))
    return out


@renderer(RulesTestReport, "text")
def render_text(report: RulesTestReport, consoles: Consoles) -> None:
    """``PASS``/``FAIL`` per group, a ``-`` expected / ``+`` got diff for each failure."""
    color = consoles.out_color
    w = consoles.out_stream.write
    passed = failed = 0
    for fr in report.files:
        w(paint(f"Unit testing: {fr.file}", "bold", color) + "\n")
        for warning in fr.warnings:
            consoles.err_stream.write(f"obsctl: warning: {fr.file}: {warning}\n")
        if fr.error is not None:
            w(paint(f"  ERROR {fr.error}", "bold red", color) + "\n")
            continue
        for g in fr.groups:
            if g.passed:
                passed += 1
                w(f"  {paint('PASS', 'green', color)}  {g.name}\n")
                continue
            failed += 1
            w(f"  {paint('FAIL', 'bold red', color)}  {g.name}\n")
            for f in g.failures:
                w("\n".join(_failure_lines(f, color)) + "\n")
    if report.coverage is not None:
        if report.coverage:
            w(paint("Alerting rules no test exercises:", "bold", color) + "\n")
            for u in report.coverage:
                w(f"  {u.source}:{u.line}: {u.alertname} (group {u.group})\n")
        else:
            w("Every alerting rule is exercised by an alert_rule_test.\n")
    consoles.out_stream.flush()
    errors = sum(1 for f in report.files if f.error is not None)
    summary = f"{passed} passed, {failed} failed"
    if errors:
        summary += f", {errors} file{'s' if errors != 1 else ''} not run"
    consoles.err_stream.write(summary + "\n")
    consoles.err_stream.flush()


def _failure_doc(f: TestFailure) -> dict[str, object]:
    doc: dict[str, object] = {"kind": f.kind, "eval_time": f.eval_time_s}
    if f.kind == "alert":
        doc["alertname"] = f.alertname
    elif f.kind == "expr":
        doc["expr"] = f.expr
    doc["expected"] = [_json_item(x) for x in f.expected]
    doc["got"] = [_json_item(x) for x in f.got]
    doc["message"] = f.message
    return doc


def _json_item(x: dict[str, object]) -> dict[str, object]:
    v = x.get("value")
    if isinstance(v, float):
        return {**x, "value": json_float(v)}
    return x


def _file_doc(fr: FileResult) -> dict[str, object]:
    doc: dict[str, object] = {
        "file": fr.file,
        "groups": [
            {
                "name": g.name,
                "passed": g.passed,
                "failures": [_failure_doc(f) for f in g.failures],
            }
            for g in fr.groups
        ],
    }
    if fr.error is not None:
        doc["error"] = fr.error
    if fr.warnings:
        doc["warnings"] = list(fr.warnings)
    return doc


@renderer(RulesTestReport, "json")
def render_json(report: RulesTestReport, consoles: Consoles) -> None:
    """``{"schema_version", "files": [{"file", "groups": [{"name", "passed", "failures"}]}]}``."""
    doc: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "passed": report.passed,
        "files": [_file_doc(fr) for fr in report.files],
    }
    if report.coverage is not None:
        doc["uncovered_alerts"] = [
            {"alertname": u.alertname, "file": u.source, "line": u.line, "group": u.group}
            for u in report.coverage
        ]
    write_json(doc, consoles)


def junit_document(report: RulesTestReport) -> str:
    """JUnit XML: a ``testsuite`` per test file, a ``testcase`` per test group."""
    suites = []
    total = total_fail = total_err = 0
    for fr in report.files:
        cases = []
        failures = 0
        errors = 0
        if fr.error is not None:
            errors = 1
            cases.append(
                f"    <testcase classname={quoteattr(fr.file)} name={quoteattr(fr.file)}>"
                f"<error message={quoteattr(fr.error)}/></testcase>"
            )
        for g in fr.groups:
            body = ""
            if not g.passed:
                failures += 1
                text = "\n\n".join("\n".join(_failure_lines(f, False)) for f in g.failures)
                body = (
                    f"<failure message={quoteattr(g.failures[0].message.splitlines()[0])}>"
                    f"{xml_escape(text)}</failure>"
                )
            cases.append(
                f"    <testcase classname={quoteattr(fr.file)} name={quoteattr(g.name)}>"
                f"{body}</testcase>"
            )
        total += len(cases)
        total_fail += failures
        total_err += errors
        suites.append(
            f'  <testsuite name={quoteattr(fr.file)} tests="{len(cases)}" '
            f'failures="{failures}" errors="{errors}" skipped="0">\n'
            + "\n".join(cases)
            + "\n  </testsuite>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="obsctl rules test" tests="{total}" failures="{total_fail}" '
        f'errors="{total_err}">\n' + "\n".join(suites) + "\n</testsuites>\n"
    )


@renderer(RulesTestReport, "junit")
def render_junit(report: RulesTestReport, consoles: Consoles) -> None:
    """JUnit XML for CI test views."""
    consoles.out_stream.write(junit_document(report))
    consoles.out_stream.flush()
