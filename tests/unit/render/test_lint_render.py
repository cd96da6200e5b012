"""The lint summary's top tables: shortened to fit a terminal, whole in a pipe."""

from __future__ import annotations

import io

from rich.console import Console

from obsctl.model.metric_families import CountEntry, LintSummary
from obsctl.render import emit
from obsctl.render.console import Consoles

LONG = "http_server_request_duration_seconds_of_the_checkout_gateway_in_eu_west_1"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def render(fmt: str, *, tty: bool, width: int = 60) -> str:
    summary = LintSummary(
        "m.prom",
        "text",
        2,
        3,
        3,
        top_metrics=(CountEntry(LONG, 2), CountEntry("up", 1)),
        top_labels=(CountEntry(LONG + "{route}", 2),),
    )
    out = Tty() if tty else io.StringIO()
    console = Console(file=out, width=width, color_system=None, markup=False, highlight=False)
    emit(summary, fmt, Consoles(out=console, err=Console(file=io.StringIO())))
    return out.getvalue()


def test_on_a_terminal_names_give_up_width():
    lines = render("text", tty=True).splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert lines[1] == "top metrics" + " " * 43 + "series"
    assert lines[2].startswith("http_server_request_duration_seconds_of_the_checkou… ")
    assert lines[2].endswith("  2")


def test_piped_and_wide_names_stay_whole_without_trailing_blanks():
    piped = render("text", tty=False)
    assert render("wide", tty=True) == piped
    lines = piped.splitlines()
    assert lines[2] == f"{LONG}       2"
    assert lines[6] == f"{LONG}{{route}}       2"
    assert [line for line in lines if line != line.rstrip()] == []
