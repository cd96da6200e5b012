"""Alert templates: parse errors as Go's text/template reports them (parse only)."""

from __future__ import annotations

import pytest

from obsctl.analysis.rules.templates import TemplateError, check_template


@pytest.mark.parametrize(
    "text",
    [
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
    ],
)
def test_valid_templates(text: str) -> None:
    check_template(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ nope }}", 'function "nope" not defined'),
        ("{{ $labels.x | nosuch }}", 'function "nosuch" not defined'),
        ("{{ $undefined }}", 'undefined variable "$undefined"'),
        ("{{ if $value }}x", "unexpected EOF"),
        ("x {{ end }}", "unexpected {{end}}"),
        ("{{ $labels.job ", "unclosed action"),
        ("{{ }}", "missing value for command"),
        ("{{ (len $labels }}", "unclosed left paren"),
        ("{{ len $labels) }}", "unexpected right paren"),
        ("{{ $value | }}", "missing value for command"),
        ("{{ else }}", "unexpected {{else}}"),
        ("{{ break }}", "{{break}} outside {{range}}"),
    ],
)
def test_invalid_templates(text: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        check_template(text)
    assert err.value.message == message


def test_error_line_is_the_actions_line() -> None:
    with pytest.raises(TemplateError) as err:
        check_template("first line\nsecond {{ oops }}")
    assert err.value.line == 2
