"""Parsing in two parts (``ExpositionParser.join``, ``workflows.lint_split``) gives the
one-parser result exactly, or falls back to it."""

from __future__ import annotations

import random
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from obsctl.analysis.lint import LintConfig, lint_exposition, summarize_exposition
from obsctl.model.metric_families import Exposition
from obsctl.parsers.exposition import ExpositionParser, detect_format
from obsctl.workflows import lint_split, second_process
from obsctl.workflows.lint import parse_input

SHAPES = Path(__file__).resolve().parents[2] / "fixtures" / "exposition" / "shapes"
FILES = sorted(SHAPES.glob("*.prom"))


def _norm(expo: Exposition) -> Any:
    """Everything an exposition holds, with hash sets sealed and sorted (their order and
    whether a family was sealed when parsing ended do not matter)."""
    fams = []
    for fam in expo.families:
        fam.seal()
        row = {f.name: getattr(fam, f.name) for f in fields(fam)}
        row["sealed_hashes"] = sorted(fam.sealed_hashes or ())
        row["labels"] = {
            k: (
                *(getattr(st, f.name) for f in fields(st) if "hashes" not in f.name),
                sorted(st.sealed_hashes or ()),
            )
            for k, st in fam.labels.items()
        }
        fams.append(row)
    findings = lint_exposition(expo, LintConfig())
    summary = summarize_exposition(expo, limit=10)
    return fams, expo.problems, expo.lines, expo.stopped, findings, summary


def _serial(data: bytes, fmt: str) -> Exposition:
    parser = ExpositionParser("x", fmt)
    parser.feed(data)
    return parser.close()


def _joined(data: bytes, fmt: str, cut: int) -> Exposition | None:
    first = ExpositionParser("x", fmt)
    first.feed(data[:cut])
    second = ExpositionParser("x", fmt, start_line=data[:cut].count(b"\n"))
    second.feed(data[cut:])
    if first.stopped:
        return first.close()
    return first.join(second.part())


def _cuts(data: bytes, rng: random.Random) -> list[int]:
    """Every family start (``# HELP``/``# TYPE`` after a sample line), a few line starts."""
    starts = [i + 1 for i in range(len(data) - 1) if data[i] == 10]
    meta = [i for i in starts if data[i : i + 2] == b"# " and data[i - 2 : i - 1] != b"#"]
    return sorted({*meta[:40], *rng.sample(starts, min(10, len(starts)))})


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_joined_parts_are_the_one_parser_result(path: Path) -> None:
    data = path.read_bytes()
    fmt = detect_format(data[:65536], data[-64:])
    whole = _norm(_serial(data, fmt))
    joined_any = False
    for cut in _cuts(data, random.Random(path.stem)):
        joined = _joined(data, fmt, cut)
        if joined is not None:
            joined_any = True
            assert _norm(joined) == whole, f"cut at byte {cut}"
    assert joined_any


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n", ""),
        ("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n", "a continues"),
        ("# TYPE a histogram\na_sum 1\n# TYPE b gauge\nb 1\na_count 2\n", "a's sample"),
        ("# TYPE a_count gauge\na_count 1\n# TYPE a histogram\na_sum 1\n", "suffix root"),
        ("# TYPE a gauge\r\na 1\n# TYPE b gauge\r\nb 1\n", "a second CRLF"),
        ("# TYPE a gauge\na 1\n# EOF\n# TYPE b gauge\nb 1\n", "after # EOF"),
    ],
)
def test_parts_that_depend_on_each_other_are_not_joined(text: str, why: str) -> None:
    data = text.encode()
    cut = data.index(b"# TYPE b") if b"# TYPE b" in data else data.index(b"# TYPE a ")
    fmt = "openmetrics" if "EOF" in text else "text"
    joined = _joined(data, fmt, cut)
    if why:
        assert joined is None, why
    else:
        assert joined is not None and _norm(joined) == _norm(_serial(data, fmt))


def test_too_many_problems_in_two_parts_are_not_joined() -> None:
    bad = "".join(f"a{{x={i}}} 1\n" for i in range(60))
    data = (f"# TYPE a gauge\n{bad}# TYPE b gauge\n{bad.replace('a{', 'b{')}").encode()
    assert _joined(data, "text", data.index(b"# TYPE b")) is None
    first_only = (f"# TYPE a gauge\n{bad}# TYPE b gauge\nb 1\n").encode()
    joined = _joined(first_only, "text", first_only.index(b"# TYPE b"))
    assert joined is not None and _norm(joined) == _norm(_serial(first_only, "text"))


def _big_file(tmp_path: Path, name: str, resume: bool = False) -> Path:
    """2.6 MB: the split is past the first chunk that format detection reads."""
    out = []
    for f in range(400):
        out.append(f"# HELP fam_{f}_total Things.\n# TYPE fam_{f}_total counter\n")
        out.extend(f'fam_{f}_total{{pod="p{i}",ns="n{i % 3}"}} {i}\n' for i in range(160))
        if f % 50 == 7:
            out.append(f'fam_{f}_total{{pod="p1",ns="n1"}} 1\n')  # a duplicate
    if resume:
        out.append('fam_3_total{pod="late"} 1\n')  # family 3 goes on at the very end
    path = tmp_path / name
    path.write_text("".join(out))
    return path


@pytest.fixture
def small_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lint_split, "SPLIT_MIN_BYTES", 1 << 10)
    monkeypatch.setattr(lint_split, "CHUNK", 1 << 12)
    monkeypatch.setattr(lint_split.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setenv("OBSCTL_LINT_PROCESSES", "2")


def _serial_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> Exposition:
    with monkeypatch.context() as m:
        m.setenv("OBSCTL_LINT_PROCESSES", "1")
        assert not lint_split.split_enabled(path.stat().st_size)
        return parse_input(str(path), fmt=None)


@pytest.mark.parametrize("resume", [False, True])
def test_two_processes_give_the_one_process_result(
    small_split: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resume: bool
) -> None:
    path = _big_file(tmp_path, "big.prom", resume)
    size = path.stat().st_size
    assert lint_split.split_enabled(size)
    with path.open("rb") as f:
        cut = lint_split.split_point(f.fileno(), size)
    data = path.read_bytes()
    assert abs(cut - size // 2) < size // 10 and data[cut : cut + 7] == b"# HELP "
    joins: list[bool] = []
    real_join = ExpositionParser.join

    def spy(self: ExpositionParser, later: Any) -> Exposition | None:
        got = real_join(self, later)
        joins.append(got is not None)
        return got

    monkeypatch.setattr(ExpositionParser, "join", spy)
    split = parse_input(str(path), fmt=None)
    assert joins == [not resume]  # the child's part came back; joined unless dependent
    assert _norm(split) == _norm(_serial_file(path, monkeypatch))


def test_a_failing_child_falls_back_to_one_process(
    small_split: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _big_file(tmp_path, "big.prom")

    def fail(*_args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(lint_split, "_child", fail)
    split = parse_input(str(path), fmt=None)
    assert _norm(split) == _norm(_serial_file(path, monkeypatch))


def test_no_split_for_small_files_stdin_one_cpu_or_when_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(second_process, "runnable", lambda: 1.0)
    monkeypatch.setattr(lint_split.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    for wanted in (None, "auto", "2"):
        if wanted is None:
            monkeypatch.delenv("OBSCTL_LINT_PROCESSES", raising=False)
        else:
            monkeypatch.setenv("OBSCTL_LINT_PROCESSES", wanted)
        assert lint_split.split_enabled(lint_split.SPLIT_MIN_BYTES)
        assert not lint_split.split_enabled(None)
        assert not lint_split.split_enabled(lint_split.SPLIT_MIN_BYTES - 1)
    monkeypatch.setenv("OBSCTL_LINT_PROCESSES", "1")
    assert not lint_split.split_enabled(lint_split.SPLIT_MIN_BYTES)
    monkeypatch.setenv("OBSCTL_LINT_PROCESSES", "2")
    monkeypatch.setattr(lint_split.os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert not lint_split.split_enabled(lint_split.SPLIT_MIN_BYTES)


def test_by_default_two_processes_only_while_a_cpu_is_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OBSCTL_LINT_PROCESSES", raising=False)
    monkeypatch.setattr(lint_split.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(second_process, "runnable", lambda: 1.0)  # this process only
    assert lint_split.split_enabled(lint_split.SPLIT_MIN_BYTES)
    monkeypatch.setattr(second_process, "runnable", lambda: 2.0)
    assert not lint_split.split_enabled(lint_split.SPLIT_MIN_BYTES)
    monkeypatch.setenv("OBSCTL_LINT_PROCESSES", "2")  # told: whatever the load
    assert lint_split.split_enabled(lint_split.SPLIT_MIN_BYTES)
    monkeypatch.delenv("OBSCTL_LINT_PROCESSES")
    monkeypatch.setattr(second_process, "runnable", lambda: None)  # not known
    assert not lint_split.split_enabled(lint_split.SPLIT_MIN_BYTES)
    monkeypatch.setattr(lint_split.os, "sched_getaffinity", lambda _pid: set(range(8)))
    monkeypatch.setattr(second_process, "runnable", lambda: 6.5)
    assert lint_split.split_enabled(lint_split.SPLIT_MIN_BYTES)


def test_split_point_moves_back_over_the_family_comments(tmp_path: Path) -> None:
    body = "".join(f'x{{i="{i}"}} 1\n' for i in range(100))
    text = f"# TYPE x gauge\n{body}# TYPE y gauge\n# HELP y Why.\n{body.replace('x{', 'y{')}"
    path = tmp_path / "t.prom"
    path.write_text(text)
    with path.open("rb") as f:
        assert lint_split.split_point(f.fileno(), len(text)) == text.index("# TYPE y")
    path.write_text(body * 2)
    with path.open("rb") as f:
        assert lint_split.split_point(f.fileno(), len(text)) == 0


def test_a_paused_family_that_goes_on_counts_as_if_never_paused() -> None:
    body = "".join(f'a{{i="{i}"}} 1\n' for i in range(50))
    data = f'# TYPE a gauge\n{body}# HELP a Late.\n{body}a{{i="new"}} 2\n'.encode()
    cut = data.index(b"# HELP a")
    parser = ExpositionParser("x", "text")
    parser.feed(data[:cut])
    parser.pause()
    parser.feed(data[cut:])
    paused = parser.close()
    assert _norm(paused) == _norm(_serial(data, "text"))
    assert paused.families[0].series_count == 51
    assert paused.families[0].duplicate_count == 50


def test_two_processes_show_how_far_this_half_got(
    small_split: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from obsctl.workflows import lint as lint_workflow

    path = _big_file(tmp_path, "big.prom")
    monkeypatch.setattr(lint_workflow, "PROGRESS_EVERY", 0.0)
    split_results: list[bool] = []
    real_split = lint_split.parse_split

    def spy(*args: Any, **kw: Any) -> Exposition | None:
        got = real_split(*args, **kw)
        split_results.append(got is not None)
        return got

    monkeypatch.setattr(lint_workflow, "parse_split", spy)
    seen: list[str] = []
    expo = parse_input(str(path), fmt=None, progress=seen.append)
    assert split_results == [True]
    assert len(seen) >= 2 and all(s.startswith(f"reading {path}: ") for s in seen)
    # What this process read (1 MiB at a time): its half, not the child's.
    percents = [int(s.rsplit("(", 1)[1].split("%")[0]) for s in seen]
    assert percents == sorted(percents) and percents[-1] < 100
    assert _norm(expo) == _norm(_serial_file(path, monkeypatch))
