"""In-memory series: insertion order, lookback, left-open windows, stale markers, selection."""

from __future__ import annotations

import math

from obsctl.analysis.engine.storage import Storage, StoredSeries

X = (("__name__", "x"),)


def _series(*samples: tuple[int, float]) -> StoredSeries:
    s = StoredSeries(X)
    for t, v in samples:
        s.add(t, v)
    return s


def test_add_inserts_out_of_order_samples_in_time_order() -> None:
    s = _series((3000, 3.0), (1000, 1.0), (2000, 2.0), (0, 0.0), (4000, 4.0))
    assert s.ts == [0, 1000, 2000, 3000, 4000]
    assert s.vals == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert s.stale == [False] * 5
    assert s.any_stale is False


def test_add_at_an_existing_time_replaces_value_and_staleness() -> None:
    s = _series((0, 0.0), (1000, 1.0), (2000, 2.0))
    s.add(1000, 9.0, stale=True)
    assert (s.ts, s.vals, s.stale) == ([0, 1000, 2000], [0.0, 9.0, 2.0], [False, True, False])
    s.add(1000, 8.0)
    assert (s.vals, s.stale) == ([0.0, 8.0, 2.0], [False, False, False])
    s.add(2000, 7.0)  # the newest sample, replaced in place
    assert (s.ts, s.vals) == ([0, 1000, 2000], [0.0, 8.0, 7.0])


def test_a_stale_marker_anywhere_sets_any_stale() -> None:
    s = _series((1000, 1.0))
    s.add(0, math.nan, stale=True)
    assert s.any_stale is True
    assert s.stale == [True, False]


def test_at_takes_the_newest_sample_in_the_left_open_lookback() -> None:
    s = _series((1000, 1.0), (2000, 2.0))
    assert s.at(999, 500) is None  # before the first sample
    assert s.at(1000, 500) == (1000, 1.0)
    assert s.at(1999, 1000) == (1000, 1.0)
    assert s.at(2000, 1000) == (2000, 2.0)
    assert s.at(2999, 1000) == (2000, 2.0)
    assert s.at(3000, 1000) is None  # exactly lookback old: out


def test_at_returns_nothing_when_the_newest_sample_is_a_stale_marker() -> None:
    s = _series((1000, 1.0))
    s.add(2000, math.nan, stale=True)
    assert s.at(1500, 5000) == (1000, 1.0)
    assert s.at(2500, 5000) is None


def test_window_is_left_open_and_right_closed() -> None:
    s = _series((1000, 1.0), (2000, 2.0), (3000, 3.0))
    assert s.window(1000, 3000) == ([2000, 3000], [2.0, 3.0])
    assert s.window(999, 2000) == ([1000, 2000], [1.0, 2.0])
    assert s.window(3000, 9000) == ([], [])


def test_window_leaves_out_stale_markers() -> None:
    s = _series((1000, 1.0), (3000, 3.0))
    s.add(2000, math.nan, stale=True)
    assert s.window(0, 3000) == ([1000, 3000], [1.0, 3.0])
    assert s.window(1000, 2000) == ([], [])
    assert s.window(0, 1000) == ([1000], [1.0])


def test_storage_creates_each_series_once_and_counts_samples_with_markers() -> None:
    st = Storage()
    a = (("__name__", "a"),)
    st.add(a, 0, 1.0)
    st.add(a, 1000, math.nan, stale=True)
    st.add((("__name__", "b"), ("i", "1")), 0, 2.0)
    assert st.series(a) is st.series(a)
    assert len(st) == 2
    assert st.sample_count() == 3
    assert sorted(s.labels for s in st) == [a, (("__name__", "b"), ("i", "1"))]


def test_select_by_name_or_any_name_returns_matches_sorted_by_labels() -> None:
    st = Storage()
    for lbls in (
        (("__name__", "x"), ("i", "2")),
        (("__name__", "x"), ("i", "1")),
        (("__name__", "y"), ("i", "0")),
        (("i", "9"),),
    ):
        st.add(lbls, 0, 1.0)
    assert [s.labels for s in st.select("x", lambda lb: True)] == [
        (("__name__", "x"), ("i", "1")),
        (("__name__", "x"), ("i", "2")),
    ]
    assert [s.labels for s in st.select(None, lambda lb: ("i", "9") in lb or ("i", "0") in lb)] == [
        (("__name__", "y"), ("i", "0")),
        (("i", "9"),),
    ]
    assert [s.labels for s in st.select("", lambda lb: True)] == [(("i", "9"),)]
    assert st.select("z", lambda lb: True) == []


def test_clear_drops_series_and_the_name_index() -> None:
    st = Storage()
    st.add(X, 0, 1.0)
    st.clear()
    assert len(st) == 0
    assert st.select("x", lambda lb: True) == []
    assert st.select(None, lambda lb: True) == []
