"""In-memory series storage: per series, sorted timestamps and values, with stale markers."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from obsctl.analysis.engine.labels import Labels


@dataclass(slots=True)
class StoredSeries:
    """One series: timestamps (Unix ms, ascending), values, and which samples are stale markers."""

    labels: Labels
    ts: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)
    stale: list[bool] = field(default_factory=list)
    any_stale: bool = False

    def add(self, t: int, v: float, *, stale: bool = False) -> None:
        """Insert a sample (replacing one at the same time)."""
        ts = self.ts
        if not ts or t > ts[-1]:
            ts.append(t)
            self.vals.append(v)
            self.stale.append(stale)
        else:
            i = bisect.bisect_left(ts, t)
            if i < len(ts) and ts[i] == t:
                self.vals[i] = v
                self.stale[i] = stale
            else:
                ts.insert(i, t)
                self.vals.insert(i, v)
                self.stale.insert(i, stale)
        if stale:
            self.any_stale = True

    def at(self, t: int, lookback: int) -> tuple[int, float] | None:
        """The newest sample in ``(t - lookback, t]``, unless it is a stale marker."""
        i = bisect.bisect_right(self.ts, t) - 1
        if i < 0 or self.ts[i] <= t - lookback or self.stale[i]:
            return None
        return self.ts[i], self.vals[i]

    def window(self, lo: int, hi: int) -> tuple[list[int], list[float]]:
        """Samples in ``(lo, hi]`` without stale markers."""
        a = bisect.bisect_right(self.ts, lo)
        b = bisect.bisect_right(self.ts, hi)
        if not self.any_stale:
            return self.ts[a:b], self.vals[a:b]
        ts: list[int] = []
        vs: list[float] = []
        for i in range(a, b):
            if not self.stale[i]:
                ts.append(self.ts[i])
                vs.append(self.vals[i])
        return ts, vs


class Storage:
    """Series by label set, with an index by metric name for selectors."""

    def __init__(self) -> None:
        self._series: dict[Labels, StoredSeries] = {}
        self._by_name: dict[str, list[StoredSeries]] = {}

    def series(self, labels: Labels) -> StoredSeries:
        """The series with exactly ``labels``, created when missing."""
        s = self._series.get(labels)
        if s is None:
            s = StoredSeries(labels)
            self._series[labels] = s
            name = next((v for k, v in labels if k == "__name__"), "")
            self._by_name.setdefault(name, []).append(s)
        return s

    def add(self, labels: Labels, t: int, v: float, *, stale: bool = False) -> None:
        """Append one sample."""
        self.series(labels).add(t, v, stale=stale)

    def clear(self) -> None:
        """Drop everything."""
        self._series.clear()
        self._by_name.clear()

    def __iter__(self) -> Iterator[StoredSeries]:
        return iter(self._series.values())

    def __len__(self) -> int:
        return len(self._series)

    def sample_count(self) -> int:
        """Samples held, stale markers included."""
        return sum(len(s.ts) for s in self._series.values())

    def select(self, name: str | None, match: Callable[[Labels], bool]) -> list[StoredSeries]:
        """Series (sorted by labels) whose name is ``name`` (any when None) and that ``match``."""
        pool: Iterable[StoredSeries] = (
            self._by_name.get(name, ()) if name is not None else self._series.values()
        )
        return sorted((s for s in pool if match(s.labels)), key=lambda s: s.labels)
