"""Output streams: one for data (stdout), one for diagnostics (stderr).

``Consoles`` hands out Rich consoles on first use only: importing and setting up Rich costs
~25 ms, which commands whose output is plain text (findings, JSON, diagnostics) do not pay.
Backend data is never interpreted as Rich markup: the consoles have markup, highlighting and
emoji off, and renderers wrap data in ``rich.text.Text``.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import IO, TYPE_CHECKING, TextIO

from obsctl.redact import redacting

if TYPE_CHECKING:
    from rich.console import Console

    from obsctl.render.progress import StatusLine

# SGR codes for the few styles plain-text output uses.
STYLES = {
    "bold": "1",
    "dim": "2",
    "underline": "4",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "cyan": "36",
    "bold red": "1;31",
    "bold underline": "1;4",
}


def paint(text: str, style: str, color: bool) -> str:
    """``text`` in ``style`` (see ``STYLES``) when ``color``, else unchanged."""
    if not color or not text:
        return text
    return f"\x1b[{STYLES[style]}m{text}\x1b[0m"


def _isatty(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def use_color(stream: IO[str], color: bool | None) -> bool:
    """Colour or not: flag > NO_COLOR > FORCE_COLOR > TERM=dumb (no colour) > TTY."""
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return _isatty(stream)


def stream_width(stream: IO[str]) -> int:
    """Columns available: the terminal's, else ``COLUMNS``, else 80."""
    if _isatty(stream):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            pass
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size((80, 24)).columns if _isatty(stream) else 80


class Consoles:
    """The pair of output streams every command writes through.

    Args:
        out: a ready Rich console for data (tests pass one); else made on first use.
        err: likewise for diagnostics.
        out_stream: the data stream (default: ``out``'s file, else ``sys.stdout`` now).
        err_stream: the diagnostics stream.
        color: force colour on/off; ``None`` follows the TTY, ``NO_COLOR``, ``FORCE_COLOR``.
    """

    def __init__(
        self,
        out: Console | None = None,
        err: Console | None = None,
        *,
        out_stream: TextIO | None = None,
        err_stream: TextIO | None = None,
        color: bool | None = None,
    ) -> None:
        # Every byte obsctl prints passes through obsctl.redact: no secret reaches any output.
        # Data masks the known secrets only; diagnostics credential shapes too (obsctl.redact).
        if out is not None:
            out.file = redacting(out.file, shapes=False)
        if err is not None:
            err.file = redacting(err.file)
        self._out = out
        self._err = err
        self.out_stream: IO[str] = redacting(
            out_stream or (out.file if out is not None else sys.stdout), shapes=False
        )
        self.err_stream: IO[str] = redacting(
            err_stream or (err.file if err is not None else sys.stderr)
        )
        self._color = color
        self.quiet = False
        """``--quiet``: no notes and no status line (warnings and errors still show)."""
        self.status: StatusLine | None = None
        """The transient status line, erased around other stderr output."""
        self.wide = False
        """``-o wide``: text output is not shortened to the terminal's width."""

    @property
    def out(self) -> Console:
        """The Rich console on stdout (created on first use)."""
        if self._out is None:
            self._out = make_console(self.out_stream, color=self._color)
        return self._out

    @property
    def err(self) -> Console:
        """The Rich console on stderr (created on first use)."""
        if self._err is None:
            self._err = make_console(self.err_stream, color=self._color)
        return self._err

    @property
    def out_color(self) -> bool:
        """Whether data output is coloured."""
        if self._out is not None:
            return not self._out.no_color and self._out.color_system is not None
        return use_color(self.out_stream, self._color)

    @property
    def err_color(self) -> bool:
        """Whether diagnostics are coloured."""
        if self._err is not None:
            return not self._err.no_color and self._err.color_system is not None
        return use_color(self.err_stream, self._color)

    @property
    def out_width(self) -> int:
        """Width of the data output in columns."""
        return self._out.width if self._out is not None else stream_width(self.out_stream)

    @property
    def out_is_terminal(self) -> bool:
        """Whether data goes to a terminal (not a pipe or file)."""
        return _isatty(self.out_stream)

    def write_err(self, text: str) -> None:
        """Write ``text`` (one or more whole lines) to stderr, unwrapped."""
        shown = self.status.suspend() if self.status is not None else False
        stream = self._err.file if self._err is not None else self.err_stream
        stream.write(text)
        stream.flush()
        if shown and self.status is not None:
            self.status.resume()

    def progress(self) -> StatusLine:
        """The status line on stderr (drawn only on a terminal, without ``--quiet``)."""
        if self.status is None:
            from obsctl.render.progress import StatusLine

            enabled = _isatty(self.err_stream) and not self.quiet
            width = stream_width(self.err_stream) if enabled else 80
            self.status = StatusLine(self.err_stream, enabled=enabled, width=width)
        return self.status

    def clear_progress(self) -> None:
        """Erase the status line for good (the work is done); a later ``progress`` starts a
        new one."""
        if self.status is not None:
            self.status.clear()
            self.status = None

    def _diagnostic(self, label: str, style: str, message: str) -> None:
        self.write_err(paint(f"obsctl: {label}: ", style, self.err_color) + message + "\n")

    def note(self, message: str) -> None:
        """A one-line diagnostic on stderr (``obsctl: note: …``); none with ``--quiet``."""
        if not self.quiet:
            self._diagnostic("note", "dim", message)

    def warn(self, message: str) -> None:
        """A one-line warning on stderr (``obsctl: warning: …``)."""
        self._diagnostic("warning", "yellow", message)

    def error(self, message: str, hint: str | None = None) -> None:
        """The boundary's one-line error (plus an indented hint) on stderr."""
        self._diagnostic("error", "bold red", message)
        if hint:
            self.write_err(paint("  hint: ", "cyan", self.err_color) + hint + "\n")


def make_console(
    stream: IO[str], *, color: bool | None = None, width: int | None = None
) -> Console:
    """A data-safe Rich console for ``stream``.

    Args:
        stream: where to write.
        color: ``True``/``False`` to force; ``None`` follows the TTY, ``NO_COLOR``, ``FORCE_COLOR``.
        width: fixed width; ``None`` uses the terminal width (``COLUMNS`` when piped, else 80).
    """
    from rich.console import Console

    colored = use_color(stream, color)
    if width is None and not _isatty(stream):
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and int(columns) > 0 else None
    return Console(
        file=stream,
        markup=False,
        highlight=False,
        emoji=False,
        color_system="truecolor" if colored else None,
        force_terminal=colored or None,
        no_color=not colored,
        width=width,
        soft_wrap=False,
        legacy_windows=False,
    )


def make_consoles(*, color: bool | None = None) -> Consoles:
    """Consoles on the current ``sys.stdout``/``sys.stderr`` (read at call time for tests)."""
    return Consoles(out_stream=sys.stdout, err_stream=sys.stderr, color=color)
