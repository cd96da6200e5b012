"""Findings on the benchmark shapes stay what they were when the fixtures were made.

``tests/fixtures/exposition/shapes/`` holds small versions of the shapes ``bench/lint_big.py``
measures, clean and broken, with the findings and summaries ``obsctl lint -o json`` reported
for them (``make.py`` there regenerates both). A faster parser or rule must not change them,
however the input is cut into chunks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obsctl.analysis.lint import LintConfig, lint_exposition
from obsctl.parsers.exposition import ExpositionParser, detect_format

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "exposition" / "shapes"
FILES = sorted(SHAPES.glob("*.prom"))


def test_every_shape_has_a_clean_and_a_broken_fixture() -> None:
    names = {p.stem for p in FILES}
    assert {"many", "om", "mix", "huge"} <= names
    assert all(f"{n}-broken" in names for n in ("many", "om", "mix", "huge"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_findings_and_summaries_unchanged(cli, path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = cli("lint", str(path), "-o", "json", "--fail-on", "never")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    got = json.loads(
        json.dumps({"findings": doc["findings"], "summaries": doc["summaries"]}).replace(
            json.dumps(str(path))[1:-1], path.name
        )
    )
    expected = json.loads(path.with_suffix(".json").read_text())
    assert got["summaries"] == expected["summaries"]
    assert got["findings"] == expected["findings"]


def _findings(path: Path, chunk: int) -> list[tuple[object, ...]]:
    data = path.read_bytes()
    parser = ExpositionParser(path.name, detect_format(data[:65536], data[-64:]))
    for i in range(0, len(data), chunk):
        parser.feed(data[i : i + chunk])
    expo = parser.close()
    return [
        (f.rule_id, f.severity, f.message, f.location.line, f.subject)
        for f in lint_exposition(expo, LintConfig())
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_chunk_boundaries_do_not_change_findings(path: Path) -> None:
    whole = _findings(path, 1 << 20)
    assert _findings(path, 997) == whole
    assert _findings(path, 64) == whole
