"""The transient status line: only on a terminal, only after a delay, erased around output."""

from __future__ import annotations

import io
import time

from obsctl.render.console import Consoles
from obsctl.render.progress import StatusLine


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_drawn_when_disabled():
    out = io.StringIO()
    status = StatusLine(out, enabled=False, delay=0)
    status("searching tempo…")
    status.clear()
    assert out.getvalue() == ""


def test_updates_replace_the_line_and_clear_erases_it():
    out = io.StringIO()
    status = StatusLine(out, enabled=True, delay=0)
    status("fetching traces 1/3…")
    status("fetching traces 2/3…")
    status.clear()
    assert out.getvalue() == ("\r\x1b[2Kfetching traces 1/3…\r\x1b[2Kfetching traces 2/3…\r\x1b[2K")
    status("late")
    assert out.getvalue().endswith("\r\x1b[2K")


def test_quick_work_never_flashes_a_status():
    out = io.StringIO()
    status = StatusLine(out, enabled=True, delay=5)
    status("searching…")
    status.clear()
    assert out.getvalue() == ""


def test_a_status_still_pending_after_the_delay_is_drawn_by_itself():
    out = io.StringIO()
    status = StatusLine(out, enabled=True, delay=0.05)
    status("searching tempo…")
    deadline = time.monotonic() + 5
    while "searching" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    status.clear()
    assert out.getvalue() == "\r\x1b[2Ksearching tempo…\r\x1b[2K"


def test_long_statuses_are_cut_to_the_width():
    out = io.StringIO()
    status = StatusLine(out, enabled=True, width=20, delay=0)
    status("x" * 50)
    assert out.getvalue() == "\r\x1b[2K" + "x" * 18 + "…"


def test_notes_erase_and_redraw_the_status_line():
    err = Tty()
    consoles = Consoles(out_stream=io.StringIO(), err_stream=err, color=False)
    status = consoles.progress()
    status.__init__(err, enabled=True, width=80, delay=0)  # no delay for the test
    status("fetching traces 1/2…")
    consoles.note("skipped: zipkin")
    status.clear()
    assert err.getvalue() == (
        "\r\x1b[2Kfetching traces 1/2…"
        "\r\x1b[2Kobsctl: note: skipped: zipkin\n"
        "\r\x1b[2Kfetching traces 1/2…"
        "\r\x1b[2K"
    )


def test_no_status_off_a_terminal_or_when_quiet():
    consoles = Consoles(out_stream=io.StringIO(), err_stream=io.StringIO(), color=False)
    assert consoles.progress().enabled is False
    quiet = Consoles(out_stream=io.StringIO(), err_stream=Tty(), color=False)
    quiet.quiet = True
    assert quiet.progress().enabled is False
    quiet.note("hidden")
    assert quiet.err_stream.getvalue() == ""
