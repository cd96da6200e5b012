"""``--list-rules``/``--explain`` (one renderer pair for every findings producer) and
``--write-baseline``."""

from __future__ import annotations

import dataclasses

from rich.table import Table
from rich.text import Text

from obsctl.model.rule_catalog import BaselineWritten, RuleCatalog
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, write_json

_SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


@renderer(RuleCatalog, "text")
def render_catalog_text(catalog: RuleCatalog, consoles: Consoles) -> None:
    """``--list-rules``: one line per rule (ID, severity, name, summary; a changed severity
    starred, disabled rules dimmed); ``--explain``: each rule's header, summary, why and
    source."""
    out = consoles.out
    if catalog.explain:
        for r in catalog.rules:
            head = Text(f"{r.rule_id} {r.name}", style="bold")
            head.append(f"  ({r.severity})", style=_SEV_STYLE.get(r.severity, ""))
            out.print(head)
            out.print(Text(r.summary))
            out.print()
            out.print(Text(r.explanation), soft_wrap=False)
            if r.help_uri:
                out.print(Text(f"source: {r.help_uri}", style="dim"), soft_wrap=True)
            out.print()
        return
    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 2, 0, 0))
    table.add_column("ID", no_wrap=True)
    table.add_column("SEVERITY", no_wrap=True)
    table.add_column("NAME", no_wrap=True)
    table.add_column("SUMMARY", overflow="fold")
    for r in catalog.rules:
        sev = Text(r.severity, style=_SEV_STYLE.get(r.severity, ""))
        if r.severity != r.default_severity:
            sev.append("*")
        style = "" if r.enabled else "dim"
        table.add_row(
            Text(r.rule_id, style=style or "bold"),
            sev if r.enabled else Text("off", style="dim"),
            Text(r.name, style=style),
            Text(r.summary, style=style),
        )
    out.print(table)


@renderer(RuleCatalog, "json")
def render_catalog_json(catalog: RuleCatalog, consoles: Consoles) -> None:
    """``{"schema_version", "rules": [{rule_id, name, default_severity, severity, enabled,
    summary, explanation, help_uri}]}`` for both ``--list-rules`` and ``--explain``."""
    write_json(
        {
            "schema_version": SCHEMA_VERSION,
            "rules": [dataclasses.asdict(r) for r in catalog.rules],
        },
        consoles,
    )


@renderer(BaselineWritten, "text", "json", "sarif", "junit", "github")
def render_baseline_written(result: BaselineWritten, consoles: Consoles) -> None:
    """``--write-baseline``: one note on stderr, nothing on stdout (whatever ``-o`` says)."""
    consoles.note(f"wrote {result.count} accepted findings to {result.path}")
