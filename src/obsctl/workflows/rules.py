"""``obsctl rules check`` and ``rules backtest``: read rule files, ask the server, run the checks.

Files, globs, directories (``*.yml``/``*.yaml`` inside, recursively) and ``-`` (stdin) are
read by the shared input reader (gzip too, size cap); a file that cannot be read or is not
YAML at all is a usage error (exit 2). With ``--server`` the configured Prometheus-compatible
server is asked, once per metric, for its label names over the lookback window (presence and
labels), once for metadata (metric types) and its config (scrape interval), and once per
selector for a series count. What a flavour cannot answer (VictoriaMetrics has no metadata or
config, Thanos and Mimir no config) becomes a note, not a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from obsctl.analysis.catalogue import RuleSelection
from obsctl.analysis.rules import (
    RULES_CHECK,
    CheckOptions,
    check_rule_file,
    metric_names,
    recorded_names,
)
from obsctl.errors import BackendError, UsageError
from obsctl.model.findings import FindingsReport, RuleRequest
from obsctl.model.rules import (
    AlertBacktest,
    BacktestReport,
    ExprFacts,
    RecordingBacktest,
    RuleDef,
    RuleFile,
    RuleGroupDef,
    ServerFacts,
)
from obsctl.parsers.rule_expr import expression_facts
from obsctl.parsers.rule_file import parse_rule_file
from obsctl.workflows.rules_early import MAX_BYTES

if TYPE_CHECKING:
    from obsctl.analysis.rules.backtest import BudgetTerm
    from obsctl.backends.prometheus import PrometheusClient
    from obsctl.config.schema import Endpoint
    from obsctl.workflows.findings import FindingsOutcome
    from obsctl.workflows.lint import Runner

CONCURRENCY = 4
LogFn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class RulesCheckRequest:
    """What ``obsctl rules check`` was asked to do.

    Attributes:
        inputs: files, globs, directories, ``-``.
        options: settings of the checks beyond promtool.
        server: also run the server checks.
        scrape_interval_s: ``--scrape-interval`` when given (else 1m, or the server's).
        lookback_s: ``--lookback`` for the server checks.
        rules: the shared rule options.
    """

    inputs: tuple[str, ...] = ()
    options: CheckOptions = field(default_factory=CheckOptions)
    server: bool = False
    scrape_interval_s: float | None = None
    lookback_s: float = 7 * 86400.0
    rules: RuleRequest = field(default_factory=RuleRequest)


@dataclass(frozen=True, slots=True)
class RulesEnvironment:
    """What ``run_rules_check`` needs from the invocation.

    Attributes:
        endpoint: the Prometheus endpoint, resolved on first use.
        run: crosses into async (``--server``).
        now: the current time.
        log: ``--debug`` request logger.
        note: where notes go (stderr).
        stdin: what ``-`` reads.
    """

    endpoint: Callable[[], Endpoint]
    run: Runner
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    log: LogFn | None = None
    note: Callable[[str], None] = lambda _message: None
    stdin: IO[bytes] | None = None


# ---------------------------------------------------------------------------- reading


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Files named by ``inputs`` (globs expanded, directories walked), in order, once each.

    Raises:
        UsageError: nothing given, a glob that matches nothing, ``-`` twice.
    """
    if not inputs:
        raise UsageError("no input: give rule files, globs, directories, or - for stdin")
    if list(inputs).count("-") > 1:
        raise UsageError("- (stdin) can be given only once")
    out: list[str] = []
    for item in inputs:
        if item == "-":
            out.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(
                str(p) for p in path.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()
            )
            if not found:
                raise UsageError(f"{item}: no *.yml or *.yaml files in this directory")
            out.extend(found)
        elif _has_magic(item):
            import glob

            found = sorted(glob.glob(item, recursive=True))  # noqa: PTH207 - globs as typed
            if not found:
                raise UsageError(f"{item}: no file matches")
            out.extend(found)
        else:
            out.append(item)
    seen: set[str] = set()
    return [x for x in out if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]


def _has_magic(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def read_rule_file(name: str, stdin: IO[bytes] | None, stdin_name: str | None = None) -> RuleFile:
    """Read (the shared input reader: files, stdin, gzip, size cap) and parse one input;
    ``stdin_name`` names ``-`` (``--stdin-name``).

    Raises:
        UsageError: unreadable, too large or not UTF-8 (exit 2).
        ParseError: not YAML at all (exit 2).
    """
    display, text = read_rule_text(name, stdin, stdin_name)
    return parse_rule_file(text, source=display)


def read_rule_text(
    name: str, stdin: IO[bytes] | None, stdin_name: str | None = None
) -> tuple[str, str]:
    """The display name and text of one input (``read_rule_file`` without the parsing).

    Raises:
        UsageError: unreadable, too large or not UTF-8 (exit 2).
    """
    from obsctl.workflows.inputs import display_name, read_input

    display = display_name(name, stdin_name)
    data = read_input(name, stdin=stdin, max_bytes=MAX_BYTES, what="rule files")
    try:
        return display, data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{display}: not UTF-8 text (byte {exc.start})") from None


# ---------------------------------------------------------------------------- server


def _selector_promql(name: str, matchers: Sequence[tuple[str, str, str]]) -> str:
    def quote(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    inner = ",".join(f"{k}{op}{quote(v)}" for k, op, v in matchers)
    return f"{name}{{{inner}}}" if inner else name


async def gather_server_facts(
    prom: PrometheusClient,
    facts: Sequence[ExprFacts],
    expressions: Sequence[tuple[str, ExprFacts]],
    *,
    now: datetime,
    lookback: timedelta,
    note: Callable[[str], None],
    probe_flavor: bool = False,
) -> ServerFacts:
    """Ask the server what the checks need (see the module docstring).

    ``probe_flavor``: the flavour is not configured nor detected; when the server cannot
    answer something, ask whether it is VictoriaMetrics so that the note names it rightly.

    Raises:
        BackendUnreachable / BackendError: the label or count queries failed (exit 3/4).
    """
    import asyncio

    names = metric_names(facts)
    start = now - lookback
    sem = asyncio.Semaphore(CONCURRENCY)

    async def labels_of(name: str) -> tuple[str, frozenset[str]]:
        async with sem:
            found = await prom.labels([name], start=start, end=now)
        return name, frozenset(found.values) - {"__name__"}

    present: dict[str, bool] = {}
    label_names: dict[str, frozenset[str]] = {}
    for name, labels in await asyncio.gather(*(labels_of(n) for n in names)):
        present[name] = bool(labels)
        if labels:
            label_names[name] = labels

    probed = not probe_flavor

    async def server_name() -> str:
        nonlocal probed
        if not probed:
            probed = True
            if prom.flavor == "prometheus" and await prom.is_victoria_metrics():
                prom.flavor = "victoriametrics"
        return prom.name

    types: dict[str, str] = {}
    try:
        meta = await prom.metadata()
        types = {m.metric: m.type for m in meta.entries if m.type}
        if not meta.entries:
            note(
                f"{await server_name()} returned no metric metadata: counters are recognised "
                "by name"
            )
    except BackendError as err:
        note(
            f"{await server_name()} has no metric metadata ({err.message}): counters "
            "recognised by name"
        )

    scrape: float | None = None
    try:
        scrape = _scrape_interval(await prom.config_yaml())
        if scrape is None:
            note(
                f"{await server_name()} does not show its scrape interval: using --scrape-interval"
            )
    except BackendError as err:
        note(
            f"{await server_name()} has no config endpoint ({err.message}): using --scrape-interval"
        )

    selectors = sorted(
        {
            _selector_promql(s.name, s.matchers)
            for f in facts
            for s in f.selectors
            if s.name and present.get(s.name)
        }
    )

    async def count(selector: str) -> tuple[str, int]:
        async with sem:
            result = await prom.query(f"count({selector})", at=now)
        total = sum(int(s.values[-1]) for s in result.series if len(s.values))
        return selector, total

    counts = dict(await asyncio.gather(*(count(s) for s in selectors)))
    series: dict[str, int] = {}
    for expr, f in expressions:
        keys = {_selector_promql(s.name, s.matchers) for s in f.selectors if s.name}
        series[expr] = sum(counts.get(k, 0) for k in keys)
    return ServerFacts(scrape, present, label_names, types, series)


def _scrape_interval(config_yaml: str) -> float | None:
    """``global.scrape_interval`` of a Prometheus config (1m when the config omits it)."""
    if not config_yaml.strip():
        return None
    import yaml

    from obsctl.parsers.rule_file import parse_prom_duration
    from obsctl.yaml_limits import safe_load

    try:
        doc = safe_load(config_yaml)
    except yaml.YAMLError:
        return None
    if not isinstance(doc, dict):
        return None
    glob_section = doc.get("global") or {}
    value = glob_section.get("scrape_interval", "1m") if isinstance(glob_section, dict) else "1m"
    return parse_prom_duration(str(value))


# ---------------------------------------------------------------------------- the command


def run_rules_check(request: RulesCheckRequest, env: RulesEnvironment) -> FindingsOutcome:
    """``obsctl rules check``: the shared rule options around one check of the inputs.

    Raises:
        UsageError / ParseError: unreadable inputs or text that is not YAML (exit 2).
        BackendUnreachable / BackendError: ``--server`` failed (exit 3/4).
    """
    from obsctl.workflows.findings import run_findings

    def produce(selection: RuleSelection) -> FindingsReport:
        return check_report(request, env, selection)

    return run_findings(RULES_CHECK, request.rules, produce)


def check_report(
    request: RulesCheckRequest, env: RulesEnvironment, selection: RuleSelection
) -> FindingsReport:
    """Read every input, check it, and return the report."""
    from obsctl.lifetime import keep_until_exit
    from obsctl.workflows.inputs import check_stdin_name, display_name, no_cyclic_gc
    from obsctl.workflows.rules_split import Helper, file_expression_facts

    stdin_name = request.rules.stdin_name
    names = expand_inputs(request.inputs)
    check_stdin_name(names, stdin_name)
    # Reading builds a node per YAML scalar and a syntax tree per expression, all acyclic: with
    # the collector paused a 5,000-rule file reads in a third of the time. The trees live until
    # the report is out, so they are frozen rather than scanned once more when it resumes.
    with no_cyclic_gc(freeze=True):
        texts = _read_texts(names, env.stdin, stdin_name)
        # A helper process may parse expressions from the texts while the YAML is read.
        helper = Helper.start([t for t in texts if isinstance(t, str)])
        try:
            files: list[RuleFile] = []
            for name, text in zip(names, texts, strict=False):  # texts stop at a failure
                if isinstance(text, UsageError):
                    raise text  # the first failure in input order, as when read one by one
                files.append(parse_rule_file(text, source=display_name(name, stdin_name)))
        except BaseException:
            if helper is not None:
                helper.stop()
            raise
        parsed = file_expression_facts(files, helper)
    options = replace(request.options, recorded=recorded_names(files))
    if request.scrape_interval_s is not None:
        options = replace(options, scrape_interval_s=request.scrape_interval_s)
    server: ServerFacts | None = None
    if request.server:
        good = [(e, f) for p in parsed for e, f in p.items() if isinstance(f, ExprFacts)]
        server = env.run(_server_facts(request, env, good))
        if request.scrape_interval_s is not None:
            server = server.replace(scrape_interval_s=request.scrape_interval_s)
    findings = []
    with no_cyclic_gc(freeze=True):
        for rule_file, facts in zip(files, parsed, strict=True):
            hits = check_rule_file(rule_file, options, facts=facts, server=server)
            findings.extend(selection.findings(hits, rule_file.source))
    # Millions of small objects: freed by the process's end, not one by one (obsctl.lifetime).
    keep_until_exit((files, parsed))
    return FindingsReport(
        tool="rules check",
        findings=tuple(findings),
        rules=selection.rule_infos(),
        inputs=tuple(f.source for f in files),
    )


def _read_texts(
    names: Sequence[str], stdin: IO[bytes] | None, stdin_name: str | None
) -> list[str | UsageError]:
    """Each input's text, or the error reading it stopped at (raised in input order later)."""
    texts: list[str | UsageError] = []
    for name in names:
        try:
            texts.append(read_rule_text(name, stdin, stdin_name)[1])
        except UsageError as err:
            texts.append(err)
            break  # nothing after the first failure is read, as before
    return texts


async def _server_facts(
    request: RulesCheckRequest, env: RulesEnvironment, good: list[tuple[str, ExprFacts]]
) -> ServerFacts:
    from obsctl.workflows.query import open_prometheus, resolve_flavor

    endpoint = env.endpoint()
    flavor = resolve_flavor(endpoint)
    async with open_prometheus(endpoint, log=env.log, flavor=flavor or "prometheus") as prom:
        return await gather_server_facts(
            prom,
            [f for _, f in good],
            good,
            now=env.now(),
            lookback=timedelta(seconds=request.lookback_s),
            note=env.note,
            probe_flavor=flavor is None,
        )


# ---------------------------------------------------------------------------- backtest


@dataclass(frozen=True, slots=True)
class BacktestRequest:
    """What ``obsctl rules backtest`` was asked to do.

    Attributes:
        inputs: rule files, globs, directories, ``-``.
        start / end: the range.
        evaluation_interval_s: the step of groups that set no ``interval``.
        flap_window_s: a firing that starts this soon after the same instance resolved flaps.
        budget: the ``--budget`` text (``None``: no gate).
    """

    inputs: tuple[str, ...]
    start: datetime
    end: datetime
    evaluation_interval_s: float = 60.0
    flap_window_s: float = 3600.0
    budget: str | None = None


def run_backtest(
    request: BacktestRequest,
    env: RulesEnvironment,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BacktestReport:
    """Evaluate every rule of the inputs over the range and summarize (see the command).

    Raises:
        UsageError: unreadable inputs, a bad budget, a file with rules that do not load.
        BackendUnreachable / BackendError: the server failed (exit 3/4).
    """
    from obsctl.analysis.rules.backtest import parse_budget
    from obsctl.parsers.rule_file import parse_prom_duration

    if request.end <= request.start:
        raise UsageError("the range is empty: --start must be before --end")
    terms = parse_budget(request.budget or "", parse_prom_duration)
    files = [read_rule_file(name, env.stdin) for name in expand_inputs(request.inputs)]
    jobs: list[tuple[RuleFile, RuleGroupDef, RuleDef]] = []
    notes: list[str] = []
    for rule_file in files:
        facts = expression_facts(rule_file)
        for group in rule_file.groups:
            for rule in group.rules:
                if rule.kind and isinstance(facts.get(rule.expr), ExprFacts):
                    jobs.append((rule_file, group, rule))
                else:
                    notes.append(
                        f"{rule_file.source}: skipped {rule.name or 'a rule'} in group "
                        f"{group.name!r}: it does not load (see obsctl rules check)"
                    )
    return env.run(_backtest(request, env, jobs, terms, notes, progress))


async def _backtest(
    request: BacktestRequest,
    env: RulesEnvironment,
    jobs: list[tuple[RuleFile, RuleGroupDef, RuleDef]],
    terms: tuple[BudgetTerm, ...],
    notes: list[str],
    progress: Callable[[int, int], None] | None,
) -> BacktestReport:
    import asyncio

    from obsctl.analysis.rules.backtest import judge, summarize_alert, summarize_recording
    from obsctl.analysis.windows import dt_to_ms, ms_to_dt, simulate_rule
    from obsctl.model.alerts import SeriesPoints
    from obsctl.model.time import TimeRange, format_rfc3339
    from obsctl.workflows.query import fetch_range, open_prometheus, plan_range

    alerts: list[AlertBacktest] = []
    recordings: list[RecordingBacktest] = []
    done = 0
    gate = asyncio.Semaphore(CONCURRENCY)
    async with open_prometheus(env.endpoint(), log=env.log) as prom:

        async def one(rule_file: RuleFile, group: RuleGroupDef, rule: RuleDef) -> None:
            nonlocal done
            interval = group.interval_s or request.evaluation_interval_s
            hold = timedelta(seconds=rule.for_s or 0)
            step_ms = max(1, round(interval * 1000))
            # Start early by `for` so an alert already pending at the start fires on time.
            start_ms = dt_to_ms(request.start - hold) // step_ms * step_ms
            end_ms = start_ms + (dt_to_ms(request.end) - start_ms) // step_ms * step_ms
            plan = plan_range(
                TimeRange(ms_to_dt(start_ms), ms_to_dt(end_ms)),
                timedelta(milliseconds=step_ms),
                width=80,
                max_points=prom.max_points_per_series,
            )
            for note in plan.notes:
                notes.append(f"{rule.name}: {note}")
            async with gate:
                result = await fetch_range(prom, rule.expr, plan)
            series = [
                SeriesPoints(
                    labels=tuple(sorted(s.labels.items())),
                    points=tuple((round(t * 1000), v) for t, v in s.samples),
                )
                for s in result.series
            ]
            used_ms = max(1, round(plan.step.total_seconds() * 1000))
            if rule.kind == "record":
                first = dt_to_ms(request.start)
                inside = [
                    SeriesPoints(s.labels, tuple(p for p in s.points if p[0] >= first))
                    for s in series
                ]
                evaluations = max(1, (end_ms - first) // used_ms + 1)
                recordings.append(
                    summarize_recording(
                        [s for s in inside if s.points],
                        name=rule.name,
                        group=group.name,
                        file=rule_file.source,
                        interval_s=used_ms / 1000,
                        evaluations=evaluations,
                    )
                )
            else:
                windows, _stats = simulate_rule(
                    series,
                    start_ms=start_ms,
                    end_ms=end_ms,
                    step_ms=used_ms,
                    hold=hold,
                    keep_firing_for=timedelta(seconds=rule.keep_firing_for_s or 0),
                    rule_labels=rule.labels,
                )
                summary = summarize_alert(
                    windows,
                    name=rule.name,
                    group=group.name,
                    file=rule_file.source,
                    interval_s=used_ms / 1000,
                    start=request.start,
                    end=ms_to_dt(end_ms),
                    flap_window=timedelta(seconds=request.flap_window_s),
                )
                alerts.append(judge(summary, terms))
            done += 1
            if progress is not None:
                progress(done, len(jobs))

        await asyncio.gather(*(one(*job) for job in jobs))
    order = {(f.source, g.name, r.name, r.kind): i for i, (f, g, r) in enumerate(jobs)}
    alerts.sort(key=lambda a: order.get((a.file, a.group, a.name, "alert"), 0))
    recordings.sort(key=lambda r: order.get((r.file, r.group, r.name, "record"), 0))
    return BacktestReport(
        start=format_rfc3339(request.start),
        end=format_rfc3339(request.end),
        flap_window_s=request.flap_window_s,
        budget=request.budget,
        alerts=tuple(alerts),
        recordings=tuple(recordings),
        notes=tuple(notes),
    )
