"""``obsctl doctor``: probe every configured endpoint."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from obsctl.cli.options import output_option
from obsctl.cli.state import get_state


def doctor(
    ctx: typer.Context,
    output: Annotated[Literal["text", "json"], output_option()] = "text",
) -> None:
    """Check every configured endpoint: reachability, auth, version, capabilities.

    Prometheus: flavour, exemplar storage, TSDB status API, targets down, failing rule
    groups, head series. Alertmanager: v2 API. Tempo/Jaeger/Zipkin: trace and search APIs.
    With nothing configured, the local defaults of Prometheus and Alertmanager are probed.
    Exits 3 when an endpoint is unreachable, 4 when one answers with an error.

    [bold]Examples[/bold]

      obsctl doctor
      obsctl doctor --context prod -o json
    """
    from obsctl.render import doctor as _render  # noqa: F401 - registers renderers
    from obsctl.render import emit
    from obsctl.workflows.doctor import raise_for_failures, run_doctor

    state = get_state(ctx)
    report = state.run(run_doctor(state.settings, log=state.http_log))
    emit(report, output, state.consoles)
    raise_for_failures(report)
