"""Renderers: the only package besides ``tui`` that draws.

``emit(result, fmt, consoles)`` dispatches on the result's type and the output format to a
renderer registered with ``@renderer(ResultType, "text", "json", …)``. Each feature keeps its
renderers in its own module (``render/query.py``, ``render/trace.py``, …); the CLI command
imports that module, which registers them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from obsctl.render.console import Consoles

Renderer = Callable[[Any, "Consoles"], None]
_R = TypeVar("_R", bound=Renderer)
_REGISTRY: dict[tuple[type, str], Renderer] = {}


def renderer(result_type: type, *formats: str) -> Callable[[_R], _R]:
    """Register the decorated function as the renderer of ``result_type`` for ``formats``."""

    def register(fn: _R) -> _R:
        for fmt in formats:
            _REGISTRY[(result_type, fmt)] = fn
        return fn

    return register


def formats_for(result_type: type) -> list[str]:
    """Output formats registered for ``result_type``."""
    return sorted(fmt for (t, fmt) in _REGISTRY if t is result_type)


def emit(result: object, fmt: str, consoles: Consoles) -> None:
    """Render ``result`` in ``fmt`` to ``consoles.out``.

    Raises:
        LookupError: no renderer is registered for the pair (a programming error).
    """
    for klass in type(result).__mro__:
        fn = _REGISTRY.get((klass, fmt))
        if fn is not None:
            fn(result, consoles)
            return
    raise LookupError(f"no {fmt!r} renderer for {type(result).__name__}")
