"""``make_span``: the fast way to build a ``Span`` gives exactly what ``Span(...)`` gives."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from obsctl.model.traces import (
    RefType,
    Span,
    SpanEvent,
    SpanKind,
    SpanLink,
    StatusCode,
    make_span,
)

FULL: tuple[Any, ...] = (
    "0af7651916cd43dd8448eb211c80319c",
    "b7ad6b7169203331",
    "00f067aa0ba902b7",
    "GET /checkout",
    "frontend",
    SpanKind.SERVER,
    1_000,
    2_500,
    StatusCode.ERROR,
    "boom",
    (("http.method", "GET"), ("n", 3)),
    (("service.name", "frontend"),),
    (SpanEvent(1_200, "exception", (("exception.type", "E"),)),),
    (SpanLink("0af7651916cd43dd8448eb211c80319d", "b7ad6b7169203332"),),
    RefType.FOLLOWS_FROM,
    "scope",
    True,
)


@pytest.mark.parametrize("nargs", [8, len(FULL)])
def test_make_span_equals_span(nargs: int) -> None:
    made, plain = make_span(*FULL[:nargs]), Span(*FULL[:nargs])
    assert type(made) is Span
    assert made == plain
    assert hash(made) == hash(plain)
    assert repr(made) == repr(plain)
    # Every field is set (a field added to Span but not to the builder would be missing).
    for f in dataclasses.fields(Span):
        assert getattr(made, f.name) == getattr(plain, f.name)
    assert pickle.loads(pickle.dumps(made)) == plain


def test_made_span_is_frozen() -> None:
    span = make_span(*FULL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.name = "other"  # type: ignore[misc]
    assert dataclasses.replace(span, name="other").name == "other"


def test_builder_mirrors_every_field_in_order() -> None:
    assert make_span is not Span  # the fast constructor is in use
    assert make_span.__slots__ == Span.__slots__ == tuple(f.name for f in dataclasses.fields(Span))
