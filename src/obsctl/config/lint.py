"""The ``lint:`` section of the user config and of a project ``obsctl.yaml`` (pure).

``parse_lint_section`` checks the shape and values of one section and returns
``LintSettings``; ``merge_sections`` overlays the project file's section on the user's.
Finding the project file and reading it is ``config.discover.load_lint_settings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from obsctl.errors import ConfigError
from obsctl.model.budgets import EXEMPT_LABELS, Budgets, Threshold
from obsctl.model.findings import Location, Severity

UTF8_NAME_RULE = "OBS118"
"""The lint rule ``name_validation: legacy`` makes an error (``analysis.lint.naming.UTF8_NAME``;
a test keeps the two in step)."""
PROJECT_FILES = ("obsctl.yaml", ".obsctl.yaml")
"""Project-local config files, looked up from the working directory upwards."""


@dataclass(frozen=True, slots=True)
class LintSettings:
    """The effective ``lint:`` section.

    Attributes:
        select / ignore: rule IDs, prefixes or names.
        severities: per rule (ID, prefix or name) severity overrides.
        budgets: cardinality budgets.
        source: where it came from (``user config + ./obsctl.yaml``), for error messages.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: tuple[tuple[str, Severity], ...] = ()
    budgets: Budgets = field(default_factory=Budgets)
    source: str = "config"


def merge_sections(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge two ``lint:`` sections; ``override`` wins (the project file over the user's).

    >>> merge_sections({"budgets": {"buckets": 10, "series": 5}}, {"budgets": {"buckets": 20}})
    {'budgets': {'buckets': 20, 'series': 5}}
    """
    out: dict[str, Any] = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_sections(out[key], value)
        else:
            out[key] = value
    return out


def _err(source: str, path: str, message: str) -> ConfigError:
    return ConfigError(
        f"{path}: {message}",
        location=Location(source),
        hint="see `obsctl lint --help` and docs/lint.md for the lint: section",
    )


def _int(value: object, source: str, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _err(source, path, f"expected a non-negative number, got {value!r}")
    return int(value)


def _threshold(value: object, default: Threshold, source: str, path: str) -> Threshold:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Threshold(default.warn, _int(value, source, path))
    if not isinstance(value, Mapping):
        raise _err(source, path, "expected {warn: N, error: N} or a number")
    unknown = set(value) - {"warn", "error"}
    if unknown:
        raise _err(source, path, f"unknown key(s) {sorted(unknown)}; expected warn, error")
    return Threshold(
        _int(value.get("warn"), source, f"{path}.warn") if "warn" in value else default.warn,
        _int(value.get("error"), source, f"{path}.error") if "error" in value else default.error,
    )


def _str_list(value: object, source: str, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(source, path, "expected a list of rule IDs, prefixes or names")
    return tuple(value)


def parse_lint_section(section: object, *, source: str = "config") -> LintSettings:
    """Validate a ``lint:`` section (already YAML-decoded) into ``LintSettings``.

    Rule names are checked against the catalogue by ``analysis.lint.LintConfig``; this checks
    the shape and the values.

    Raises:
        ConfigError: unknown keys or bad values, with the dotted key path.
    """
    if section is None:
        return LintSettings(source=source)
    if not isinstance(section, Mapping):
        raise _err(source, "lint", "expected a mapping")
    known = {"select", "ignore", "severity", "budgets", "exempt_labels", "name_validation"}
    unknown = set(section) - known
    if unknown:
        raise _err(source, "lint", f"unknown key(s) {sorted(unknown)}; expected {sorted(known)}")
    select = _str_list(section.get("select"), source, "lint.select")
    ignore = _str_list(section.get("ignore"), source, "lint.ignore")
    sev_raw = section.get("severity") or {}
    if not isinstance(sev_raw, Mapping):
        raise _err(source, "lint.severity", "expected a mapping of rule → error|warning|info")
    severities: dict[str, Severity] = {}
    for key, value in sev_raw.items():
        try:
            severities[str(key)] = Severity.parse(str(value))
        except ValueError:
            raise _err(
                source, f"lint.severity.{key}", f"unknown severity {value!r} (error|warning|info)"
            ) from None
    scheme = section.get("name_validation", "utf8")
    if scheme not in ("utf8", "legacy"):
        raise _err(source, "lint.name_validation", f"expected utf8 or legacy, got {scheme!r}")
    if scheme == "legacy":
        # As Prometheus' metric_name_validation_scheme: legacy (and every 2.x scraper): quoted
        # UTF-8 names are errors. An explicit severity for the rule still wins.
        severities.setdefault(UTF8_NAME_RULE, Severity.ERROR)
    budgets = _budgets(section.get("budgets"), source)
    exempt = section.get("exempt_labels")
    if exempt is not None:
        budgets = replace(
            budgets,
            exempt_labels=frozenset(_str_list(exempt, source, "lint.exempt_labels"))
            | EXEMPT_LABELS,
        )
    return LintSettings(select, ignore, tuple(severities.items()), budgets, source)


def _budgets(raw: object, source: str) -> Budgets:
    b = Budgets()
    if raw is None:
        return b
    if not isinstance(raw, Mapping):
        raise _err(source, "lint.budgets", "expected a mapping")
    known = {
        "series",
        "label_values",
        "label_value_length",
        "buckets",
        "metrics",
        "labels",
        "server",
        "growth",
    }
    unknown = set(raw) - known
    if unknown:
        raise _err(source, "lint.budgets", f"unknown key(s) {sorted(unknown)}")
    p = "lint.budgets"
    if "series" in raw:
        b = replace(b, series=_threshold(raw["series"], b.series, source, f"{p}.series"))
    if "label_values" in raw:
        b = replace(
            b,
            label_values=_threshold(
                raw["label_values"], b.label_values, source, f"{p}.label_values"
            ),
        )
    if "label_value_length" in raw:
        b = replace(
            b,
            label_value_length=_int(raw["label_value_length"], source, f"{p}.label_value_length")
            or b.label_value_length,
        )
    if "buckets" in raw:
        b = replace(b, buckets=_int(raw["buckets"], source, f"{p}.buckets") or b.buckets)
    metrics: dict[str, tuple[Threshold | None, Threshold | None]] = {}
    for name, spec in (raw.get("metrics") or {}).items():
        mp = f"{p}.metrics.{name}"
        if isinstance(spec, int | float) and not isinstance(spec, bool):
            metrics[str(name)] = (_threshold(spec, b.series, source, mp), None)
            continue
        if not isinstance(spec, Mapping) or set(spec) - {"series", "label_values"}:
            raise _err(source, mp, "expected {series: …, label_values: …}")
        metrics[str(name)] = (
            _threshold(spec["series"], b.series, source, f"{mp}.series")
            if "series" in spec
            else None,
            _threshold(spec["label_values"], b.label_values, source, f"{mp}.label_values")
            if "label_values" in spec
            else None,
        )
    labels = {
        str(name): _threshold(spec, b.label_values, source, f"{p}.labels.{name}")
        for name, spec in (raw.get("labels") or {}).items()
    }
    b = replace(b, metrics=metrics, labels=labels)
    server = raw.get("server")
    if server is not None:
        if not isinstance(server, Mapping) or set(server) - {"series", "label_values"}:
            raise _err(source, f"{p}.server", "expected {series: …, label_values: …}")
        if "series" in server:
            b = replace(
                b,
                server_series=_threshold(
                    server["series"], b.server_series, source, f"{p}.server.series"
                ),
            )
        if "label_values" in server:
            b = replace(
                b,
                server_label_values=_threshold(
                    server["label_values"],
                    b.server_label_values,
                    source,
                    f"{p}.server.label_values",
                ),
            )
    growth = raw.get("growth")
    if growth is not None:
        if not isinstance(growth, Mapping) or set(growth) - {"percent", "min"}:
            raise _err(source, f"{p}.growth", "expected {percent: N, min: N}")
        b = replace(
            b,
            growth_percent=float(
                _int(growth.get("percent"), source, f"{p}.growth.percent") or b.growth_percent
            )
            if "percent" in growth
            else b.growth_percent,
            growth_min=_int(growth.get("min"), source, f"{p}.growth.min") or 0
            if "min" in growth
            else b.growth_min,
        )
    return b
