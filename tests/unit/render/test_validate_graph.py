"""``validate --graph``: boxes fit a terminal; in a pipe nothing is folded or padded."""

from __future__ import annotations

import io

from rich.console import Console

from obsctl.model.collector import PipelineGraph, PipelineView
from obsctl.render import emit
from obsctl.render.console import Consoles

LONG = "otlp_http/a-rather-long-exporter-name-for-the-eu-west-1-gateway"
GRAPH = PipelineGraph(
    pipelines=(
        PipelineView("traces", ("otlp",), ("batch",), (LONG, "spanmetrics")),
        PipelineView("metrics", ("spanmetrics",), (), ("prometheus",)),
    ),
    connectors=("spanmetrics",),
)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def render(*, tty: bool) -> list[str]:
    out = Tty() if tty else io.StringIO()
    console = Console(file=out, width=60, color_system=None, markup=False, highlight=False)
    emit(GRAPH, "text", Consoles(out=console, err=Console(file=io.StringIO())))
    return out.getvalue().splitlines()


def test_on_a_terminal_the_boxes_fold_their_cells_to_its_width():
    lines = render(tty=True)
    assert lines[0] == "traces"
    assert max(len(line) for line in lines) <= 60
    assert not any(LONG in line for line in lines)


def test_in_a_pipe_cells_are_whole_and_lines_carry_no_trailing_blanks():
    lines = render(tty=False)
    assert lines[0] == "traces"
    assert any(f"│ {LONG} │" in line for line in lines)
    assert any("spanmetrics ▶ metrics" in line for line in lines)
    assert "connector spanmetrics: traces ▶ metrics" in lines
    assert all(line == line.rstrip() for line in lines)
