"""``obsctl validate``: check OpenTelemetry Collector configs offline."""

import sys
from typing import Annotated, Literal

import typer

from obsctl.cli.options import (
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

_INPUT = "Input"


def validate(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Collector config files (merged in order, like repeated --config), or - for "
            "stdin. Kubernetes ConfigMaps, OpenTelemetryCollector resources and Helm values "
            "files are recognised.",
            metavar="FILE…",
            show_default=False,
        ),
    ] = None,
    output: FindingsOutputOpt = "text",
    fail_on: FailOnOpt = "error",
    graph: Annotated[
        bool,
        typer.Option("--graph", help="Also draw each pipeline.", rich_help_panel=OUTPUT),
    ] = False,
    env_file: Annotated[
        str | None,
        typer.Option(
            "--env-file",
            metavar="PATH",
            help="Resolve ${env:VAR} from this .env file (over the process environment).",
            rich_help_panel=_INPUT,
        ),
    ] = None,
    strict_env: Annotated[
        bool,
        typer.Option(
            "--strict-env",
            help="Unset environment variables are errors, not warnings.",
            rich_help_panel=_INPUT,
        ),
    ] = False,
    distribution: Annotated[
        Literal["any", "core", "contrib", "k8s", "otlp"],
        typer.Option(
            "--distribution",
            help="Accept only the components of this distribution (any: every known one).",
            rich_help_panel=_INPUT,
            show_default=True,
        ),
    ] = "any",
    components: Annotated[
        str | None,
        typer.Option(
            "--components",
            metavar="FILE",
            help="Components of a custom build: otelcol components output, an OCB "
            "manifest, or receivers/processors/… lists.",
            rich_help_panel=_INPUT,
        ),
    ] = None,
    feature_gates: Annotated[
        list[str] | None,
        typer.Option(
            "--feature-gates",
            metavar="GATES",
            help="Collector feature gates, e.g. service.profilesSupport (repeatable, "
            "comma-separated).",
            rich_help_panel=_INPUT,
        ),
    ] = None,
    otelcol: Annotated[
        str | None,
        typer.Option(
            "--otelcol",
            metavar="PATH",
            help="Also run this collector binary's validate and report its verdict.",
            rich_help_panel=_INPUT,
        ),
    ] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    baseline: BaselineOpt = None,
    write_baseline: WriteBaselineOpt = False,
    list_rules: ListRulesOpt = False,
    explain: ExplainOpt = None,
    stdin_name: StdinNameOpt = None,
) -> None:
    """Validate OpenTelemetry Collector configs offline, reporting every problem at once.

    Checks what otelcol validate checks (structure, component types for the distribution, IDs, pipeline references, signals, connectors and cycles, component options of the most used components) and best practices (memory_limiter first, batching, listeners on 0.0.0.0, TLS, plaintext secrets, health_check, tail sampling). Each finding has a rule ID, a severity, file:line:column and the YAML path. Exit 1 when a finding reaches --fail-on (default: error, i.e. the collector would reject the config), 2 for unreadable input.

    [bold]Examples[/bold]

      obsctl validate otelcol.yaml
      obsctl validate base.yaml prod.yaml --env-file .env \\
          --distribution contrib
      kubectl get cm otel-collector -o yaml | obsctl validate - -o sarif
      obsctl validate --explain OTC300
    """  # noqa: E501 - Typer help paragraphs must stay on one line
    from obsctl.workflows.validate import ValidateOptions, run_validate

    options = ValidateOptions(
        inputs=tuple(files or ()),
        env_file=env_file,
        strict_env=strict_env,
        distribution=distribution,
        components_file=components,
        feature_gates=tuple(feature_gates or ()),
        otelcol=otelcol,
        graph=graph,
        rules=rule_request(
            select, ignore, baseline, write_baseline, list_rules, explain, stdin_name
        ),
    )
    emit_findings(ctx, run_validate(options, stdin=sys.stdin.buffer), output, fail_on)
