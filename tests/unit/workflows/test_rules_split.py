"""Expression facts with a helper process (``workflows.rules_split``) are the one-process
facts, and the helper's guesses (``expression_candidates``) are only ever a speed-up."""

from __future__ import annotations

import os

import pytest

from obsctl.parsers.rule_expr import expression_facts
from obsctl.parsers.rule_file import parse_rule_file
from obsctl.parsers.rule_text import expression_candidates
from obsctl.workflows import rules_early, rules_split, second_process
from tests.cli.test_rules_check_golden import bench_shaped

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

MIXED = """groups:
  - name: a
    rules:
      - alert: Templated
        expr: sum by (job) (rate(x_total[5m])) > 1
        annotations: {summary: "{{ $labels.job }}"}
      - record: job:x:rate5m
        expr: sum by (job) (rate(x_total[5m])) > 1
      - record: bad
        expr: sum by (job) (rate(x_total[5m])
      - alert: Plain
        expr: label_replace(up, "a", "$1", "b", "(.*)") == 0 unless on (a) y offset 5m
      - alert: Block
        expr: |
          sum without (instance) (
            rate(errors_total[5m])
          ) > 0
        labels: {severity: page}
"""


def _helper(texts: list[str], monkeypatch: pytest.MonkeyPatch) -> rules_split.Helper:
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", "2")
    monkeypatch.setattr(rules_early, "SPLIT_MIN_BYTES", 1)
    helper = rules_split.Helper.start(texts)
    assert helper is not None
    return helper


def _finished(helper: rules_split.Helper) -> None:
    """Wait until the child has sent everything (for tests: this process never waits)."""
    while helper.fd >= 0:
        helper.drain()


@needs_fork
def test_helper_facts_are_the_one_process_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two files; the same expression is templated in one file and not in the other, so each
    # file gets the facts its own plan asks for.
    texts = [
        bench_shaped(300) + MIXED.replace("groups:\n", ""),
        MIXED.replace("annotations:", "x:"),
    ]
    files = [parse_rule_file(t, source=f"{i}.yaml") for i, t in enumerate(texts)]
    want = [expression_facts(f) for f in files]
    assert (
        want[1]["sum by (job) (rate(x_total[5m])) > 1"]
        != want[0]["sum by (job) (rate(x_total[5m])) > 1"]
    )
    helper = _helper(texts, monkeypatch)
    _finished(helper)
    assert len(helper.got) == len({e for w in want for e in w})  # every expression guessed
    assert rules_split.file_expression_facts(files, helper) == want
    assert helper.pid == 0  # stopped and reaped
    assert rules_split.file_expression_facts(files, None) == want


@needs_fork
def test_a_failing_child_leaves_the_work_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_facts: object) -> tuple[object, ...]:
        raise RuntimeError("child fails")

    monkeypatch.setattr(rules_split, "_encode", broken)  # only the child encodes
    text = bench_shaped(100)
    files = [parse_rule_file(text, source="x.yaml")]
    helper = _helper([text], monkeypatch)
    _finished(helper)
    assert helper.got == {}
    assert rules_split.file_expression_facts(files, helper) == [expression_facts(files[0])]


@needs_fork
def test_wrong_guesses_are_only_misses(monkeypatch: pytest.MonkeyPatch) -> None:
    text = bench_shaped(100)
    files = [parse_rule_file(text, source="x.yaml")]
    # The child is given other texts than the files read: nothing it sends is used wrongly.
    helper = _helper([text.replace("rate(", "irate(").replace("> 0.05", "< 1")], monkeypatch)
    _finished(helper)
    assert helper.got
    assert rules_split.file_expression_facts(files, helper) == [expression_facts(files[0])]


def test_candidates_are_what_yaml_reads() -> None:
    text = (
        bench_shaped(200)
        + MIXED.replace("groups:\n", "")
        + (
            "  - name: quoted\n    rules:\n"
            "      - record: a\n        expr: 'x{a=''b''}'\n"
            "      - record: b\n        expr: \"y{a='c'} > 0\"\n"
            "      - record: c\n        expr: |-\n          z\n\n          or w\n\n"
            "      - record: d\n        expr: |+\n          keep\n\n"
            "      - record: e\n        expr: up\n          == 1\n"  # continued plain scalar
            "      - record: f\n        expr: >\n          folded\n"  # not guessed
            "      - record: g\n        expr: up # comment\n"  # not guessed
        )
    )
    read = [r.expr for g in parse_rule_file(text, source="x").groups for r in g.rules]
    guessed = expression_candidates(text)
    assert set(guessed) <= set(read)
    assert set(read) - set(guessed) == {"up == 1", "folded\n", "up"}


@pytest.mark.parametrize(
    ("setting", "size", "load", "cpus", "expected"),
    [
        ("", 1 << 20, 1, 2, True),
        ("", 1 << 20, 2, 2, False),  # no CPU to spare
        ("", 1 << 20, None, 2, False),  # not known
        ("", 1000, 0.0, 2, False),  # too small
        ("", 1 << 20, 0.0, 1, False),
        ("1", 1 << 20, 0.0, 4, False),
        ("2", 1 << 20, 9.0, 2, True),
        ("2", 10, 0.0, 2, False),
    ],
)
def test_when_to_split(
    monkeypatch: pytest.MonkeyPatch, setting: str, size: int, load: float | None, cpus: int,
    expected: bool,
) -> None:  # fmt: skip
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", setting)
    monkeypatch.setattr(second_process, "runnable", lambda: load)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cpus)), raising=False)
    assert rules_split.split_enabled(size) is expected


def test_runnable_is_a_count() -> None:
    busy = second_process.runnable()
    assert busy is None or busy >= 1  # this process is running


def test_the_helper_stops_where_this_process_has_been() -> None:
    import mmap
    import pickle

    text = bench_shaped(100)
    todo = list(dict.fromkeys(expression_candidates(text)))
    progress = mmap.mmap(-1, 8)
    rules_split._COUNT.pack_into(progress, 0, 70)  # this process started on 70 expressions
    r, w = os.pipe()
    rules_split.run_child([text], w, progress)  # in this process, for the test
    with os.fdopen(r, "rb") as pipe:
        data = pipe.read()
    sent: list[str] = []
    while data:
        (size,) = rules_split._LEN.unpack_from(data)
        sent += [e for e, _ in pickle.loads(data[4 : 4 + size])]
        data = data[4 + size :]
    assert sent == todo[70:][::-1]


@needs_fork
def test_the_helper_started_before_the_cli_loads_is_the_one_used(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rules_early.start`` forks on the arguments that name files (options and their
    values, directories and missing paths are passed over); ``Helper.start`` takes that
    child over instead of forking another, and the facts are the one-process facts."""
    texts = [bench_shaped(300), MIXED]
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"{i}.yaml"
        path.write_text(text)
        paths.append(str(path))
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", "2")
    monkeypatch.setattr(rules_early, "SPLIT_MIN_BYTES", 1)
    forks: list[int] = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    args = ["-o", "json", paths[0], "--scrape-interval", "1m", str(tmp_path), "gone.yaml"]
    rules_early.start([*args, paths[1]])
    assert forks == [1]
    (pid, _fd, _progress) = rules_early._started[0]
    helper = rules_split.Helper.start(texts)
    assert helper is not None and helper.pid == pid and forks == [1]
    assert rules_early.claim() is None  # taken over once
    _finished(helper)
    assert len(helper.got) == len(set(expression_candidates(texts[0] + texts[1])))
    files = [parse_rule_file(t, source=f"{i}.yaml") for i, t in enumerate(texts)]
    assert rules_split.file_expression_facts(files, helper) == [expression_facts(f) for f in files]


@needs_fork
def test_an_unclaimed_early_helper_is_stopped_at_exit(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(bench_shaped(300))
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", "2")
    monkeypatch.setattr(rules_early, "SPLIT_MIN_BYTES", 1)
    rules_early.start([str(path)])
    pid = rules_early._started[0][0]
    rules_early._stop_unclaimed()  # what atexit runs
    assert rules_early.claim() is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped


def test_no_early_helper_for_small_oversized_or_unnamed_inputs(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(bench_shaped(50))
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", "2")
    rules_early.start([str(path)])  # under SPLIT_MIN_BYTES
    rules_early.start(["-", str(tmp_path), "--list-rules"])  # nothing names a file
    monkeypatch.setattr(rules_early, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(rules_early, "MAX_BYTES", 100)
    rules_early.start([str(path)])  # over the limit: the command refuses it anyway
    monkeypatch.setattr(rules_early, "MAX_BYTES", 1 << 30)
    monkeypatch.setenv("OBSCTL_RULES_PROCESSES", "1")
    rules_early.start([str(path)])
    assert rules_early.claim() is None


@needs_fork
def test_the_child_can_get_far_ahead_before_this_process_reads() -> None:
    """The helper sends ~240 bytes per expression while this process is still reading the
    YAML: its pipe holds ``PIPE_BYTES`` (1 MiB, ~4,000 expressions) where the system allows,
    not Linux's default 64 KiB, and the child writes that much without a reader."""
    fcntl = pytest.importorskip("fcntl")
    chunk = b"x" * (64 << 10)

    def work(w: int) -> None:
        os.set_blocking(w, False)  # a full pipe fails the child instead of blocking it
        for _ in range(second_process.PIPE_BYTES // len(chunk)):
            os.write(w, chunk)

    try:
        with open("/proc/sys/fs/pipe-max-size") as f:  # noqa: PTH123
            if int(f.read()) < second_process.PIPE_BYTES:
                pytest.skip("the system caps pipes below 1 MiB")
    except OSError:
        pytest.skip("no Linux pipe limits")
    pid, r = second_process.start(work)
    try:
        assert fcntl.fcntl(r, fcntl.F_GETPIPE_SZ) >= second_process.PIPE_BYTES
        _, status = os.waitpid(pid, 0)  # the child finished with nothing read yet
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        os.close(r)
