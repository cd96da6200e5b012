"""``?``: what the panels show and which keys do what."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("tab / shift+tab", "move between panels (1-9: jump to panel n of the panel list)"),
    ("↑ ↓ pgup pgdn", "move within a panel"),
    ("enter", "details of the series or alert under the cursor"),
    ("c", "correlate the selected alert: its ranked traces (enter: waterfall, span)"),
    ("s", "silence the selected alert (asks duration and comment)"),
    ("a", "add the selected alert's expression as a panel"),
    ("t", "recent traces (/ service:NAME op:NAME >500ms error: searched; l: live)"),
    ("n / e / d", "new panel, edit or remove the focused one (PromQL checked as you type)"),
    ("w", "save the panels to the context's config: the next start shows them"),
    ("/", "filter the rows of the focused panel (enter keeps, escape clears)"),
    ("o", "sort rows by last value (largest first) or by labels"),
    ("+ / -", "zoom the range in or out"),
    ("[ / ]", "move the range back or forward by half"),
    ("l", "live: the range follows now again"),
    ("r", "refresh now"),
    ("p", "the telemetry pipeline's health (obsctl doctor's checks, once a minute)"),
    ("?", "this help"),
    ("escape", "back: close a view, a detail or this help"),
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
