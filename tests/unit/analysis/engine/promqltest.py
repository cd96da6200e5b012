"""A runner for Prometheus's ``promqltest`` script language (see the suite's FORMAT.md).

``load``/``clear``/``eval`` commands run against the embedded engine; each ``eval`` becomes
one :class:`EvalCase` whose :meth:`EvalCase.run` returns ``None`` on success or a message
saying what differed. Expectations follow upstream's ``promqltest/test.go``: floats match
with a relative tolerance of 1e-6 (NaN equals NaN), order only matters under
``expect ordered``, annotations are checked only when an ``expect warn|info|no_warn|no_info``
line (or an ``eval_warn``/``eval_info`` variant) asks, and instant queries are also run as
a range query around the evaluation time, whose middle step must give the same result, and
with every selector pinned by ``@`` at other evaluation times (upstream's step invariance).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from obsctl.analysis.engine.evaluator import Engine, EvalError, Matrix, Result, Vector
from obsctl.analysis.engine.labels import Labels, fmt
from obsctl.analysis.engine.mathops import almost_equal
from obsctl.analysis.engine.notation import (
    NotationError,
    SeqValue,
    Stale,
    parse_metric,
    parse_number,
    parse_series_line,
)
from obsctl.analysis.engine.plan import Node
from obsctl.analysis.engine.storage import Storage

Compiler = Callable[[str, int, int], Node]
"""(query, step_ms, range_ms) → plan; raises on a parse error."""

_EVAL_INSTANT = re.compile(
    r"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$"
)
_EVAL_RANGE = re.compile(
    r"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$"
)
_LOAD = re.compile(r"^load(?:_(with_nhcb))?\s+(.+?)$")
_EXPECT = re.compile(r"^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$")
_EXPECT_RANGE = re.compile(r"^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$")
_DURATION = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_UNIT_MS["y"] = 365 * _UNIT_MS["d"]
EPSILON = 1e-6


def parse_duration_ms(text: str) -> int:
    """A Prometheus duration (``1m30s``, ``0``) in milliseconds."""
    t = text.strip()
    if t == "0":
        return 0
    neg = t.startswith("-")
    if neg:
        t = t[1:]
    pos = 0
    total = 0
    for mm in _DURATION.finditer(t):
        if mm.start() != pos:
            raise ValueError(f"invalid duration {text!r}")
        total += int(mm.group(1)) * _UNIT_MS[mm.group(2)]
        pos = mm.end()
    if pos != len(t) or not t:
        raise ValueError(f"invalid duration {text!r}")
    return -total if neg else total


@dataclass
class Expect:
    kind: str
    message: str | None = None
    regex: re.Pattern[str] | None = None

    def matches(self, s: str) -> bool:
        if self.message is not None:
            return s == self.message
        assert self.regex is not None
        return (self.regex.search(s) is not None and self.regex.match(s) is not None) or bool(
            self.regex.fullmatch(s)
        )


@dataclass
class EvalCase:
    """One ``eval`` command of a script, with the storage state it runs against."""

    file: str
    line: int
    expr: str
    instant: bool
    start: int
    end: int
    step: int
    storage: Storage
    fail: bool = False
    ordered: bool = False
    warn: bool = False
    info: bool = False
    expects: list[Expect] = field(default_factory=list)
    scalar: float | None = None
    expected: dict[Labels, tuple[int, list[SeqValue]]] = field(default_factory=dict)
    expected_string: str | None = None
    range_vector: bool = False
    fail_message: str | None = None
    fail_regexp: re.Pattern[str] | None = None
    skip: str | None = None
    loads: list[tuple[int, list[str]]] = field(default_factory=list)
    """The ``load`` blocks (interval, series lines) since the last ``clear``."""
    histogram_series: list[Labels] = field(default_factory=list)
    """Native-histogram series loaded (not stored): an eval selecting one is skipped."""

    @property
    def name(self) -> str:
        return f"{self.file}:{self.line}"

    def _by_kind(self, kind: str) -> list[Expect]:
        return [e for e in self.expects if e.kind == kind]

    def run(
        self, compile_expr: Compiler, engine_factory: Callable[[Storage], Engine]
    ) -> str | None:
        """Run the eval; ``None`` when it passed, else what went wrong."""
        engine = engine_factory(self.storage)
        if self.histogram_series:
            try:
                node = compile_expr(self.expr, self.step or 60_000, self.end - self.start)
            except ValueError:
                node = None
            if node is not None and _selects_any(node, self.histogram_series):
                return SKIP_NATIVE
        is_fail = self.fail or bool(self._by_kind("fail"))
        try:
            node = compile_expr(self.expr, self.step, self.end - self.start)
            if self.instant:
                res = engine.instant(node, self.end)
            else:
                res = engine.range(node, self.start, self.end, self.step)
        except EvalError as exc:
            if is_fail:
                return self._check_failure(str(exc))
            return f"error evaluating {self.expr!r}: {exc}"
        except (ValueError, NotationError) as exc:
            if is_fail:
                return self._check_failure(str(exc))
            return f"error creating query {self.expr!r}: {exc}"
        if is_fail:
            return f"expected error evaluating {self.expr!r} but got none"
        problem = self._check_annotations(res)
        if problem:
            return problem
        problem = self._compare(res.value)
        if problem or not self.instant:
            return problem
        problem = self._range_mode(engine, compile_expr, self.end)
        if problem:
            return problem
        # Step invariance, as upstream checks it: every selector pinned with `@ <eval time>`
        # must give the same result at other evaluation times.
        pinned = pin_at(node, self.end / 1000)
        if pinned is None:
            return None
        ts = self.end
        times = [-1000, 0, 1000] if ts == 0 else [-10 * ts, 0, int(ts / 5), ts, 10 * ts]
        for t in times:
            try:
                res = engine.instant(pinned, t)
            except EvalError as exc:
                return f"@ {ts / 1000} at t={t}: error {exc}"
            problem = self._check_annotations(res) or self._compare(res.value)
            if problem:
                return f"@ {ts / 1000} at t={t}: {problem}"
            problem = self._range_mode(engine, compile_expr, t, pinned)
            if problem:
                return f"@ {ts / 1000} at t={t}: {problem}"
        return None

    def _range_mode(
        self, engine: Engine, compile_expr: Compiler, t: int, plan: Node | None = None
    ) -> str | None:
        """The query in range mode from t-1m to t+1m: the middle step must give the result."""
        if self.range_vector or self.expected_string is not None:
            return None
        if re.search(r"(start|end|range|step)\(\)", self.expr):
            return None
        if self.ordered or self._by_kind("ordered"):
            return None
        try:
            node = plan if plan is not None else compile_expr(self.expr, 60_000, 120_000)
            rres = engine.range(node, t - 60_000, t + 60_000, 60_000)
        except (EvalError, ValueError) as exc:
            return f"error evaluating {self.expr!r} in range mode: {exc}"
        assert isinstance(rres.value, Matrix)
        from obsctl.analysis.engine.evaluator import Sample

        vec = Vector()
        for s in rres.value:
            for pt, v in zip(s.ts, s.vals, strict=True):
                if pt == t:
                    vec.append(Sample(s.labels, v, pt))
        if self.scalar is not None:
            if not vec:
                return "range mode returned no value for a scalar query"
            problem = self._compare(vec[0].v)
        else:
            problem = self._compare(vec)
        return f"range mode: {problem}" if problem else None

    def _check_failure(self, msg: str) -> str | None:
        if self.fail_message is not None and msg != self.fail_message:
            return f"expected error {self.fail_message!r}, got {msg!r}"
        if self.fail_regexp is not None and not self.fail_regexp.search(msg):
            return f"expected error matching {self.fail_regexp.pattern!r}, got {msg!r}"
        for e in self._by_kind("fail"):
            if e.message is not None and msg != e.message:
                return f"expected error {e.message!r}, got {msg!r}"
            if e.regex is not None and not e.regex.search(msg):
                return f"expected error matching {e.regex.pattern!r}, got {msg!r}"
        return None

    def _check_annotations(self, res: Result) -> str | None:
        warnings = list(res.annotations.warnings)
        infos = list(res.annotations.infos)
        if self.warn and not warnings:
            return "expected warnings but got none"
        if self.info and not infos:
            return "expected info annotations but got none"
        for kind, actual in (("warn", warnings), ("info", infos)):
            exp = self._by_kind(kind)
            if not exp:
                continue
            if not actual:
                return f"expected {kind} annotations but none were found"
            for e in exp:
                if not any(_match(e, a) for a in actual):
                    want = e.message if e.message is not None else e.regex.pattern  # type: ignore[union-attr]
                    return f"no {kind} annotation matching {want!r}; found {actual}"
            for a in actual:
                if not any(_match(e, a) for e in exp):
                    return f"unexpected {kind} annotation {a!r}"
        if self._by_kind("no_warn") and warnings:
            return f"unexpected warning annotations: {warnings}"
        if self._by_kind("no_info") and infos:
            return f"unexpected info annotations: {infos}"
        return None

    def _compare(self, value: object) -> str | None:
        ordered = self.ordered or bool(self._by_kind("ordered"))
        if isinstance(value, str):
            if self.expected_string != value:
                return f'expected string "{self.expected_string}" but got "{value}"'
            return None
        if isinstance(value, float):
            if self.scalar is None:
                return f"expected vector or matrix result, but got scalar {value}"
            if not almost_equal(self.scalar, value, EPSILON):
                return f"expected scalar {self.scalar} but got {value}"
            return None
        if self.scalar is not None:
            return f"expected scalar result, but got {type(value).__name__}"
        if isinstance(value, Matrix):
            if ordered:
                return "expected ordered result, but query returned a matrix"
            prev: Labels | None = None
            for s in value:
                if prev is not None and prev > s.labels:
                    return "matrix results should always be sorted by labels"
                prev = s.labels
            seen: set[Labels] = set()
            for s in value:
                if s.labels not in self.expected:
                    got = list(zip(s.ts, s.vals, strict=True))
                    return f"unexpected metric {fmt(s.labels)} in result, has {got}"
                seen.add(s.labels)
                _, vals = self.expected[s.labels]
                exp_pts: list[tuple[int, float]] = []
                for i, e in enumerate(vals):
                    t = self.start + i * self.step
                    if t > self.end:
                        return f"expected {len(vals)} points for {fmt(s.labels)}: too many"
                    if e is None or isinstance(e, Stale):
                        continue
                    exp_pts.append((t, e))
                if len(exp_pts) != len(s.ts):
                    got = list(zip(s.ts, s.vals, strict=True))
                    return f"expected {len(exp_pts)} points for {fmt(s.labels)}, got {got}"
                for (et, ev), at, av in zip(exp_pts, s.ts, s.vals, strict=True):
                    if et != at:
                        return f"{fmt(s.labels)}: expected timestamp {et}, got {at}"
                    if not almost_equal(ev, av, EPSILON):
                        return f"{fmt(s.labels)} at t={at}: expected {ev}, got {av}"
            for k in self.expected:
                if k not in seen:
                    return f"expected metric {fmt(k)} not found"
            return None
        assert isinstance(value, Vector)
        seen = set()
        for pos, s in enumerate(value):
            if s.labels not in self.expected:
                return f"unexpected metric {fmt(s.labels)} in result, has value {s.v}"
            exp_pos, vals = self.expected[s.labels]
            if ordered and exp_pos != pos + 1:
                return f"expected metric {fmt(s.labels)} at position {exp_pos} but was at {pos + 1}"
            ev = vals[0] if vals else None
            if not isinstance(ev, float) or not almost_equal(ev, s.v, EPSILON):
                return f"expected {ev} for {fmt(s.labels)} but got {s.v}"
            seen.add(s.labels)
        for k in self.expected:
            if k not in seen:
                return f"expected metric {fmt(k)} with {self.expected[k][1]} not found"
        return None


SKIP_NATIVE = "skip: native histograms (selects a native histogram series)"


def _selects_any(node: Node, series: list[Labels]) -> bool:
    from obsctl.analysis.engine import plan as P

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, P.VectorSel):
            for lbls in series:
                d = dict(lbls)
                if all(mt.matches(d.get(mt.name, "")) for mt in n.matchers):
                    return True
        for attr in ("expr", "lhs", "rhs", "param", "sel"):
            c = getattr(n, attr, None)
            if isinstance(c, P.Node):
                stack.append(c)
        stack.extend(getattr(n, "args", ()))
    return False


def _match(e: Expect, s: str) -> bool:
    if e.message is not None:
        return s == e.message
    assert e.regex is not None
    return e.regex.search(s) is not None


@dataclass
class Script:
    """A parsed script: its eval cases (each bound to the storage state when it runs)."""

    cases: list[EvalCase]


_NH_FUNCS = re.compile(r"\bhistogram_(count|sum|avg|stddev|stdvar)\b|\bload_with_nhcb\b")


def parse_script(name: str, text: str) -> Script:
    """Parse a promqltest script into eval cases. Loads are applied to a fresh storage per
    block between ``clear`` commands; each case runs on a snapshot of the storage at its point.
    """
    lines = []
    for raw in text.split("\n"):
        s = raw.strip()
        if s.startswith("#"):
            s = ""
        lines.append(s)
    cases: list[EvalCase] = []
    storage = Storage()
    hist_series: list[Labels] = []
    loads: list[tuple[int, list[str]]] = []
    nhcb = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        word = re.split(r"[\t ]+", line, maxsplit=1)[0].lower()
        if word == "clear":
            storage = Storage()
            hist_series = []
            loads = []
            nhcb = False
            i += 1
            continue
        if word.startswith("load"):
            mm = _LOAD.match(line)
            if mm is None:
                raise ValueError(f"{name}:{i + 1}: invalid load command")
            with_nhcb = bool(mm.group(1))
            interval = parse_duration_ms(mm.group(2))
            storage = _copy(storage)
            block: list[str] = []
            loads.append((interval, block))
            i += 1
            while i < len(lines) and lines[i]:
                defline = lines[i]
                i += 1
                if "@st " in defline or defline.split(" ", 1)[0].endswith("@st"):
                    nhcb = True  # start timestamps: not modelled
                    continue
                if "{{" in defline:
                    hist_series.append(parse_metric(defline)[0])
                    continue
                block.append(defline)
                lbls, vals = parse_series_line(defline)
                if with_nhcb:
                    hist_series.append(_nhcb_labels(lbls))
                for j, v in enumerate(vals):
                    if v is None:
                        continue
                    t = j * interval
                    if isinstance(v, Stale):
                        storage.add(lbls, t, math.nan, stale=True)
                    else:
                        storage.add(lbls, t, v)
            continue
        if word.startswith("eval"):
            case, i = _parse_eval(name, lines, i, storage)
            if nhcb:
                case.skip = "native histograms (load_with_nhcb / start timestamps)"
            case.histogram_series = list(hist_series)
            case.loads = [(iv, list(lines)) for iv, lines in loads]
            cases.append(case)
            continue
        raise ValueError(f"{name}:{i + 1}: unknown command {line!r}")
    return Script(cases)


def _nhcb_labels(lbls: Labels) -> Labels:
    """The native histogram with custom buckets that ``load_with_nhcb`` makes of a series."""
    out = []
    for k, v in lbls:
        if k == "le":
            continue
        value = v
        if k == "__name__":
            for suffix in ("_bucket", "_count", "_sum"):
                if value.endswith(suffix):
                    value = value[: -len(suffix)]
                    break
        out.append((k, value))
    return tuple(out)


def _metric_name(defline: str) -> str:
    mm = re.match(r"[A-Za-z_:][\w:]*", defline)
    if mm:
        return mm.group()
    mm = re.search(r'__name__\s*=\s*"([^"]*)"|\{\s*"([^"]*)"', defline)
    return (mm.group(1) or mm.group(2)) if mm else ""


def _copy(storage: Storage) -> Storage:
    new = Storage()
    for s in storage:
        for t, v, st in zip(s.ts, s.vals, s.stale, strict=True):
            new.add(s.labels, t, v, stale=st)
    return new


def _parse_eval(name: str, lines: list[str], i: int, storage: Storage) -> tuple[EvalCase, int]:
    line = lines[i]
    mi = _EVAL_INSTANT.match(line)
    mr = _EVAL_RANGE.match(line)
    if mi is None and mr is None:
        raise ValueError(f"{name}:{i + 1}: invalid eval command {line!r}")
    if mi is not None:
        mod, at, expr = mi.group(1), mi.group(2), mi.group(3)
        t = parse_duration_ms(at or "0")
        case = EvalCase(name, i + 1, expr, True, t, t, 0, storage)
    else:
        assert mr is not None
        mod = mr.group(1)
        case = EvalCase(
            name,
            i + 1,
            mr.group(5),
            False,
            parse_duration_ms(mr.group(2)),
            parse_duration_ms(mr.group(3)),
            parse_duration_ms(mr.group(4)),
            storage,
        )
    case.fail = mod == "fail"
    case.ordered = mod == "ordered"
    case.warn = mod == "warn"
    case.info = mod == "info"
    j = 1
    while i + 1 < len(lines):
        i += 1
        d = lines[i]
        if not d:
            i -= 1
            break
        if case.fail and d.startswith("expected_fail_message"):
            case.fail_message = d[len("expected_fail_message") :].strip()
            break
        if case.fail and d.startswith("expected_fail_regexp"):
            case.fail_regexp = re.compile(d[len("expected_fail_regexp") :].strip())
            break
        if d.startswith("expect range vector"):
            mm = _EXPECT_RANGE.match(d)
            if mm is None:
                raise ValueError(f"{name}:{i + 1}: invalid range vector expectation")
            case.start = parse_duration_ms(mm.group(1))
            case.end = parse_duration_ms(mm.group(2))
            case.step = parse_duration_ms(mm.group(3))
            case.range_vector = True
            continue
        if d.startswith("expect string"):
            lit = d[len("expect string") :].strip()
            case.expected_string = _unquote(lit)
            continue
        if d.split(" ")[0] == "expect":
            mm = _EXPECT.match(d.strip())
            if mm is None:
                raise ValueError(f"{name}:{i + 1}: invalid expect statement {d!r}")
            kind, how, what = mm.group(1), mm.group(2), mm.group(3)
            if how == "msg":
                case.expects.append(Expect(kind, message=what.strip()))
            elif how == "regex":
                case.expects.append(Expect(kind, regex=re.compile(_go_regex(what.strip()))))
            else:
                case.expects.append(Expect(kind, regex=re.compile(r"^.*$", re.S)))
            continue
        try:
            case.scalar = _parse_number_line(d)
            break
        except ValueError:
            pass
        if "{{" in d:
            case.skip = "native histograms (expected histogram values)"
            continue
        lbls, vals = parse_series_line(d)
        case.expected[lbls] = (j, vals)
        j += 1
    return case, i + 1


def _parse_number_line(s: str) -> float:
    if not re.fullmatch(
        r"[-+]?(?:0[xX][0-9a-fA-F]+|[0-9.]+(?:[eE][-+]?\d+)?|[Ii]nf|NaN)", s.strip()
    ):
        raise ValueError(s)
    return parse_number(s)


def _unquote(lit: str) -> str:
    if len(lit) >= 2 and lit[0] == lit[-1] and lit[0] in '"`':
        body = lit[1:-1]
        if lit[0] == "`":
            return body
        return body.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
    raise ValueError(f"invalid string literal {lit!r}")


def _go_regex(rx: str) -> str:
    return rx.replace("\\z", "\\Z")


def to_unit_test_group(
    case: EvalCase, engine_factory: Callable[[Storage], Engine], compile_expr: Compiler
) -> dict[str, object] | None:
    """A ``promtool test rules`` group (as a dict for YAML) checking this instant eval.

    Meant for a file with ``evaluation_interval: 1s``: promtool only loads input samples up to
    the last evaluation step, so eval times must fall on that grid.

    Only simple evals qualify: instant, float results without NaN, no expectations beyond the
    samples, input from ``load`` blocks of one interval. The expected values are the engine's
    own results (which the suite checks against upstream's expectations to 1e-6), written
    exactly, since promtool compares floats exactly. ``None`` when the eval does not qualify.
    """
    if (
        not case.instant
        or case.skip
        or case.fail
        or case.expects
        or case.ordered
        or case.warn
        or case.info
        or case.range_vector
        or case.expected_string is not None
        or case.histogram_series
        or not case.loads
        or len({iv for iv, _ in case.loads}) != 1
        or case.end % 1000
        or re.search(r":\s*\]", case.expr)  # default subquery step = evaluation_interval
    ):
        return None
    try:
        if case.run(compile_expr, engine_factory) is not None:
            return None
        res = engine_factory(case.storage).instant(compile_expr(case.expr, 0, 0), case.end)
    except (EvalError, ValueError):
        return None
    value = res.value
    samples: list[dict[str, object]] = []
    if isinstance(value, float):
        samples.append({"labels": "{}", "value": value})
    elif isinstance(value, Vector):
        samples.extend({"labels": _selector(s.labels), "value": s.v} for s in value)
    else:
        return None
    if any(
        math.isnan(float(str(x["value"]))) or math.isinf(float(str(x["value"]))) for x in samples
    ):
        return None
    series = []
    for _, lines in case.loads:
        for line in lines:
            _, end = parse_metric(line)
            series.append({"series": line[:end].strip(), "values": line[end:].strip()})
    return {
        "name": case.name,
        "interval": f"{case.loads[0][0]}ms",
        "input_series": series,
        "promql_expr_test": [
            {"expr": case.expr, "eval_time": f"{case.end}ms", "exp_samples": samples}
        ],
    }


def _selector(lbls: Labels) -> str:
    name = ""
    inner = []
    for k, v in lbls:
        if k == "__name__" and re.fullmatch(r"[A-Za-z_:][A-Za-z0-9_:]*", v):
            name = v
        else:
            esc = v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            key = k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else f'"{k}"'
            inner.append(f'{key}="{esc}"')
    return name + "{" + ", ".join(inner) + "}"


_AT_UNSAFE = frozenset(
    {
        "days_in_month",
        "day_of_month",
        "day_of_week",
        "day_of_year",
        "end",
        "hour",
        "minute",
        "month",
        "year",
        "predict_linear",
        "range",
        "start",
        "step",
        "time",
        "timestamp",
    }
)


def pin_at(node: Node, at_s: float) -> Node | None:
    """``node`` with ``@ at_s`` on every selector and subquery that has none (not inside a
    subquery), as upstream's step-invariance check builds it; ``None`` when the expression
    uses a function whose result depends on the evaluation time."""
    import dataclasses

    from obsctl.analysis.engine import plan as P

    unsafe = False

    def walk(n: Node, inside_subquery: bool) -> Node:
        nonlocal unsafe
        if isinstance(n, P.Call) and n.func in _AT_UNSAFE:
            unsafe = True
        if inside_subquery:
            return n
        if isinstance(n, P.VectorSel):
            return n if n.at is not None else dataclasses.replace(n, at=at_s)
        if isinstance(n, P.MatrixSel):
            return dataclasses.replace(n, sel=walk(n.sel, False))  # type: ignore[arg-type]
        if isinstance(n, P.Subquery):
            _scan(n.expr)
            return n if n.at is not None else dataclasses.replace(n, at=at_s)
        changes: dict[str, object] = {}
        for attr in ("expr", "lhs", "rhs", "param"):
            c = getattr(n, attr, None)
            if isinstance(c, P.Node):
                changes[attr] = walk(c, False)
        if isinstance(n, P.Call):
            changes["args"] = tuple(walk(a, False) for a in n.args)
        return dataclasses.replace(n, **changes) if changes else n  # type: ignore[arg-type]

    def _scan(n: Node) -> None:
        nonlocal unsafe
        if isinstance(n, P.Call) and n.func in _AT_UNSAFE:
            unsafe = True
        for attr in ("expr", "lhs", "rhs", "param", "sel"):
            c = getattr(n, attr, None)
            if isinstance(c, P.Node):
                _scan(c)
        for a in getattr(n, "args", ()):
            _scan(a)

    out = walk(node, False)
    return None if unsafe else out
