"""Structure rules, one table: each input with every finding it gives, in full (rule, message,
line, subject, hint), so a changed line number, subject or hint fails as well as a missed
finding. One comment per case says what it is about."""

from __future__ import annotations

import pytest

from obsctl.analysis.lint.structure import check_structure, parse_problems
from obsctl.model.metric_families import MAX_DUPLICATES
from obsctl.parsers.exposition import parse_exposition_text

H = "# TYPE h histogram\n"
GH = "# TYPE h gaugehistogram\n"
S = "# TYPE s summary\n"
EOF_ = "# EOF\n"
NO_INF_HINT = 'add a bucket with le="+Inf" equal to _count'
CUMULATIVE_HINT = "export cumulative counts (each bucket includes all lower ones)"
QUANTILE_HINT = "quantiles are fractions: 0.99, not 99"
DUP_HINT = "drop or merge the repeated series"


def hits(text: str, om: bool) -> list[tuple[str, str, int, str, str | None]]:
    expo = parse_exposition_text(text, fmt="openmetrics" if om else "text")
    found = list(parse_problems(expo))
    for fam in expo.families:
        found += check_structure(fam, om)
    return [(h.rule.rule_id, h.message, h.line, h.subject, h.hint) for h in found]


CASES: list[tuple[str, str, bool, list[tuple[str, str, int, str, str | None]]]] = [
    # (id, exposition, OpenMetrics?, findings)
    (
        "series-split-by-another-series",  # OpenMetrics: one series' samples must be adjacent
        H + 'h_bucket{a="1",le="+Inf"} 1\nh_bucket{a="2",le="+Inf"} 1\n'
        'h_count{a="1"} 1\nh_sum{a="1"} 1\nh_count{a="2"} 1\nh_sum{a="2"} 1\n' + EOF_,
        True,
        [
            ("OBS313", 'samples of h{a="1"} are not adjacent', 5, "h", None),
            ("OBS313", 'samples of h{a="2"} are not adjacent', 7, "h", None),
        ],
    ),
    (
        "buckets-after-count",  # OpenMetrics: buckets first, then _count/_sum
        H
        + 'h_count{a="1",b="2"} 1\nh_sum{a="1",b="2"} 1\nh_bucket{a="1",b="2",le="+Inf"} 1\n'
        + EOF_,
        True,
        [("OBS313", 'buckets of h{a="1",b="2"} come after _count/_sum', 4, "h", None)],
    ),
    (
        "om-inf-spelled-lowercase",  # OpenMetrics wants exactly le="+Inf"
        H + 'h_bucket{le="1"} 0\nh_bucket{le="+inf"} 1\nh_count 1\nh_sum 1\n' + EOF_,
        True,
        [
            ("OBS303", "h: the +Inf bucket must be written le=\"+Inf\", not '+inf'", 3, "h", None),
            ("OBS303", 'h has no le="+Inf" bucket', 2, "h", NO_INF_HINT),
        ],
    ),
    (
        "om-inf-lowercase-then-right",  # the wrong spelling does not hide a later right one
        H + 'h_bucket{le="+inf"} 1\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n' + EOF_,
        True,
        [("OBS303", "h: the +Inf bucket must be written le=\"+Inf\", not '+inf'", 2, "h", None)],
    ),
    (
        "text-inf-lowercase-is-fine",  # the text format accepts any float spelling
        H + 'h_bucket{le="1"} 0\nh_bucket{le="+inf"} 1\nh_count 1\nh_sum 1\n',
        False,
        [],
    ),
    (
        "buckets-out-of-order",  # reported once, at the first bucket out of order
        H + 'h_bucket{le="2"} 1\nh_bucket{le="1"} 1\nh_bucket{le="0.5"} 1\n'
        'h_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n',
        False,
        [("OBS311", 'h: bucket le="1" follows le="2"', 3, "h", None)],
    ),
    (
        "unordered-but-cumulative",  # cumulative in le order: no OBS304 for the file order
        H + 'h_bucket{le="2"} 5\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 5\nh_count 5\nh_sum 1\n',
        False,
        [("OBS311", 'h: bucket le="1" follows le="2"', 3, "h", None)],
    ),
    (
        "repeated-le",  # an equal le is out of order too
        H + 'h_bucket{le="1"} 1\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n',
        False,
        [
            ("OBS301", 'metric not unique: h_bucket{le="1"} already appeared', 3, "h", DUP_HINT),
            ("OBS311", 'h: bucket le="1" follows le="1"', 3, "h", None),
        ],
    ),
    (
        "not-cumulative",  # reported once, at the first decrease
        H + 'h_bucket{le="1"} 5\nh_bucket{le="2"} 3\nh_bucket{le="3"} 1\n'
        'h_bucket{le="+Inf"} 5\nh_count 5\nh_sum 1\n',
        False,
        [
            (
                "OBS304",
                'h: bucket le="2" has 3, less than the bucket below (5)',
                3,
                "h",
                CUMULATIVE_HINT,
            )
        ],
    ),
    (
        "not-cumulative-across-a-nan-bucket",  # a NaN bucket is skipped, not a reset
        H + 'h_bucket{le="1"} 5\nh_bucket{le="2"} NaN\nh_bucket{le="3"} 3\n'
        'h_bucket{le="+Inf"} 5\nh_count 5\nh_sum 1\n',
        False,
        [
            ("OBS306", "negative bucket population for histogram h: nan", 3, "h", None),
            (
                "OBS304",
                'h: bucket le="3" has 3, less than the bucket below (5)',
                4,
                "h",
                CUMULATIVE_HINT,
            ),
        ],
    ),
    (
        "not-cumulative-and-no-inf",  # one finding does not stop the checks after it
        H + 'h_bucket{le="1"} 5\nh_bucket{le="2"} 3\nh_count 5\nh_sum 1\n',
        False,
        [
            (
                "OBS304",
                'h: bucket le="2" has 3, less than the bucket below (5)',
                3,
                "h",
                CUMULATIVE_HINT,
            ),
            ("OBS303", 'h has no le="+Inf" bucket', 2, "h", NO_INF_HINT),
        ],
    ),
    (
        "no-buckets-at-all",  # _count and _sum only
        H + "h_count 1\nh_sum 1\n",
        False,
        [("OBS303", 'h has no le="+Inf" bucket (no buckets at all)', 2, "h", NO_INF_HINT)],
    ),
    (
        "bucket-without-le",  # and the +Inf bucket after it still counts
        H + 'h_bucket 1\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n',
        False,
        [("OBS302", 'h_bucket has no "le" label', 2, "h", None)],
    ),
    (
        "negative-count",  # also differs from +Inf
        H + 'h_bucket{le="+Inf"} 1\nh_count -1\nh_sum 1\n',
        False,
        [
            ("OBS306", "negative count for histogram h: -1", 3, "h", None),
            ("OBS305", "h_count is -1 but the +Inf bucket is 1", 3, "h", None),
        ],
    ),
    (
        "nan-count",
        H + 'h_bucket{le="+Inf"} 1\nh_count NaN\nh_sum 1\n',
        False,
        [
            ("OBS306", "negative count for histogram h: nan", 3, "h", None),
            ("OBS305", "h_count is nan but the +Inf bucket is 1", 3, "h", None),
        ],
    ),
    (
        "negative-bucket",
        H + 'h_bucket{le="1"} -1\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n',
        False,
        [("OBS306", "negative bucket population for histogram h: -1", 2, "h", None)],
    ),
    (
        "count-differs-from-inf-with-labels",
        H + 'h_bucket{a="x",le="+Inf"} 1\nh_count{a="x"} 2\nh_sum{a="x"} 1\n',
        False,
        [("OBS305", 'h{a="x"}_count is 2 but the +Inf bucket is 1', 3, "h", None)],
    ),
    (
        "sum-without-count",
        H + 'h_bucket{le="+Inf"} 1\nh_sum 1\n',
        False,
        [("OBS308", "h has _sum but no _count", 3, "h", None)],
    ),
    (
        "no-count-no-sum-text",  # a warning in the text format ...
        H + 'h_bucket{le="+Inf"} 1\n',
        False,
        [("OBS309", "h has no _count and no _sum", 2, "h", None)],
    ),
    ("no-count-no-sum-om", H + 'h_bucket{le="+Inf"} 1\n' + EOF_, True, []),  # ... allowed in OM
    (
        "nan-sum-om",  # OpenMetrics only
        H + 'h_bucket{le="+Inf"} 1\nh_count 1\nh_sum NaN\n' + EOF_,
        True,
        [("OBS310", "h_sum is NaN", 4, "h", None)],
    ),
    ("nan-sum-text", H + 'h_bucket{le="+Inf"} 1\nh_count 1\nh_sum NaN\n', False, []),
    (
        "negative-sum-without-negative-buckets",
        H + 'h_bucket{le="+Inf"} 1\nh_count 1\nh_sum -1\n' + EOF_,
        True,
        [("OBS310", "h_sum is negative but no bucket is below 0", 4, "h", None)],
    ),
    (
        "negative-sum-with-a-zero-bucket",  # le="0" is not below 0
        H + 'h_bucket{le="0"} 0\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum -1\n' + EOF_,
        True,
        [("OBS310", "h_sum is negative but no bucket is below 0", 5, "h", None)],
    ),
    (
        "negative-buckets-with-a-sum",  # OpenMetrics: then there must be no _sum
        H + 'h_bucket{le="-1"} 0\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum -1\n' + EOF_,
        True,
        [("OBS310", "h has negative buckets, so it must not have _sum", 5, "h", None)],
    ),
    (
        "gauge-histogram-negative-buckets-are-fine",
        GH + 'h_bucket{le="-1"} -2\nh_bucket{le="+Inf"} 1\nh_gcount 1\nh_gsum -1\n' + EOF_,
        True,
        [],
    ),
    (
        "gauge-histogram-negative-population-at-zero",  # only buckets below 0 may be negative
        GH + 'h_bucket{le="0"} -1\nh_bucket{le="+Inf"} 1\nh_gcount 1\nh_gsum 1\n' + EOF_,
        True,
        [("OBS306", "negative bucket population for histogram h: -1", 2, "h", None)],
    ),
    (
        "gauge-histogram-nan-population",  # NaN is never a population
        GH + 'h_bucket{le="-1"} NaN\nh_bucket{le="+Inf"} 1\nh_gcount 1\nh_gsum 1\n' + EOF_,
        True,
        [("OBS306", "negative bucket population for histogram h: nan", 2, "h", None)],
    ),
    (
        "gauge-histogram-negative-gcount",
        GH + 'h_bucket{le="+Inf"} 1\nh_gcount -1\nh_gsum 1\n' + EOF_,
        True,
        [
            ("OBS306", "h_gcount is -1", 3, "h", None),
            ("OBS305", "h_gcount is -1 but the +Inf bucket is 1", 3, "h", None),
        ],
    ),
    (
        "gauge-histogram-nan-gcount",
        GH + 'h_bucket{le="+Inf"} 1\nh_gcount NaN\nh_gsum 1\n' + EOF_,
        True,
        [
            ("OBS306", "h_gcount is nan", 3, "h", None),
            ("OBS305", "h_gcount is nan but the +Inf bucket is 1", 3, "h", None),
        ],
    ),
    (
        "gauge-histogram-gcount-differs",
        GH + 'h_bucket{le="+Inf"} 1\nh_gcount 3\nh_gsum 1\n' + EOF_,
        True,
        [("OBS305", "h_gcount is 3 but the +Inf bucket is 1", 3, "h", None)],
    ),
    (
        "gauge-histogram-gsum-without-gcount",
        GH + 'h_bucket{le="+Inf"} 1\nh_gsum 1\n' + EOF_,
        True,
        [("OBS308", "h has _gsum but no _gcount", 3, "h", None)],
    ),
    (
        "quantiles-outside-0-1",  # 0 and 1 themselves are fine
        S + 's{quantile="1.5"} 1\ns{quantile="-0.1"} 1\ns{quantile="0"} 1\ns{quantile="1"} 1\n'
        "s_count 1\ns_sum 1\n",
        False,
        [
            ("OBS307", 's: quantile="1.5" is outside [0, 1]', 2, "s", QUANTILE_HINT),
            ("OBS307", 's: quantile="-0.1" is outside [0, 1]', 3, "s", QUANTILE_HINT),
        ],
    ),
    (
        "nan-quantile",
        S + 's{quantile="NaN"} 1\ns_count 1\ns_sum 1\n',
        False,
        [("OBS307", 's: quantile="NaN" is outside [0, 1]', 2, "s", QUANTILE_HINT)],
    ),
    (
        "summary-with-labels",
        S + 's{a="1",quantile="2"} 1\ns_count{a="1"} -1\ns_sum{a="1"} 1\n',
        False,
        [
            ("OBS307", 's{a="1"}: quantile="2" is outside [0, 1]', 2, "s", QUANTILE_HINT),
            ("OBS310", 's{a="1"}_count is -1', 3, "s", None),
        ],
    ),
    (
        "negative-quantile-value-om",  # OpenMetrics only
        S + 's{quantile="0.5"} -1\ns_count 1\ns_sum 1\n' + EOF_,
        True,
        [("OBS310", "s quantile value -1", 2, "s", None)],
    ),
    ("negative-quantile-value-text", S + 's{quantile="0.5"} -1\ns_count 1\ns_sum 1\n', False, []),
    (
        "negative-summary-count",
        S + "s_count -1\ns_sum 1\n",
        False,
        [("OBS310", "s_count is -1", 2, "s", None)],
    ),
    (
        "nan-summary-sum-om",  # OpenMetrics only
        S + "s_count 1\ns_sum NaN\n" + EOF_,
        True,
        [("OBS310", "s_sum is nan", 3, "s", None)],
    ),
    ("nan-summary-sum-text", S + "s_count 1\ns_sum NaN\n", False, []),
    (
        "summary-sum-without-count",
        S + "s_sum 1\n",
        False,
        [("OBS308", "s has _sum but not _count", 2, "s", None)],
    ),
    (
        "summary-count-without-sum",
        S + "s_count 1\n",
        False,
        [("OBS308", "s has _count but not _sum", 2, "s", None)],
    ),
    (
        "summary-without-count-and-sum-text",
        S + 's{quantile="0.5"} 1\n',
        False,
        [("OBS309", "s has no _count and no _sum", 2, "s", None)],
    ),
    ("summary-without-count-and-sum-om", S + 's{quantile="0.5"} 1\n' + EOF_, True, []),
    (
        "stateset-value",  # 0 or 1 only
        '# TYPE st stateset\nst{st="a"} 1\nst{st="b"} 0\nst{st="c"} 2\n' + EOF_,
        True,
        [("OBS310", "stateset value 2 is not 0 or 1", 4, "st", None)],
    ),
    (
        "info-value",  # 1 only
        '# TYPE i info\ni_info{v="1"} 1\ni_info{v="2"} 2\n' + EOF_,
        True,
        [("OBS310", "info value 2 is not 1", 3, "i", None)],
    ),
    (
        "duplicate-with-labels-reordered",  # label order does not make a new series
        '# TYPE g gauge\ng{a="1",b="2"} 1\ng{b="2",a="1"} 2\n',
        False,
        [("OBS301", 'metric not unique: g{b="2",a="1"} already appeared', 3, "g", DUP_HINT)],
    ),
    (
        "interleaved-family",  # warning at the line where the family resumes
        '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="1"} 2\n',
        False,
        [
            (
                "OBS312",
                "family a continues here after another family (first line 1)",
                5,
                "a",
                "emit each family's lines together",
            )
        ],
    ),
    (
        # NaN is a counter value the text format, Prometheus and promtool accept (OpenMetrics
        # refuses it); a negative one is refused by both.
        "counter-negative-and-nan",
        '# TYPE c_total counter\nc_total{a="1"} -1\nc_total{a="2"} NaN\n',
        False,
        [("OBS310", "counter has a negative value", 2, "c_total", None)],
    ),
    (
        "le-not-last-label",  # the general grouping path: le is still not part of the series
        H + 'h_bucket{le="1",a="x"} 0\nh_bucket{le="+Inf",a="x"} 1\nh_count{a="x"} 1\n'
        'h_sum{a="x"} 1\n' + EOF_,
        True,
        [],
    ),
    (
        "quantile-not-last-label",
        S + 's{quantile="2",a="x"} 1\ns_count{a="x"} 1\ns_sum{a="x"} 1\n',
        False,
        [("OBS307", 's{a="x"}: quantile="2" is outside [0, 1]', 2, "s", QUANTILE_HINT)],
    ),
    (
        "labels-written-in-another-order",  # still one series
        H + 'h_bucket{b="1",a="2",le="+Inf"} 1\nh_count{a="2",b="1"} 1\nh_sum{b="1",a="2"} 1\n',
        False,
        [],
    ),
    (
        "two-adjacent-series-om",  # the second series starts later, and is still adjacent
        H + 'h_bucket{a="1",le="+Inf"} 1\nh_count{a="1"} 1\nh_sum{a="1"} 1\n'
        'h_bucket{a="2",le="+Inf"} 1\nh_count{a="2"} 1\nh_sum{a="2"} 1\n' + EOF_,
        True,
        [],
    ),
    *[
        (
            f"{first}-before-buckets",  # any of them before the buckets breaks the order
            (GH if first.startswith("g") else H)
            + f'h_{first} 1\nh_bucket{{le="+Inf"}} 1\n'
            + "".join(f"h_{o} 1\n" for o in others)
            + EOF_,
            True,
            [("OBS313", "buckets of h come after _count/_sum", 3, "h", None)],
        )
        for first, others in [
            ("count", ["sum"]),
            ("sum", ["count"]),
            ("created", ["count", "sum"]),
            ("gcount", ["gsum"]),
            ("gsum", ["gcount"]),
        ]
    ],
    (
        "gauge-histogram-gcount-without-gsum",
        GH + 'h_bucket{le="+Inf"} 1\nh_gcount 1\n' + EOF_,
        True,
        [("OBS308", "h has _gcount but no _gsum", 3, "h", None)],
    ),
    (
        "gauge-histogram-gcount-zero",
        GH + 'h_bucket{le="+Inf"} 0\nh_gcount 0\nh_gsum 0\n' + EOF_,
        True,
        [],
    ),
    (
        "count-without-sum",
        H + 'h_bucket{le="+Inf"} 1\nh_count 1\n',
        False,
        [("OBS308", "h has _count but no _sum", 3, "h", None)],
    ),
    ("zero-sum-om", H + 'h_bucket{le="+Inf"} 0\nh_count 0\nh_sum 0\n' + EOF_, True, []),
    (
        "minus-inf-bucket-first",  # -Inf is a valid lowest bound, not out of order
        H + 'h_bucket{le="-Inf"} 0\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n',
        False,
        [],
    ),
    ("zero-quantile-value-om", S + 's{quantile="0.5"} 0\ns_count 1\ns_sum 1\n' + EOF_, True, []),
    (
        "summary-series-split-om",
        S + 's{a="1",quantile="0.5"} 1\ns{a="2",quantile="0.5"} 1\ns_count{a="1"} 1\n'
        's_sum{a="1"} 1\ns_count{a="2"} 1\ns_sum{a="2"} 1\n' + EOF_,
        True,
        [
            ("OBS313", 'samples of s{a="1"} are not adjacent', 5, "s", None),
            ("OBS313", 'samples of s{a="2"} are not adjacent', 7, "s", None),
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "om", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_structure_findings(text, om, expected):
    assert hits(text, om) == expected


def test_duplicates_beyond_the_listed_ones_are_summed_up():
    text = "# TYPE g gauge\n" + "g 1\n" * (MAX_DUPLICATES + 6)
    found = hits(text, False)
    listed = [f for f in found if f[1] == "metric not unique: g already appeared"]
    assert len(listed) == MAX_DUPLICATES
    assert listed[0] == ("OBS301", "metric not unique: g already appeared", 3, "g", DUP_HINT)
    expo = parse_exposition_text(text, fmt="text")
    first = next(iter(check_structure(expo.families[0], False)))
    assert (first.col, first.text) == (0, "g")
    assert found[-1] == (
        "OBS301",
        f"5 more duplicate samples of g (only the first {MAX_DUPLICATES} are listed)",
        MAX_DUPLICATES + 2,
        "g",
        None,
    )


def test_parse_problems_become_obs000_with_position():
    expo = parse_exposition_text("# TYPE a gauge\na{x=1} 1\n", fmt="text")
    (hit,) = parse_problems(expo)
    assert hit.rule.rule_id == "OBS000"
    assert (hit.line, hit.subject, hit.text) == (2, "", "a{x=1} 1")
    assert hit.col > 0
    assert hit.message == expo.problems[0].message


def test_one_duplicate_beyond_the_listed_ones_is_summed_up():
    text = "# TYPE g gauge\n" + "g 1\n" * (MAX_DUPLICATES + 2)
    assert hits(text, False)[-1][1] == (
        f"1 more duplicate samples of g (only the first {MAX_DUPLICATES} are listed)"
    )


def _backwards(series: int) -> str:
    """``series`` histogram series, each with its two finite buckets in the wrong order."""
    lines = [H]
    for i in range(series):
        lines.append(
            f'h_bucket{{i="{i}",le="2"}} 1\nh_bucket{{i="{i}",le="1"}} 1\n'
            f'h_bucket{{i="{i}",le="+Inf"}} 1\nh_count{{i="{i}"}} 1\nh_sum{{i="{i}"}} 1\n'
        )
    return "".join(lines)


def test_bucket_order_beyond_the_listed_series_is_summed_up_as_duplicates_are():
    found = [f for f in hits(_backwards(MAX_DUPLICATES + 7), False) if f[0] == "OBS311"]
    assert len(found) == MAX_DUPLICATES + 1
    assert found[0] == ("OBS311", 'h{i="0"}: bucket le="1" follows le="2"', 3, "h", None)
    last_listed = 3 + 5 * (MAX_DUPLICATES - 1)  # the last listed series: its second bucket
    assert found[MAX_DUPLICATES - 1][2] == last_listed
    assert found[-1] == (
        "OBS311",
        f"7 more series of h with buckets out of order (only the first {MAX_DUPLICATES} are "
        "listed)",
        last_listed,
        "h",
        None,
    )


def test_bucket_order_up_to_the_cap_is_listed_in_full():
    found = [f for f in hits(_backwards(MAX_DUPLICATES), False) if f[0] == "OBS311"]
    assert len(found) == MAX_DUPLICATES
    assert not [f for f in found if "more series" in f[1]]
    found = [f for f in hits(_backwards(MAX_DUPLICATES + 1), False) if f[0] == "OBS311"]
    assert found[-1][1].startswith("1 more series of h with buckets out of order")
