"""The findings records: written by hand for start-up time, they keep the frozen-dataclass
behaviour (construction, equality and hashing over the compared fields, repr, ordering of
locations, read-only attributes, pickling, replace)."""

from __future__ import annotations

import pickle

import pytest

from obsctl.model.findings import Finding, FindingsReport, Location, RuleInfo, Severity


def _finding(**changes: object) -> Finding:
    base = Finding(
        "OTC100",
        "unknown-component",
        Severity.ERROR,
        "unknown receiver 'otlpp'",
        Location("a.yaml", 3, 5),
        hint="did you mean otlp?",
        subject="otlpp",
        path="receivers.otlpp",
        source_line="  otlpp:",
        extra=(("group", "g"),),
    )
    return base.replace(**changes) if changes else base


def test_location_orders_and_prints_like_before() -> None:
    locs = [
        Location("b.yaml"),
        Location("a.yaml", 2),
        Location("a.yaml", 1, 7),
        Location("a.yaml", 1),
    ]
    assert sorted(locs) == [
        Location("a.yaml", 1),
        Location("a.yaml", 1, 7),
        Location("a.yaml", 2),
        Location("b.yaml"),
    ]
    assert Location("a.yaml", 1) < Location("a.yaml", 1, 1) <= Location("a.yaml", 1, 1)
    assert Location("b.yaml") > Location("a.yaml", 9) >= Location("a.yaml", 9)
    assert repr(Location("a.yaml", 1, 2)) == "Location(file='a.yaml', line=1, col=2)"
    assert [str(Location("f", 1, 2)), str(Location("f", 1)), str(Location("f"))] == [
        "f:1:2",
        "f:1",
        "f",
    ]
    assert Location(file="f", col=3) == Location("f", 0, 3)
    assert Location("f") != ("f", 0, 0)
    with pytest.raises(TypeError):
        _ = Location("f") < ("f", 0, 0)  # type: ignore[operator]


def test_finding_equality_ignores_source_line_and_extra() -> None:
    f = _finding()
    same = _finding(source_line=None, extra=())
    assert f == same
    assert hash(f) == hash(same)
    assert len({f, same}) == 1
    assert f != _finding(message="other")
    assert f != _finding(location=Location("a.yaml", 3, 6))
    assert f != _finding(hint=None)
    assert f.fingerprint == "OTC100|a.yaml|otlpp|unknown receiver 'otlpp'"


def test_finding_repr_lists_every_field_in_order() -> None:
    assert repr(_finding()) == (
        "Finding(rule_id='OTC100', rule_name='unknown-component', "
        "severity=<Severity.ERROR: 'error'>, message=\"unknown receiver 'otlpp'\", "
        "location=Location(file='a.yaml', line=3, col=5), hint='did you mean otlp?', "
        "subject='otlpp', path='receivers.otlpp', source_line='  otlpp:', "
        "extra=(('group', 'g'),))"
    )


def test_records_are_read_only() -> None:
    f = _finding()
    with pytest.raises(AttributeError, match="cannot assign to field 'message'"):
        f.message = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="cannot delete field 'col'"):
        del f.location.col  # type: ignore[misc]
    with pytest.raises(AttributeError):
        f.new_attribute = 1  # type: ignore[attr-defined]


def test_replace_copies_and_changes() -> None:
    f = _finding()
    g = f.replace(severity=Severity.WARNING, source_line="x")
    assert (g.severity, g.source_line, g.message, g.extra) == (
        Severity.WARNING,
        "x",
        f.message,
        f.extra,
    )
    assert f.severity is Severity.ERROR
    with pytest.raises(TypeError):
        f.replace(no_such_field=1)
    assert Location("a", 1).replace(col=4) == Location("a", 1, 4)


def test_pickle_round_trip() -> None:
    info = RuleInfo("OTC100", "unknown-component", Severity.ERROR, "s", help_uri="u")
    report = FindingsReport("validate", (_finding(),), (info,), ("a.yaml",), suppressed=2)
    back = pickle.loads(pickle.dumps(report))
    assert back == report
    assert back.findings[0].source_line == "  otlpp:"
    assert back.findings[0].extra == (("group", "g"),)
    assert back.rules[0].help_uri == "u"


def test_report_counts_and_thresholds() -> None:
    report = FindingsReport(
        "lint",
        (_finding(), _finding(severity=Severity.INFO)),
        (),
        ("-",),
    )
    assert (report.count(Severity.ERROR), report.count(Severity.WARNING)) == (1, 0)
    assert report.fails("error") and not report.fails("never")
    assert report.replace(findings=()).fails("info") is False
    assert report == report.replace()
    assert report != report.replace(chart_defaults=1)
