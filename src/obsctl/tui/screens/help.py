"""``?``: what the panels show and which keys do what."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("tab / shift+tab", "move between panels"),
    ("↑ ↓ pgup pgdn", "move within a panel"),
    ("enter", "details of the series or alert under the cursor"),
    ("r", "refresh now"),
    ("p", "the telemetry pipeline's health (obsctl doctor's checks, once a minute)"),
    ("?", "this help"),
    ("escape", "close a detail or help view"),
    ("q", "quit (ctrl+c too, exit code 130)"),
)


def help_text(refresh: str | None, since: str) -> Text:
    """The help page."""
    text = Text()
    text.append("obsctl tui\n\n", style="bold")
    text.append(
        f"Each query panel runs its PromQL over the last {since} and shows every series with "
        "its latest value and a sparkline of the range. The alerts panel lists what "
        "Alertmanager is firing (silenced and inhibited alerts left out), most severe first. "
        + (f"Everything refreshes every {refresh}" if refresh else "Press r to refresh")
        + "; a failing backend shows its error in the "
        "panel and the last good data stays, marked stale.\n\n"
    )
    for key, what in KEYS:
        text.append(f"  {key:<16}", style="bold cyan")
        text.append(f"{what}\n")
    return text


class HelpScreen(ModalScreen[None]):
    """Keys and a word on each panel."""

    BINDINGS = [("escape,question_mark,enter", "dismiss", "Close")]  # noqa: RUF012

    def __init__(self, *, refresh: str | None, since: str) -> None:
        super().__init__()
        self._text = help_text(refresh, since)

    def compose(self) -> ComposeResult:
        """The text in a bordered box."""
        with VerticalScroll(classes="dialog") as box:
            box.border_title = "Help"
            box.border_subtitle = "escape to close"
            yield Static(self._text)
