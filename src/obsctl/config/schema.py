"""Configuration model: contexts → endpoints, with auth references and per-endpoint TLS.

The config file (YAML) looks like::

    current-context: prod
    contexts:
      prod:
        prometheus:
          url: https://mimir.example.com
          flavor: mimir            # auto | prometheus | thanos | mimir | victoriametrics
          path_prefix: /prometheus
          tenant: team-a           # sent as X-Scope-OrgID
          token_env: MIMIR_TOKEN   # bearer token from an environment variable
        alertmanager: https://am.example.com     # a bare URL is shorthand for {url: …}
        tempo: {url: https://tempo.example.com, tenant: team-a}
        grafana: https://grafana.example.com
      local:
        prometheus: http://localhost:9090

Secrets come from ``token_env``/``token_file``/``password_env``/``password_file`` (or
``${VAR}`` substitution); a literal ``token``/``password`` works but ``config view`` warns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from obsctl.config.kinds import BACKEND_KINDS, KINDS, TRACES, kinds_with_role
from obsctl.redact import remember

ENDPOINT_KINDS: Final = tuple(k.name for k in BACKEND_KINDS)
"""Every endpoint a context can name, in display order (from the backend-kind table)."""

TRACE_KINDS: Final = kinds_with_role(TRACES)
"""Trace backends, in default-preference order."""

DEFAULT_URLS: Final = {k.name: k.default for k in BACKEND_KINDS if k.default is not None}
"""Conventional local endpoints used when nothing is configured."""

FLAVORS: Final = ("auto", "prometheus", "thanos", "mimir", "victoriametrics")
"""Prometheus-compatible API flavours."""

DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_MAX_RESPONSE_BYTES: Final = 128 * 1024 * 1024
"""Cap on one answer (see ``backends.http.DEFAULT_MAX_BODY_BYTES`` for how it was sized)."""


class Secret:
    """A secret value; ``repr``/``str`` never show it.

    Args:
        value: the secret itself.
        origin: where it came from, for ``config view`` (``env MIMIR_TOKEN``, ``file …``,
            ``literal``).
    """

    __slots__ = ("_value", "origin")

    def __init__(self, value: str, origin: str) -> None:
        self._value = value
        self.origin = origin
        # From now on no output of this process shows the value (obsctl.redact).
        remember(value)

    def reveal(self) -> str:
        """The secret value; only the HTTP layer calls this."""
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """One endpoint as written in a context (references unresolved)."""

    url: str
    """Base URL, e.g. ``https://prom.example.com``."""
    flavor: str = "auto"
    """Prometheus API flavour (prometheus endpoints only)."""
    path_prefix: str = ""
    """Path prepended to every API path, e.g. Mimir's ``/prometheus``."""
    tenant: str | None = None
    """Tenant ID, sent as ``X-Scope-OrgID``."""
    token: str | None = None
    """Literal bearer token (discouraged: prefer ``token_env``/``token_file``)."""
    token_env: str | None = None
    """Environment variable holding the bearer token."""
    token_file: str | None = None
    """File holding the bearer token."""
    username: str | None = None
    """Basic-auth user."""
    password: str | None = None
    """Literal basic-auth password (discouraged)."""
    password_env: str | None = None
    """Environment variable holding the basic-auth password."""
    password_file: str | None = None
    """File holding the basic-auth password."""
    headers: tuple[tuple[str, str], ...] = ()
    """Extra request headers."""
    cert_file: str | None = None
    """Client certificate (PEM) for mTLS."""
    key_file: str | None = None
    """Client key (PEM) for mTLS."""
    ca_file: str | None = None
    """CA bundle to verify the server with."""
    insecure_skip_verify: bool = False
    """Do not verify the server certificate (explicit opt-in only)."""
    timeout: float | None = None
    """Request timeout in seconds (default 30)."""
    max_response_size: int | None = None
    """Largest answer accepted, in bytes (``256MiB`` style in the file; default 128 MiB)."""
    line: int = 0
    """Line of this endpoint in the config file, for messages."""


@dataclass(frozen=True, slots=True)
class Context:
    """A named set of endpoints."""

    name: str
    endpoints: dict[str, EndpointSpec] = field(default_factory=dict)
    line: int = 0
    panels: tuple[str, ...] = ()
    """``tui: {panels: [...]}``: the PromQL panels ``obsctl tui`` starts with (saved by its
    ``w`` key) when no ``--query`` is given."""


@dataclass(frozen=True, slots=True)
class Config:
    """The whole config file."""

    current_context: str | None = None
    contexts: dict[str, Context] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    """Other top-level sections (e.g. ``lint:``), kept verbatim for their commands."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An endpoint resolved for use: precedence applied, secrets loaded.

    ``configured`` is true when a flag, the environment or the context set it; endpoints that
    fall back to the conventional local default are not configured.
    """

    kind: str
    url: str
    """Base URL; for a kind whose locator is a path (see ``config.kinds``), that path."""
    source: str
    configured: bool
    context: str | None = None
    flavor: str = "auto"
    path_prefix: str = ""
    tenant: str | None = None
    token: Secret | None = None
    username: str | None = None
    password: Secret | None = None
    headers: tuple[tuple[str, str], ...] = ()
    cert_file: str | None = None
    key_file: str | None = None
    ca_file: str | None = None
    insecure_skip_verify: bool = False
    timeout: float = DEFAULT_TIMEOUT
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @property
    def display_name(self) -> str:
        """``Prometheus``, ``Tempo`` … for messages."""
        kind = KINDS.get(self.kind)
        return kind.title if kind is not None else self.kind.capitalize()

    @property
    def base_url(self) -> str:
        """URL plus path prefix, without a trailing slash."""
        prefix = self.path_prefix.strip("/")
        base = self.url.rstrip("/")
        return f"{base}/{prefix}" if prefix else base


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a command needs from configuration, resolved."""

    context: str | None
    endpoints: dict[str, Endpoint]
    config_path: str | None
    extra: dict[str, object] = field(default_factory=dict)
    panels: tuple[str, ...] = ()
    """The context's saved ``obsctl tui`` panels (``Context.panels``)."""

    def endpoint(self, kind: str) -> Endpoint:
        """The endpoint of ``kind`` (always present: defaults fill the gaps)."""
        return self.endpoints[kind]

    @property
    def grafana_url(self) -> str | None:
        """The Grafana base URL when configured."""
        ep = self.endpoints.get("grafana")
        return ep.url if ep is not None and ep.configured else None

    def trace_backends(self) -> list[str]:
        """Trace backends to use: the configured ones, or, when none is configured, those with
        a conventional local default."""
        configured = [k for k in TRACE_KINDS if self.endpoints[k].configured]
        return configured or [k for k in TRACE_KINDS if KINDS[k].default is not None]

    def configured_kinds(self) -> list[str]:
        """Endpoint kinds set by a flag, the environment or the context."""
        return [k for k in ENDPOINT_KINDS if k in self.endpoints and self.endpoints[k].configured]
