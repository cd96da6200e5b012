"""Small dialogs: a PromQL panel query (checked as you type) and a silence to confirm."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from obsctl.model.alerts import AlertRow
from obsctl.model.time import TimeSyntaxError, parse_duration
from obsctl.workflows.tui_sources import query_problem, silence_matchers

_NAME_TAIL = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*$")


class NameSuggester(Suggester):
    """Completes the metric or label name being typed at the end of the input (→ accepts).

    Args:
        names: sorted metric and label names.
    """

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.names = names

    async def get_suggestion(self, value: str) -> str | None:
        """``value`` with the first name starting with its last word, or ``None``."""
        match = _NAME_TAIL.search(value)
        if match is None:
            return None
        prefix = match.group()
        i = bisect.bisect_left(self.names, prefix)
        if i < len(self.names) and self.names[i].startswith(prefix) and self.names[i] != prefix:
            return value + self.names[i][len(prefix) :]
        return None


class QueryScreen(ModalScreen[str | None]):
    """Add or edit a panel: enter keeps a valid expression, escape cancels; metric and label
    names complete from the server (→ accepts)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]  # noqa: RUF012

    def __init__(
        self,
        title: str,
        expr: str = "",
        *,
        names: Sequence[str] = (),
        flavor: str | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._expr = expr
        self._names = names
        self._flavor = flavor

    def compose(self) -> ComposeResult:
        """The input and the verdict of the offline check."""
        with Vertical(classes="dialog form") as box:
            box.border_title = Text(self._title)
            box.border_subtitle = "enter to keep · escape to cancel"
            yield Input(
                value=self._expr,
                placeholder="PromQL, e.g. rate(http_requests_total[5m])",
                suggester=NameSuggester(self._names) if self._names else None,
            )
            yield Static(id="verdict")

    def on_mount(self) -> None:
        """Check what is there already."""
        self._check(self._expr)

    @property
    def verdict(self) -> str:
        """What the check line says (tests read it)."""
        return str(self.query_one("#verdict", Static).render())

    def _check(self, expr: str) -> str | None:
        problem = query_problem(expr, self._flavor)
        line = self.query_one("#verdict", Static)
        if problem is None and self._flavor and query_problem(expr) is not None:
            line.update(Text("✓ not PromQL: left to the server as MetricsQL", style="green"))
        elif problem is None:
            line.update(Text("✓ valid PromQL", style="green"))
        else:
            line.update(Text(f"✗ {problem}", style="red", no_wrap=True, overflow="ellipsis"))
        return problem

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._check(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self._check(event.value) is None:
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Leave the panels as they were."""
        self.dismiss(None)


@dataclass(frozen=True)
class SilenceAsk:
    """What the silence dialog confirmed."""

    duration: timedelta
    comment: str


class SilenceScreen(ModalScreen[SilenceAsk | None]):
    """``s`` on an alert: duration and comment, then enter on the comment confirms."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]  # noqa: RUF012

    def __init__(self, alert: AlertRow) -> None:
        super().__init__()
        self.alert = alert

    def compose(self) -> ComposeResult:
        """Matchers shown, duration and comment asked."""
        matchers = " ".join(str(m) for m in silence_matchers(self.alert))
        with Vertical(classes="dialog form") as box:
            box.border_title = Text(f"Silence {self.alert.name or '(no alertname)'}?")
            box.border_subtitle = "enter to confirm · escape to cancel"
            yield Static(Text(f"matchers: {matchers}", style="dim"))
            yield Input(value="2h", placeholder="duration, e.g. 2h", id="duration")
            yield Input(placeholder="comment (required): why it is silenced", id="comment")
            yield Static(id="problem")

    def on_mount(self) -> None:
        """The comment is what must be typed."""
        self.query_one("#comment", Input).focus()

    @property
    def problem(self) -> str:
        """What is wrong with the form (tests read it)."""
        return str(self.query_one("#problem", Static).render())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = self.query_one("#duration", Input).value.strip()
        comment = self.query_one("#comment", Input).value.strip()
        show = self.query_one("#problem", Static)
        try:
            duration = parse_duration(text)
        except TimeSyntaxError as exc:
            show.update(Text(f"✗ duration: {exc}", style="red"))
            self.query_one("#duration", Input).focus()
            return
        if not comment:
            show.update(Text("✗ a silence needs a comment", style="red"))
            self.query_one("#comment", Input).focus()
            return
        self.dismiss(SilenceAsk(duration, comment))

    def action_cancel(self) -> None:
        """No silence."""
        self.dismiss(None)
