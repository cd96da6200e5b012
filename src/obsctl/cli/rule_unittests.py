"""``obsctl rules test``: promtool-compatible rule unit tests, offline on the embedded engine."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from obsctl.cli.options import OUTPUT, output_option
from obsctl.cli.state import get_state


def test(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            help="Rule unit-test files (promtool's format).",
            metavar="FILE…",
            show_default=False,
        ),
    ],
    output: Annotated[Literal["text", "json", "junit"], output_option()] = "text",
    run: Annotated[
        list[str] | None,
        typer.Option(
            "--run",
            metavar="REGEX",
            help="Only the test groups whose name matches (repeatable; any may match).",
        ),
    ] = None,
    coverage: Annotated[
        bool,
        typer.Option(
            "--coverage",
            help="Also list the alerting rules that no alert_rule_test exercises.",
            rich_help_panel=OUTPUT,
        ),
    ] = False,
) -> None:
    """Run rule unit tests offline: no Prometheus needed.

    Reads promtool's test files (rule_files, evaluation_interval, group_eval_order, tests with input_series in the 1+2x10 notation, alert_rule_test, promql_expr_test, external_labels, external_url), evaluates the rules on obsctl's embedded PromQL engine and compares alerts and samples as promtool does. A failing group shows expected (-) against got (+) item by item. Exit 0 when every test passes, 1 when any fails, 2 when a file cannot be read.

    [bold]Examples[/bold]

      obsctl rules test tests/*.yml
      obsctl rules test alerts_test.yml --run 'latency' -o junit > junit.xml
      obsctl rules test alerts_test.yml --coverage
    """  # noqa: E501 - Typer help paragraphs must stay on one line
    from obsctl.errors import TestsFailed, UsageError
    from obsctl.render import emit
    from obsctl.workflows.rule_unittests import run_rules_tests

    state = get_state(ctx)
    report = run_rules_tests(files, run=run or (), coverage=coverage)
    emit(report, output, state.consoles)
    unreadable = [f for f in report.files if f.error is not None]
    if unreadable:
        first = unreadable[0]
        more = f" (and {len(unreadable) - 1} more)" if len(unreadable) > 1 else ""
        raise UsageError(f"{first.error}{more}")
    if not report.passed:
        raise TestsFailed("rule unit tests failed")
