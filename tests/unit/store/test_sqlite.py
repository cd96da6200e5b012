"""The SQLite store: writes, reads, search, retention and size limits, concurrent readers."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from obsctl.errors import NotFound, UsageError
from obsctl.model.logs import LogQuery
from obsctl.model.traces import TraceSearch
from obsctl.parsers.otlp_proto import decode_logs_request, decode_trace_request
from obsctl.store import StoreReader, StoreWriter
from obsctl.store import sqlite as sqlite_store
from tests.unit.store.otlp_builders import logs_request, trace_request

T0 = 1_700_000_000_000_000_000
WINDOW = (datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC))


def _search(reader: StoreReader, **kw: object) -> list[str]:
    q = TraceSearch(start=WINDOW[0], end=WINDOW[1], **kw)  # type: ignore[arg-type]
    return [s.trace_id for s in reader.search(q)]


def test_write_read_and_idempotent_retries(tmp_path: Path) -> None:
    tid = os.urandom(16)
    body = trace_request(trace_ids=[tid])
    w = StoreWriter(tmp_path / "s.sqlite")
    w.write([decode_trace_request(body, json=False)], [])
    w.write([decode_trace_request(body, json=False)], [])  # a client's retry
    w.write([], [decode_logs_request(logs_request(tid), json=False)])
    r = StoreReader(tmp_path / "s.sqlite")
    trace = r.trace(tid.hex())
    assert trace is not None and [s.name for s in trace.spans] == ["root", "child1", "child2"]
    stats = r.stats()
    assert (stats.spans, stats.traces, stats.logs) == (3, 1, 2)
    assert stats.oldest_ns == T0 and stats.size_bytes > 0
    logs = r.logs(LogQuery(trace_id=tid.hex(), min_severity=17))
    assert [rec.body for rec in logs] == ["line 1"]
    assert r.trace("00" * 16) is None


def test_a_directory_holds_store_sqlite(tmp_path: Path) -> None:
    StoreWriter(tmp_path).close()
    assert (tmp_path / "store.sqlite").is_file()
    StoreReader(tmp_path).close()


def test_reader_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no obsctl store"):
        StoreReader(tmp_path / "missing.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(UsageError, match="not an obsctl store"):
        StoreReader(junk)


def test_search_filters(tmp_path: Path) -> None:
    w = StoreWriter(tmp_path)
    w.write([decode_trace_request(trace_request(traces=5, service="api"), json=False)], [])
    w.write(
        [
            decode_trace_request(
                trace_request(traces=2, service="db", duration_ns=10**9), json=False
            )
        ],
        [],
    )
    r = StoreReader(tmp_path)
    assert len(_search(r, limit=100)) == 7
    assert len(_search(r, limit=3)) == 3
    assert len(_search(r, service="db", limit=100)) == 2
    assert len(_search(r, min_duration_ns=10**9, limit=100)) == 2
    assert len(_search(r, max_duration_ns=10**6, limit=100)) == 5
    assert len(_search(r, operation="child2", service="api", limit=100)) == 5
    # Exact attribute match: "/r1" is a byte-prefix of nothing else here, "/r" of all.
    assert len(_search(r, tags=(("route", "/r1"),), limit=100)) == 2  # one per service
    assert _search(r, tags=(("route", "/r"),), limit=100) == []
    assert len(_search(r, tags=(("i", "2"),), service="db", limit=100)) == 2
    (summary,) = r.search(TraceSearch(WINDOW[0], WINDOW[1], service="db", limit=1))
    assert (summary.root_name, summary.span_count, summary.error_count) == ("root", 3, 1)
    with pytest.raises(UsageError, match="TraceQL"):
        _search(r, traceql="{ }")


def test_search_for_errors_keeps_traces_with_an_error_span(tmp_path: Path) -> None:
    w = StoreWriter(tmp_path)
    w.write([decode_trace_request(trace_request(traces=3, service="api"), json=False)], [])
    ok = trace_request(traces=4, service="api", error=False, start_ns=T0 + 10**9)
    w.write([decode_trace_request(ok, json=False)], [])
    r = StoreReader(tmp_path)
    assert len(_search(r, limit=100)) == 7
    failing = r.search(TraceSearch(WINDOW[0], WINDOW[1], errors=True, limit=100))
    assert [s.error_count for s in failing] == [1, 1, 1]
    # The newest traces have no error span: a limit counts error traces only.
    assert len(_search(r, errors=True, limit=2)) == 2
    assert _search(r, errors=True, service="db", limit=100) == []


def test_retention_and_size_limits(tmp_path: Path) -> None:
    w = StoreWriter(tmp_path)
    old, new = os.urandom(16), os.urandom(16)
    w.write(
        [
            decode_trace_request(trace_request(trace_ids=[old], start_ns=T0), json=False),
            decode_trace_request(trace_request(trace_ids=[new], start_ns=T0 + 10**12), json=False),
        ],
        [decode_logs_request(logs_request(old, time_ns=T0), json=False)],
    )
    assert w.prune(before_ns=T0 + 10**9, max_bytes=None) == 5  # 3 spans + 2 logs
    r = StoreReader(tmp_path)
    assert r.trace(old.hex()) is None and r.trace(new.hex()) is not None
    for i in range(20):
        w.write(
            [decode_trace_request(trace_request(traces=50, start_ns=T0 + i * 10**10), json=False)],
            [],
        )
    before = w.used_bytes()
    w.prune(before_ns=None, max_bytes=before // 2)
    assert w.used_bytes() <= before // 2
    assert r.stats().oldest_ns is not None and r.stats().oldest_ns > T0  # type: ignore[operator]


def test_readers_while_the_writer_writes(tmp_path: Path) -> None:
    w = StoreWriter(tmp_path)
    w.write([decode_trace_request(trace_request(), json=False)], [])
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        r = StoreReader(tmp_path)
        try:
            while not stop.is_set():
                r.stats()
                _search(r, limit=5)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    for _ in range(30):
        w.write([decode_trace_request(trace_request(traces=10), json=False)], [])
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert StoreReader(tmp_path).stats().spans == 3 + 30 * 30


def _indexes(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='spans' "
            "AND name NOT LIKE 'sqlite_autoindex%'"
        ).fetchall()
    finally:
        db.close()
    return {r[0] for r in rows}


def test_a_version_1_store_is_read_and_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    tid = os.urandom(16)
    w = StoreWriter(path)
    w.write([decode_trace_request(trace_request(trace_ids=[tid]), json=False)], [])
    w.close()
    assert _indexes(path) == {"spans_time", "spans_service"}
    db = sqlite3.connect(path)
    db.executescript(
        """
        DROP INDEX spans_time; DROP INDEX spans_service;
        CREATE INDEX spans_start ON spans(start_ns);
        CREATE INDEX spans_service ON spans(service, start_ns);
        CREATE INDEX spans_name ON spans(name, start_ns);
        CREATE INDEX spans_duration ON spans(duration_ns);
        UPDATE meta SET value='1' WHERE key='schema';
        """
    )
    db.close()
    r = StoreReader(path)
    assert r.trace(tid.hex()) is not None
    assert _search(r, service="api") == [tid.hex()]
    r.close()
    StoreWriter(path).close()
    assert _indexes(path) == {"spans_time", "spans_service"}
    r = StoreReader(path)
    assert r.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("2",)
    assert _search(r, service="api", operation="child1") == [tid.hex()]


def test_a_store_of_an_unknown_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    StoreWriter(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    db.commit()
    db.close()
    with pytest.raises(UsageError, match="store schema 99, this obsctl writes 2"):
        StoreWriter(path)
    with pytest.raises(UsageError, match="unsupported store schema 99"):
        StoreReader(path)


def test_a_background_thread_copies_the_wal_into_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "_CHECKPOINT_EVERY", 0.01)
    path = tmp_path / "s.sqlite"
    w = StoreWriter(path)
    size = path.stat().st_size
    w.write([decode_trace_request(trace_request(traces=100), json=False)], [])
    deadline = time.monotonic() + 10
    while w._checkpointer.wal_frames == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert w._checkpointer.wal_frames > 10
    assert path.stat().st_size > size + 10 * 4096  # pages copied without the writer
    w.close()


def test_past_the_frame_limit_the_writer_checkpoints_and_the_wal_is_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "_CHECKPOINT_EVERY", 3600.0)  # no background pass
    path = tmp_path / "s.sqlite"
    wal = tmp_path / "s.sqlite-wal"
    w = StoreWriter(path)
    for _ in range(10):
        w.write([decode_trace_request(trace_request(traces=30), json=False)], [])
    grown = wal.stat().st_size
    for _ in range(3):
        w.write([decode_trace_request(trace_request(traces=30), json=False)], [])
    assert wal.stat().st_size > grown  # under the limit: the WAL only grows
    w._checkpointer.wal_frames = sqlite_store._WAL_RESET_FRAMES + 1
    w.write([decode_trace_request(trace_request(traces=30), json=False)], [])
    assert w._checkpointer.wal_frames == 0
    full = wal.stat().st_size
    for _ in range(5):
        w.write([decode_trace_request(trace_request(traces=30), json=False)], [])
    assert wal.stat().st_size == full  # written again from its start
    w.close()
    assert StoreReader(path).stats().spans == 19 * 30 * 3
