"""The one input reader: files, stdin, gzip, size caps, one-line errors."""

from __future__ import annotations

import gzip
import io

import pytest

from obsctl.errors import UsageError
from obsctl.workflows.inputs import is_url, open_input, read_input


def test_plain_and_gzip_files_and_stdin_read_the_same(tmp_path):
    plain = tmp_path / "a.json"
    plain.write_bytes(b'{"x": 1}\n')
    packed = tmp_path / "a.json.gz"
    packed.write_bytes(gzip.compress(b'{"x": 1}\n'))
    assert read_input(str(plain), max_bytes=100, what="t") == b'{"x": 1}\n'
    assert read_input(str(packed), max_bytes=100, what="t") == b'{"x": 1}\n'
    piped = io.BytesIO(gzip.compress(b'{"x": 1}\n'))
    assert read_input("-", stdin=lambda: piped, max_bytes=100, what="t") == b'{"x": 1}\n'
    assert read_input("-", stdin=io.BytesIO(b"abc"), max_bytes=100, what="t") == b"abc"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nope", "cannot read {p}/nope: no such file"),
        (lambda p: p, "cannot read {p}: is a directory"),
    ],
)
def test_unreadable_inputs_are_one_line_usage_errors(tmp_path, make, message):
    with pytest.raises(UsageError) as err:
        read_input(str(make(tmp_path)), max_bytes=10, what="t")
    assert err.value.message == message.format(p=tmp_path)


def test_size_cap_on_disk_on_stdin_and_after_inflating(tmp_path):
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(UsageError, match=r"big: larger than the 1024 bytes limit for t"):
        read_input(str(big), max_bytes=1024, what="t")
    with pytest.raises(UsageError, match="larger than"):
        read_input("-", stdin=io.BytesIO(b"x" * 2048), max_bytes=1024, what="t")
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (8 << 20)))
    assert bomb.stat().st_size < 64 << 10
    with pytest.raises(UsageError, match=r"bomb\.gz: larger than the 1 MiB limit for configs"):
        read_input(str(bomb), max_bytes=1 << 20, what="configs")


def test_truncated_and_corrupt_gzip(tmp_path):
    data = gzip.compress(b"a 1\n" * 1000)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(UsageError, match="the gzip data is truncated"):
        read_input(str(cut), max_bytes=1 << 20, what="t")
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8b" + b"\xff" * 40)
    with pytest.raises(UsageError, match="corrupt gzip data"):
        read_input(str(bad), max_bytes=1 << 20, what="t")


def test_a_plain_file_keeps_its_tail_for_format_detection(tmp_path):
    f = tmp_path / "m.prom"
    f.write_bytes(b"a 1\n# EOF\n")
    with open_input(str(f)) as inp:
        assert inp.tail == b"a 1\n# EOF\n"
        assert b"".join(inp.chunks()) == b"a 1\n# EOF\n"


def test_urls_are_recognised():
    assert is_url("http://h:9100/metrics") and not is_url("./http")


def test_a_fifo_is_read_to_the_end(tmp_path):
    import os
    import threading

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    payload = b"x" * (3 << 20)

    def write() -> None:
        with fifo.open("wb") as fh:
            fh.write(payload)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert read_input(str(fifo), max_bytes=8 << 20, what="t") == payload
    finally:
        writer.join()
