"""``obsctl rules``: Prometheus alerting and recording rules in CI and during incidents.

The group lists its subcommands from ``SUBCOMMANDS`` and imports each one's module only when it
runs (or its ``--help`` is asked for), like the root's command table: a subcommand that lives
in another module registers here with one row.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import click
import typer
import typer.core

from obsctl.cli.lazy import LazyCommand, load_command
from obsctl.cli.options import (
    CONNECTION,
    BaselineOpt,
    EndOpt,
    ExplainOpt,
    FailOnOpt,
    FindingsOutputOpt,
    IgnoreOpt,
    ListRulesOpt,
    SelectOpt,
    SinceOpt,
    StartOpt,
    StdinNameOpt,
    WriteBaselineOpt,
    emit_findings,
    output_option,
    rule_request,
)
from obsctl.cli.state import get_state

CHECKS = "Checks"

SUBCOMMANDS: dict[str, LazyCommand] = {
    # name: LazyCommand("module:function", help panel, one-line summary)
    "check": LazyCommand(
        "obsctl.cli.rules:check",
        "Commands",
        "Check rule files: everything promtool rejects, and beyond (CI-friendly).",
    ),
    "backtest": LazyCommand(
        "obsctl.cli.rules:backtest",
        "Commands",
        "How often each alert would have fired over a past range; a CI budget gate.",
    ),
    "test": LazyCommand(
        "obsctl.cli.rule_unittests:test",
        "Commands",
        "Run rule unit tests (promtool's files) offline on the embedded engine.",
    ),
}
"""Every ``rules`` subcommand, loaded on first use."""


class RulesGroup(typer.core.TyperGroup):
    """A group whose subcommands come from ``SUBCOMMANDS``, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*SUBCOMMANDS, *(n for n in super().list_commands(ctx) if n not in SUBCOMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = SUBCOMMANDS.get(cmd_name)
        if spec is None:
            return super().get_command(ctx, cmd_name)
        cmd = self.commands.get(cmd_name)
        if cmd is None:
            from obsctl.cli.options import attach_global_options

            cmd = load_command(cmd_name, spec)
            cmd.help = cmd.help or spec.summary
            cmd.short_help = spec.summary
            attach_global_options(cmd)
            self.commands[cmd_name] = cmd
        return cmd


app = typer.Typer(
    cls=RulesGroup,
    name="rules",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Prometheus alerting and recording rules: check them in CI, backtest alerts.",
)


@app.callback()
def rules() -> None:
    """Prometheus alerting and recording rules: check them in CI, backtest alerts."""


def _seconds(text: str | None, option: str) -> float | None:
    """An optional duration flag in seconds (``cli.values.seconds_flag``)."""
    from obsctl.cli.values import seconds_flag

    return None if text is None else seconds_flag(text, option=option)


def check(
    ctx: typer.Context,
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE|GLOB|DIR|-",
            help="Rule files (plain, multi-document, PrometheusRule objects), globs, "
            "directories (their *.yml/*.yaml), or - for stdin.",
            show_default=False,
        ),
    ] = None,
    server: Annotated[
        bool,
        typer.Option(
            "--server",
            help="Also check against the context's Prometheus-compatible server (or "
            "--prometheus-url): metrics and labels exist, real scrape interval, series counts.",
            rich_help_panel=CONNECTION,
        ),
    ] = False,
    lookback: Annotated[
        str,
        typer.Option(
            "--lookback",
            metavar="DURATION",
            help="With --server: a metric exists when it had series in this window.",
            rich_help_panel=CONNECTION,
        ),
    ] = "7d",
    max_series: Annotated[
        int,
        typer.Option(
            "--max-series",
            metavar="N",
            min=1,
            help="With --server: warn when an expression touches more series.",
            rich_help_panel=CONNECTION,
        ),
    ] = 10_000,
    scrape_interval: Annotated[
        str | None,
        typer.Option(
            "--scrape-interval",
            metavar="DURATION",
            help="Scrape interval for range-too-short (default: the server's with --server, "
            "else 1m).",
            rich_help_panel=CHECKS,
        ),
    ] = None,
    evaluation_interval: Annotated[
        str,
        typer.Option(
            "--evaluation-interval",
            metavar="DURATION",
            help="Interval of groups that set none (the server's evaluation_interval).",
            rich_help_panel=CHECKS,
        ),
    ] = "1m",
    require_label: Annotated[
        list[str] | None,
        typer.Option(
            "--require-label",
            metavar="NAME",
            help="Labels every alert must have (repeatable; default severity; '' for none).",
            rich_help_panel=CHECKS,
        ),
    ] = None,
    require_annotation: Annotated[
        list[str] | None,
        typer.Option(
            "--require-annotation",
            metavar="NAME",
            help="Annotations every alert must have (repeatable; default summary; '' for none).",
            rich_help_panel=CHECKS,
        ),
    ] = None,
    noisy_function: Annotated[
        list[str] | None,
        typer.Option(
            "--noisy-function",
            metavar="NAME",
            help="Functions that need a for on alerts (repeatable; default rate, irate, "
            "increase, delta, idelta, deriv, absent, absent_over_time, changes, resets).",
            rich_help_panel=CHECKS,
        ),
    ] = None,
    output: FindingsOutputOpt = "text",
    fail_on: FailOnOpt = "error",
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    baseline: BaselineOpt = None,
    write_baseline: WriteBaselineOpt = False,
    list_rules: ListRulesOpt = False,
    explain: ExplainOpt = None,
    stdin_name: StdinNameOpt = None,
) -> None:
    """Check Prometheus rule files: everything promtool check rules rejects, and more.

    Errors at the offending line and column for what Prometheus would refuse to load (YAML shape, unknown fields, missing record/alert/expr, invalid names, durations, PromQL, templates, duplicate groups; duplicate rules are warnings), then checks beyond promtool: alerts that always fire, rate() over gauges, ranges shorter than two scrapes, template labels aggregated away, for shorter than the interval, literal regexes, recording-rule names, required labels and annotations, noisy alerts without for. With --server, metrics and labels must exist on the server and series counts stay under --max-series.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 a file that cannot be read or is not YAML, 3 server unreachable, 4 server error.

    [bold]Examples[/bold]

      obsctl rules check rules/ -o sarif > rules.sarif
      obsctl rules check alerts.yaml --server --prometheus-url http://prometheus:9090
      kubectl get prometheusrule -A -o yaml | obsctl rules check -
      obsctl rules check --explain alert-always-fires
    """  # noqa: E501 - Typer help paragraphs stay on one line
    from obsctl.analysis.rules import DEFAULT_NOISY, CheckOptions
    from obsctl.workflows.rules import RulesCheckRequest, RulesEnvironment, run_rules_check

    state = get_state(ctx)
    options = CheckOptions(
        evaluation_interval_s=_seconds(evaluation_interval, "--evaluation-interval") or 60,
        required_labels=_names(require_label, ("severity",)),
        required_annotations=_names(require_annotation, ("summary",)),
        noisy_functions=frozenset(_names(noisy_function, tuple(sorted(DEFAULT_NOISY)))),
        max_series=max_series,
    )
    request = RulesCheckRequest(
        inputs=tuple(inputs or ()),
        options=options,
        server=server,
        scrape_interval_s=_seconds(scrape_interval, "--scrape-interval"),
        lookback_s=_seconds(lookback, "--lookback") or 7 * 86400.0,
        rules=rule_request(
            select, ignore, baseline, write_baseline, list_rules, explain, stdin_name
        ),
    )
    env = RulesEnvironment(
        endpoint=lambda: state.endpoint("prometheus"),
        run=state.run,
        now=state.now,
        log=state.http_log,
        note=state.consoles.note,
    )
    emit_findings(ctx, run_rules_check(request, env), output, fail_on)


def _names(values: list[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if values is None:
        return default
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def backtest(
    ctx: typer.Context,
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE|GLOB|DIR|-",
            help="Rule files, globs, directories, or - for stdin.",
            show_default=False,
        ),
    ] = None,
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    evaluation_interval: Annotated[
        str,
        typer.Option(
            "--evaluation-interval",
            metavar="DURATION",
            help="Step for groups that set no interval (the server's evaluation_interval).",
            rich_help_panel=CHECKS,
        ),
    ] = "1m",
    flap_window: Annotated[
        str,
        typer.Option(
            "--flap-window",
            metavar="DURATION",
            help="A firing that starts this soon after the same alert resolved is a flap.",
            rich_help_panel=CHECKS,
        ),
    ] = "1h",
    budget: Annotated[
        str | None,
        typer.Option(
            "--budget",
            metavar="TERMS",
            help="Exit 1 when an alert breaks it: firings<=N, flaps<=N, firing<=P% or "
            "firing<=DURATION, longest<=DURATION (comma-separated).",
            rich_help_panel=CHECKS,
        ),
    ] = None,
    output: Annotated[Literal["text", "json", "markdown"], output_option()] = "text",
) -> None:
    """How often each alert would have fired over a past range, from the server's data.

    Each alert's expression is evaluated over the range at its group's interval (range queries, split like query does) and run through Prometheus's pending/firing state machine (for, keep_firing_for), the same one correlate --rules uses. Per alert: firings, total and longest firing time, flaps (fired again within --flap-window), share of the range firing; per recording rule: series produced and samples per evaluation. With --budget it is a CI gate.

    Exit codes: 0 ok, 1 an alert over the budget, 2 bad input, 3 server unreachable, 4 server error.

    [bold]Examples[/bold]

      obsctl rules backtest alerts.yaml --since 7d
      obsctl rules backtest rules/ --since 14d \\
          --budget 'firings<=5,firing<=2%' -o markdown
    """  # noqa: E501 - Typer help paragraphs stay on one line
    from datetime import timedelta

    from obsctl.errors import FindingsFailed
    from obsctl.render import emit
    from obsctl.workflows.rules import BacktestRequest, RulesEnvironment, run_backtest

    state = get_state(ctx)
    time_range = state.time_range(
        since=since, start=start, end=end, default_since=timedelta(days=7)
    )
    request = BacktestRequest(
        inputs=tuple(inputs or ()),
        start=time_range.start,
        end=time_range.end,
        evaluation_interval_s=_seconds(evaluation_interval, "--evaluation-interval") or 60,
        flap_window_s=_seconds(flap_window, "--flap-window") or 3600,
        budget=budget,
    )
    env = RulesEnvironment(
        endpoint=lambda: state.endpoint("prometheus"),
        run=state.run,
        now=state.now,
        log=state.http_log,
        note=state.consoles.note,
    )
    report = run_backtest(request, env, progress=_progress(state))
    emit(report, output, state.consoles)
    if report.over_budget:
        raise FindingsFailed("alerts over the budget")


def _progress(state: Any) -> Any:
    """``evaluating rules 4/50…`` on the status line (a terminal only; see ``--quiet``)."""

    def show(done: int, total: int) -> None:
        state.progress(f"evaluating rules {done}/{total}…")

    return show
