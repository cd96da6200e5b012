"""Console factory: one console for data (stdout), one for diagnostics (stderr).

Backend data is never interpreted as Rich markup: both consoles have markup, highlighting and
emoji off, and renderers wrap data in ``rich.text.Text``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.text import Text


@dataclass(frozen=True, slots=True)
class Consoles:
    """The pair of consoles every command writes through."""

    out: Console
    err: Console

    def note(self, message: str) -> None:
        """A one-line diagnostic on stderr (``obsctl: note: …``)."""
        self.err.print(Text.assemble(("obsctl: note: ", "dim"), message), soft_wrap=True)

    def warn(self, message: str) -> None:
        """A one-line warning on stderr (``obsctl: warning: …``)."""
        self.err.print(Text.assemble(("obsctl: warning: ", "yellow"), message), soft_wrap=True)

    def error(self, message: str, hint: str | None = None) -> None:
        """The boundary's one-line error (plus an indented hint) on stderr."""
        self.err.print(Text.assemble(("obsctl: error: ", "bold red"), message), soft_wrap=True)
        if hint:
            self.err.print(Text.assemble(("  hint: ", "cyan"), hint), soft_wrap=True)


def _color_system(stream: TextIO, color: bool | None) -> bool:
    """Decide whether to colour: flag > NO_COLOR > FORCE_COLOR > TTY."""
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def make_console(stream: TextIO, *, color: bool | None = None, width: int | None = None) -> Console:
    """A data-safe console for ``stream``.

    Args:
        stream: where to write.
        color: ``True``/``False`` to force; ``None`` follows the TTY, ``NO_COLOR``, ``FORCE_COLOR``.
        width: fixed width; ``None`` uses the terminal width (``COLUMNS`` when piped, else 80).
    """
    use_color = _color_system(stream, color)
    if width is None and not (getattr(stream, "isatty", None) and stream.isatty()):
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and int(columns) > 0 else None
    return Console(
        file=stream,
        markup=False,
        highlight=False,
        emoji=False,
        color_system="truecolor" if use_color else None,
        force_terminal=use_color or None,
        no_color=not use_color,
        width=width,
        soft_wrap=False,
        legacy_windows=False,
    )


def make_consoles(*, color: bool | None = None) -> Consoles:
    """Consoles on the current ``sys.stdout``/``sys.stderr`` (read at call time for tests)."""
    return Consoles(
        out=make_console(sys.stdout, color=color), err=make_console(sys.stderr, color=color)
    )
