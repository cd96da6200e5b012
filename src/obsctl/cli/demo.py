"""``obsctl demo``: a live tour on a stack started (and stopped) for the occasion."""

from __future__ import annotations

from typing import Annotated

import typer

from obsctl.cli.state import get_state


def _forever() -> None:
    import threading

    threading.Event().wait()


def demo(
    ctx: typer.Context,
    keep: Annotated[
        bool,
        typer.Option("--keep", help="Leave everything running after the tour (Ctrl-C stops)."),
    ] = False,
    warmup: Annotated[
        str,
        typer.Option("--warmup", metavar="DURATION", help="Normal traffic before the incident."),
    ] = "5s",
) -> None:
    """Run a live demo: receiver, demo shop, Prometheus and Alertmanager, an incident, a tour.

    Starts obsctl receive, a small shop instrumented with the OpenTelemetry SDK and
    prometheus_client (the obsctl\\[demo] extra), and Prometheus + Alertmanager when they are
    on PATH, all on free 127.0.0.1 ports; injects an incident (a database lock), waits for
    the alert, then runs doctor, correlate, trace search, trace, query, lint and validate.
    Everything stops at the end, on Ctrl-C too. Exit 0 when every step of the tour worked.

    [bold]Examples[/bold]

      obsctl demo

      obsctl demo --keep
    """
    import importlib.util

    from obsctl.errors import UsageError

    for module, package in (
        ("opentelemetry.sdk", "opentelemetry-sdk"),
        ("opentelemetry.exporter.otlp.proto.http", "opentelemetry-exporter-otlp-proto-http"),
        ("prometheus_client", "prometheus-client"),
    ):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            raise UsageError(
                f"obsctl demo needs {package} (the demo shop's instrumentation)",
                hint="pip install 'obsctl[demo]' (scripts/demo.sh does it for a checkout)",
            )
    from obsctl.cli.values import seconds_flag
    from obsctl.demo.run import run_demo

    baseline = seconds_flag(warmup, option="--warmup", allow_zero=True)
    state = get_state(ctx)
    consoles = state.consoles

    def out(line: str) -> None:
        consoles.out_stream.write(line + "\n")
        consoles.out_stream.flush()

    failures = run_demo(out=out, keep=keep, baseline=baseline, wait=_forever)
    if failures:
        raise UsageError(f"demo: {failures} step(s) of the tour failed (see above)")
