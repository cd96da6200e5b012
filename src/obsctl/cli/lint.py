"""``obsctl lint``: metric naming, structure and cardinality checks for expositions and servers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from obsctl.cli.options import CONNECTION, OUTPUT, FailOnOpt, output_option, raise_for_findings
from obsctl.cli.state import get_state

RULES_PANEL = "Rules"
INPUT_PANEL = "Input"


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


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
    list_rules: Annotated[
        bool,
        typer.Option("--list-rules", help="List the rules and exit.", rich_help_panel=RULES_PANEL),
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="RULE",
            help="Explain a rule and exit.",
            rich_help_panel=RULES_PANEL,
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            metavar="RULES",
            help="Only these rules (IDs, prefixes such as OBS1, or names; comma-separated).",
            rich_help_panel=RULES_PANEL,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", metavar="RULES", help="Skip these rules.", rich_help_panel=RULES_PANEL
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            help="Do not report findings accepted in this baseline file.",
            rich_help_panel=RULES_PANEL,
        ),
    ] = None,
    write_baseline: Annotated[
        bool,
        typer.Option(
            "--write-baseline",
            help="Accept every current finding: write them to the --baseline file.",
            rich_help_panel=RULES_PANEL,
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="Limit for scraping a URL.",
            rich_help_panel=CONNECTION,
        ),
    ] = 30.0,
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes",
            metavar="N",
            help="Size limit for a scraped body.",
            rich_help_panel=CONNECTION,
        ),
    ] = 256 << 20,
    output: Annotated[
        Literal["text", "json", "sarif", "junit", "github"], output_option()
    ] = "text",
    fail_on: FailOnOpt = "error",
) -> None:
    """Check metric naming, exposition structure and cardinality; CI-friendly output.

    Naming follows `promtool check metrics` (same problems, same meaning) plus OpenMetrics/OpenTelemetry conventions; structure covers duplicates and histogram/summary shape; cardinality checks series and label-value budgets and spots unbounded label values (UUIDs, IDs, IPs, e-mails, paths with IDs, timestamps). Rules, budgets and severities come from the `lint:` section of a project-local obsctl.yaml (found by walking up from the current directory) and of the user config.

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad usage or unreadable file, 3 URL/server unreachable, 4 server error.

    [bold]Examples[/bold]

      obsctl lint metrics.prom --fail-on warning -o sarif > lint.sarif
      curl -s localhost:8080/metrics | obsctl lint -
      obsctl lint --server --match '{job="api"}'
    """  # noqa: E501
    from obsctl.errors import UsageError
    from obsctl.model.metric_families import Exposition
    from obsctl.render import emit
    from obsctl.render import findings as _findings  # noqa: F401 - registers renderers
    from obsctl.render import lint as _render  # noqa: F401 - registers renderers
    from obsctl.workflows import lint as wf

    state = get_state(ctx)
    names = inputs or []
    if explain is not None or list_rules:
        from obsctl.analysis.lint import RULES, resolve_rule
        from obsctl.model.metric_families import RuleCatalog, RuleEntry, RuleExplanation

        fmt = "json" if output == "json" else "text"
        if explain is not None:
            found = resolve_rule(explain) if explain.strip() else []
            if len(found) != 1:
                raise UsageError(
                    f"unknown rule {explain!r}",
                    hint="`obsctl lint --list-rules` shows every rule ID and name",
                )
            r = found[0]
            emit(
                RuleExplanation(r.rule_id, r.name, r.severity.value, r.summary, r.explanation),
                fmt,
                state.consoles,
            )
            return
        config, _ = wf.load_config(state.settings.extra, cwd=Path.cwd())
        config = config.with_flags(select=_split(select), ignore=_split(ignore))
        sel = config.selection
        entries = tuple(
            RuleEntry(
                r.rule_id,
                r.name,
                r.severity.value,
                sel.severity(r).value,
                sel.enabled(r),
                r.summary,
            )
            for r in RULES.values()
        )
        emit(RuleCatalog(entries), fmt, state.consoles)
        return
    if write_baseline and not baseline:
        raise UsageError("--write-baseline needs --baseline FILE")
    config, _ = wf.load_config(state.settings.extra, cwd=Path.cwd())
    config = config.with_flags(select=_split(select), ignore=_split(ignore))
    bad = config.selection.validate()
    if bad:
        raise UsageError(f"unknown rule(s) {', '.join(bad)}", hint="see `obsctl lint --list-rules`")
    in_fmt = None if input_format == "auto" else input_format
    stdin = None  # the workflow reads sys.stdin.buffer (CliRunner replaces it in tests)

    def read(name: str) -> Exposition:
        if name.startswith(("http://", "https://")):
            prom = state.endpoint("prometheus")
            return state.run(
                wf.scrape_input(
                    name,
                    fmt=in_fmt,
                    auth_from=prom if prom.configured else None,
                    timeout=timeout,
                    max_bytes=max_bytes,
                    log=state.http_log,
                )
            )
        return wf.parse_input(name, fmt=in_fmt, stdin=stdin)

    if diff:
        if len(names) != 2 or server:
            raise UsageError("--diff takes exactly two inputs: BASE HEAD")
        report = wf.diff_report(read(names[0]), read(names[1]), config)
    else:
        if server and names:
            raise UsageError("give either inputs or --server, not both")
        if match and not server:
            raise UsageError("--match applies to --server only")
        if not server and not names:
            raise UsageError("nothing to lint", hint="give FILE, URL or - (stdin), or --server")
        if names.count("-") > 1:
            raise UsageError("stdin (-) can be read only once")
        results = []
        if server:
            results.append(
                state.run(
                    wf.lint_server(
                        state.endpoint("prometheus"),
                        config,
                        match=match or [],
                        limit=limit,
                        log=state.http_log,
                    )
                )
            )
        for name in names:
            results.append(wf.lint_one(read(name), config, limit=limit))
        if write_baseline:
            assert baseline is not None
            every = [f for r in results for f in r.findings]
            count = wf.write_baseline(baseline, every)
            state.consoles.note(f"wrote {count} accepted findings to {baseline}")
            return
        accepted = wf.read_baseline(baseline) if baseline else None
        report = wf.build_report(results, config, baseline=accepted)
    emit(report, output, state.consoles)
    raise_for_findings(report, fail_on)
