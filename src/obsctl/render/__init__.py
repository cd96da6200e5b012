"""Renderers: the only package besides ``tui`` that draws.

``emit(result, fmt, consoles)`` dispatches on the result's type and the output format to a
renderer registered with ``@renderer(ResultType, "text", "json", …)``. Each feature keeps its
renderers in its own module (``render/query.py``, ``render/trace.py``, …), and ``RENDER_MODULES``
says which module draws which result type: ``emit`` imports it on first use, so callers never
import a render module for its side effect.

``wide`` is the text output with nothing shortened to fit the terminal: ``emit`` draws it with
the type's ``text`` renderer and ``Consoles.wide`` set, which ``render.table.fit_width`` (the one
place tables and the waterfall ask how wide they may be) reads. Off a terminal, text is never
shortened anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from obsctl.render.console import Consoles

Renderer = Callable[[Any, "Consoles"], None]
_R = TypeVar("_R", bound=Renderer)
_REGISTRY: dict[tuple[type, str], Renderer] = {}

RENDER_MODULES: dict[str, str] = {
    "obsctl.model.findings.FindingsReport": "obsctl.render.findings",
    "obsctl.model.rule_catalog.BaselineWritten": "obsctl.render.catalogue",
    "obsctl.model.rule_catalog.RuleCatalog": "obsctl.render.catalogue",
    "obsctl.model.metric_families.LintSummary": "obsctl.render.lint",
    "obsctl.model.metric_families.SnapshotDiff": "obsctl.render.lint",
    "obsctl.model.collector.PipelineGraph": "obsctl.render.validate",
    "obsctl.model.rules.BacktestReport": "obsctl.render.rules",
    "obsctl.model.rule_unittests.RulesTestReport": "obsctl.render.rule_unittests",
    "obsctl.model.metrics.QueryAnswer": "obsctl.render.query",
    "obsctl.model.metrics.SeriesList": "obsctl.render.query",
    "obsctl.model.metrics.LabelList": "obsctl.render.query",
    "obsctl.model.metrics.Metadata": "obsctl.render.query",
    "obsctl.model.alerts.AlertList": "obsctl.render.alerts",
    "obsctl.model.alerts.RouteResult": "obsctl.render.alerts",
    "obsctl.model.alerts.SilenceCreated": "obsctl.render.alerts",
    "obsctl.model.alerts.SilenceList": "obsctl.render.alerts",
    "obsctl.model.metrics.ExemplarList": "obsctl.render.alerts",
    "obsctl.model.trace_analysis.TraceResult": "obsctl.render.trace",
    "obsctl.model.trace_analysis.TraceSearchResult": "obsctl.render.trace",
    "obsctl.model.correlation.CorrelationResult": "obsctl.render.correlate",
    "obsctl.model.doctor.DoctorReport": "obsctl.render.doctor",
    "obsctl.model.config_view.ConfigView": "obsctl.render.config",
    "obsctl.model.config_view.ContextList": "obsctl.render.config",
}
"""Result type (``module.Class``) → the render module that registers its renderers."""


def renderer(result_type: type, *formats: str) -> Callable[[_R], _R]:
    """Register the decorated function as the renderer of ``result_type`` for ``formats``."""

    def register(fn: _R) -> _R:
        for fmt in formats:
            _REGISTRY[(result_type, fmt)] = fn
        return fn

    return register


def formats_for(result_type: type) -> list[str]:
    """Output formats registered for ``result_type``."""
    _lookup(result_type, "")
    return sorted(fmt for (t, fmt) in _REGISTRY if t is result_type)


def emit(result: object, fmt: str, consoles: Consoles) -> None:
    """Render ``result`` in ``fmt`` to ``consoles.out``.

    Raises:
        LookupError: no renderer is registered for the pair (a programming error).
    """
    if fmt == "wide":
        consoles.wide = True
        fmt = "text"
    fn = _lookup(type(result), fmt)
    if fn is None:
        raise LookupError(f"no {fmt!r} renderer for {type(result).__name__}")
    fn(result, consoles)


def _lookup(result_type: type, fmt: str) -> Renderer | None:
    for klass in result_type.__mro__:
        fn = _REGISTRY.get((klass, fmt))
        if fn is not None:
            return fn
    for klass in result_type.__mro__:
        module = RENDER_MODULES.get(f"{klass.__module__}.{klass.__qualname__}")
        if module is not None:
            import importlib

            importlib.import_module(module)
            return _REGISTRY.get((klass, fmt))
    return None
