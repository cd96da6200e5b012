"""``obsctl lint``: metric naming, structure and cardinality checks for expositions and servers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from obsctl.cli.options import (
    CONNECTION,
    OUTPUT,
    BaselineOpt,
    ExplainOpt,
    FailOnOpt,
    FindingsOutputOpt,
    IgnoreOpt,
    ListRulesOpt,
    SelectOpt,
    StdinNameOpt,
    WriteBaselineOpt,
    emit_findings,
    rule_request,
)
from obsctl.cli.state import get_state
from obsctl.cli.values import seconds_flag, size_flag

INPUT_PANEL = "Input"


def lint(
    ctx: typer.Context,
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE|URL|-",
            help="Exposition files (.gz too), http(s) /metrics URLs, or - for stdin.",
            show_default=False,
        ),
    ] = None,
    server: Annotated[
        bool,
        typer.Option(
            "--server",
            help="Check the cardinality of the context's Prometheus-compatible server "
            "(or --prometheus-url) instead of files.",
            rich_help_panel=INPUT_PANEL,
        ),
    ] = False,
    match: Annotated[
        list[str] | None,
        typer.Option(
            "--match",
            "-m",
            metavar="SELECTOR",
            help="With --server: only series matching this selector (repeatable).",
            rich_help_panel=INPUT_PANEL,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            min=1,
            max=10000,
            help="Top entries in summaries.",
            rich_help_panel=OUTPUT,
        ),
    ] = 10,
    input_format: Annotated[
        Literal["auto", "text", "openmetrics"],
        typer.Option(
            "--format",
            help="Exposition format of the inputs (auto: detected).",
            rich_help_panel=INPUT_PANEL,
        ),
    ] = "auto",
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Compare two snapshots BASE HEAD: new metrics, new labels, series growth.",
            rich_help_panel=INPUT_PANEL,
        ),
    ] = False,
    timeout: Annotated[
        str,
        typer.Option(
            "--timeout",
            metavar="DURATION",
            help="Limit for scraping a URL (30s, 2m; a bare number is seconds).",
            rich_help_panel=CONNECTION,
        ),
    ] = "30s",
    max_bytes: Annotated[
        str,
        typer.Option(
            "--max-bytes",
            metavar="SIZE",
            help="Size limit for a scraped body (10MiB, 1GB; a bare number is bytes).",
            rich_help_panel=CONNECTION,
        ),
    ] = "256MiB",
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
    """Check metric naming, exposition structure and cardinality; CI-friendly output.

    Naming follows promtool check metrics (same problems, same meaning) plus OpenMetrics/OpenTelemetry conventions; structure covers duplicates and histogram/summary shape; cardinality checks series and label-value budgets and spots unbounded label values (UUIDs, IDs, IPs, e-mails, paths with IDs, timestamps). Rules, budgets and severities come from the lint: section of a project-local obsctl.yaml (found by walking up from the current directory) and of the user config.

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad usage or unreadable file, 3 URL/server unreachable, 4 server error.

    [bold]Examples[/bold]

      obsctl lint metrics.prom --fail-on warning -o sarif > lint.sarif
      curl -s localhost:8080/metrics | obsctl lint -
      obsctl lint --server --match '{job="api"}'
    """  # noqa: E501
    from obsctl.workflows.lint import LintEnvironment, LintRequest, run_lint

    state = get_state(ctx)
    request = LintRequest(
        inputs=tuple(inputs or ()),
        server=server,
        match=tuple(match or ()),
        limit=limit,
        input_format=None if input_format == "auto" else input_format,
        diff=diff,
        timeout=seconds_flag(timeout, option="--timeout"),
        max_bytes=size_flag(max_bytes, option="--max-bytes", minimum=1),
        rules=rule_request(
            select, ignore, baseline, write_baseline, list_rules, explain, stdin_name
        ),
    )
    env = LintEnvironment(
        user_config=lambda: state.settings.extra,
        cwd=Path.cwd(),
        endpoint=lambda: state.endpoint("prometheus"),
        run=state.run,
        log=state.http_log,
        progress=state.progress,
    )
    emit_findings(ctx, run_lint(request, env), output, fail_on)
