"""Exposition parser: grammar edge cases, line numbers, hostile input, the OpenMetrics suite."""

from __future__ import annotations

import csv
import gzip
import random

import pytest

from obsctl.analysis.lint import LintConfig, lint_exposition
from obsctl.model.findings import Severity
from obsctl.parsers.exposition import ExpositionParser, detect_format, parse_exposition_text
from tests.conftest import SHARED

# The OpenMetrics parser test suite, read from ``../shared`` beside the checkout.
SUITE = SHARED / "data" / "openmetrics-testsuite"


def _cases() -> list[tuple[str, bool]]:
    index = SUITE / "cases.tsv"
    if not index.is_file():
        return []
    with index.open(encoding="utf-8") as fh:
        return [(r["case"], r["shouldParse"] == "true") for r in csv.DictReader(fh, delimiter="\t")]


def _rejected(data: bytes, fmt: str) -> list[str]:
    expo = parse_exposition_text(data, fmt=fmt)
    return [
        f"{f.location.line}: {f.rule_id} {f.message}"
        for f in lint_exposition(expo, LintConfig())
        if f.severity is Severity.ERROR and (f.rule_id == "OBS000" or f.rule_id.startswith("OBS3"))
    ]


@pytest.mark.skipif(not _cases(), reason="OpenMetrics test suite not present")
def test_openmetrics_suite_agreement() -> None:
    cases = _cases()
    assert len(cases) == 211
    wrong = []
    for case, should_parse in cases:
        errors = _rejected((SUITE / case / "metrics").read_bytes(), "openmetrics")
        if should_parse == bool(errors):
            wrong.append((case, should_parse, errors[:2]))
    assert wrong == []


def test_line_numbers_on_families_and_samples() -> None:
    expo = parse_exposition_text(
        '# HELP a A.\n# TYPE a gauge\na{x="1"} 1\n\nb 2\na{x="2"} 3\n', fmt="text"
    )
    a, b = expo.families
    assert (a.name, a.line, a.help_line, a.type_line, a.first_sample_line) == ("a", 1, 1, 2, 3)
    assert [s.line for s in a.samples] == [3, 6]
    assert (b.line, b.samples[0].line, b.type) == (5, 5, "untyped")
    assert a.interleaved_line == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('metric{label="\\t"} 1\n', "invalid escape sequence '\\t'"),  # only \\ \" \n
        ('metric{@="bla"} 1\n', 'invalid label name for metric "metric"'),
        ('metric{__name__="bla"} 1\n', 'label name "__name__" is reserved'),
        ('metric{label+="bla"} 1\n', "expected '=' after label name, found '+'"),
        ("metric{label=bla} 1\n", "expected '\"' at start of label value, found 'b'"),
        ("metric 3.14 2.72\n", 'expected integer as timestamp, got "2.72"'),  # ms integers
        ("metric 3.14 2 3\n", 'spurious string after timestamp: " 3"'),
        ("metric blubb\n", 'expected float as value, got "blubb"'),
        ("metric 0x1p-3\n", 'expected float as value, got "0x1p-3"'),  # Go extras rejected
        ("metric 1_2\n", 'expected float as value, got "1_2"'),
        ("# HELP m a\n# HELP m b\n", 'second HELP line for metric name "m"'),
        ("m 1\n# TYPE m gauge\n", 'second TYPE line for metric name "m", or TYPE reported'),
        ("# TYPE metric bla\n", 'unknown metric type "bla"'),
        ("# TYPE metric gauge   \n", 'unknown metric type "gauge   "'),  # trailing blanks
        ("# TYPE met-ric gauge\n", "invalid metric name in comment"),
        ('{label="bla"} 1\n', "invalid metric name"),
        ('m{a="1",a="2"} 1\n', 'duplicate label names for metric "m"'),
        ("metric 1 \n", 'expected integer as timestamp, got ""'),  # trailing space
        ("metric 1", "unexpected end of input stream"),  # no final newline
        ('# TYPE h histogram\nh_bucket{le="bla"} 1\n', "expected float as value for 'le' label"),
        ('# TYPE s summary\ns{quantile="x"} 1\n', "expected float as value for 'quantile' label"),
    ],
)
def test_text_format_errors(text: str, message: str) -> None:
    expo = parse_exposition_text(text, fmt="text")
    assert expo.problems, text
    assert expo.problems[0].message.startswith(message)


@pytest.mark.parametrize(
    "text",
    [
        '\n# comment\n  metric  { a = "1" , }  1  \t 2\n',  # whitespace anywhere, trailing comma
        "m{} 1\nn NaN\no +Inf\np -Inf\nq .5\nr 0004.20\ns +3\nt 1 -5\n",  # number forms
        "# TYPE g GAUGE\ng 1\n",  # TYPE is case-insensitive
        "# HELP x some \\\\ help\\n text\n",  # metadata without samples
    ],
)
def test_text_format_accepts(text: str) -> None:
    assert parse_exposition_text(text, fmt="text").problems == []


def test_fast_path_and_slow_path_agree() -> None:
    lines = "".join(f'a{{x="{i % 7}",y="v{i}"}} {i}\n' for i in range(500))
    dup = 'a{y="v3",x="3"} 1\n'  # same series, labels reordered
    fast = parse_exposition_text("# TYPE a gauge\n" + lines + dup, fmt="text", keep_samples=False)
    slow = parse_exposition_text("# TYPE a gauge\n" + lines + dup, fmt="text", keep_samples=True)
    for expo in (fast, slow):
        fam = expo.families[0]
        assert (fam.sample_count, fam.series_count) == (501, 500)
        assert fam.labels["x"].distinct == 7
        assert fam.labels["y"].distinct == 500
        assert fam.duplicates == [(502, 'a{y="v3",x="3"}')]


def test_chunk_boundaries_do_not_matter() -> None:
    data = b"".join(b'm{k="%d"} %d\n' % (i, i) for i in range(2000))
    parser = ExpositionParser("x", "text")
    for i in range(0, len(data), 7):
        parser.feed(data[i : i + 7])
    expo = parser.close()
    assert (expo.lines, expo.series_count, expo.problems) == (2000, 2000, [])


def test_invalid_utf8_is_reported_per_line() -> None:
    expo = parse_exposition_text(b'a 1\nb{x="\xbd"} 2\nc 3\n', fmt="text")
    assert [(p.line, p.message) for p in expo.problems] == [(2, "invalid UTF-8")]
    assert [f.name for f in expo.families] == ["a", "c"]


def test_binary_input_stops_with_one_problem() -> None:
    expo = parse_exposition_text(bytes(range(256)) * 64, fmt="text")
    assert expo.stopped == "binary input"
    assert [p.message for p in expo.problems] == ["input is binary data, not a text exposition"]
    gz = parse_exposition_text(gzip.compress(b"a 1\n"), fmt="text")
    assert gz.problems[0].message == "input is gzip data, not a text exposition"


def test_overlong_line_is_skipped_with_bounded_memory() -> None:
    parser = ExpositionParser("x", "text", max_line_bytes=1 << 16)
    parser.feed(b"a 1\n")
    for _ in range(160):  # a 10 MB line in 64 KB chunks
        parser.feed(b"x" * 65536)
        assert len(parser._pending) <= 1 << 17
    parser.feed(b"\nb 2\n")
    expo = parser.close()
    assert [(p.line, p.message) for p in expo.problems] == [
        (2, "line is longer than 65536 bytes; skipped")
    ]
    assert [f.name for f in expo.families] == ["a", "b"]
    assert expo.families[1].line == 3


def test_garbage_stops_after_max_problems() -> None:
    expo = parse_exposition_text("\n".join(["??"] * 5000) + "\n", fmt="text")
    assert len(expo.problems) == 101
    assert expo.stopped.startswith("too many problems")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a 1\n", "data does not end with # EOF"),
        ("a 1\n# EOF\nb 1\n", "unexpected data after # EOF"),
        ("a 1\n\n# EOF\n", "blank lines are not allowed in OpenMetrics"),
        ("# UNIT a_seconds bytes\n# EOF\n", 'unit "bytes" not a suffix of metric "a_seconds"'),
        ("# TYPE a foo\n# EOF\n", 'invalid metric type "foo"'),
        ("a  1\n# EOF\n", "expected float as value"),  # exactly one space
        ("a 1 NaN\n# EOF\n", 'expected timestamp or comment, got "NaN"'),
        ('a{b="1",} 1\n# EOF\n', "expected label name, got"),  # no trailing comma
        ('# TYPE a gauge\na 1 # {x="y"} 1\n# EOF\n', "exemplars are not allowed on gauge"),
    ],
)
def test_openmetrics_errors(text: str, message: str) -> None:
    expo = parse_exposition_text(text, fmt="openmetrics")
    assert [p.message for p in expo.problems if p.message.startswith(message)], expo.problems


def test_openmetrics_counter_family_and_exemplar() -> None:
    expo = parse_exposition_text(
        "# TYPE a_seconds counter\n# UNIT a_seconds seconds\n"
        'a_seconds_total 1 # {trace_id="abc"} 1 2\n# EOF\n',
        fmt="openmetrics",
    )
    assert expo.problems == []
    fam = expo.families[0]
    assert (fam.name, fam.type, fam.unit) == ("a_seconds", "counter", "seconds")
    assert fam.samples[0].exemplar is not None
    assert fam.samples[0].exemplar.labels == (("trace_id", "abc"),)
    assert "trace_id" not in fam.labels  # exemplar labels never count as series labels


@pytest.mark.parametrize(
    ("head", "tail", "ctype", "expected"),
    [
        (b"a 1\n", b"a 1\n# EOF\n", None, "openmetrics"),
        (b"# TYPE a info\n", None, None, "openmetrics"),
        (b"a 1\n", b"a 1\n", None, "text"),
        (b"", None, "application/openmetrics-text; version=1.0.0", "openmetrics"),
        (b"a 1\n# EOF\n", None, "text/plain; version=0.0.4", "text"),
    ],
)
def test_detect_format(head: bytes, tail: bytes | None, ctype: str | None, expected: str) -> None:
    assert detect_format(head, tail, ctype) == expected


def test_counting_stops_at_max_distinct_and_duplicates_are_capped() -> None:
    data = ("".join(f'a{{id="{i}"}} 1\n' for i in range(50_000)) + "b 1\n" * 300).encode()
    parser = ExpositionParser("x", "text", max_distinct=1000)
    for i in range(0, len(data), 1 << 14):
        parser.feed(data[i : i + (1 << 14)])
    expo = parser.close()
    a, b = expo.families
    assert a.saturated and a.labels["id"].saturated
    assert 1000 <= a.series_count < 3000  # a floor (overshoot ≤ one chunk): memory bounded
    assert (b.duplicate_count, len(b.duplicates)) == (299, 100)
    found = lint_exposition(expo, LintConfig())
    msgs = [f.message for f in found if f.rule_id in ("OBS201", "OBS301")]
    assert msgs[0].startswith("a has many series: ≥ ")
    assert "199 more duplicate samples of b (only the first 100 are listed)" in msgs


def test_series_identity_ignores_label_order_in_fast_blocks() -> None:
    unsorted = "".join(f'b{{y="v{i}",x="{i % 3}"}} 1\n' for i in range(300))
    dup = 'b{x="1",y="v7"}  1\n'  # canonical order, odd spacing: the slow path
    expo = parse_exposition_text(unsorted + dup + 'b{y="v7",x="1"} 2\n', fmt="text")
    fam = expo.families[0]
    assert fam.series_count == 300
    assert [line for line, _ in fam.duplicates] == [301, 302]


def test_series_identity_is_names_and_values_whichever_path() -> None:
    # Fast-path runs (one label, two, none) then the same series on the line parser (odd
    # spacing, quoted names): duplicates; another label name with the same value is not.
    one = "".join(f'c{{x="{i}"}} 1\n' for i in range(20))
    two = "".join(f'd{{x="{i}",y="{i}"}} 1\n' for i in range(20))
    text = (
        "# TYPE c gauge\n" + one + 'c{y="3"} 1\n' + 'c{ x="3"} 1\n'
        "# TYPE d gauge\n" + two + 'd{"y"="4","x"="4"} 1\n' + 'd{x="4",y="5"} 1\n'
        "# TYPE e gauge\n" + "e 1\n" * 9 + "e  2\n"
    )
    c, d, e = parse_exposition_text(text, fmt="text", keep_samples=False).families
    assert (c.series_count, c.duplicate_count, c.duplicates[0][0]) == (21, 1, 23)
    assert (d.series_count, d.duplicate_count, d.duplicates[0][0]) == (21, 1, 45)
    assert (e.series_count, e.duplicate_count) == (1, 9)


def _histogram_text(rng: random.Random, series: int) -> list[str]:
    lines = ["# HELP h x", "# TYPE h histogram"]
    for s in range(series):
        count = 0
        for le in ("0.1", "1", "10", "+Inf"):
            count += rng.randint(0, 3)
            lines.append(f'h_bucket{{job="j{s}",le="{le}"}} {count}')
        lines.append(f'h_sum{{job="j{s}"}} {count * 0.5}')
        lines.append(f'h_count{{job="j{s}"}} {count}')
    return lines


MUTATIONS = [
    lambda lines, i: lines.pop(i),  # a missing line (bucket, +Inf, _count or _sum)
    lambda lines, i: lines.insert(i, lines[i]),  # a duplicate line
    lambda lines, i: lines.__setitem__(i, lines[i].rsplit(" ", 1)[0] + " 999"),  # a wrong value
    lambda lines, i: lines.__setitem__(i, lines[i].rsplit(" ", 1)[0] + " -1"),  # negative
    lambda lines, i: lines.__setitem__(i, lines[i].rsplit(" ", 1)[0] + " NaN"),  # NaN
    lambda lines, i: lines.insert(i, lines.pop(i + 1)),  # two lines swapped
    lambda lines, i: lines.__setitem__(i, lines[i].replace('le="10"', 'le="0.01"')),  # order
    lambda lines, i: lines.__setitem__(i, lines[i].replace("job=", "team=")),  # other labels
]


@pytest.mark.parametrize("seed", range(40))
def test_bulk_histogram_verification_matches_per_sample_rules(seed: int) -> None:
    rng = random.Random(seed)
    lines = _histogram_text(rng, rng.randint(1, 30))
    for _ in range(rng.randint(0, 2)):
        mutate = rng.choice(MUTATIONS)
        mutate(lines, rng.randrange(2, len(lines) - 1))
    text = "\n".join(lines) + "\n"
    bulk = parse_exposition_text(text, fmt="text", keep_samples=False)
    detailed = parse_exposition_text(text, fmt="text", keep_samples=True)
    assert list(lint_exposition(bulk, LintConfig())) == list(
        lint_exposition(detailed, LintConfig())
    )


def _histogram_two_keys(rng: random.Random, series: int, om: bool) -> list[str]:
    lines = ["# HELP h x", "# TYPE h histogram"]
    for s in range(series):
        count = 0
        key = f'job="j{s % 7}",pod="p{s // 7}"'
        for le in ("0.5", "1", "2.5", "10", "+Inf"):
            count += rng.randint(0, 3)
            lines.append(f'h_bucket{{{key},le="{le}"}} {count}')
        lines.append(f"h_sum{{{key}}} {count * 0.5}")
        lines.append(f"h_count{{{key}}} {count}")
        if om and rng.random() < 0.5:
            lines.append(f"h_created{{{key}}} 1700000000")
    return lines


def _rename_series(lines: list[str], i: int) -> None:
    """Every line of the series at ``i`` takes the label values of another series."""
    key = lines[i].split("{", 1)[1].split(',le="', 1)[0].split("}", 1)[0]
    other = next((ln for ln in lines[2:] if key not in ln and "{" in ln), None)
    if other is not None:
        new = other.split("{", 1)[1].split(',le="', 1)[0].split("}", 1)[0]
        lines[:] = [ln.replace(key + ",", new + ",").replace(key + "}", new + "}") for ln in lines]


def _repeat_buckets(lines: list[str], i: int) -> None:
    """The buckets of the series at ``i`` again at the end, without a _sum or _count."""
    key = lines[i].split("{", 1)[1].split(',le="', 1)[0]
    lines.extend([ln for ln in lines if ln.startswith("h_bucket{" + key + ",")])


def _same_bounds_everywhere(lines: list[str], _i: int) -> None:
    """Every series has a bound twice (the bounds still repeat from series to series)."""
    lines[:] = [ln.replace('le="2.5"', 'le="1"') for ln in lines]


def _count_into_next_series(lines: list[str], i: int) -> None:
    """The next ``_count`` line three lines further down, among the next series' buckets."""
    at = next((j for j in range(i, len(lines)) if lines[j].startswith("h_count")), None)
    if at is not None:
        lines.insert(at + 3, lines.pop(at))


PERIODIC_MUTATIONS = [
    *MUTATIONS,
    _count_into_next_series,
    _repeat_buckets,
    _same_bounds_everywhere,
    lambda lines, i: lines.__setitem__(i, lines[i].replace('pod="p', 'pod="q')),  # mid-series
    _rename_series,  # a series repeats another one's labels, elsewhere
    lambda lines, i: lines.__setitem__(i, lines[i].replace('le="2.5"', 'le="1"')),  # repeat
    lambda lines, i: lines.__setitem__(i, lines[i].replace('le="+Inf"', 'le="20"')),  # no +Inf
]


@pytest.mark.parametrize("fmt", ["text", "openmetrics"])
@pytest.mark.parametrize("seed", range(60))
def test_bulk_verification_of_series_with_two_labels_matches_per_sample_rules(
    seed: int, fmt: str
) -> None:
    rng = random.Random(seed)
    om = fmt == "openmetrics"
    lines = _histogram_two_keys(rng, rng.randint(2, 40), om)
    # Each mutation in turn, at a bucket line of a series (not its first one), then maybe
    # another one anywhere.
    buckets = [i for i, ln in enumerate(lines) if 'le="0.5"' not in ln and "_bucket" in ln]
    PERIODIC_MUTATIONS[seed % len(PERIODIC_MUTATIONS)](lines, rng.choice(buckets))
    if rng.random() < 0.3:
        rng.choice(PERIODIC_MUTATIONS)(lines, rng.randrange(2, len(lines) - 1))
    text = "\n".join(lines) + "\n" + ("# EOF\n" if om else "")
    bulk = parse_exposition_text(text, fmt=fmt, keep_samples=False)
    detailed = parse_exposition_text(text, fmt=fmt, keep_samples=True)
    assert list(lint_exposition(bulk, LintConfig())) == list(
        lint_exposition(detailed, LintConfig())
    )


def test_well_formed_histogram_is_verified_in_bulk() -> None:
    text = "\n".join(_histogram_text(random.Random(1), 50)) + "\n"
    fam = parse_exposition_text(text, fmt="text", keep_samples=False).families[0]
    assert fam.structure_verified and fam.samples == []
    assert fam.series_count == 300


FUZZ_SEEDS = [
    b'# HELP a x\n# TYPE a histogram\na_bucket{l="1",le="0.1"} 1\na_bucket{l="1",le="+Inf"} 2\n'
    b'a_count{l="1"} 2\na_sum{l="1"} 3\n# TYPE b counter\nb_total{x="1"} 1\nb_total{x="2"} 2\n'
    b'b_created{x="1"} 1\n# TYPE c summary\nc{quantile="0.5"} 1\nc_sum 1\nc_count 2\n# EOF\n',
    b"# TYPE g gauge\n" + b"".join(b'g{i="%d",j="%d"} %d\n' % (i, i % 3, i) for i in range(60)),
]
_ALPHABET = b' \t\n{}",=#\\+-.0123456789eEaINnf_:le"quantile'


@pytest.mark.parametrize("seed", range(150))
def test_fast_path_agrees_with_line_parser_on_mutated_input(seed: int) -> None:
    rng = random.Random(seed)
    data = bytearray(rng.choice(FUZZ_SEEDS))
    for _ in range(rng.randint(0, 4)):
        pos = rng.randrange(len(data) + 1)
        if rng.random() < 0.5 and data:
            del data[pos : pos + rng.randint(1, 5)]
        else:
            data[pos:pos] = bytes(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 4)))
    step = rng.choice([7, 64, 1 << 20])
    for fmt in ("text", "openmetrics"):
        results = []
        for keep in (False, True):  # keep_samples=True never takes the fast path
            parser = ExpositionParser("x", fmt, keep_samples=keep)
            for i in range(0, len(data), step):
                parser.feed(bytes(data[i : i + step]))
            expo = parser.close()
            summary = [(f.name, f.type, f.series_count, f.sample_count) for f in expo.families]
            results.append((lint_exposition(expo, LintConfig()), summary))
        assert results[0] == results[1]


def test_families_sharing_a_shape_without_metadata_stay_apart() -> None:
    # One compiled pattern serves every single-shape family with the same label names; the
    # metric name is checked per run, so a run stops where the next family starts.
    def run(name: str, n: int) -> str:
        return "".join(f'{name}{{x="{i}",y="a"}} {i}\n' for i in range(n))

    text = run("a", 40) + run("b", 40) + run("a_x", 3) + run("c", 30) + run("a", 41)
    data = text.encode()
    results = []
    for keep in (False, True):
        parser = ExpositionParser("x", "text", keep_samples=keep)
        for i in range(0, len(data), 333):
            parser.feed(data[i : i + 333])
        expo = parser.close()
        summary = [
            (f.name, f.series_count, f.sample_count, f.interleaved_line) for f in expo.families
        ]
        results.append((summary, lint_exposition(expo, LintConfig())))
    assert results[0] == results[1]
    assert results[0][0] == [
        ("a", 41, 81, 114),
        ("b", 40, 40, 0),
        ("a_x", 3, 3, 0),
        ("c", 30, 30, 0),
    ]


@pytest.mark.parametrize("fmt", ["text", "openmetrics"])
def test_histograms_sharing_shapes_stay_apart(fmt: str) -> None:
    # Multi-shape families share patterns by suffix and name length ("hx" and "hy" do);
    # a run stops at another family's lines, with or without metadata in between.
    def hist(name: str, typed: bool, series: int) -> str:
        out = [f"# TYPE {name} histogram"] if typed else []
        for s in range(series):
            for le, c in (("1", 1), ("+Inf", 2)):
                out.append(f'{name}_bucket{{a="{s}",le="{le}"}} {c}')
            out += [f'{name}_sum{{a="{s}"}} 3', f'{name}_count{{a="{s}"}} 2']
        return "\n".join(out) + "\n"

    text = hist("hx", True, 12) + hist("hy", True, 12) + hist("hy", False, 3) + hist("h", True, 9)
    if fmt == "openmetrics":
        text += "# EOF\n"
    data = text.encode()
    results = []
    for keep in (False, True):
        parser = ExpositionParser("x", fmt, keep_samples=keep)
        for i in range(0, len(data), 200):
            parser.feed(data[i : i + 200])
        expo = parser.close()
        summary = [(f.name, f.type, f.series_count, f.sample_count) for f in expo.families]
        results.append((summary, lint_exposition(expo, LintConfig()), expo.problems))
    assert results[0] == results[1]
    assert [(name, series) for name, _, series, _ in results[0][0]][:2] == [("hx", 48), ("hy", 48)]


def _family_text(rng: random.Random, kind: str, series: int, om: bool) -> list[str]:
    lines = [f"# TYPE m {kind}"]
    for s in range(series):
        count = 0
        labels = f'job="j{s}"' if rng.random() < 0.9 else f'job="j{s}",quantile="0.5"'
        if kind == "histogram":
            for le in ("0.1", "1", "10", "+Inf"):
                count += rng.randint(0, 3)
                lines.append(f'm_bucket{{{labels},le="{le}"}} {count}')
        else:
            for q in ("0.5", "0.9", "0.99"):
                lines.append(f'm{{{labels.replace(",quantile", ",q")},quantile="{q}"}} {s}')
            count = s + 1
        lines += [f"m_sum{{{labels}}} {count * 0.5}", f"m_count{{{labels}}} {count}"]
        if om and rng.random() < 0.7:
            lines.append(f"m_created{{{labels}}} 1700000000")
    return lines


OM_MUTATIONS = [
    *MUTATIONS,
    lambda lines, i: lines.__setitem__(i, lines[i].replace('le="+Inf"', 'le="+inf"')),
    lambda lines, i: lines.__setitem__(i, lines[i].replace('le="0.1"', 'le="-1"')),
    lambda lines, i: lines.__setitem__(i, lines[i].replace('quantile="0.9"', 'quantile="9"')),
    lambda lines, i: lines.__setitem__(i, lines[i].replace("m_count", "m_created")),
    lambda lines, i: lines.insert(i, lines.pop(i - 1)),
]


@pytest.mark.parametrize("seed", range(60))
def test_bulk_verification_matches_per_sample_rules_for_all_kinds(seed: int) -> None:
    # Histograms and summaries, text and OpenMetrics: what the bulk proof lets through
    # must be exactly what the per-sample rules find nothing in.
    rng = random.Random(seed)
    om = seed % 2 == 0
    kind = "histogram" if seed % 4 < 2 else "summary"
    lines = _family_text(rng, kind, rng.randint(1, 25), om)
    for _ in range(rng.randint(0, 2)):
        rng.choice(OM_MUTATIONS)(lines, rng.randrange(2, len(lines) - 1))
    text = "\n".join(lines) + ("\n# EOF\n" if om else "\n")
    fmt = "openmetrics" if om else "text"
    bulk = parse_exposition_text(text, fmt=fmt, keep_samples=False)
    detailed = parse_exposition_text(text, fmt=fmt, keep_samples=True)
    assert bulk.problems == detailed.problems
    assert list(lint_exposition(bulk, LintConfig())) == list(
        lint_exposition(detailed, LintConfig())
    )


@pytest.mark.parametrize("seed", range(40))
def test_family_resumed_after_another_is_verified_as_a_whole(seed: int) -> None:
    # Text format: a histogram or summary is settled when another family starts, and
    # continues later (expfmt regroups it). Its proof must cover both parts: a series split
    # across them, repeated in the second part or left incomplete is found as in the
    # per-sample rules.
    rng = random.Random(seed)
    kind = "histogram" if seed % 2 == 0 else "summary"
    lines = _family_text(rng, kind, rng.randint(2, 20), False)
    for _ in range(rng.randint(0, 2)):
        rng.choice(MUTATIONS)(lines, rng.randrange(2, len(lines) - 1))
    cut = rng.randrange(3, len(lines))
    second = lines[cut:]
    if seed % 3 == 0:
        second += lines[2 : 2 + rng.randint(1, 6)]  # samples of the first part again
    gauge = ["# TYPE other gauge", *(f'other{{k="{i}"}} {i}' for i in range(12))]
    text = "\n".join([*lines[:cut], *gauge, *second]) + "\n"
    bulk = parse_exposition_text(text, fmt="text", keep_samples=False)
    detailed = parse_exposition_text(text, fmt="text", keep_samples=True)
    assert bulk.problems == detailed.problems
    assert list(lint_exposition(bulk, LintConfig())) == list(
        lint_exposition(detailed, LintConfig())
    )


def test_settled_family_resumes_unproven() -> None:
    lines = _histogram_text(random.Random(3), 5)
    first = "\n".join(lines) + "\n# TYPE other gauge\nother 1\n"
    expo = parse_exposition_text(first, fmt="text", keep_samples=False)
    assert expo.families[0].structure_verified
    resumed = parse_exposition_text(first + lines[3] + "\n", fmt="text", keep_samples=False)
    fam = resumed.families[0]
    assert not fam.structure_verified
    assert fam.duplicate_count == 1 and fam.interleaved_line == len(lines) + 3
    assert len(fam.samples) == fam.sample_count == len(lines) - 1


@pytest.mark.parametrize("seed", range(30))
def test_shapes_learned_from_earlier_families_change_nothing(seed: int) -> None:
    # A family starts with the shapes of the last family of its type; whatever the next
    # family really looks like, the result is the line parser's.
    rng = random.Random(seed)
    om = seed % 2 == 1
    out = []
    for f in range(rng.randint(2, 6)):
        kind = rng.choice(["histogram", "summary"])
        lines = _family_text(rng, kind, rng.randint(1, 12), om)
        lines = [ln.replace("m_", f"m{f}_").replace("m{", f"m{f}{{") for ln in lines]
        lines[0] = f"# TYPE m{f} {kind}"
        if rng.random() < 0.5:
            lines = [ln.replace("job=", rng.choice(["job=", "team="])) for ln in lines]
        if rng.random() < 0.5 and len(lines) > 3:
            rng.choice(OM_MUTATIONS)(lines, rng.randrange(2, len(lines) - 1))
        out += lines
    text = "\n".join(out) + ("\n# EOF\n" if om else "\n")
    fmt = "openmetrics" if om else "text"
    results = []
    for keep in (False, True):
        expo = parse_exposition_text(text, fmt=fmt, keep_samples=keep)
        summary = [(f.name, f.type, f.series_count, f.sample_count) for f in expo.families]
        results.append((summary, expo.problems, lint_exposition(expo, LintConfig())))
    assert results[0] == results[1]


def test_grouping_after_buckets_needs_the_buckets_in_line_order() -> None:
    from obsctl.parsers.exposition_fast import _grouped_after_buckets

    counts = (["a", "b"], [4, 8])
    assert _grouped_after_buckets(["a", "b"], 3, [1, 2, 3, 5, 6, 7], [counts])
    # Rows are kept in the order read, so the bucket lines rise; if not, nothing is proven.
    assert not _grouped_after_buckets(["a", "b"], 3, [1, 3, 2, 5, 6, 7], [counts])
    assert not _grouped_after_buckets(["a", "b"], 3, [1, 2, 3, 5, 6, 7], [(["a", "b"], [6, 8])])


@pytest.mark.parametrize("fmt", ["text", "openmetrics"])
def test_histograms_with_names_of_one_length_stay_apart_without_metadata(fmt: str) -> None:
    def series(name: str, s: int) -> str:
        b = "".join(f'{name}_bucket{{k="{s}",le="{le}"}} {i}\n' for i, le in enumerate("12"))
        return (
            b
            + f'{name}_bucket{{k="{s}",le="+Inf"}} 2\n{name}_sum{{k="{s}"}} 1\n'
            + (f'{name}_count{{k="{s}"}} 2\n')
        )

    h1 = "".join(series("h1", s) for s in range(12))
    h2 = "".join(series("h2", s) for s in range(12))
    text = f"# TYPE h1 histogram\n{h1}{h2}" + ("# EOF\n" if fmt == "openmetrics" else "")
    results = []
    for keep in (False, True):
        expo = parse_exposition_text(text, fmt=fmt, keep_samples=keep)
        fams = [(f.name, f.type, f.sample_count, f.series_count) for f in expo.families]
        results.append((fams, lint_exposition(expo, LintConfig())))
    assert results[0] == results[1]
    assert [f[0] for f in results[0][0]][:1] == ["h1"] and results[0][0][0][2] == 60


def test_label_stats_across_blocks_agree_with_the_line_parser() -> None:
    """A family read in many blocks: after the first, a label column whose values were all
    seen before skips the longest-value and example work (and hashes each distinct value
    once); a later block that brings a new, longer value or a new example must still count.
    The line parser (``keep_samples=True``) is the reference."""
    lines = []
    for i in range(400):
        code = ("200", "404", "500")[i % 3] if i < 300 else "503-service-unavailable"
        lines.append(f'h_total{{id="{i}",code="{code}",m="GET"}} {i}\n')
    data = ("# TYPE h_total counter\n" + "".join(lines)).encode()
    stats = []
    for keep in (False, True):
        parser = ExpositionParser("x", "text", keep_samples=keep)
        for at in range(0, len(data), 997):  # many blocks of the one family
            parser.feed(data[at : at + 997])
        (family,) = parser.close().families
        stats.append(
            {
                name: (st.distinct, st.sampled_values, st.max_length, st.longest, st.longest_line)
                for name, st in family.labels.items()
            }
        )
    assert stats[0] == stats[1]
    assert stats[0]["code"][3] == "503-service-unavailable" and stats[0]["code"][4] == 302
    assert stats[0]["code"][0] == 4 and stats[0]["m"][0] == 1
