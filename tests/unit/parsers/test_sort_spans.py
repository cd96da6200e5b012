"""``sort_spans``: the canonical span order (start, span ID, server half), computed with a
sort on the start alone plus a sort of each run of equal starts."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from obsctl.model.traces import Span, SpanKind
from obsctl.parsers._trace_common import _ORDER, sort_spans


def _spans(n: int, seed: int, distinct_starts: int) -> list[Span]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = rng.randrange(distinct_starts)
        out.append(
            Span(
                "1" * 32,
                f"{rng.randrange(n // 2 + 1):016x}",  # repeated IDs too
                None,
                f"op{i}",  # tells apart spans whose whole sort key ties
                "svc",
                SpanKind.SERVER,
                start,
                start + 10,
                shared=rng.random() < 0.3,
            )
        )
    return out


@pytest.mark.parametrize(
    ("n", "distinct_starts"),
    [(0, 1), (1, 1), (2, 1), (50, 1), (500, 7), (500, 400), (2000, 100_000), (300, 3)],
)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_order_as_sorting_on_the_whole_key(n: int, distinct_starts: int, seed: int) -> None:
    spans = _spans(n, seed, distinct_starts)
    expected = sorted(spans, key=_ORDER)
    sort_spans(spans)
    assert [s.name for s in spans] == [s.name for s in expected]


def test_a_tie_at_the_end_and_a_span_alone_at_the_start() -> None:
    spans = _spans(6, 9, 1)
    spans[3] = replace(spans[3], start_ns=-5)
    expected = sorted(spans, key=_ORDER)
    sort_spans(spans)
    assert [s.name for s in spans] == [s.name for s in expected]
