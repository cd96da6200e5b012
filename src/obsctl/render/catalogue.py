"""``--list-rules``/``--explain`` (one renderer pair for every findings producer) and
``--write-baseline``."""

from __future__ import annotations

import dataclasses

from rich.text import Text

from obsctl.model.rule_catalog import BaselineWritten, RuleCatalog
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.json import SCHEMA_VERSION, write_json
from obsctl.render.table import PlainTable, fit_width, write_lines

_SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


@renderer(RuleCatalog, "text")
def render_catalog_text(catalog: RuleCatalog, consoles: Consoles) -> None:
    """``--list-rules``: one line per rule (ID, severity, name, summary; a changed severity
    starred, disabled rules ``off``); ``--explain``: each rule's header, summary, why and
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
    # One line per rule: whole in a pipe (``| grep OBS2``), SUMMARY shortened on a terminal
    # (``--explain RULE`` has it all).
    table = PlainTable(
        ["ID", "SEVERITY", "NAME", "SUMMARY"],
        right=[False] * 4,
        shrink=[False, False, False, True],
    )
    for r in catalog.rules:
        changed = "*" if r.severity != r.default_severity else ""
        table.add([r.rule_id, r.severity + changed if r.enabled else "off", r.name, r.summary])
    write_lines(consoles, table.lines(fit_width(consoles)), header=1)


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
