"""Renderers for the ``config`` commands."""

from __future__ import annotations

from rich.text import Text

from obsctl.model.config_view import ConfigView, ContextList
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, write_json
from obsctl.render.table import PlainTable, fit_width, write_lines


@renderer(ConfigView, "text")
def render_config_text(view: ConfigView, consoles: Consoles) -> None:
    """Contexts and endpoints, secrets redacted; warnings on stderr."""
    out = consoles.out
    state = "" if view.exists else " (not found: built-in defaults in use)"
    out.print(Text(f"# {view.path}{state}", style="dim"))
    if view.current_context:
        out.print(Text(f"current-context: {view.current_context}"))
    if not view.contexts:
        out.print(Text("contexts: {}"))
    else:
        out.print(Text("contexts:"))
    for ctx in view.contexts:
        out.print(Text(f"  {ctx.name}:" + ("  # current" if ctx.current else "")))
        for ep in ctx.endpoints:
            if not ep.settings:
                out.print(Text(f"    {ep.kind}: {ep.url}"))
                continue
            out.print(Text(f"    {ep.kind}:"))
            out.print(Text(f"      url: {ep.url}"))
            for key, value in ep.settings:
                out.print(Text(f"      {key}: {value}"))
    for warning in view.warnings:
        consoles.warn(warning)


@renderer(ConfigView, "json")
def render_config_json(view: ConfigView, consoles: Consoles) -> None:
    """The redacted config as JSON."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "path": view.path,
            "exists": view.exists,
            "current_context": view.current_context,
            "contexts": [
                {
                    "name": c.name,
                    "current": c.current,
                    "endpoints": {e.kind: {"url": e.url, **dict(e.settings)} for e in c.endpoints},
                }
                for c in view.contexts
            ],
            "warnings": list(view.warnings),
        },
        consoles,
    )


@renderer(ContextList, "text")
def render_contexts_text(result: ContextList, consoles: Consoles) -> None:
    """A kubectl-like table of contexts."""
    if not result.rows:
        consoles.note(f"no contexts in {result.path}; built-in local defaults are in use")
        return
    # On a terminal the URLs give up width; piped (and -o wide), nothing is cut.
    table = PlainTable(
        ["CURRENT", "NAME", "PROMETHEUS", "ALERTMANAGER", "TRACES"],
        right=[False] * 5,
        shrink=[False, False, True, True, True],
    )
    for name, prom, am, traces in result.rows:
        table.add(["*" if name == result.current else "", name, prom, am, traces])
    write_lines(consoles, table.lines(fit_width(consoles)), header=1)


@renderer(ContextList, "json")
def render_contexts_json(result: ContextList, consoles: Consoles) -> None:
    """Contexts as JSON."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "path": result.path,
            "current_context": result.current,
            "contexts": [
                {
                    "name": n,
                    "prometheus": p or None,
                    "alertmanager": a or None,
                    "trace_backends": t.split(",") if t else [],
                }
                for n, p, a, t in result.rows
            ],
        },
        consoles,
    )
