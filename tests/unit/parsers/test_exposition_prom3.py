"""Prometheus 3 in the text exposition: quoted UTF-8 names, and the other things Prometheus'
text parser accepts (comments after blanks, NaN counters, HELP after samples)."""

from __future__ import annotations

import pytest

from obsctl.analysis.lint import LintConfig, lint_exposition
from obsctl.analysis.lint.naming import UTF8_NAME
from obsctl.config.lint import UTF8_NAME_RULE
from obsctl.errors import ConfigError
from obsctl.model.findings import Severity
from obsctl.parsers.exposition import parse_exposition_text
from obsctl.workflows.lint import load_lint_config


def _findings(text: str, fmt: str = "text", config: LintConfig | None = None) -> list[str]:
    expo = parse_exposition_text(text, fmt=fmt)
    return [
        f"{f.location.line} {f.rule_id} {f.severity.value} {f.message}"
        for f in lint_exposition(expo, config or LintConfig())
        if f.rule_id != "OBS101"  # no HELP in most cases here
    ]


def _errors(text: str, fmt: str = "text") -> list[str]:
    return [f for f in _findings(text, fmt) if " error " in f]


@pytest.mark.parametrize(
    "line",
    [
        '{"http.server.active_requests","http.request.method"="GET"} 3',
        'node_load1{"k8s.pod.name"="p-1"} 0.5',
        '{"say \\"hi\\"\\\\now"} 1',
        '{"über_requests_total"} 7',
        '{ "a.b" , "c.d"="x" } 1',
        'x{"c.d"="x","e"="y",}  1  1700000000000',
    ],
)
def test_quoted_utf8_names_are_read(line: str) -> None:
    expo = parse_exposition_text(line + "\n", fmt="text")
    assert expo.problems == []
    assert len(expo.families) == 1
    found = _findings(line + "\n")
    assert found == [
        f"1 OBS118 info {expo.families[0].name} is written with quoted UTF-8 names: "
        "Prometheus 3 reads it, Prometheus 2.x and promtool reject it"
    ]


def test_quoted_names_unescape_and_label_names_keep_dots() -> None:
    expo = parse_exposition_text(
        '# HELP "my.metric" Doc.\n# TYPE "my.metric" gauge\n'
        '{"my.metric","k8s.pod"="p","le"="x"} 1\n{"say \\"hi\\"\\\\now"} 2\n',
        fmt="text",
    )
    assert expo.problems == []
    fam, other = expo.families
    assert (fam.name, fam.type, fam.help, fam.quoted_line) == ("my.metric", "gauge", "Doc.", 1)
    assert sorted(fam.labels) == ["k8s.pod", "le"]
    assert other.name == 'say "hi"\\now'


def test_one_info_finding_per_family_at_its_first_quoted_line() -> None:
    text = (
        "# TYPE a gauge\na 1\n"
        '{"b.c"} 1\n{"b.c"} 2\n'  # a duplicate: the same series however often quoted
        'd{"e.f"="1"} 1\nd{"e.f"="2"} 1\n'
    )
    info = [f for f in _findings(text) if "OBS118" in f]
    assert [f.split()[0] for f in info] == ["3", "5"]
    assert any("OBS301" in f and "line" not in f for f in _findings(text))


def test_quoted_and_bare_spellings_are_one_series() -> None:
    expo = parse_exposition_text('up 1\n{"up"} 1\nup{"job"="a"} 1\nup{job="a"} 1\n', fmt="text")
    fam = expo.families[0]
    assert (fam.series_count, fam.duplicate_count) == (2, 2)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("http.server.active_requests 3", "expected float as value"),  # name ends at '.'
        ('{"my.dotted.metric", "error.message"="Not Found"}', "expected float as value"),
        ('"my.metric" 1', "quoted metric name outside braces"),
        ('{"a.b","c.d"} 1', 'multiple metric names for metric "a.b"'),
        ('x{"a.b"} 1', 'multiple metric names for metric "x"'),
        ('{"tab\\there"} 1', "invalid escape sequence '\\t'"),
        ('{"metric.name".label="v"} 1', "unexpected end of metric name"),
        ('{"unterminated 1', 'label name "unterminated 1" contains unescaped new-line'),
        ('{""} 1', "invalid metric name"),
        ('{label="v"} 1', "invalid metric name"),
        ('{"__name__"="x"} 1', 'label name "__name__" is reserved'),
        ('# HELP "x.y', 'metric name "x.y" contains unescaped new-line'),
        ('# TYPE "x.y"gauge', "invalid metric name in comment"),
    ],
)
def test_bad_quoted_names(line: str, message: str) -> None:
    errors = _errors(line + "\n")
    assert len(errors) == 1, errors
    assert errors[0].split(" ", 3)[1] == "OBS000"
    assert message in errors[0]


def test_openmetrics_keeps_legacy_names() -> None:
    assert _errors('{"a.b"} 1\n# EOF\n', fmt="openmetrics") != []


def test_legacy_name_validation_makes_quoted_names_errors() -> None:
    config = load_lint_config({"name_validation": "legacy"})
    found = _findings('{"a.b"} 1\nc 1\n', config=config)
    assert [f for f in found if "OBS118" in f] == [
        "1 OBS118 error a.b is written with quoted UTF-8 names: Prometheus 3 reads it, "
        "Prometheus 2.x and promtool reject it"
    ]
    # An explicit severity still wins; utf8 is the default and accepted.
    config = load_lint_config({"name_validation": "legacy", "severity": {"utf8-name": "warning"}})
    assert config.selection.severity(_rule("OBS118")) is Severity.WARNING
    assert (
        load_lint_config({"name_validation": "utf8"}).selection.severity(_rule("OBS118"))
        is Severity.INFO
    )
    with pytest.raises(ConfigError, match=r"lint\.name_validation"):
        load_lint_config({"name_validation": "ascii"})


def _rule(rule_id: str):
    assert rule_id == UTF8_NAME.rule_id == UTF8_NAME_RULE
    return UTF8_NAME


def test_comment_lines_may_start_with_blanks() -> None:
    text = "  # HELP x doc\n\t# TYPE x counter\n   # just a comment\nx_total 1\n"
    expo = parse_exposition_text(text, fmt="text")
    assert expo.problems == []
    fam = expo.families[0]
    assert (fam.name, fam.help, fam.help_line, fam.type_line) == ("x", "doc", 1, 2)
    assert not any("OBS101" in f for f in _findings(text))


def test_comment_lines_with_blanks_are_still_errors_in_openmetrics() -> None:
    assert _errors("  # HELP x doc\nx 1\n# EOF\n", fmt="openmetrics") != []


def test_histogram_with_a_quantile_label_groups_by_it() -> None:
    lines = ["# HELP h h", "# TYPE h histogram"]
    for q in ("0.5", "0.9"):
        c = 0
        for le in ("0.1", "1", "+Inf"):
            c += 1
            lines.append(f'h_bucket{{quantile="{q}",le="{le}"}} {c}')
        lines += [f'h_count{{quantile="{q}"}} {c}', f'h_sum{{quantile="{q}"}} 1']
    text = "\n".join(lines) + "\n"
    for keep in (True, False):
        expo = parse_exposition_text(text, fmt="text", keep_samples=keep)
        found = [f"{f.rule_id} {f.message}" for f in lint_exposition(expo, LintConfig())]
        assert found == ['OBS106 non-summary metrics should not have "quantile" label']
    # ...and a summary with an le label groups by that.
    text = (
        "# HELP s s\n# TYPE s summary\n"
        's{le="1",quantile="0.5"} 1\ns_count{le="1"} 1\ns_sum{le="1"} 1\n'
        's{le="2",quantile="0.5"} 1\ns_count{le="2"} 1\ns_sum{le="2"} 1\n'
    )
    found = [
        f"{f.rule_id} {f.message}"
        for f in lint_exposition(parse_exposition_text(text), LintConfig())
    ]
    assert found == ['OBS106 non-histogram metrics should not have "le" label']


def test_nan_is_a_value_in_the_text_format_but_not_in_openmetrics() -> None:
    text = "# HELP r_total r\n# TYPE r_total counter\nr_total NaN\n"
    assert _errors(text) == []
    om = "# HELP r r\n# TYPE r counter\nr_total NaN\n# EOF\n"
    assert _errors(om, fmt="openmetrics") == ["3 OBS310 error counter has a NaN value"]


def test_help_after_the_samples_is_a_family_split() -> None:
    text = '# TYPE a gauge\na 1\na{x="1"} 2\n# HELP a late\n# TYPE b gauge\nb 1\n'
    assert [f for f in _findings(text) if "OBS312" in f] == [
        "4 OBS312 warning HELP of a comes after its samples (first sample line 2)"
    ]
    # Before its samples it is fine; after another family it is the usual split.
    assert not any("OBS312" in f for f in _findings("# HELP a x\na 1\n"))
    split = _findings("a 1\nb 1\n# HELP a late\n")
    assert [f for f in split if "OBS312" in f] == [
        "3 OBS312 warning family a continues here after another family (first line 1)"
    ]
