"""Alert templates: parse errors as Go's text/template reports them (parse only).

Every message below is the one promtool 2.42 prints for the same annotation (Go's
``text/template/parse``), checked by hand with ``promtool check rules``.
"""

from __future__ import annotations

import pytest

from obsctl.analysis.rules.templates import TemplateError, check_template

VALID = [
    "plain text, no actions",
    "{{ $labels.instance }} is down",
    "{{ $value | humanizePercentage }}",
    "{{- $labels.job -}}",
    "{{ if gt $value 0.5 }}high{{ else if gt $value 0.1 }}mid{{ else }}low{{ end }}",
    "{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}",
    '{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}',
    '{{ $x := "a" }}{{ $x }}',
    "{{/* a comment */}}",
    '{{ printf "%.2f" $value }}',
    "{{ .Labels.job }} {{ .Value }}",
    '{{ index $labels "le" }}',
    '{{ reReplaceAll "(.*):.*" "$1" $labels.instance }}',
    '{{ "}}" }}',
    '{{"}}"}}',
    '{{ "a\\"}}" }}',
    '{{ "\\\\" }}',
    "{{ `a\\` }}",
    '{{ printf "%s" $labels.X }}',
    "{{/* don't */}}",
    "{{- /* trimmed */ -}}",
    "{{/* c */}}{{ $value }}",
    "{{ (len $labels) }}",
    "{{ ((len $labels)) }}",
    "{{ (len $labels) | humanize }}",
    "{{ (len $labels).x }}",
    "{{ $value | }}",
    "{{ $x := 1 }}{{ $x = 2 }}{{ $x }}",
    "{{ $y = 2 }}",
    "{{ $.Labels.job }}",
    "{{ $ }}",
    "{{ nil }}",
    "{{ true | len }}",
    '{{ "a" "b" }}',
    "{{ if $x := $value }}{{ $x }}{{ end }}",
    "{{ range $i := $labels }}{{ $i }}{{ end }}",
    "{{ range $labels }}{{ continue }}{{ end }}",
    "{{ range $labels }}{{ break }}{{ end }}",
    "{{ range $labels }}{{ if $value }}{{ break }}{{ end }}{{ end }}",
    "{{ with $labels.x }}a{{ else }}b{{ end }}",
    "{{ range $labels }}a{{ else }}b{{ end }}",
    "{{ if $value }}a{{ else if $value }}b{{ else }}c{{ end }}",
    '{{ define "x" }}a{{ end }}{{ template "x" }}',
    "{{ define `x` }}a{{ end }}",
    '{{ template "x" $value }}',
    '{{ block "x" $value }}a{{ end }}',
    "{{/**/}}",
    "{{/* {{ x */ -}}",
    "{{/* {{*/ -}}",
    "{{/* {{ x */}}",
    "{{ `a\nb` }}",
    "{{ range $k, $v = $labels }}{{ end }}",
]

INVALID = [
    ("{{ nope }}", 'function "nope" not defined'),
    ("{{ $labels.x | nosuch }}", 'function "nosuch" not defined'),
    ("{{ $undefined }}", 'undefined variable "$undefined"'),
    ("{{ if $value }}x", "unexpected EOF"),
    ("x {{ end }}", "unexpected {{end}}"),
    ("{{ $labels.job ", "unclosed action"),
    ("{{ }}", "missing value for command"),
    ("{{}}", "missing value for command"),
    ("{{ (len $labels }}", "unclosed left paren"),
    ("{{ len $labels) }}", 'unexpected ")" in command'),
    ("{{ (len $labels)) }}", 'unexpected ")" in command'),
    ("{{ ) }}", 'unexpected ")" in command'),
    ("{{ else }}", "unexpected {{else}}"),
    ("{{ break }}", "{{break}} outside {{range}}"),
    ("{{ continue }}", "{{continue}} outside {{range}}"),
    ('{{ "a}}', "unterminated quoted string"),
    ('{{ "a\nb" }}', "unterminated quoted string"),
    ("{{ 'a }}", "unterminated character constant"),
    ("{{ `a }}", "unterminated raw quoted string"),
    ("{{/* a }}", "unclosed comment"),
    ("{{/* a */ $value }}", "comment ends before closing delimiter"),
    ("{{/* c */}}{{ oops }}", 'function "oops" not defined'),
    ("{{ $value }}{{ oops }}", 'function "oops" not defined'),
    ("{{ $x := }}", "missing value for command"),
    ("{{ $x := 1 }}{{ $x = }}", "missing value for command"),
    ("{{ | len $labels }}", 'unexpected "|" in command'),
    ("{{ $value | | humanize }}", 'unexpected "|" in command'),
    ("{{ len () }}", "missing value for parenthesized pipeline"),
    ("{{ () }}", "missing value for parenthesized pipeline"),
    ("{{ (| len $labels) }}", 'unexpected "|" in parenthesized pipeline'),
    ("{{ (len $labels) nope }}", 'function "nope" not defined'),
    ("{{ $value ! }}", 'unexpected "!" in operand'),
    ("{{ len { }}", 'unexpected "{" in operand'),
    ("{{ $value ; }}", 'unexpected ";" in operand'),
    ("{{ len if }}", "unexpected <if> in operand"),
    ("{{ € }}", "unrecognized character in action: U+20AC '€'"),
    ("{{ $value € }}", "unrecognized character in action: U+20AC '€'"),
    ("{{ é }}", 'function "é" not defined'),
    ("{{ $value , }}", "too many declarations in command"),
    ("{{ $a, $b := $labels }}", "too many declarations in command"),
    ("{{ range $k, $v := }}{{ end }}", "missing value for range"),
    ("{{ range $k, }}{{ end }}", "missing value for range"),
    ("{{ range $k, $v }}{{ end }}", 'undefined variable "$v"'),
    ("{{ range $k, 1 }}{{ end }}", "range can only initialize variables"),
    ("{{ range $a, $b, $c := $labels }}{{ end }}", "too many declarations in range"),
    ("{{ if }}{{ end }}", "missing value for if"),
    ("{{ range }}{{ end }}", "missing value for range"),
    ("{{ with }}{{ end }}", "missing value for with"),
    ("{{ $value | 1 }}", "non executable command in pipeline stage 2"),
    ("{{ $value | . }}", "non executable command in pipeline stage 2"),
    ('{{ $value | len | "x" }}', "non executable command in pipeline stage 3"),
    ("{{ if $value | 1 }}{{ end }}", "non executable command in pipeline stage 2"),
    ("{{ end x }}", 'unexpected "x" in end'),
    ("{{ if $value }}{{ end if }}", "unexpected <if> in end"),
    ("{{ if $value }}{{ end abcdefghijklmn }}", 'unexpected "abcdefghij"... in end'),
    ('{{ if $value }}{{ end "x" }}', 'unexpected "\\"x\\"" in end'),
    ("{{ if $value }}a{{ else nope }}b{{ end }}", 'unexpected "nope" in else'),
    ("{{ if $value }}a{{ else if }}b{{ end }}", "missing value for if"),
    ("{{ if $value }}a{{ else if nope }}b{{ end }}", 'function "nope" not defined'),
    ("{{ range $labels }}a{{ else if $value }}b{{ end }}", "unexpected <if> in input"),
    ("{{ with $value }}a{{ else if $value }}b{{ end }}", "unexpected <if> in input"),
    ("{{ range $labels }}{{ break 1 }}{{ end }}", 'unexpected "1" in {{break}}'),
    ("{{ continue 1 }}", 'unexpected "1" in {{continue}}'),
    ("{{ define x }}", 'unexpected "x" in define clause'),
    ("{{ define 'x' }}", "unexpected \"'x'\" in define clause"),
    ('{{ define "x" $value }}a{{ end }}', 'unexpected "$value" in define clause'),
    ('{{ define "x" }}', "unexpected EOF"),
    ('{{ if true }}{{ define "x" }}{{ end }}{{ end }}', "unexpected <define> in command"),
    ('{{ block "x" }}a{{ end }}', "missing value for block clause"),
    ("{{ block x $value }}a{{ end }}", 'unexpected "x" in block clause'),
    ("{{ template x }}", 'unexpected "x" in template clause'),
    ("{{ template }}", 'unexpected "}}" in template clause'),
    ('{{ template "x" nope }}', 'function "nope" not defined'),
    ("{{/*/}}", "unclosed comment"),
    ("{{/* a */}}{{ oops }}{{/* b */}}", 'function "oops" not defined'),
    ("{{/* a */ -}}{{ oops }}", 'function "oops" not defined'),
    ("{{ if $value }}{{ end X }}", 'unexpected "X" in end'),
    ('{{ if $value }}{{ end "a\tb" }}', 'unexpected "\\"a\\tb\\"" in end'),
    ('{{ if $value }}{{ end "\x01" }}', 'unexpected "\\"\\x01\\"" in end'),
    ('{{ if $value }}{{ end "\x80" }}', 'unexpected "\\"\\u0080\\"" in end'),
    ("{{ end abcdefghij }}", 'unexpected "abcdefghij" in end'),
    ("{{ end abcdefghijk }}", 'unexpected "abcdefghij"... in end'),
    ("{{ if $value }}{{ else end }}{{ end }}", "unexpected <end> in else"),
    ("{{ range $k, ) }}{{ end }}", 'unexpected ")" in range'),
]


@pytest.mark.parametrize("text", VALID)
def test_valid_templates(text: str) -> None:
    check_template(text)


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_templates_fail_with_gos_message(text: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        check_template(text)
    assert err.value.message == message
    assert str(err.value) == message


@pytest.mark.parametrize(("text", "message"), [c for c in INVALID if "\n" not in c[0]])
def test_every_error_names_the_line_of_its_action(text: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        check_template("first\nsecond\n" + text)
    assert (err.value.message, err.value.line) == (message, 3)


def test_error_line_is_the_actions_line() -> None:
    with pytest.raises(TemplateError) as err:
        check_template("first line\nsecond {{ oops }}")
    assert err.value.line == 2


def test_error_line_counts_only_the_newlines_before_the_action() -> None:
    with pytest.raises(TemplateError) as err:
        check_template("{{ oops }}\nmore\ntext")
    assert err.value.line == 1
    with pytest.raises(TemplateError) as err:
        check_template("\n{{ oops }}")
    assert err.value.line == 2


def test_unexpected_eof_is_reported_on_the_last_line() -> None:
    with pytest.raises(TemplateError) as err:
        check_template("{{ if $value }}\nx\ny")
    assert (err.value.message, err.value.line) == ("unexpected EOF", 3)


def test_unterminated_string_is_reported_on_the_line_of_its_action() -> None:
    with pytest.raises(TemplateError) as err:
        check_template('x\n{{ "a\nb" }}')
    assert (err.value.message, err.value.line) == ("unterminated quoted string", 2)


def test_else_with_chains_under_with_as_go_1_23_does() -> None:
    # Prometheus 3 is built with Go 1.23+, whose text/template reads {{else with}} (promtool
    # 2.42, built with an older Go, says: unexpected <with> in else).
    check_template("{{ with $value }}a{{ else with $labels }}b{{ end }}")
    with pytest.raises(TemplateError) as err:
        check_template("{{ if $value }}a{{ else with $labels }}b{{ end }}")
    assert err.value.message == "unexpected <with> in input"
