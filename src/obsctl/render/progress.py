"""A transient one-line status on stderr, for work that can take more than a second.

Shown only on a terminal (never in a pipe, a file or CI logs, nor with ``--quiet``), and only
once the work has taken ``delay`` seconds, so quick commands never flash. Each update
replaces the line; ``clear`` erases it, and anything else written to stderr meanwhile
(notes, errors) erases it first and redraws it after (``Consoles.write_err`` does).
"""

from __future__ import annotations

import threading
import time
from typing import IO

_ERASE = "\r\x1b[2K"


class StatusLine:
    """Callable with the current status: ``status("fetching traces 4/10…")``."""

    def __init__(
        self, stream: IO[str], *, enabled: bool, width: int = 80, delay: float = 1.0
    ) -> None:
        self._stream = stream
        self._enabled = enabled
        self._width = max(10, width)
        self._delay = delay
        self._started = time.monotonic()
        self._text = ""
        self._shown = False
        self._closed = False
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether anything is ever drawn."""
        return self._enabled

    def __call__(self, text: str) -> None:
        if not self._enabled or self._closed:
            return
        with self._lock:
            self._text = text
            waited = time.monotonic() - self._started
            if self._shown or waited >= self._delay:
                self._draw()
            elif self._timer is None:
                self._timer = threading.Timer(self._delay - waited, self._late)
                self._timer.daemon = True
                self._timer.start()

    def _late(self) -> None:
        with self._lock:
            if not self._closed and self._text:
                self._draw()

    def _draw(self) -> None:
        text = self._text if len(self._text) < self._width else self._text[: self._width - 2] + "…"
        self._stream.write(_ERASE + text)
        self._stream.flush()
        self._shown = True

    def suspend(self) -> bool:
        """Erase the line before other output; True when it was shown (then ``resume``)."""
        with self._lock:
            if not self._shown:
                return False
            self._stream.write(_ERASE)
            self._shown = False
            return True

    def resume(self) -> None:
        """Redraw the line after other output."""
        with self._lock:
            if not self._closed and self._text:
                self._draw()

    def clear(self) -> None:
        """Erase the line for good (the work is done)."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._shown:
                self._stream.write(_ERASE)
                self._stream.flush()
                self._shown = False
