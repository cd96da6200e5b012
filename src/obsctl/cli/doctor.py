"""``obsctl doctor``: probe every configured endpoint, then the telemetry pipeline itself."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from obsctl.cli.options import output_option
from obsctl.cli.state import get_state


def doctor(
    ctx: typer.Context,
    output: Annotated[Literal["text", "json"], output_option()] = "text",
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            metavar="DURATION",
            help="Pipeline checks compare counters over this window "
            "(default: the config's doctor.window, else 15m).",
        ),
    ] = None,
    fail_on: Annotated[
        Literal["degraded", "failing", "never"],
        typer.Option(
            "--fail-on",
            help="Exit 1 when a pipeline check is at or above this status.",
            show_default=True,
        ),
    ] = "never",
    pipeline: Annotated[
        bool,
        typer.Option(
            "--pipeline/--no-pipeline",
            help="Judge the pipeline (Collectors, Prometheus, Alertmanager) from its metrics.",
        ),
    ] = True,
    list_checks: Annotated[
        bool,
        typer.Option("--list-checks", help="List the pipeline checks and their thresholds."),
    ] = False,
) -> None:
    """Check every configured endpoint, then the telemetry pipeline itself.

    Endpoints: reachability, auth, version, flavour and capabilities (Prometheus: exemplar
    storage, TSDB status API, targets down, failing rule groups; Alertmanager: v2 API;
    Tempo/Jaeger/Zipkin: trace and search APIs). With nothing configured, the local
    defaults of Prometheus and Alertmanager are probed.

    Pipeline: through Prometheus, the Collectors' refused, failed and dropped data and
    queue usage, Prometheus's own scrapes, rules, TSDB and remote write, and
    Alertmanager's failed notifications, each ok, degraded or failing. Thresholds live in
    the config file's doctor.thresholds (see --list-checks and docs/doctor.md).

    Exits 3 when an endpoint is unreachable, 4 when one answers with an error, and 1 when
    a pipeline check is at or above --fail-on.

    [bold]Examples[/bold]

      obsctl doctor
      obsctl doctor --context prod -o json
      obsctl doctor --window 1h --fail-on failing
    """
    from obsctl.errors import FindingsFailed
    from obsctl.model.doctor import PipelineStatus
    from obsctl.render import doctor as _render
    from obsctl.render import emit
    from obsctl.workflows.doctor import (
        pipeline_failures,
        pipeline_options,
        raise_for_failures,
        run_doctor,
    )

    state = get_state(ctx)
    opts = pipeline_options(state.settings, window)
    if list_checks:
        _render.render_check_list(opts.specs, output, state.consoles)
        return
    report = state.run(
        run_doctor(state.settings, log=state.http_log, pipeline_opts=opts if pipeline else None)
    )
    emit(report, output, state.consoles)
    raise_for_failures(report)
    if fail_on != "never":
        failed = pipeline_failures(report, PipelineStatus(fail_on))
        if failed:
            raise FindingsFailed(f"{len(failed)} pipeline check(s) at or above {fail_on}")
