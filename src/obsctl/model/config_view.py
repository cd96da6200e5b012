"""Result types of the ``config`` commands."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EndpointView:
    """One endpoint as shown by ``config view`` (secrets redacted)."""

    kind: str
    url: str
    settings: tuple[tuple[str, str], ...]
    """Other non-default settings, secrets shown as their reference or ``***``."""


@dataclass(frozen=True, slots=True)
class ContextView:
    """One context as shown by ``config view``."""

    name: str
    current: bool
    endpoints: tuple[EndpointView, ...]


@dataclass(frozen=True, slots=True)
class ConfigView:
    """The whole config file, redacted, with warnings about literal secrets."""

    path: str
    exists: bool
    current_context: str | None
    contexts: tuple[ContextView, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ContextList:
    """Result of ``config get-contexts``."""

    path: str
    current: str | None
    rows: tuple[tuple[str, str, str, str], ...]
    """(name, prometheus URL, alertmanager URL, trace backends) per context."""
