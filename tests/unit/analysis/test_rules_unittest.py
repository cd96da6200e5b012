"""Rule unit-test semantics (promtool's), the series notation and alert templates."""

from __future__ import annotations

import math

import pytest

from obsctl.analysis import alert_templates as T
from obsctl.analysis.engine.compile import compile_expr
from obsctl.analysis.engine.goformat import go_duration, go_float, go_float_e
from obsctl.analysis.engine.notation import STALE, NotationError, parse_series_line, parse_values
from obsctl.analysis.engine.plan import Node
from obsctl.analysis.rules_unittest import run_test_group
from obsctl.model.rule_unittests import (
    AlertTestCase,
    ExpectedAlert,
    ExpectedSample,
    ExprTestCase,
    InputSeries,
    Rule,
    RuleGroup,
    TestGroup,
    UnitTestFile,
)
from obsctl.parsers.promql_parser import parse_expr


def _compile(q: str) -> Node:
    return compile_expr(parse_expr(q), q)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("1+2x3", [1.0, 3.0, 5.0, 7.0]),
        ("5-1x2", [5.0, 4.0, 3.0]),
        ("7x2", [7.0, 7.0, 7.0]),
        ("_ 1 _x2 2", [None, 1.0, None, None, 2.0]),
        ("0x2", [0.0, 0.0, 0.0]),  # times, not hexadecimal
        ("-1.5e1 Inf -Inf", [-15.0, math.inf, -math.inf]),
    ],
)
def test_expanding_notation(text: str, want: list[float | None]) -> None:
    assert parse_values(text) == want


def test_notation_stale_nan_and_rounding() -> None:
    vals = parse_values("stale NaN 0.1+0.1x2")
    assert vals[0] is STALE
    assert isinstance(vals[1], float) and math.isnan(vals[1])
    # increments accumulate step by step, as Prometheus does
    assert vals[2:] == [0.1, 0.2, 0.30000000000000004]


def test_series_line_labels() -> None:
    labels, vals = parse_series_line('http_requests{job="api", path="/a\\"b"} 1 2')
    assert labels == (("__name__", "http_requests"), ("job", "api"), ("path", '/a"b'))
    assert vals == [1.0, 2.0]
    labels, _ = parse_series_line('{"my.metric", le="0.5"} 1')
    assert labels == (("__name__", "my.metric"), ("le", "0.5"))
    with pytest.raises(NotationError):
        parse_series_line("x{a=b} 1")
    with pytest.raises(NotationError):
        parse_values("1+")


@pytest.mark.parametrize(
    ("v", "g", "e"),
    [
        (1.0, "1", "1E+00"),
        (0.15, "0.15", "1.5E-01"),
        (1e6, "1e+06", "1E+06"),
        (123456.0, "123456", "1.23456E+05"),
        (1e-5, "1e-05", "1E-05"),
        (math.nan, "NaN", "NaN"),
        (-math.inf, "-Inf", "-Inf"),
    ],
)
def test_go_float_formats(v: float, g: str, e: str) -> None:
    assert go_float(v) == g
    assert go_float_e(v) == e


def test_go_duration() -> None:
    assert [go_duration(x) for x in (0, 1500, 300_000, 5_400_000, 90_000_000)] == [
        "0s",
        "1s500ms",
        "5m",
        "1h30m",
        "1d1h",
    ]


def _expand(text: str, **kw: object) -> str:
    return T.expand(
        text,
        labels={"instance": "a:9100", "job": "node"},
        value=kw.get("value", 0.123456),  # type: ignore[arg-type]
        external_labels={"cluster": "eu"},
        external_url="http://prom",
    )


@pytest.mark.parametrize(
    ("tmpl", "want"),
    [
        ("plain", "plain"),
        ("{{ $labels.instance }} of {{ .Labels.job }}", "a:9100 of node"),
        ("{{ $value }}", "0.123456"),
        ("{{ $value | humanizePercentage }}", "12.35%"),
        ("{{ humanize 1234567 }}", "1.235M"),
        ("{{ humanize1024 2048 }}", "2ki"),
        ("{{ humanizeDuration 3725 }}", "1h 2m 5s"),
        ('{{ printf "%.2f" $value }}', "0.12"),
        ("{{ $externalLabels.cluster }} {{ $externalURL }}", "eu http://prom"),
        ("{{ if gt $value 0.1 }}high{{ else }}low{{ end }}", "high"),
        ("{{ $labels.instance | stripPort | toUpper }}", "A"),
        ("a  {{- $labels.job -}}  b", "anodeb"),
        ("{{ $x := $labels.job }}[{{ $x }}]", "[node]"),
        ("{{ $labels.missing }}", ""),
    ],
)
def test_templates(tmpl: str, want: str) -> None:
    assert _expand(tmpl) == want


def test_template_errors() -> None:
    with pytest.raises(T.TemplateError, match='function "nope" not defined'):
        _expand("{{ nope }}")
    with pytest.raises(T.TemplateError):
        _expand("{{ if true }}x")


def _unit(*tests: TestGroup) -> UnitTestFile:
    return UnitTestFile(
        rule_files=(), evaluation_interval_ms=60_000, group_eval_order=(), tests=tests
    )


def _group(**kw: object) -> TestGroup:
    base: dict[str, object] = {
        "name": "g",
        "interval_ms": 60_000,
        "input_series": (),
        "alert_tests": (),
        "expr_tests": (),
    }
    base.update(kw)
    return TestGroup(**base)  # type: ignore[arg-type]


ALERT = Rule("alert", "Down", "up == 0", for_ms=300_000, labels=(("severity", "page"),))


def _alert_at(minute: int, firing: bool) -> AlertTestCase:
    exp = (ExpectedAlert((("job", "a"), ("severity", "page")), ()),) if firing else ()
    return AlertTestCase(minute * 60_000, "Down", exp)


def test_for_semantics_pending_then_firing() -> None:
    # up == 0 from 2m with for: 5m: pending at 6m, firing at 7m (promtool's documented example).
    g = _group(
        input_series=(InputSeries('up{job="a"}', "1 1 0x10"),),
        alert_tests=(_alert_at(6, False), _alert_at(7, True)),
    )
    res = run_test_group(g, _unit(g), [RuleGroup("r", (ALERT,))], _compile)
    assert res.passed, res.failures


def test_alert_checked_after_the_last_evaluation_not_after_eval_time() -> None:
    # eval_time 7m30s is checked after the 7m evaluation (evaluation_interval 1m).
    g = _group(
        input_series=(InputSeries('up{job="a"}', "1 1 0x10"),),
        alert_tests=(AlertTestCase(450_000, "Down", _alert_at(7, True).expected),),
    )
    assert run_test_group(g, _unit(g), [RuleGroup("r", (ALERT,))], _compile).passed


def test_recording_rules_feed_later_rules_and_expr_tests() -> None:
    rules = RuleGroup(
        "r",
        (
            Rule("record", "job:up:sum", "sum by (job) (up)"),
            Rule("alert", "AllDown", "job:up:sum == 0"),
        ),
    )
    g = _group(
        input_series=(
            InputSeries('up{job="a",i="1"}', "0x5"),
            InputSeries('up{job="a",i="2"}', "0x5"),
        ),
        alert_tests=(AlertTestCase(0, "AllDown", (ExpectedAlert((("job", "a"),), ()),)),),
        expr_tests=(
            ExprTestCase("job:up:sum", 120_000, (ExpectedSample('job:up:sum{job="a"}', 0.0),)),
        ),
    )
    res = run_test_group(g, _unit(g), [rules], _compile)
    assert res.passed, res.failures


def test_expr_failure_carries_expected_and_got() -> None:
    g = _group(
        input_series=(InputSeries("x", "1 2 3"),),
        expr_tests=(ExprTestCase("x * 2", 120_000, (ExpectedSample("{}", 5.0),)),),
    )
    (failure,) = run_test_group(g, _unit(g), [], _compile).failures
    assert failure.kind == "expr"
    assert failure.expected == [{"labels": {}, "value": 5.0}]
    assert failure.got == [{"labels": {}, "value": 6.0}]
    assert "exp: {} 5E+00; got: {} 6E+00" in failure.message


def test_missing_alertname_is_an_error() -> None:
    g = _group(alert_tests=(AlertTestCase(0, "", ()),))
    (failure,) = run_test_group(g, _unit(g), [], _compile).failures
    assert failure.kind == "error"
    assert "misses required attribute alertname" in failure.message


def test_group_limit_is_an_evaluation_error() -> None:
    rules = RuleGroup("r", (Rule("alert", "Down", "up == 0"),), limit=1)
    g = _group(
        input_series=(InputSeries('up{job="a"}', "0x3"), InputSeries('up{job="b"}', "0x3")),
        alert_tests=(AlertTestCase(60_000, "Down", ()),),
    )
    (failure,) = run_test_group(g, _unit(g), [rules], _compile).failures
    assert failure.kind == "error"
    assert failure.message == "rule: Down, time: 0s, err: exceeded limit of 1 with 2 alerts"


def test_evaluation_error_time_is_a_go_time_duration_since_the_epoch() -> None:
    # promtool prints the time of a failed evaluation as Go's time.Duration (1h1m0s), not
    # as model.Duration (1h1m) like eval_time; counted from the Unix epoch.
    rules = RuleGroup("r", (Rule("alert", "Down", "up == 0"),), limit=1)
    g = _group(
        input_series=(
            InputSeries('up{job="a"}', "1x60 0x10"),
            InputSeries('up{job="b"}', "1x60 0x10"),
        ),
        alert_tests=(AlertTestCase(70 * 60_000, "Down", ()),),
    )
    (failure,) = run_test_group(g, _unit(g), [rules], _compile).failures
    assert failure.message == "rule: Down, time: 1h1m0s, err: exceeded limit of 1 with 2 alerts"
    assert failure.eval_time_s == 3660.0


def test_query_offset_shifts_the_evaluation() -> None:
    rules = RuleGroup("r", (Rule("record", "seen", "x"),), query_offset_ms=60_000)
    g = _group(
        input_series=(InputSeries("x", "1 2 3 4"),),
        expr_tests=(ExprTestCase("seen", 120_000, (ExpectedSample("seen", 2.0),)),),
    )
    assert run_test_group(g, _unit(g), [rules], _compile).passed


def test_hostile_sizes_fail_fast() -> None:
    with pytest.raises(NotationError, match="more than 5000000 samples"):
        parse_values("1x1000000000")
    g = _group(expr_tests=(ExprTestCase("vector(1)", 10 * 365 * 86_400_000, ()),))
    unit = UnitTestFile((), 1, (), (g,))
    rules = [RuleGroup("r", (Rule("record", "one", "vector(1)"),))]
    (failure,) = run_test_group(g, unit, rules, _compile).failures
    assert "needs more than 1000000 evaluations" in failure.message


def test_without_rules_the_evaluation_loop_is_skipped() -> None:
    # Ten years at 1ms per step would be 3e11 evaluations: nothing to evaluate, so no loop.
    g = _group(
        input_series=(InputSeries("x", "1 2 3"),),
        alert_tests=(AlertTestCase(60_000, "Nothing", ()),),
        expr_tests=(
            # left-open window (0, 10y]: the samples at 1m and 2m
            ExprTestCase(
                "count_over_time(x[10y])", 10 * 365 * 86_400_000, (ExpectedSample("{}", 2.0),)
            ),
            ExprTestCase("x", 120_000, (ExpectedSample("x", 3.0),)),
        ),
    )
    unit = UnitTestFile((), 1, (), (g,))
    assert run_test_group(g, unit, [], _compile).passed
