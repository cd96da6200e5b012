"""Label sets: construction, lookup, the name and metadata labels, and printing."""

from __future__ import annotations

from obsctl.analysis.engine import labels as L


def test_make_labels_sorts_by_name_and_drops_empty_values() -> None:
    assert L.make_labels({"b": "2", "a": "1", "c": ""}) == (("a", "1"), ("b", "2"))


def test_make_labels_accepts_pairs_as_well_as_a_mapping() -> None:
    assert L.make_labels([("z", "9"), ("m", ""), ("a", "0")]) == (("a", "0"), ("z", "9"))


def test_get_returns_the_value_or_empty_when_absent() -> None:
    lbls = (("a", "1"), ("b", "2"))
    assert L.get(lbls, "b") == "2"
    assert L.get(lbls, "c") == ""


def test_drop_name_removes_the_name_and_the_type_and_unit_metadata() -> None:
    lbls = (("__name__", "x"), ("__type__", "gauge"), ("__unit__", "s"), ("job", "a"))
    assert L.drop_name(lbls) == (("job", "a"),)


def test_drop_name_returns_labels_without_metadata_unchanged() -> None:
    lbls = (("a", "1"), ("b", "2"))
    assert L.drop_name(lbls) is lbls
    assert L.drop_name(()) == ()


def test_keep_only_and_without_split_a_label_set() -> None:
    lbls = (("a", "1"), ("b", "2"), ("c", "3"))
    assert L.keep_only(lbls, frozenset({"a", "c", "zz"})) == (("a", "1"), ("c", "3"))
    assert L.without(lbls, frozenset({"a", "c", "zz"})) == (("b", "2"),)


def test_with_label_adds_in_name_order_replaces_and_removes_on_empty() -> None:
    lbls = (("a", "1"), ("c", "3"))
    assert L.with_label(lbls, "b", "2") == (("a", "1"), ("b", "2"), ("c", "3"))
    assert L.with_label(lbls, "a", "9") == (("a", "9"), ("c", "3"))
    assert L.with_label(lbls, "c", "") == (("a", "1"),)
    assert L.with_label(lbls, "zz", "") == (("a", "1"), ("c", "3"))


def test_fmt_prints_name_then_sorted_quoted_labels() -> None:
    lbls = (("__name__", "up"), ("job", "api"), ("instance", "h:1"))
    assert L.fmt(lbls) == 'up{instance="h:1", job="api"}'


def test_fmt_of_a_bare_name_and_of_labels_without_a_name() -> None:
    assert L.fmt((("__name__", "up"),)) == "up"
    assert L.fmt((("a", "b"),)) == '{a="b"}'
    assert L.fmt(()) == "{}"


def test_fmt_escapes_backslash_quote_and_newline() -> None:
    assert L.fmt((("a", 'x\\y"z\nw'),)) == '{a="x\\\\y\\"z\\nw"}'
