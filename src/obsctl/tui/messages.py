"""App-level messages: what a refresh worker found out, posted back to the app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from textual.message import Message

from obsctl.errors import ObsctlError
from obsctl.model.alerts import AlertRow
from obsctl.model.doctor import PipelineReport
from obsctl.model.metrics import QueryResult


@dataclass
class QueryFetched(Message):
    """A query panel's refresh finished: its result, or the error that replaced it."""

    index: int
    """Which panel (position of its ``--query``)."""
    at: datetime
    """The end of the range that was asked for."""
    result: QueryResult | None = None
    error: ObsctlError | None = None
    start: datetime | None = None
    """The start of the range that was asked for."""
    step: timedelta | None = None

    def can_replace(self, message: Message) -> bool:
        """A newer answer for the same panel makes an unhandled older one moot."""
        return isinstance(message, QueryFetched) and message.index == self.index


@dataclass
class AlertsFetched(Message):
    """The alerts panel's refresh finished."""

    at: datetime
    alerts: Sequence[AlertRow] | None = None
    error: ObsctlError | None = None

    def can_replace(self, message: Message) -> bool:
        """A newer answer makes an unhandled older one moot."""
        return isinstance(message, AlertsFetched)


@dataclass
class RefreshFinished(Message):
    """Every panel of one refresh has answered."""

    at: datetime

    def can_replace(self, message: Message) -> bool:
        """Only the latest matters for the status line."""
        return isinstance(message, RefreshFinished)


@dataclass
class PipelineFetched(Message):
    """The pipeline checks (``obsctl doctor``'s pipeline section) finished."""

    report: PipelineReport | None = None
    error: ObsctlError | None = None

    def can_replace(self, message: Message) -> bool:
        """A newer answer makes an unhandled older one moot."""
        return isinstance(message, PipelineFetched)
