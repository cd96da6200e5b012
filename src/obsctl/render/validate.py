"""``obsctl validate --graph``: each pipeline as receivers → processors → exporters.

Findings themselves go through the shared ``render.findings`` renderers; this module only
draws the pipeline graph, which the findings text renderer prints after the findings (it is a
per-input summary of the report). Connectors are shown on both sides with the pipelines they
bridge: ``span_metrics ▶ metrics`` as an exporter, ``span_metrics ◀ traces`` as a receiver.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from obsctl.model.collector import PipelineGraph
from obsctl.render import renderer
from obsctl.render.console import Consoles
from obsctl.render.table import fit_width

_CONNECTOR = "magenta"
_UNLIMITED = 10_000


def _bridges(graph: PipelineGraph) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Connector → pipelines it receives from (as exporter there), and feeds (as receiver)."""
    connectors = set(graph.connectors)
    fed_by: dict[str, list[str]] = {}
    feeds: dict[str, list[str]] = {}
    for p in graph.pipelines:
        for cid in p.exporters:
            if cid in connectors:
                fed_by.setdefault(cid, []).append(p.pipeline_id)
        for cid in p.receivers:
            if cid in connectors:
                feeds.setdefault(cid, []).append(p.pipeline_id)
    return fed_by, feeds


def _end_cell(
    ids: tuple[str, ...],
    i: int,
    connectors: set[str],
    arrow: str,
    bridged: dict[str, list[str]],
) -> Text:
    """Row ``i`` of a receivers or exporters column; a connector also names what it bridges."""
    cell = Text()
    if i < len(ids):
        cid = ids[i]
        if cid in connectors:
            cell.append(cid, style=_CONNECTOR)
            cell.append(f" {arrow} " + ", ".join(bridged.get(cid, ["?"])), style="dim")
        else:
            cell.append(cid)
    return cell


def pipeline_tables(graph: PipelineGraph) -> list[tuple[str, Table]]:
    """Each pipeline's ID and its table."""
    fed_by, feeds = _bridges(graph)
    connectors = set(graph.connectors)
    tables = []
    for p in graph.pipelines:
        table = Table(
            box=box.ROUNDED,
            show_edge=True,
            expand=False,
        )
        table.add_column("receivers", overflow="fold")
        table.add_column("", width=1, no_wrap=True)
        table.add_column("processors", overflow="fold")
        table.add_column("", width=1, no_wrap=True)
        table.add_column("exporters", overflow="fold")
        rows = max(len(p.receivers), len(p.processors), len(p.exporters), 1)
        for i in range(rows):
            rec = _end_cell(p.receivers, i, connectors, "◀", fed_by)
            proc = Text()
            if i < len(p.processors):
                proc.append(f"{i + 1}. {p.processors[i]}")
            elif i == 0:
                proc.append("—", style="dim")
            exp = _end_cell(p.exporters, i, connectors, "▶", feeds)
            arrow = "→" if i == 0 else ""
            table.add_row(rec, arrow, proc, arrow, exp)
        tables.append((p.pipeline_id, table))
    return tables


@renderer(PipelineGraph, "text")
def render_pipeline_graph(graph: PipelineGraph, consoles: Consoles) -> None:
    """The pipelines, one small table each, then the connectors and extensions. Off a
    terminal a table is as wide as its cells (nothing folded at 80 columns)."""
    out = consoles.out
    terminal_width = out.width
    if fit_width(consoles) is None:
        out.width = _UNLIMITED  # tables measure their cells against the console's width
    try:
        for pipeline_id, table in pipeline_tables(graph):
            out.print(Text(pipeline_id, style="bold"))
            out.print(table)
    finally:
        out.width = terminal_width
    fed_by, feeds = _bridges(graph)
    for cid in graph.connectors:
        line = Text("connector ", style="dim")
        line.append(cid, style=_CONNECTOR)
        line.append(
            f": {', '.join(fed_by.get(cid, ['(nothing)']))} ▶ "
            f"{', '.join(feeds.get(cid, ['(nothing)']))}"
        )
        out.print(line, soft_wrap=True)
    if graph.extensions:
        extensions = Text("extensions: ", style="dim").append(", ".join(graph.extensions))
        out.print(extensions, soft_wrap=True)
    out.print()
