"""Packing an ended family's statistics keeps every count and sampled value."""

from __future__ import annotations

from obsctl.model.metric_families import LabelStats, MetricFamily


def test_sealed_label_keeps_its_sampled_values_and_counts() -> None:
    values = {"", "a", "zz", "line\nbreak", "ünï", "x" * 300, "\x00nul"}
    st = LabelStats("path", 3, value_hashes=set(map(hash, values)), examples=set(values))
    fam = MetricFamily("m", "gauge", 1, series_hashes={1, 2, 3}, labels={"path": st})
    fam.seal()
    assert st.examples == set() and st.value_hashes == set()
    assert st.sampled_values == sorted(values)
    assert st.distinct == len(values) and fam.series_count == 3
    fam.unseal()
    assert st.examples == values and st.sealed_examples is None
    assert st.value_hashes == set(map(hash, values)) and fam.series_hashes == {1, 2, 3}
    assert st.sampled_values == sorted(values)


def test_a_label_without_samples_seals_empty() -> None:
    st = LabelStats("le", 1)
    st.seal()
    assert st.sampled_values == [] and st.distinct == 0


def test_values_without_newlines_pack_into_one_string() -> None:
    values = {"", "b", "a", "ünï", "x y"}
    st = LabelStats("path", 1, examples=set(values))
    st.seal()
    assert isinstance(st.sealed_examples, str)
    assert st.sampled_values == sorted(values)
    one = LabelStats("solo", 1, examples={""})
    one.seal()
    assert one.sampled_values == [""]
