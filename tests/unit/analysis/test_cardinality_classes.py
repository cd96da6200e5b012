"""Cardinality rules at their edges: which values count as unbounded (IPv6 against host:port,
tokens, query strings, free text), the exact 80 % threshold, budgets and their overrides, and
the server-wide checks."""

from __future__ import annotations

import random

import pytest

from obsctl.analysis.lint.cardinality import (
    Budgets,
    Threshold,
    check_cardinality,
    check_server,
    classify_value,
    dominant_class,
    label_name_hint,
    top_entries,
)
from obsctl.parsers.exposition import parse_exposition_text

UUID = "550e8400-e29b-41d4-a716-446655440000"


# ----------------------------------------------------------------------------- value classes


@pytest.mark.parametrize(
    ("value", "cls"),
    [
        # IPv6 in its forms, against host:port and other colon-separated values.
        ("::1", "IP address"),
        ("fe80::1", "IP address"),
        ("[2001:db8::1]", "IP address"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "IP address"),
        ("localhost:9090", None),  # host:port is bounded
        ("db-1.internal:5432", None),
        ("a:b", None),
        ("12:30", None),
        ("::", None),  # too short to say anything
        # IPv4, with and without a port.
        ("10.0.0.1", "IP address"),
        ("192.168.100.200:65535", "IP address"),
        ("10.0.0", None),
    ],
)
def test_ipv6_against_host_port(value, cls):
    assert classify_value(value) == cls


@pytest.mark.parametrize(
    ("value", "cls"),
    [
        ("aB3dE5fG7hJ9kL1mN3pQ5rS7", "opaque token"),  # 24 chars, digit, upper and lower
        ("aB3dE5fG7hJ9kL1mN3pQ5rS7-_x", "opaque token"),
        ("aB3dE5fG7hJ9kL1mN3pQ5rS", None),  # 23 chars: too short
        ("ab3de5fg7hj9kl1mn3pq5rs7", None),  # no upper case
        ("AB3DE5FG7HJ9KL1MN3PQ5RS7", None),  # no lower case
        ("aBcdEfgHijKlmNopQrsTuvWx", None),  # no digit
        ("aB3dE5fG7hJ9kL1m.N3pQ5rS7", None),  # a dot is not a token character
    ],
)
def test_opaque_token_class(value, cls):
    assert classify_value(value) == cls


@pytest.mark.parametrize(
    ("value", "cls"),
    [
        ("/search?q=shoes", "URL with query string"),
        ("https://shop.example/search?q=shoes&page=2", "URL with query string"),
        ("/users/42?tab=orders", "URL path with IDs"),  # an ID wins over the query string
        ("https://shop.example/users/42", "URL path with IDs"),
        (f"/orders/{UUID}", "URL path with IDs"),
        ("/blobs/0123456789ab", "URL path with IDs"),  # 12+ hex chars with a digit
        ("/blobs/abcdefabcdef", None),  # hex letters only: a word, not an ID
        ("/blobs/0123456789a", None),  # 11 hex chars
        ("/api/users", None),
        ("https://shop.example", None),
        ("42/users", None),  # not a path
    ],
)
def test_url_and_query_string_classes(value, cls):
    assert classify_value(value) == cls


@pytest.mark.parametrize(
    ("value", "cls"),
    [
        ("a" * 20 + " " + "b" * 20, "free text"),  # 41 characters with a space
        ("a" * 20 + " " + "b" * 19, None),  # 40 characters
        ("z" * 50, None),  # long, but no space
    ],
)
def test_free_text_class(value, cls):
    assert classify_value(value) == cls


@pytest.mark.parametrize(
    ("value", "cls"),
    [
        ("0af7651916cd43dd", "hex ID"),  # 16 hex chars
        ("0x0af7651916cd43dd", "hex ID"),
        ("0af7651916cd43d", None),  # 15
        ("123456", "long number"),
        ("12345", None),
        ("1764064800", "Unix timestamp"),
        ("1764064800.25", "Unix timestamp"),
        ("1764064800123", "Unix timestamp"),  # milliseconds
        ("2026-11-25", "date/time"),
        ("2026-11-25 10:00", "date/time"),
        ("2026-11-25T10:00:00.5+01:00", "date/time"),
        ("bob.smith@mail.example.org", "e-mail address"),
        ("bob@localhost", None),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "JWT"),
        (UUID.upper(), "UUID"),
        ("01ARZ3NDEKTSV4RRFFQ69G5FAV", "ULID"),
        ("01ARZ3NDEKTSV4RRFFQ69G5FAI", None),  # I is not in ULID's alphabet
    ],
)
def test_other_value_classes(value, cls):
    assert classify_value(value) == cls


# ----------------------------------------------------------------------------- 80 %


def test_exactly_80_percent_of_10_values_is_unbounded():
    values = [f"10.0.0.{i}" for i in range(8)] + ["a", "b"]
    assert dominant_class(values) == ("IP address", 8, 10)


def test_just_below_80_percent_is_not_unbounded():
    values = [f"10.0.0.{i}" for i in range(7)] + ["a", "b", "c"]
    assert dominant_class(values) is None
    # 79 of 100 is just below; 80 of 100 is on the line.
    assert dominant_class([f"10.0.0.{i}" for i in range(79)] + ["x"] * 21) is None
    assert dominant_class([f"10.0.0.{i}" for i in range(80)] + ["x"] * 20) == (
        "IP address",
        80,
        100,
    )


def test_fewer_than_min_values_is_never_unbounded():
    nine = [f"10.0.0.{i}" for i in range(9)]
    assert dominant_class(nine) is None
    assert dominant_class(nine, min_values=9) == ("IP address", 9, 9)
    assert dominant_class([]) is None


def test_no_classified_value_is_not_unbounded():
    assert dominant_class(["GET", "POST", "PUT"] * 5) is None


def _dominant_class_by_definition(values: list[str]) -> tuple[str, int, int] | None:
    if len(values) < 10:
        return None
    counts: dict[str, int] = {}
    for v in values:
        cls = classify_value(v)
        if cls is not None:
            counts[cls] = counts.get(cls, 0) + 1
    if not counts:
        return None
    cls, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return (cls, n, len(values)) if n * 5 >= len(values) * 4 else None


@pytest.mark.parametrize("seed", range(60))
def test_dominant_class_is_classify_value_at_80_percent(seed: int) -> None:
    # Unclassified values anywhere (first, last, in runs across the slices the check
    # stops early on), around the 80 % line.
    rng = random.Random(seed)
    total = rng.choice([10, 31, 32, 33, 64, 100, 256])
    kinds = [
        lambda i: f"10.0.{i % 250}.{i // 250}",
        lambda i: f"{i:032x}",
        lambda i: f"/api/users/{i}/orders",
        lambda i: f"pod-{i}",
        lambda i: rng.choice(["GET", "POST"]),
    ]
    main, other = rng.sample(kinds, 2)
    share = rng.choice([0.7, 0.78, 0.8, 0.82, 0.9, 1.0])
    values = [main(i) if rng.random() < share else other(i) for i in range(total)]
    if rng.random() < 0.5:
        values.sort(key=lambda v: classify_value(v) is not None)  # unclassified first
    assert dominant_class(values) == _dominant_class_by_definition(values)
    assert dominant_class(sorted(values)) == _dominant_class_by_definition(values)


def test_mixed_classes_need_one_class_at_80_percent():
    values = [f"10.0.0.{i}" for i in range(5)] + [f"user{i}@mail.example" for i in range(5)]
    assert dominant_class(values) is None


# ----------------------------------------------------------------------------- budgets


def test_budget_overrides_by_metric_then_label_then_default():
    b = Budgets(
        metrics={"big": (Threshold(5, 50), Threshold(7, 70)), "half": (None, None)},
        labels={"path": Threshold(3, 30)},
    )
    assert b.series_for("big") == Threshold(5, 50)
    assert b.series_for("half") == Threshold(1000, 10000)
    assert b.series_for("other", server=True) == Threshold(10000, 100000)
    assert b.values_for("big", "path") == Threshold(7, 70)
    assert b.values_for("half", "path") == Threshold(3, 30)
    assert b.values_for(None, "path", server=True) == Threshold(3, 30)
    assert b.values_for(None, "other", server=True) == Threshold(1000, 10000)
    assert b.values_for("other", "other") == Threshold(100, 1000)


def test_label_name_hint_points_trace_ids_at_exemplars():
    assert label_name_hint("Trace_ID") == (
        "use exemplars to link samples to traces instead of a 'Trace_ID' label"
    )
    assert label_name_hint("path") == (
        "use a bounded value (a route template, a class, a bucket) or drop the label"
    )


# ----------------------------------------------------------------------------- one exposition


def families(text: str):
    return parse_exposition_text(text, fmt="text").families


def hits(text: str, budgets: Budgets | None = None) -> list[tuple[str, str, int, str]]:
    out = []
    for fam in families(text):
        for h in check_cardinality(fam, budgets or Budgets()):
            out.append((h.rule.rule_id, h.message, h.line, h.subject))
    return out


def gauge(name: str, lines: list[str]) -> str:
    return f"# HELP {name} x\n# TYPE {name} gauge\n" + "".join(f"{ln}\n" for ln in lines)


def test_series_budget_boundaries_are_inclusive():
    b = Budgets(series=Threshold(3, 5), label_values=Threshold(None, None))
    two = gauge("m", [f'm{{i="{i}"}} 1' for i in range(2)])
    three = gauge("m", [f'm{{i="{i}"}} 1' for i in range(3)])
    five = gauge("m", [f'm{{i="{i}"}} 1' for i in range(5)])
    assert hits(two, b) == []
    assert hits(three, b) == [("OBS201", "m has many series: 3 (warning at 3)", 1, "m")]
    assert hits(five, b) == [("OBS202", "m has many series: 5 (budget 5)", 1, "m")]


def test_label_value_budget_boundaries_and_subject():
    b = Budgets(series=Threshold(None, None), label_values=Threshold(2, 4))
    text = gauge("m", [f'm{{i="{i}"}} 1' for i in range(4)])
    assert hits(text, b) == [
        ("OBS204", "label 'i' of m has many distinct values: 4 (budget 4)", 3, "m{i}")
    ]
    text = gauge("m", [f'm{{i="{i}"}} 1' for i in range(2)])
    assert hits(text, b) == [
        ("OBS203", "label 'i' of m has many distinct values: 2 (warning at 2)", 3, "m{i}")
    ]


def test_disabled_thresholds_never_fire():
    b = Budgets(series=Threshold(None, None), label_values=Threshold(None, None))
    assert hits(gauge("m", [f'm{{i="{i}"}} 1' for i in range(50)]), b) == []


def test_exempt_labels_are_not_counted():
    b = Budgets(series=Threshold(None, None), label_values=Threshold(1, 1))
    text = "# HELP h x\n# TYPE h histogram\n" + "".join(
        f'h_bucket{{le="{le}"}} 1\n' for le in ("1", "2", "+Inf")
    )
    assert [h[0] for h in hits(text, b)] == []


def test_unbounded_label_message_hint_and_line():
    text = gauge("m", [f'm{{peer="10.0.0.{i}"}} 1' for i in range(10)])
    fam = families(text)[0]
    found = [h for h in check_cardinality(fam, Budgets()) if h.rule.rule_id == "OBS205"]
    assert len(found) == 1
    h = found[0]
    assert h.message == (
        "label 'peer' of m looks unbounded: 10 of 10 sampled values look like an IP address "
        "(10 distinct)"
    )
    assert h.hint == "replace it with a bounded value or drop it"
    assert (h.line, h.subject, h.text) == (3, "m{peer}", 'm{peer="10.0.0.0"} 1')


def test_unbounded_trace_id_label_hints_at_exemplars():
    text = gauge("m", [f'm{{TraceID="{i:032x}"}} 1' for i in range(10)])
    found = [
        h for h in check_cardinality(families(text)[0], Budgets()) if h.rule.rule_id == "OBS205"
    ]
    assert found[0].hint == "use exemplars to link samples to traces instead of a 'TraceID' label"
    assert "look like a hex ID" in found[0].message


@pytest.mark.parametrize(
    ("cls_values", "phrase"),
    [
        ([f"user{i}@mail.example" for i in range(10)], "an e-mail address"),
        ([f"aB3dE5fG7hJ9kL1mN3pQ5rS{i}" for i in range(10)], "an opaque token"),
        ([f"connection reset by peer while reading the body {i}" for i in range(10)], "free text"),
        ([f"/search?q=item{chr(97 + i)}" for i in range(10)], "a URL with a query string"),
        ([f"/u/{i}" for i in range(10)], "a URL path with IDs"),
    ],
)
def test_unbounded_classes_read_as_noun_phrases(cls_values, phrase):
    text = gauge("m", [f'm{{v="{v}"}} 1' for v in cls_values])
    found = [
        h for h in check_cardinality(families(text)[0], Budgets()) if h.rule.rule_id == "OBS205"
    ]
    assert found[0].message.endswith(f"look like {phrase} (10 distinct)")


def test_risky_label_name_any_case():
    text = gauge("m", ['m{User_ID="a"} 1'])
    found = [
        h for h in check_cardinality(families(text)[0], Budgets()) if h.rule.rule_id == "OBS206"
    ]
    assert [(h.message, h.subject, h.line) for h in found] == [
        ("label 'User_ID' of m is named like an unbounded identifier", "m{User_ID}", 3)
    ]
    assert found[0].hint == label_name_hint("User_ID")


def test_long_label_value_limit_is_exclusive():
    b = Budgets(label_value_length=10)
    ok = gauge("m", ['m{v="' + "x" * 10 + '"} 1'])
    long = gauge("m", ['m{v="short"} 1', 'm{v="' + "x" * 11 + '"} 1'])
    assert [h for h in hits(ok, b) if h[0] == "OBS207"] == []
    assert [h for h in hits(long, b) if h[0] == "OBS207"] == [
        ("OBS207", "label 'v' of m has a 11-byte value (limit 10)", 4, "m{v}")
    ]


def test_bucket_budget_is_exclusive_and_counts_distinct_le():
    def histogram(n: int) -> str:
        les = [str(i) for i in range(1, n)] + ["+Inf"]
        return "# HELP h x\n# TYPE h histogram\n" + "".join(
            f'h_bucket{{le="{le}"}} 1\n' for le in les
        )

    b = Budgets(buckets=4)
    assert [h for h in hits(histogram(4), b) if h[0] == "OBS208"] == []
    assert [h for h in hits(histogram(5), b) if h[0] == "OBS208"] == [
        ("OBS208", "histogram h has 5 distinct buckets (budget 4)", 1, "h")
    ]
    gauge_with_le = gauge("g", [f'g{{le="{i}"}} 1' for i in range(9)])
    assert [h for h in hits(gauge_with_le, b) if h[0] == "OBS208"] == []


# ----------------------------------------------------------------------------- whole server


def server_hits(series, values, examples=None, budgets=None):
    return [
        (h.rule.rule_id, h.message, h.subject)
        for h in check_server(series, values, examples or {}, budgets or Budgets())
    ]


def test_server_series_budgets_sorted_by_count():
    got = server_hits({"a": 10_000, "b": 100_000, "c": 9_999}, {})
    assert got == [
        ("OBS202", "b has many series: 100,000 (budget 100,000)", "b"),
        ("OBS201", "a has many series: 10,000 (warning at 10,000)", "a"),
    ]


def test_server_label_budgets_skip_exempt_labels():
    got = server_hits(
        {}, {"instance": 50_000, "job": 50_000, "pod": 50_000, "user": 1_000, "x": 10_000}
    )
    assert got == [
        ("OBS204", "label 'x' has many distinct values: 10,000 (budget 10,000)", "{x}"),
        ("OBS203", "label 'user' has many distinct values: 1,000 (warning at 1,000)", "{user}"),
        ("OBS206", "label 'user' is named like an unbounded identifier", "{user}"),
    ]


def test_server_label_budget_respects_configured_exemptions():
    b = Budgets(exempt_labels=frozenset({"tenant"}))
    assert server_hits({}, {"tenant": 1_000_000}, budgets=b) == []


def test_server_unbounded_label_from_examples():
    examples = {"peer": [f"10.0.0.{i}" for i in range(10)]}
    got = server_hits({}, {"peer": 12}, examples)
    assert got == [
        (
            "OBS205",
            "label 'peer' looks unbounded: 10 of 10 sampled values look like an IP address "
            "(12 distinct)",
            "{peer}",
        )
    ]
    hit = next(iter(check_server({}, {"peer": 12}, examples, Budgets())))
    assert hit.hint == label_name_hint("peer")
    assert hit.line == 0


# ----------------------------------------------------------------------------- top entries


def test_top_entries_by_count_then_name_without_exempt_labels():
    text = (
        gauge("a", ['a{x="1",y="1"} 1', 'a{x="2",y="1"} 1'])
        + gauge("b", ['b{z="1"} 1', 'b{z="2"} 1', 'b{z="3"} 1'])
        + "# HELP h x\n# TYPE h histogram\n"
        + "".join(f'h_bucket{{le="{le}"}} 1\n' for le in ("1", "2", "3", "4", "+Inf"))
    )
    expo = parse_exposition_text(text, fmt="text")
    metrics, labels = top_entries(expo, limit=2)
    assert [(e.name, e.count) for e in metrics] == [("h", 5), ("b", 3)]
    assert [(e.name, e.count) for e in labels] == [("b{z}", 3), ("a{x}", 2)]


# ----------------------------------------------------------------------------- every field


def full(hit) -> tuple:
    return (hit.rule.rule_id, hit.message, hit.line, hit.subject, hit.hint, hit.col, hit.text)


def test_every_field_of_each_exposition_hit():
    b = Budgets(
        series=Threshold(2, None),
        label_values=Threshold(None, 2),
        label_value_length=10,
        buckets=1,
    )
    text = (
        "# HELP h x\n# TYPE h histogram\n"
        'h_bucket{user_id="a",le="1"} 1\n'
        'h_bucket{user_id="bbbbbbbbbbbbbbbbbbbbbbbb",le="+Inf"} 1\n'
    )
    got = [full(h) for h in check_cardinality(families(text)[0], b)]
    first = 'h_bucket{user_id="a",le="1"} 1'
    hint = label_name_hint("user_id")
    assert got == [
        (
            "OBS201",
            "h has many series: 2 (warning at 2)",
            1,
            "h",
            "drop or aggregate high-cardinality labels, or raise budgets.metrics.h.series in "
            "obsctl.yaml",
            0,
            "# HELP h x",  # the family's first line
        ),
        (
            "OBS204",
            "label 'user_id' of h has many distinct values: 2 (budget 2)",
            3,
            "h{user_id}",
            None,
            0,
            first,
        ),
        (
            "OBS206",
            "label 'user_id' of h is named like an unbounded identifier",
            3,
            "h{user_id}",
            hint,
            0,
            first,
        ),
        (
            "OBS207",
            "label 'user_id' of h has a 24-byte value (limit 10)",
            4,
            "h{user_id}",
            "long values are usually unbounded (messages, SQL, URLs)",
            0,
            None,
        ),
        (
            "OBS208",
            "histogram h has 2 distinct buckets (budget 1)",
            1,
            "h",
            "use fewer buckets, or native histograms",
            0,
            "# HELP h x",
        ),
    ]


def test_every_field_of_each_server_hit():
    b = Budgets(server_series=Threshold(1, None), server_label_values=Threshold(None, 1))
    examples = {"email": [f"u{i}@mail.example" for i in range(10)]}
    got = [full(h) for h in check_server({"m": 5}, {"email": 10}, examples, b)]
    assert got == [
        ("OBS201", "m has many series: 5 (warning at 1)", 0, "m", None, 0, None),
        (
            "OBS204",
            "label 'email' has many distinct values: 10 (budget 1)",
            0,
            "{email}",
            None,
            0,
            None,
        ),
        (
            "OBS205",
            "label 'email' looks unbounded: 10 of 10 sampled values look like an e-mail "
            "address (10 distinct)",
            0,
            "{email}",
            label_name_hint("email"),
            0,
            None,
        ),
        (
            "OBS206",
            "label 'email' is named like an unbounded identifier",
            0,
            "{email}",
            label_name_hint("email"),
            0,
            None,
        ),
    ]


def test_unbounded_exposition_hit_fields():
    text = gauge("m", [f'm{{peer="10.0.0.{i}"}} 1' for i in range(10)])
    (hit,) = [
        h for h in check_cardinality(families(text)[0], Budgets()) if h.rule.rule_id == "OBS205"
    ]
    assert (hit.col, hit.text, hit.subject) == (0, 'm{peer="10.0.0.0"} 1', "m{peer}")


# ----------------------------------------------------------------------------- more edges


@pytest.mark.parametrize(
    ("value", "cls"),
    [
        ("https://0123456789ab/users", None),  # a hex host name is not a path segment
        ("https://shop.example/login?next=http://x/1", "URL with query string"),
        ("/42/orders", "URL path with IDs"),  # the first segment counts
        ("/search?next=/orders/42?x=1", "URL with query string"),  # only before the first ?
    ],
)
def test_url_segments_are_the_path_before_the_first_query_mark(value, cls):
    assert classify_value(value) == cls


def test_dominant_class_is_the_most_frequent_not_the_last_named():
    values = [f"10.0.0.{i}" for i in range(9)] + [UUID]
    assert dominant_class(values) == ("IP address", 9, 10)


def test_top_entries_keeps_ten_by_default():
    text = "".join(gauge(f"m{i:02d}", [f"m{i:02d} 1"]) for i in range(12))
    metrics, _ = top_entries(parse_exposition_text(text, fmt="text"))
    assert len(metrics) == 10


def test_server_hits_with_equal_counts_are_ordered_by_name():
    got = server_hits({"b": 20_000, "a": 20_000}, {"y": 2_000, "x": 2_000})
    assert [h[2] for h in got] == ["a", "b", "{x}", "{y}"]


def test_server_budgets_honour_metric_and_label_overrides():
    b = Budgets(metrics={"big": (Threshold(None, None), None)}, labels={"x": Threshold(None, None)})
    assert server_hits({"big": 10**6}, {"x": 10**6}, budgets=b) == []


def test_exposition_label_override_by_name_and_exempt_labels_first():
    b = Budgets(series=Threshold(None, None), labels={"id": Threshold(None, 2)})
    text = "# HELP h x\n# TYPE h histogram\n" + "".join(
        f'h_bucket{{le="{le}",id="{i}"}} 1\n' for i, le in enumerate(["1", "+Inf"])
    )
    got = [h[:2] for h in hits(text, b) if h[0] in ("OBS203", "OBS204")]
    assert got == [("OBS204", "label 'id' of h has many distinct values: 2 (budget 2)")]


# ----------------------------------------------------------------------------- the quick no


def _without_lookahead(value: str) -> str | None:
    """``classify_value``'s first step without the lookahead that turns values down early."""
    from obsctl.analysis.lint import cardinality

    for name, pat in (*cardinality.CLASSES, ("IP address", cardinality._IPV4)):
        if pat.fullmatch(value):
            return name
    return None


def test_the_lookahead_turns_down_no_value_a_class_matches() -> None:
    from obsctl.analysis.lint import cardinality

    rng = random.Random(7)
    alphabet = "0123456789abcdefxyzABCDEFGHJKMNPXYZ@.-_:/ Teyj"
    samples = [
        UUID,
        "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "ARZ3NDEKTSV4RRFFQ69G5FAV01",
        "ABCDEF00-E29B-41D4-A716-446655440000",
        "DEADBEEFDEADBEEF",
        "1700000000.5",
        "1700000000123",
        "0x" + "ab" * 9,
        "2024-01-02T03:04:05Z",
        "a.b@example.com",
        " x@y.org",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        "10.0.0.1:9100",
        "pod-17-123",
        "GET",
    ]
    samples += ["".join(rng.choices(alphabet, k=rng.randint(1, 40))) for _ in range(3000)]
    for value in samples:
        m = cardinality._CLASSES_FIRST.fullmatch(value)
        got = cardinality._CLASS_OF_GROUP[m.lastgroup] if m and m.lastgroup else None
        assert got == _without_lookahead(value), value


def test_the_prefilter_passes_every_value_the_slow_checks_classify() -> None:
    """``_MAYBE_REST`` only decides which values ``_classify_rest`` looks at: it must hold
    for every value that function classifies, or a class would be missed."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from obsctl.analysis.lint.cardinality import _MAYBE_REST, _classify_rest

    pieces = st.sampled_from(
        ["/", "//", "://", "?", ":", " ", "#", "\n", "api", "v1", "12345", "p0", "x", "Ab3",
         "0af7651916cd", "0af76519-16cd-43dd-8448-eb211c80319c", "deadbeefcafe", "fe80",
         "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKL", "0123456789"]
    )  # fmt: skip

    @settings(max_examples=3000, deadline=None)
    @given(st.lists(pieces, max_size=8).map("".join))
    def check(value: str) -> None:
        if _classify_rest(value) is not None:
            assert _MAYBE_REST.search(value), value

    check()
    assert not _MAYBE_REST.search("/api/users/p0")  # the values it is there to turn down
