"""Log records, the third signal, in one normal form for every log source.

The embedded store (``obsctl receive``) is the first source; a remote one (Loki) maps its
lines into the same ``LogRecord`` and answers the same ``LogQuery``. Times are integer Unix
nanoseconds and IDs lowercase hex, as in ``model.traces``.
"""

from __future__ import annotations

from dataclasses import dataclass

from obsctl.model.traces import Attributes

SEVERITY_NAMES = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
"""OpenTelemetry severity ranges 1-4, 5-8, … 21-24, by their short names."""

ERROR_SEVERITY = 17
"""Severity numbers at or above this are errors (ERROR, FATAL)."""


def severity_name(number: int, text: str = "") -> str:
    """A record's level for display: the range's short name, else the source's own text.

    >>> severity_name(17), severity_name(10), severity_name(0, "warning"), severity_name(0)
    ('ERROR', 'INFO', 'warning', '')
    """
    if 1 <= number <= 24:
        return SEVERITY_NAMES[(number - 1) // 4]
    return text


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One log line, with the trace context it was emitted in.

    Attributes:
        time_ns: event time (the observed time when the source had none), Unix nanoseconds.
        service: ``service.name`` of the record's resource (``"unknown"`` when absent).
        severity_number: OpenTelemetry severity number (0: unspecified; 17+: error).
        severity_text: the level as the source wrote it (``WARN``, ``warning`` …).
        body: the message; structured bodies are rendered as text.
        trace_id: 32 lowercase hex, or ``None`` for a record outside any trace.
        span_id: 16 lowercase hex, or ``None``.
        attributes: record attributes, in source order.
        resource: resource attributes.
        scope: instrumentation scope (logger) name, when known.
        event_name: set when the record is an event.
    """

    time_ns: int
    service: str
    severity_number: int
    severity_text: str
    body: str
    trace_id: str | None = None
    span_id: str | None = None
    attributes: Attributes = ()
    resource: Attributes = ()
    scope: str | None = None
    event_name: str = ""

    @property
    def severity(self) -> str:
        """Display level: ``ERROR``, ``INFO`` …, or the source's text when unspecified."""
        return severity_name(self.severity_number, self.severity_text)

    @property
    def is_error(self) -> bool:
        """Severity ERROR or FATAL."""
        return self.severity_number >= ERROR_SEVERITY


@dataclass(frozen=True, slots=True)
class LogQuery:
    """Which log records to fetch, in source-neutral terms.

    A source answers with matching records, oldest first, at most ``limit`` of them.
    """

    trace_id: str | None = None
    span_ids: tuple[str, ...] = ()
    """Only records of these spans (empty: any span)."""
    service: str | None = None
    min_severity: int = 0
    start_ns: int | None = None
    end_ns: int | None = None
    limit: int = 1000
