"""The backend registry covers exactly the backend-kind table."""

from __future__ import annotations

import pytest

from obsctl.backends.registry import IMPLEMENTATIONS, make_trace_backend, open_trace_backend
from obsctl.config.kinds import BACKEND_KINDS, TRACES
from obsctl.config.schema import Endpoint
from obsctl.errors import UsageError


def test_every_kind_has_an_implementation_and_nothing_else():
    assert list(IMPLEMENTATIONS) == [k.name for k in BACKEND_KINDS]


@pytest.mark.parametrize("kind", BACKEND_KINDS, ids=lambda k: k.name)
def test_trace_kinds_and_only_they_open_as_trace_backends(kind):
    impl = IMPLEMENTATIONS[kind.name]
    assert (impl.traces is not None or impl.open_traces is not None) == (kind.role == TRACES)


async def test_open_trace_backend_builds_the_kinds_backend():
    ep = Endpoint(kind="jaeger", url="http://127.0.0.1:1", source="flag", configured=True)
    async with open_trace_backend("jaeger", ep) as backend:
        assert backend.name == "jaeger"


def test_a_kind_that_is_no_trace_backend_is_a_usage_error():
    ep = Endpoint(kind="prometheus", url="http://127.0.0.1:1", source="flag", configured=True)
    with pytest.raises(UsageError, match="expected one of tempo, jaeger, zipkin"):
        open_trace_backend("prometheus", ep)
    with pytest.raises(UsageError, match="unknown trace backend 'nope'"):
        make_trace_backend("nope", None, ep)  # type: ignore[arg-type]
