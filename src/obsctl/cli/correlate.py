"""``obsctl correlate ALERTNAME``: from an alert to the slow traces behind it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

import typer

from obsctl.cli.options import (
    CONNECTION,
    TIME_RANGE,
    BackendOpt,
    EndOpt,
    SinceOpt,
    StartOpt,
    output_option,
)
from obsctl.cli.state import AppState, get_state
from obsctl.errors import UsageError
from obsctl.model.time import TimeRange, TimeSyntaxError, parse_instant

ANALYSIS = "Analysis"

# Typer shows line breaks inside a paragraph, so each paragraph is one (long) line.
HELP = (
    "Find the slow traces behind an alert and where their time went.\n\n"
    "Firing windows come from every configured source: the rule's expression replayed over "
    "the range with --rules (pending vs firing, as Prometheus would have fired it), the ALERTS "
    "series, Alertmanager's active alerts, and --window. Candidate traces come from exemplars "
    "of the alert's series, series with a trace_id label, and Tempo/Jaeger/Zipkin search. The "
    "top traces are fetched concurrently, ranked, and summarised by critical path, with the "
    "operations that got slower than in a baseline window.\n\n"
    "A source that is missing or unreachable is skipped with a note on stderr. Exits 5 when "
    "the alert never fired in the range, 3 or 4 when no window source or no trace source "
    "works.\n\n"
    "[bold]Examples[/bold]\n\n"
    "  obsctl correlate HighCheckoutLatency --since 6h\n\n"
    "  obsctl correlate HighCheckoutLatency --rules alerts.yml --start '2026-11-25 09:00' "
    "--end '2026-11-25 11:00'\n\n"
    "  obsctl correlate HighCheckoutLatency --window now-40m..now-10m --backend tempo "
    "-o markdown"
)


def _parse_span(text: str, *, option: str, now: datetime) -> tuple[datetime, datetime]:
    start_text, sep, end_text = text.partition("..")
    if not sep or not start_text.strip() or not end_text.strip():
        raise UsageError(
            f"{option}: expected START..END, got {text!r}",
            hint=f"e.g. {option} 2026-11-25T09:10:00Z..2026-11-25T09:40:00Z or now-30m..now",
        )
    try:
        start = parse_instant(start_text, now=now)
        end = parse_instant(end_text, now=now)
    except TimeSyntaxError as exc:
        raise UsageError(f"{option}: {exc}") from None
    if start >= end:
        raise UsageError(f"{option}: start {start_text.strip()!r} is not before end")
    return start, end


def _one_line_note(state: AppState) -> Callable[[str], None]:
    """``obsctl: note: …`` on stderr, never wrapped (one line per skipped source)."""
    from rich.text import Text

    err = state.consoles.err

    def note(line: str) -> None:
        err.print(Text.assemble(("obsctl: note: ", "dim"), line), soft_wrap=True)

    return note


def _read_rules(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--rules: {path} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"--rules: {path} is a directory") from None
    except UnicodeDecodeError:
        raise UsageError(f"--rules: {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"--rules: cannot read {path}: {exc.strerror}") from None


def _range(
    state: AppState,
    manual: list[tuple[datetime, datetime]],
    slack: timedelta,
    since: str | None,
    start: str | None,
    end: str | None,
) -> TimeRange:
    if manual and not (since or start or end):
        first = min(a for a, _ in manual) - slack
        # Padding must not reach into the future: nothing has happened there yet.
        last = max(max(b for _, b in manual) + slack, first + timedelta(seconds=1))
        return TimeRange(first, min(last, max(state.now(), first + timedelta(seconds=1))))
    return state.time_range(since=since, start=start, end=end)


def correlate(
    ctx: typer.Context,
    alertname: Annotated[str, typer.Argument(help="The alert's name (its alertname label).")],
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            metavar="FILE",
            help="Prometheus rule file or Kubernetes PrometheusRule defining the alert: its "
            "expression is replayed over the range (with `for`) and its series give exemplars.",
            rich_help_panel=ANALYSIS,
        ),
    ] = None,
    window: Annotated[
        list[str] | None,
        typer.Option(
            "--window",
            metavar="START..END",
            help="A firing window given by hand (repeatable).",
            rich_help_panel=TIME_RANGE,
        ),
    ] = None,
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    slack: Annotated[
        str,
        typer.Option(
            "--slack",
            metavar="DURATION",
            help="Padding added on both sides of every window.",
            rich_help_panel=TIME_RANGE,
        ),
    ] = "1m",
    baseline_window: Annotated[
        str | None,
        typer.Option(
            "--baseline-window",
            metavar="START..END|off",
            help="Normal period to compare operations with (default: as long as the first "
            "window, just before it); 'off' skips the comparison.",
            rich_help_panel=TIME_RANGE,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            min=1,
            max=1000,
            help="Traces to fetch and list.",
            rich_help_panel=ANALYSIS,
        ),
    ] = 10,
    rank_by: Annotated[
        Literal["latency", "errors", "extent"],
        typer.Option(
            "--rank-by",
            help="latency: root span duration; errors: error spans; extent: whole trace "
            "including async tails.",
            rich_help_panel=ANALYSIS,
        ),
    ] = "latency",
    backend: BackendOpt = None,
    service_label: Annotated[
        list[str] | None,
        typer.Option(
            "--service-label",
            metavar="LABEL",
            help="Alert label naming the service to search traces for (repeatable; default "
            "service, service_name, job).",
            rich_help_panel=CONNECTION,
        ),
    ] = None,
    output: Annotated[Literal["text", "json", "markdown"], output_option()] = "text",
) -> None:
    """Find the slow traces behind an alert and where their time went (see HELP)."""
    from obsctl.model.correlation import RankBy
    from obsctl.render import emit
    from obsctl.workflows.correlate import CorrelateRequest, load_rule, run_correlate

    state = get_state(ctx)
    now = state.now()
    slack_td = (
        state.duration(slack, option="--slack")
        if slack.strip() not in ("0", "0s")
        else timedelta(0)
    )
    manual = [_parse_span(w, option="--window", now=now) for w in window or []]
    time_range = _range(state, manual, slack_td, since, start, end)
    baseline = None
    compare = True
    if baseline_window is not None:
        if baseline_window.strip().lower() in ("off", "none", "no"):
            compare = False
        else:
            b_start, b_end = _parse_span(baseline_window, option="--baseline-window", now=now)
            baseline = TimeRange(b_start, b_end)
    rule = None
    if rules is not None:
        rule = load_rule(_read_rules(rules), source=str(rules), alert=alertname)
    request = CorrelateRequest(
        alert=alertname,
        range=time_range,
        now=now,
        rule=rule,
        manual=tuple(manual),
        slack=slack_td,
        baseline=baseline,
        compare_baseline=compare,
        limit=limit,
        rank_by=RankBy(rank_by),
        service_labels=tuple(service_label) if service_label else (),
    )
    result = state.run(
        run_correlate(
            state.settings,
            request,
            backend=backend,
            log=state.http_log,
            note=_one_line_note(state),
        )
    )
    emit(result, output, state.consoles)


correlate.__doc__ = HELP
