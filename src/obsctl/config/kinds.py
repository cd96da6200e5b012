"""The backend-kind table: every endpoint kind obsctl knows, described once.

The config schema (which keys a context may hold, the local defaults), the endpoint flags and
their environment variables (before and after the subcommand, and in ``config set-context``),
``AppState``, ``--backend``, trace links and ``doctor`` all derive from ``BACKEND_KINDS``.
What needs code (the client factory, the doctor probe) is keyed by the same name in
``backends/registry.py``. Adding a backend is one row here, its module in ``backends/`` and its
entry in the registry; docs/development.md has the recipe.

This module is imported at start-up (the root command declares the flags), so it holds plain
data only: no dataclasses, no imports beyond ``typing``.
"""

from __future__ import annotations

from typing import Final

METRICS: Final = "metrics"
ALERTS: Final = "alerts"
TRACES: Final = "traces"
UI: Final = "ui"
ROLES: Final = (METRICS, ALERTS, TRACES, UI)
"""What a kind is used for: a metrics API, an alert source, a trace store, or a UI to link to."""


class BackendKind:
    """One kind of endpoint.

    A plain slotted class, not a NamedTuple or dataclass: the table is built at every
    start-up, where defining a NamedTuple costs ~0.5 ms more (a frozen dataclass ~0.6 ms).

    Attributes:
        name: key in a context (``tempo:``), value of ``--backend``, ``Endpoint.kind``.
        role: one of ``ROLES``.
        title: display name in messages: ``Tempo``.
        default: conventional local URL (or store path) used when nothing is configured;
            ``None``: the kind is used only when configured.
        flag: the option that sets it: ``--tempo-url`` (or ``--store`` for a path).
        env: the environment variable that sets it: ``OBSCTL_TEMPO_URL``.
        help: help of the option, without the final full stop.
        locator: ``url``, an http(s) base URL; ``path``, a local file or directory (no HTTP).
        global_flag: whether ``flag`` is a global option (``set-context`` offers every kind).
        probe_by_default: ``doctor`` probes the default endpoint when nothing at all is
            configured.
        ui_trace_path: path of a trace in the kind's own UI, with ``{trace_id}``.
        grafana_type: Grafana data-source type for an Explore link to a trace from this kind.
        grafana_query_type: Grafana query type of that link (``traceql`` for Tempo).
        traceql: its search speaks TraceQL (``trace search -q``, correlate's searches).
        search_needs_service: its search API requires a service name.
    """

    __slots__ = (
        "default",
        "env",
        "flag",
        "global_flag",
        "grafana_query_type",
        "grafana_type",
        "help",
        "locator",
        "name",
        "probe_by_default",
        "role",
        "search_needs_service",
        "title",
        "traceql",
        "ui_trace_path",
    )

    def __init__(
        self,
        name: str,
        role: str,
        title: str,
        default: str | None,
        flag: str,
        env: str,
        help: str,
        *,
        locator: str = "url",
        global_flag: bool = True,
        probe_by_default: bool = False,
        ui_trace_path: str | None = None,
        grafana_type: str | None = None,
        grafana_query_type: str = "traceId",
        traceql: bool = False,
        search_needs_service: bool = False,
    ) -> None:
        self.name = name
        self.role = role
        self.title = title
        self.default = default
        self.flag = flag
        self.env = env
        self.help = help
        self.locator = locator
        self.global_flag = global_flag
        self.probe_by_default = probe_by_default
        self.ui_trace_path = ui_trace_path
        self.grafana_type = grafana_type
        self.grafana_query_type = grafana_query_type
        self.traceql = traceql
        self.search_needs_service = search_needs_service

    def __repr__(self) -> str:
        return f"BackendKind({self.name!r}, {self.role!r})"

    @property
    def metavar(self) -> str:
        """``URL`` or ``PATH``."""
        return "PATH" if self.locator == "path" else "URL"

    @property
    def param(self) -> str:
        """The Python name of the option's value: ``tempo_url``, ``store``."""
        return self.flag.lstrip("-").replace("-", "_")


BACKEND_KINDS: Final = (
    BackendKind(
        "prometheus",
        METRICS,
        "Prometheus",
        "http://localhost:9090",
        "--prometheus-url",
        "OBSCTL_PROMETHEUS_URL",
        "Prometheus-compatible API base URL",
        probe_by_default=True,
    ),
    BackendKind(
        "alertmanager",
        ALERTS,
        "Alertmanager",
        "http://localhost:9093",
        "--alertmanager-url",
        "OBSCTL_ALERTMANAGER_URL",
        "Alertmanager base URL",
        probe_by_default=True,
    ),
    BackendKind(
        "tempo",
        TRACES,
        "Tempo",
        "http://localhost:3200",
        "--tempo-url",
        "OBSCTL_TEMPO_URL",
        "Tempo base URL",
        grafana_type="tempo",
        grafana_query_type="traceql",
        traceql=True,
    ),
    BackendKind(
        "jaeger",
        TRACES,
        "Jaeger",
        "http://localhost:16686",
        "--jaeger-url",
        "OBSCTL_JAEGER_URL",
        "Jaeger query base URL",
        ui_trace_path="/trace/{trace_id}",
        grafana_type="jaeger",
        search_needs_service=True,
    ),
    BackendKind(
        "zipkin",
        TRACES,
        "Zipkin",
        "http://localhost:9411",
        "--zipkin-url",
        "OBSCTL_ZIPKIN_URL",
        "Zipkin base URL",
        ui_trace_path="/zipkin/traces/{trace_id}",
        grafana_type="zipkin",
    ),
    BackendKind(
        "local",
        TRACES,
        "the local store",
        None,  # the user data directory's store.sqlite, filled in by config.discover
        "--store",
        "OBSCTL_STORE",
        "Local trace and log store written by obsctl receive",
        locator="path",
    ),
    BackendKind(
        "grafana",
        UI,
        "Grafana",
        None,
        "--grafana-url",
        "OBSCTL_GRAFANA_URL",
        "Grafana base URL, for deep links",
        global_flag=False,
    ),
)
"""Every kind, in display order; trace kinds in default-preference order."""

KINDS: Final = {k.name: k for k in BACKEND_KINDS}
"""The table by name."""


def kinds_with_role(role: str) -> tuple[str, ...]:
    """Names of the kinds with ``role``, in table order.

    >>> kinds_with_role(TRACES)
    ('tempo', 'jaeger', 'zipkin', 'local')
    """
    return tuple(k.name for k in BACKEND_KINDS if k.role == role)


def kind_named(name: str) -> BackendKind | None:
    """The kind called ``name``, if there is one."""
    return KINDS.get(name)
