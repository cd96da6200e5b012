"""Health of the telemetry pipeline itself, from the components' own metrics.

Every check is one PromQL expression evaluated at one instant through the configured
Prometheus-compatible server. Its result is one number per *subject* (a Collector
instance, an exporter, a scrape job, a rule group, an Alertmanager integration), compared
with a threshold pair:

* ``above`` checks are degraded when the value is above ``degraded`` and failing when it is
  above ``failing``;
* ``below`` checks are degraded when the value is below ``degraded`` and failing when it is
  below ``failing``.

Either threshold may be ``None`` (that level is never reached). Expressions accept the
metric names of the older and the current Collector telemetry (``_total`` suffixed or
not) with a ``__name__`` regex.

This module is pure: it builds the queries and judges the answers; the workflow runs them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final, Literal

from obsctl.model.doctor import PipelineCheck, PipelineStatus

Unit = Literal["ratio", "count", "seconds", "factor", "bool"]
Direction = Literal["above", "below"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a value is degraded or failing (see the module docstring for ``direction``)."""

    degraded: float | None
    failing: float | None
    direction: Direction = "above"

    def judge(self, value: float) -> PipelineStatus:
        """The status of ``value``.

        >>> Thresholds(0.8, 0.99).judge(0.9)
        <PipelineStatus.DEGRADED: 'degraded'>
        >>> Thresholds(None, 1, "below").judge(0)
        <PipelineStatus.FAILING: 'failing'>
        """
        if self._crossed(self.failing, value):
            return PipelineStatus.FAILING
        if self._crossed(self.degraded, value):
            return PipelineStatus.DEGRADED
        return PipelineStatus.OK

    def _crossed(self, level: float | None, value: float) -> bool:
        if level is None:
            return False
        return value > level if self.direction == "above" else value < level

    def applying(self, status: PipelineStatus) -> float | None:
        """The threshold behind ``status`` (for OK: the first one a value would cross)."""
        if status is PipelineStatus.FAILING:
            return self.failing
        if status is PipelineStatus.DEGRADED or self.degraded is not None:
            return self.degraded
        return self.failing


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One pipeline check.

    Args:
        component: ``collector``, ``prometheus`` or ``alertmanager``.
        check: the check's name, unique within its component.
        expr: PromQL with ``{w}`` for the window (a Prometheus duration such as ``900s``)
            and ``{wsec}`` for its length in seconds.
        subject: the labels naming what the value is about, most specific last.
        thresholds: degraded/failing levels.
        unit: how the value reads (``ratio`` prints as a percentage).
        what: the message after the value (``"of spans refused by receivers"``).
        hint: what to do when the check is not ok.
    """

    component: str
    check: str
    expr: str
    subject: tuple[str, ...]
    thresholds: Thresholds
    unit: Unit
    what: str
    hint: str

    @property
    def key(self) -> str:
        """``component.check``: how the config file names the check."""
        return f"{self.component}.{self.check}"

    def query(self, window_seconds: int) -> str:
        """The PromQL to run for a window."""
        return self.expr.replace("{wsec}", str(window_seconds)).replace("{w}", f"{window_seconds}s")


# ---------------------------------------------------------------------------- catalogue

_SIGNALS: Final = (
    ("spans", "spans"),
    ("metric_points", "metric points"),
    ("log_records", "log records"),
)


def _otel(name: str) -> str:
    """A selector for a Collector counter under its old and new spelling.

    One family at a time: functions drop ``__name__``, so a regex over several families
    would give duplicate series.
    """
    return f'{{__name__=~"otelcol_{name}(_total)?"}}'


def _ratio(part: str, rest: str, by: str) -> str:
    """``part / (part + rest)`` of two counters' increases over the window, per ``by``."""
    p = f"sum by ({by}) (increase({part}[{{w}}]))"
    r = f"sum by ({by}) (increase({rest}[{{w}}]))"
    return f"{p} / ({p} + {r})"


def _collector_checks() -> list[CheckSpec]:
    specs: list[CheckSpec] = []
    for signal, words in _SIGNALS:
        specs += [
            CheckSpec(
                "collector",
                f"receiver_refused_{signal}",
                _ratio(
                    _otel(f"receiver_refused_{signal}"),
                    _otel(f"receiver_accepted_{signal}"),
                    "instance, receiver",
                ),
                ("instance", "receiver"),
                Thresholds(0.0, 0.01),
                "ratio",
                f"of {words} refused by receivers",
                "the pipeline pushes back (memory_limiter, full queues) or the data is "
                "invalid: see the Collector's log and its exporters' checks",
            ),
            CheckSpec(
                "collector",
                f"exporter_send_failed_{signal}",
                _ratio(
                    _otel(f"exporter_send_failed_{signal}"),
                    _otel(f"exporter_sent_{signal}"),
                    "instance, exporter",
                ),
                ("instance", "exporter"),
                Thresholds(0.0, 0.01),
                "ratio",
                f"of {words} failed to send by exporters",
                "the destination refuses or cannot be reached: check the exporter's endpoint, "
                "credentials and the destination's own health",
            ),
            CheckSpec(
                "collector",
                f"processor_dropped_{signal}",
                f"sum by (instance, processor) "
                f"(increase({_otel(f'processor_dropped_{signal}')}[{{w}}]))",
                ("instance", "processor"),
                Thresholds(0.0, None),
                "count",
                f"{words} dropped by processors",
                "a processor discards data (filter, sampling, or a full batch queue): "
                "make sure it is meant to",
            ),
            CheckSpec(
                "collector",
                f"memory_limiter_refused_{signal}",
                f"sum by (instance, processor) "
                f"(increase({_otel(f'processor_refused_{signal}')}[{{w}}]))",
                ("instance", "processor"),
                Thresholds(0.0, None),
                "count",
                f"{words} refused by the memory limiter",
                "the Collector is near its memory limit: give it more memory, scale out, or "
                "lower batch sizes",
            ),
            CheckSpec(
                "collector",
                f"accepted_rate_{signal}",
                # The current accepted rate as a share of its peak over the window, for
                # Collectors that are up and did accept something in the window.
                f"(sum by (instance) (rate({_otel(f'receiver_accepted_{signal}')}[5m]))"
                f" / on (instance) max_over_time((sum by (instance) "
                f"(rate({_otel(f'receiver_accepted_{signal}')}[5m])))[{{w}}:1m]))"
                " and on (instance) (max by (instance) (up) == 1)",
                ("instance",),
                Thresholds(None, 0.01, "below"),
                "ratio",
                f"of its peak accepted {words} rate in the window still arrives",
                "the Collector is up but receives nothing: check the senders, the network "
                "path and the receiver's endpoint",
            ),
        ]
    specs += [
        CheckSpec(
            "collector",
            "exporter_queue_usage",
            "max by (instance, exporter) "
            "(otelcol_exporter_queue_size / otelcol_exporter_queue_capacity)",
            ("instance", "exporter"),
            Thresholds(0.8, 0.99),
            "ratio",
            "of the exporter's sending queue in use",
            "the exporter cannot keep up: the destination is slow or down; raise "
            "sending_queue.num_consumers or queue_size, or fix the destination",
        ),
    ]
    return specs


def _prometheus_checks() -> list[CheckSpec]:
    return [
        CheckSpec(
            "prometheus",
            "targets_down",
            "(count by (job) (up == 0) or 0 * count by (job) (up)) / count by (job) (up)",
            ("job",),
            Thresholds(0.0, 0.5),
            "ratio",
            "of the job's targets down",
            "obsctl query 'up == 0' lists them; check the target, its port and the network",
        ),
        CheckSpec(
            "prometheus",
            "slow_scrapes",
            # Slowest scrape over the window against the interval the samples show.
            "max by (job) (max_over_time(scrape_duration_seconds[{w}]) / "
            "(({wsec}) / count_over_time(scrape_duration_seconds[{w}])))",
            ("job",),
            Thresholds(0.8, 1.0),
            "ratio",
            "of the scrape interval taken by the slowest scrape",
            "the target answers slowly or exposes too much: raise scrape_timeout/interval "
            "or trim its metrics",
        ),
        CheckSpec(
            "prometheus",
            "scrape_limits",
            "sum by (instance) "
            "(increase(prometheus_target_scrapes_exceeded_sample_limit_total[{w}])) + on "
            "(instance) (sum by (instance) "
            "(increase(prometheus_target_scrapes_exceeded_body_size_limit_total[{w}])) or "
            "0 * sum by (instance) "
            "(increase(prometheus_target_scrapes_exceeded_sample_limit_total[{w}])))",
            ("instance",),
            Thresholds(None, 0.0),
            "count",
            "scrapes rejected for exceeding sample_limit or body_size_limit",
            "a target grew past its limit and all its samples are dropped: fix its "
            "cardinality or raise the limit",
        ),
        CheckSpec(
            "prometheus",
            "rule_failures",
            "sum by (rule_group) (increase(prometheus_rule_evaluation_failures_total[{w}])) / "
            "sum by (rule_group) (increase(prometheus_rule_evaluations_total[{w}]))",
            ("rule_group",),
            Thresholds(None, 0.0),
            "ratio",
            "of the group's rule evaluations failed",
            "a rule errors at evaluation (duplicate series, many-to-many matching): "
            "see the rules page or `obsctl rules check --server`",
        ),
        CheckSpec(
            "prometheus",
            "missed_iterations",
            "sum by (rule_group) (increase(prometheus_rule_group_iterations_missed_total[{w}]))",
            ("rule_group",),
            Thresholds(0.0, None),
            "count",
            "rule group evaluations missed",
            "the group takes longer than its interval: split it or raise its interval",
        ),
        CheckSpec(
            "prometheus",
            "head_series_growth",
            "max by (instance) (prometheus_tsdb_head_series / "
            "(prometheus_tsdb_head_series offset {w}))",
            ("instance",),
            Thresholds(1.5, 3.0),
            "factor",
            "the head series of one window ago",
            "series churn or a cardinality explosion: `obsctl lint --server` finds the "
            "metrics and labels that grew",
        ),
        CheckSpec(
            "prometheus",
            "wal_corruptions",
            "sum by (instance) (increase(prometheus_tsdb_wal_corruptions_total[{w}]))",
            ("instance",),
            Thresholds(None, 0.0),
            "count",
            "WAL corruptions",
            "the disk or an unclean shutdown damaged the WAL: check the disk and the log",
        ),
        CheckSpec(
            "prometheus",
            "remote_write_failed",
            # The current name, else the one before Prometheus 2.25.
            "sum by (instance, remote_name) "
            "(increase(prometheus_remote_storage_samples_failed_total[{w}])) or "
            "sum by (instance, remote_name) "
            "(increase(prometheus_remote_storage_failed_samples_total[{w}]))",
            ("instance", "remote_name"),
            Thresholds(None, 0.0),
            "count",
            "samples remote write failed to deliver (lost)",
            "the remote endpoint rejects samples: check its answers in Prometheus's log",
        ),
        CheckSpec(
            "prometheus",
            "remote_write_pending",
            "max by (instance, remote_name) (prometheus_remote_storage_samples_pending)",
            ("instance", "remote_name"),
            Thresholds(10_000.0, 100_000.0),
            "count",
            "samples waiting to be sent by remote write",
            "remote write falls behind: the endpoint is slow, or raise queue_config.max_shards",
        ),
        CheckSpec(
            "prometheus",
            "config_reload",
            "min by (instance) (prometheus_config_last_reload_successful)",
            ("instance",),
            Thresholds(None, 1.0, "below"),
            "bool",
            "last configuration reload succeeded",
            "the running config is not the file on disk: `promtool check config` it",
        ),
    ]


def _alertmanager_checks() -> list[CheckSpec]:
    return [
        CheckSpec(
            "alertmanager",
            "notifications_failed",
            "sum by (instance, integration) "
            "(increase(alertmanager_notifications_failed_total[{w}])) / "
            "sum by (instance, integration) (increase(alertmanager_notifications_total[{w}]))",
            ("instance", "integration"),
            Thresholds(0.0, 0.1),
            "ratio",
            "of notifications failed",
            "pages are not leaving Alertmanager: check the receiver's URL and credentials "
            "in its log",
        ),
        CheckSpec(
            "alertmanager",
            "config_reload",
            "min by (instance) (alertmanager_config_last_reload_successful)",
            ("instance",),
            Thresholds(None, 1.0, "below"),
            "bool",
            "last configuration reload succeeded",
            "the running config is not the file on disk: `amtool check-config` it",
        ),
        CheckSpec(
            "alertmanager",
            "cluster_peers",
            # Members each clustered instance sees, as a share of the instances scraped.
            "min by (job) (alertmanager_cluster_members and on (instance) "
            "(alertmanager_cluster_enabled == 1)) / count by (job) "
            "(alertmanager_cluster_members and on (instance) (alertmanager_cluster_enabled == 1))",
            ("job",),
            Thresholds(1.0, None, "below"),
            "ratio",
            "of the scraped instances seen as cluster peers",
            "the cluster is split: notifications may be duplicated; check --cluster.peer "
            "and the gossip port between the instances",
        ),
    ]


CATALOGUE: Final[tuple[CheckSpec, ...]] = (
    *_collector_checks(),
    *_prometheus_checks(),
    *_alertmanager_checks(),
)
"""Every pipeline check, in report order."""

PRESENCE: Final = {
    "collector": '{__name__=~"otelcol_process_uptime.*|otelcol_receiver_accepted_.+"}',
    "prometheus": "prometheus_build_info",
    "alertmanager": "alertmanager_build_info",
}
"""A selector whose series tell which instances of each component Prometheus scrapes."""

DEFAULT_WINDOW: Final = 900
"""Seconds: the default ``--window``."""


def presence_query(component: str) -> str:
    """Instances of ``component`` that Prometheus scrapes (one series per instance)."""
    return f"count by (instance) ({PRESENCE[component]})"


def with_thresholds(
    catalogue: Iterable[CheckSpec], overrides: Mapping[str, Mapping[str, float | None]]
) -> tuple[CheckSpec, ...]:
    """``catalogue`` with thresholds from the config file (``{"collector.x": {"degraded": 1}}``).

    Raises:
        ValueError: an override names an unknown check or key.
    """
    specs = {s.key: s for s in catalogue}
    for key, levels in overrides.items():
        if key not in specs:
            raise ValueError(f"unknown pipeline check {key!r}")
        unknown = set(levels) - {"degraded", "failing"}
        if unknown:
            raise ValueError(f"{key}: unknown threshold {sorted(unknown)[0]!r}")
        spec = specs[key]
        specs[key] = replace(spec, thresholds=replace(spec.thresholds, **levels))  # type: ignore[arg-type]
    return tuple(specs.values())


def format_value(value: float, unit: Unit) -> str:
    """How a value reads in messages.

    >>> format_value(0.05, "ratio"), format_value(1234.0, "count"), format_value(2.5, "factor")
    ('5%', '1,234', '2.5×')
    """
    if unit == "ratio":
        # Rounded first: counters' extrapolated increases carry float noise (6.2500000001).
        pct = round(value * 100, 9)
        return f"{pct:.0f}%" if pct == round(pct) or pct >= 10 else f"{pct:.2g}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "seconds":
        return f"{value:.3g}s"
    if unit == "factor":
        return f"{value:.3g}×"
    return "yes" if value >= 1 else "no"


def _subject(spec: CheckSpec, labels: Mapping[str, str]) -> str:
    parts = [labels.get(name, "") for name in spec.subject]
    first, rest = parts[0], [p for p in parts[1:] if p]
    return f"{first} ({', '.join(rest)})" if rest else first


def judge(
    spec: CheckSpec, answers: Iterable[tuple[Mapping[str, str], float]], window: str
) -> list[PipelineCheck]:
    """Judge one check's answers (label set, value); NaN answers (0/0) are skipped."""
    out: list[PipelineCheck] = []
    for labels, value in answers:
        if math.isnan(value):
            continue
        status = spec.thresholds.judge(value)
        shown = {k: labels[k] for k in spec.subject if k in labels}
        if spec.unit == "bool":
            message = f"{spec.what}: {format_value(value, 'bool')}"
        else:
            message = f"{format_value(value, spec.unit)} {spec.what} ({window})"
        out.append(
            PipelineCheck(
                component=spec.component,
                instance=_subject(spec, labels),
                check=spec.check,
                status=status,
                value=value,
                threshold=spec.thresholds.applying(status),
                message=message,
                hint=None if status is PipelineStatus.OK else spec.hint,
                labels=shown,
            )
        )
    return sorted(out, key=lambda c: c.instance)
