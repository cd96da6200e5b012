"""Run rule unit tests (``promtool test rules`` semantics) on the embedded engine.

Pure: the test file and rule groups arrive parsed, PromQL arrives through an injected
``compile`` function, and every time is Unix milliseconds.

Per test group, as promtool does: the input series are loaded (``interval`` apart from
``start_timestamp``); every rule group is evaluated at ``start, start+evaluation_interval, …``
up to the largest ``eval_time`` (groups in ``group_eval_order``, rules in file order);
recording rules write their results back (with staleness markers for series that vanish)
and alerting rules run Prometheus's alert state machine (``analysis.windows.AlertInstance``)
and write ``ALERTS``/``ALERTS_FOR_STATE``. After the evaluation at the largest step not after
an ``alert_rule_test``'s ``eval_time``, the firing alerts of that name are compared with the
expected ones (labels and expanded annotations, exactly). ``promql_expr_test`` queries run
at the end, over everything loaded and recorded; values compare exactly (``fuzzy_compare``:
within one ULP).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from obsctl.analysis import alert_templates
from obsctl.analysis.engine import labels as L
from obsctl.analysis.engine.evaluator import Engine, EvalError, Vector
from obsctl.analysis.engine.goformat import go_duration, go_float_e, go_time_duration
from obsctl.analysis.engine.notation import (
    STALE,
    NotationError,
    Stale,
    parse_metric,
    parse_values,
)
from obsctl.analysis.engine.plan import Node
from obsctl.analysis.engine.storage import Storage
from obsctl.analysis.windows import AlertInstance
from obsctl.model.rule_unittests import (
    AlertTestCase,
    ExprTestCase,
    GroupResult,
    Rule,
    RuleGroup,
    TestFailure,
    TestGroup,
    UnitTestFile,
)

Compile = Callable[[str], Node]
"""PromQL text → plan; raises ``ValueError`` (or ``EvalError``) when it does not parse."""

Labels = L.Labels
MAX_INPUT_SAMPLES = 20_000_000
"""Most input samples of one test group (YAML aliases can repeat a series many times)."""
MAX_EVALUATIONS = 1_000_000
"""Most rule evaluation steps of one test group (``eval_time`` / ``evaluation_interval``)."""


@dataclass
class _Active:
    """An alert instance of a rule with what the last evaluation gave it."""

    labels: Labels
    state: AlertInstance = field(default_factory=AlertInstance)
    annotations: Labels = ()
    value: float = 0.0


@dataclass
class _RuleState:
    rule: Rule
    plan: Node
    group: RuleGroup
    active: dict[Labels, _Active] = field(default_factory=dict)
    written: set[Labels] = field(default_factory=set)


class _GroupError(Exception):
    """Stops a test group (a rule or series that cannot be evaluated)."""


def run_test_group(
    test: TestGroup,
    unit: UnitTestFile,
    groups: list[RuleGroup],
    compile_expr: Compile,
) -> GroupResult:
    """Run one ``tests[]`` entry; ``groups`` are all rule groups of the file's rule files."""
    name = test.name
    try:
        failures = _run(test, unit, groups, compile_expr)
    except _GroupError as exc:
        failures = [TestFailure(kind="error", eval_time_s=0.0, message=str(exc))]
    return GroupResult(name=name, failures=tuple(failures))


def _load(test: TestGroup) -> list[tuple[int, Labels, float, bool]]:
    """Every input sample as ``(t, labels, value, stale)``, in time order."""
    out: list[tuple[int, Labels, float, bool]] = []
    for s in test.input_series:
        try:
            lbls, _ = parse_metric(s.series)
            values = parse_values(s.values)
        except NotationError as exc:
            raise _GroupError(f"input_series {s.series!r}: {exc}") from None
        if len(out) + len(values) > MAX_INPUT_SAMPLES:
            raise _GroupError(f"input_series expand to more than {MAX_INPUT_SAMPLES} samples")
        for i, v in enumerate(values):
            if v is None:
                continue
            t = test.start_ms + i * test.interval_ms
            if isinstance(v, Stale):
                out.append((t, lbls, math.nan, True))
            else:
                out.append((t, lbls, v, False))
    out.sort(key=lambda x: x[0])
    return out


def _ordered(groups: list[RuleGroup], order: tuple[str, ...]) -> list[RuleGroup]:
    rank = {n: i for i, n in enumerate(order)}
    return sorted(groups, key=lambda g: rank.get(g.name, 0))


def _run(
    test: TestGroup, unit: UnitTestFile, groups: list[RuleGroup], compile_expr: Compile
) -> list[TestFailure]:
    for a in test.alert_tests:
        if not a.alertname:
            where = f" (in TestGroup {test.name})" if test.name else ""
            raise _GroupError(
                "an item under alert_rule_test misses required attribute alertname at "
                f"eval_time {go_duration(a.eval_time_ms)}{where}"
            )
    samples = _load(test)
    loaded = 0
    storage = Storage()
    engine = Engine(storage, subquery_step_ms=unit.evaluation_interval_ms)
    states: list[_RuleState] = []
    for g in _ordered(groups, unit.group_eval_order):
        for r in g.rules:
            try:
                plan = compile_expr(r.expr)
            except (ValueError, EvalError) as exc:
                raise _GroupError(f"{r.source}: {r.line}: {r.name}: {exc}") from None
            states.append(_RuleState(r, plan, g))
    mint = test.start_ms
    max_eval = max(
        [a.eval_time_ms for a in test.alert_tests] + [x.eval_time_ms for x in test.expr_tests],
        default=0,
    )
    maxt = mint + max_eval
    interval = unit.evaluation_interval_ms
    if states and max_eval // interval >= MAX_EVALUATIONS:
        raise _GroupError(
            f"eval_time {go_duration(max_eval)} needs more than {MAX_EVALUATIONS} evaluations "
            f"at evaluation_interval {go_duration(interval)}"
        )
    alert_times = sorted({a.eval_time_ms for a in test.alert_tests})
    by_time: dict[int, list[AlertTestCase]] = {}
    for a in test.alert_tests:
        by_time.setdefault(a.eval_time_ms, []).append(a)
    failures: list[TestFailure] = []
    curr = 0
    ext = dict(test.external_labels)
    ts = mint
    if not states:
        # Nothing to evaluate: jump to the last step (the input visible there is what the
        # expression tests see; with no alerting rule, no alert fires).
        ts = mint + (maxt - mint) // interval * interval
    while ts <= maxt:
        # Samples become visible as time advances, as promtool's lazy loader adds them:
        # an evaluation at ts sees the input up to ts only.
        while loaded < len(samples) and samples[loaded][0] <= ts:
            t_s, lbls, value, stale = samples[loaded]
            storage.add(lbls, t_s, value, stale=stale)
            loaded += 1
        errors = []
        for st in states:
            try:
                _eval_rule(st, engine, storage, ts, ext, test.external_url, compile_expr)
            except (EvalError, ValueError) as exc:
                errors.append(f"rule: {st.rule.name}, time: {go_time_duration(ts)}, err: {exc}")
        if errors:
            failures.extend(
                TestFailure(kind="error", eval_time_s=(ts - mint) / 1000, message=e) for e in errors
            )
            return failures
        # Alert tests up to the next step are checked after this one (earlier ones were
        # checked at earlier steps, or are due now after a jump).
        while curr < len(alert_times) and alert_times[curr] < ts + interval - mint:
            t = alert_times[curr]
            for case in by_time[t]:
                failure = _check_alerts(case, states, fuzzy=unit.fuzzy_compare)
                if failure is not None:
                    failures.append(failure)
            curr += 1
        ts += interval
    for x in test.expr_tests:
        failure = _check_expr(x, engine, mint, compile_expr, fuzzy=unit.fuzzy_compare)
        if failure is not None:
            failures.append(failure)
    return failures


def _query_vector(engine: Engine, plan: Node, t: int) -> Vector:
    res = engine.instant(plan, t)
    v = res.value
    if isinstance(v, float):
        from obsctl.analysis.engine.evaluator import Sample

        return Vector([Sample((), v, t)])
    if not isinstance(v, Vector):
        raise EvalError("rule result is not a vector or scalar")
    return v


def _write(st: _RuleState, storage: Storage, out: list[tuple[Labels, float]], t: int) -> None:
    now: set[Labels] = set()
    for lbls, v in out:
        storage.add(lbls, t, v)
        now.add(lbls)
    for gone in st.written - now:
        storage.add(gone, t, math.nan, stale=True)
    st.written = now


def _eval_rule(
    st: _RuleState,
    engine: Engine,
    storage: Storage,
    ts: int,
    ext: dict[str, str],
    ext_url: str,
    compile_expr: Compile,
) -> None:
    rule = st.rule
    t = ts - st.group.query_offset_ms
    vec = _query_vector(engine, st.plan, t)
    if rule.kind == "record":
        out: list[tuple[Labels, float]] = []
        seen: set[Labels] = set()
        for s in vec:
            d = dict(s.labels)
            d["__name__"] = rule.name
            for k, v in rule.labels:
                if v:
                    d[k] = v
                else:
                    d.pop(k, None)
            lbls = L.make_labels(d)
            if lbls in seen:
                raise EvalError(
                    "vector contains metrics with the same labelset after applying rule labels"
                )
            seen.add(lbls)
            out.append((lbls, s.v))
        limit = st.group.limit
        if limit > 0 and len(out) > limit:
            _write(st, storage, [], t)
            raise EvalError(f"exceeded limit of {limit} with {len(out)} series")
        _write(st, storage, out, t)
        return

    def query(q: str) -> list[alert_templates.QueryResult]:
        plan = compile_expr(q)
        return [
            alert_templates.QueryResult(dict(s.labels), s.v) for s in _query_vector(engine, plan, t)
        ]

    current: dict[Labels, tuple[Labels, float]] = {}
    for s in vec:
        series_labels = dict(s.labels)
        series_labels.pop("__name__", None)

        def expand(text: str, sl: dict[str, str] = series_labels, val: float = s.v) -> str:
            try:
                return alert_templates.expand(
                    text,
                    labels=sl,
                    value=val,
                    external_labels=ext,
                    external_url=ext_url,
                    query=query,
                    now_ms=ts,
                )
            except (alert_templates.TemplateError, EvalError, ValueError) as exc:
                return f"<error expanding template: {exc}>"

        d = dict(series_labels)
        for k, v in rule.labels:
            ev = expand(v)
            if ev:
                d[k] = ev
            else:
                d.pop(k, None)
        d["alertname"] = rule.name
        lbls = L.make_labels(d)
        annotations = tuple(sorted((k, expand(v)) for k, v in rule.annotations))
        if lbls in current:
            raise EvalError(
                "vector contains metrics with the same labelset after applying alert labels"
            )
        current[lbls] = (annotations, s.v)
    for lbls, (annotations, value) in current.items():
        a = st.active.get(lbls)
        if a is None:
            a = _Active(lbls)
            st.active[lbls] = a
        a.annotations = annotations
        a.value = value
    out = []
    for lbls, a in list(st.active.items()):
        ended = a.state.step(
            lbls in current, ts, hold_ms=rule.for_ms, keep_ms=rule.keep_firing_for_ms
        )
        if ended is not None or a.state.state == "inactive":
            del st.active[lbls]
            continue
        alert_state = a.state.state
        out.append(
            (L.make_labels({**dict(lbls), "__name__": "ALERTS", "alertstate": alert_state}), 1.0)
        )
        out.append(
            (
                L.make_labels({**dict(lbls), "__name__": "ALERTS_FOR_STATE"}),
                float(a.state.active_at // 1000),
            )
        )
    limit = st.group.limit
    if limit > 0 and len(st.active) > limit:
        active = len(st.active)
        st.active.clear()
        raise EvalError(f"exceeded limit of {limit} with {active} alerts")
    _write(st, storage, out, t)


def _alert_dicts(items: list[tuple[Labels, Labels]]) -> list[dict[str, object]]:
    return [{"labels": dict(lb), "annotations": dict(an)} for lb, an in items]


def _check_alerts(
    case: AlertTestCase, states: list[_RuleState], *, fuzzy: bool
) -> TestFailure | None:
    got: list[tuple[Labels, Labels]] = []
    for st in states:
        if st.rule.kind != "alert" or st.rule.name != case.alertname:
            continue
        for a in st.active.values():
            if a.state.state == "firing":
                got.append((a.labels, a.annotations))
    expected = [
        (
            L.make_labels({**dict(e.labels), "alertname": case.alertname}),
            tuple(sorted(e.annotations)),
        )
        for e in case.expected
    ]
    got.sort()
    expected.sort()
    if got == expected:
        return None
    return TestFailure(
        kind="alert",
        eval_time_s=case.eval_time_ms / 1000,
        alertname=case.alertname,
        expected=_alert_dicts(expected),
        got=_alert_dicts(got),
        message=(
            f"alertname: {case.alertname}, time: {go_duration(case.eval_time_ms)}: "
            f"expected {len(expected)} firing alert(s), got {len(got)}"
            + ("" if len(expected) != len(got) else " with other labels or annotations")
        ),
    )


def _labels_str(lbls: Labels) -> str:
    return "{" + ", ".join(f'{k}="{_esc(v)}"' for k, v in lbls) + "}"


def _esc(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _equal(a: float, b: float, fuzzy: bool) -> bool:
    if a == b:
        return True
    if fuzzy:
        return math.nextafter(a, -math.inf) == b or math.nextafter(a, math.inf) == b
    return False


_SELECTOR_ONLY = re.compile(r"^\s*$")


def _check_expr(
    case: ExprTestCase, engine: Engine, mint: int, compile_expr: Compile, *, fuzzy: bool
) -> TestFailure | None:
    when = go_duration(case.eval_time_ms)
    try:
        plan = compile_expr(case.expr)
        vec = _query_vector(engine, plan, mint + case.eval_time_ms)
    except (EvalError, ValueError) as exc:
        return TestFailure(
            kind="expr",
            eval_time_s=case.eval_time_ms / 1000,
            expr=case.expr,
            message=f"expr: {case.expr!r}, time: {when}, err: {exc}",
        )
    got = sorted(((s.labels, s.v) for s in vec), key=lambda x: x[0])
    expected: list[tuple[Labels, float]] = []
    for e in case.expected:
        try:
            lbls = parse_metric(e.labels)[0] if not _SELECTOR_ONLY.match(e.labels) else ()
        except NotationError as exc:
            return TestFailure(
                kind="expr",
                eval_time_s=case.eval_time_ms / 1000,
                expr=case.expr,
                message=f"expr: {case.expr!r}, time: {when}, err: labels {e.labels!r}: {exc}",
            )
        expected.append((lbls, e.value))
    expected.sort(key=lambda x: x[0])
    same = len(got) == len(expected) and all(
        gl == el and _equal(gv, ev, fuzzy) for (gl, gv), (el, ev) in zip(got, expected, strict=True)
    )
    if same:
        return None
    return TestFailure(
        kind="expr",
        eval_time_s=case.eval_time_ms / 1000,
        expr=case.expr,
        expected=[{"labels": dict(lb), "value": v} for lb, v in expected],
        got=[{"labels": dict(lb), "value": v} for lb, v in got],
        message=(
            f"expr: {case.expr!r}, time: {when}: "
            f"exp: {_samples_str(expected)}; got: {_samples_str(got)}"
        ),
    )


def _samples_str(items: list[tuple[Labels, float]]) -> str:
    if not items:
        return "nil"
    return ", ".join(f"{_labels_str(lb)} {go_float_e(v)}" for lb, v in items)


def alert_names_tested(unit: UnitTestFile) -> set[str]:
    """Alert names that some ``alert_rule_test`` of the file checks."""
    return {a.alertname for t in unit.tests for a in t.alert_tests}


__all__ = ["STALE", "alert_names_tested", "run_test_group"]
