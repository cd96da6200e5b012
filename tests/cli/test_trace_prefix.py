"""``obsctl trace PREFIX`` with the local store: a unique prefix resolves as git resolves a
shortened commit ID; an ambiguous one lists candidates (exit 2); an unknown one is not found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obsctl.exit_codes import ExitCode
from obsctl.parsers.otlp_proto import decode_trace_request
from obsctl.store import StoreWriter
from tests.conftest import Cli
from tests.unit.store.otlp_builders import trace_request

IDS = [
    "4bf92f3577b34da6a3ce929d0e0e4736",
    "4bf9aaaa000000000000000000000001",
    "4bf9aaab000000000000000000000002",
    "00000000000000004bf92f3577b34da6",  # a 64-bit (Jaeger v1) ID, stored padded
    "ffffffffffffffffffffffffffffffff",  # the top of the range: no upper bound in the scan
]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite"
    writer = StoreWriter(path)
    body = trace_request(traces=len(IDS), spans=2, trace_ids=[bytes.fromhex(t) for t in IDS])
    writer.write([decode_trace_request(body, json=False)], [])
    writer.close()
    return path


def show(cli: Cli, store: Path, trace_id: str) -> tuple[int, str, str]:
    res = cli("trace", trace_id, "--backend", "local", "--store", str(store), "-o", "json")
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4bf92f35", IDS[0]),
        ("4BF92F3577B", IDS[0]),  # any case
        ("4bf9aaab", IDS[2]),
        ("4bf9aaa", None),  # two: ambiguous (below)
        ("fff", IDS[4]),
        # 16 digits: a whole 64-bit ID (stored padded) wins over a 128-bit ID it starts.
        ("4bf92f3577b34da6", IDS[3]),
        ("4bf92f3577b34da", IDS[0]),
        ("0000000000000000", IDS[3]),
    ],
)
def test_a_unique_prefix_resolves(cli: Cli, store: Path, typed: str, expected: str | None) -> None:
    code, out, err = show(cli, store, typed)
    if expected is None:
        assert code == ExitCode.USAGE, err
        return
    assert code == ExitCode.OK, err
    assert json.loads(out)["trace_id"] == expected


def test_an_ambiguous_prefix_lists_candidates_on_one_line(cli: Cli, store: Path) -> None:
    code, out, err = show(cli, store, "4bf9")
    assert code == ExitCode.USAGE
    assert out == ""
    assert err.splitlines() == [
        f"obsctl: error: trace ID 4bf9 is ambiguous: the local store holds traces {IDS[0]}, "
        f"{IDS[1]}, {IDS[2]}",
        "  hint: type more digits of the ID",
    ]


def test_many_candidates_are_cut_to_a_few(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "many.sqlite"
    writer = StoreWriter(path)
    ids = [f"ab{i:030x}" for i in range(10)]
    body = trace_request(traces=10, spans=1, trace_ids=[bytes.fromhex(t) for t in ids])
    writer.write([decode_trace_request(body, json=False)], [])
    writer.close()
    code, _, err = show(cli, path, "ab")
    assert code == ExitCode.USAGE
    first = err.splitlines()[0]
    assert first.endswith(f"{ids[0]}, {ids[1]}, {ids[2]}, {ids[3]}, …")
    assert ids[4] not in first


def test_an_unknown_prefix_is_not_found(cli: Cli, store: Path) -> None:
    code, out, err = show(cli, store, "4bf8")
    assert code == ExitCode.NOT_FOUND
    assert out == ""
    assert err.splitlines() == [
        "obsctl: error: no trace in the local store has an ID starting with 4bf8",
        "  hint: `obsctl trace search --backend local` lists recent ones",
    ]


def test_a_whole_id_is_looked_up_as_before(cli: Cli, store: Path) -> None:
    code, out, _ = show(cli, store, IDS[1])
    assert code == ExitCode.OK
    assert json.loads(out)["trace_id"] == IDS[1]
    code, _, err = show(cli, store, "4bf9aaaa000000000000000000000009")
    assert code == ExitCode.NOT_FOUND
    assert "padded" not in err and "starting with" not in err
