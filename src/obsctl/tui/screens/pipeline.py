"""``p``: the telemetry pipeline's health, the same checks as ``obsctl doctor``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from obsctl.model.doctor import PipelineReport
from obsctl.render.doctor import pipeline_lines


class PipelineScreen(ModalScreen[None]):
    """Every problem with its hint, the ok checks counted, and what could not be checked."""

    BINDINGS = [("escape,p,enter", "dismiss", "Close")]  # noqa: RUF012

    def __init__(self, report: PipelineReport | None, error: str | None = None) -> None:
        super().__init__()
        self._report = report
        self._error = error

    def compose(self) -> ComposeResult:
        """The doctor view in a bordered box."""
        with VerticalScroll(classes="dialog") as box:
            box.border_title = "Pipeline"
            box.border_subtitle = "escape to close"
            if self._report is not None:
                yield Static(Text("\n").join(pipeline_lines(self._report)))
            else:
                yield Static(self._error or "the pipeline checks have not answered yet")
