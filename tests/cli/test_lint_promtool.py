"""Parity with the real ``promtool check metrics`` on the same inputs.

Naming: the set of ``(metric, problem)`` pairs promtool prints equals what obsctl reports with
the promlint rules selected (obsctl reports label problems once per family, promtool once per
series, so both sides are compared as sets). Parse errors: promtool's first error line and
message equal obsctl's first OBS000 finding. Skipped when promtool is missing, unless CI is set.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from obsctl.parsers.exposition import parse_exposition_text

PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(
    PROMTOOL is None and not os.environ.get("CI"), reason="promtool not installed"
)
PROMLINT_RULES = "OBS101,OBS102,OBS103,OBS104,OBS105,OBS106,OBS107,OBS108,OBS109,OBS110,OBS111"


def _promtool(text: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None, "promtool is required in CI"
    return subprocess.run(
        [PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, check=False
    )


def _obsctl(cli, tmp_path: Path, text: str, *args: str) -> dict:
    path = tmp_path / "in.prom"
    path.write_text(text)
    return json.loads(cli("lint", str(path), "-o", "json", *args).stdout)


LINT_CASES = [
    # (id, exposition): promtool's problems must equal obsctl's
    ("clean", "# HELP a_total x\n# TYPE a_total counter\na_total 1\n"),
    (
        "counter without _total and camelCase label",
        "# HELP http_requests x\n# TYPE http_requests counter\n"
        'http_requests{statusCode="200"} 1\nhttp_requests{statusCode="500"} 1\n',
    ),
    (
        "non-base and abbreviated units",
        "# HELP lat_ms x\n# TYPE lat_ms gauge\nlat_ms 1\n"
        "# HELP size_kilobytes x\n# TYPE size_kilobytes gauge\nsize_kilobytes 1\n",
    ),
    (
        "reserved suffixes and labels",
        '# HELP x_bucket x\n# TYPE x_bucket gauge\nx_bucket{quantile="1"} 1\n'
        '# HELP y_sum x\n# TYPE y_sum counter\ny_sum{le="1"} 1\n'
        "# HELP z_total x\n# TYPE z_total gauge\nz_total 1\n",
    ),
    (
        "colon, camelCase name, missing help",
        "# HELP job:rate5m x\n# TYPE job:rate5m gauge\njob:rate5m 1\n"
        "# TYPE fooBar gauge\nfooBar 1\n",
    ),
    (
        "summary and histogram with units",
        "# HELP rpc_duration_milliseconds x\n# TYPE rpc_duration_milliseconds summary\n"
        'rpc_duration_milliseconds{quantile="0.5"} 1\nrpc_duration_milliseconds_sum 1\n'
        "rpc_duration_milliseconds_count 1\n"
        "# HELP io_hours x\n# TYPE io_hours histogram\n"
        'io_hours_bucket{le="+Inf"} 1\nio_hours_sum 1\nio_hours_count 1\n',
    ),
    ("untyped families", 'untyped_thing 1\nuntyped_total{le="1"} 2\n'),
]


@pytest.mark.parametrize(("case", "text"), LINT_CASES, ids=[c for c, _ in LINT_CASES])
def test_naming_parity(cli, tmp_path: Path, case: str, text: str) -> None:
    proc = _promtool(text)
    theirs = set()
    for line in proc.stderr.splitlines():
        metric, _, problem = line.partition(" ")
        theirs.add((metric, problem))
    assert proc.returncode == (3 if theirs else 0), proc.stderr
    doc = _obsctl(cli, tmp_path, text, "--select", PROMLINT_RULES)
    ours = set()
    for f in doc["findings"]:
        subject = f["subject"]
        metric = subject.rsplit(":", 1)[0] if f["rule_id"] == "OBS111" else subject
        ours.add((metric.split("{")[0], f["message"]))
    assert ours == theirs


PARSE_CASES = [
    'metric{label="\\t"} 1\n',
    'metric{@="bla"} 1\n',
    'metric{__name__="bla"} 1\n',
    'metric{label+="bla"} 1\n',
    "metric{label=bla} 1\n",
    "metric 3.14 2.72\n",
    "metric 3.14 2 3\n",
    "metric blubb\n",
    "metric 1 \n",
    "metric 0x1p-3\n",
    "# TYPE metric bla\n",
    "# TYPE met-ric gauge\n",
    'm{a="1",a="2"} 1\n',
    "# HELP m a\n# HELP m b\n",
    "m 1\n# TYPE m gauge\n",
    '# TYPE h histogram\nh_bucket{le="bla"} 1\n',
]


@pytest.mark.parametrize("text", PARSE_CASES)
def test_parse_error_parity(cli, tmp_path: Path, text: str) -> None:
    full = "ok 1\n" + text
    proc = _promtool(full)
    assert proc.returncode == 1, proc.stderr
    m = re.search(r"text format parsing error in line (\d+): (.*)", proc.stderr)
    assert m is not None, proc.stderr
    doc = _obsctl(cli, tmp_path, full, "--select", "OBS000")
    first = doc["findings"][0]
    assert (first["line"], first["message"]) == (int(m.group(1)), m.group(2))


FUZZ_SEED = (
    "# HELP a x\n# TYPE a histogram\n"
    'a_bucket{l="1",le="0.1"} 1\na_bucket{l="1",le="+Inf"} 2\na_count{l="1"} 2\na_sum{l="1"} 3\n'
    '# TYPE b counter\nb_total{x="1"} 1 1234\nb_total{x="2"} 2\n'
    '# TYPE c summary\nc{quantile="0.5"} 1\nc_sum 1\nc_count 2\n'
    '# HELP d_seconds y\n# TYPE d_seconds gauge\nd_seconds{method="GET",code="200"} 7.5e+09\n'
)
FUZZ_ALPHABET = ' \t\n{}",=#\\+-.0123456789eEaINnf_:le"quantileTYPEHELP'


def _mutate(seed: int) -> str:
    rng = random.Random(seed)
    data = list(FUZZ_SEED)
    for _ in range(rng.randint(1, 3)):
        pos = rng.randrange(len(data) + 1)
        if rng.random() < 0.5 and data:
            del data[pos : pos + rng.randint(1, 4)]
        else:
            data[pos:pos] = [rng.choice(FUZZ_ALPHABET) for _ in range(rng.randint(1, 3))]
    return "".join(data)


@pytest.mark.parametrize("seed", range(120))
def test_first_parse_error_parity_on_mutated_input(seed: int) -> None:
    # Differential check: random edits of a valid exposition; promtool's first parse error
    # (line and message) or its absence must be what obsctl reports first.
    text = _mutate(seed)
    proc = _promtool(text)
    m = re.search(r"text format parsing error in line (\d+): (.*)", proc.stderr)
    theirs = (int(m.group(1)), m.group(2)) if m else None
    expo = parse_exposition_text(text, fmt="text")
    ours = (expo.problems[0].line, expo.problems[0].message) if expo.problems else None
    assert ours == theirs, text
