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


# The tables of earlier versions, as they wrote them: spans without the ``id`` column (the
# implicit rowid), other span indexes (version 1: five; version 2: two by start time).
_OLD_SPANS = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE resources(
  key BLOB PRIMARY KEY, service TEXT NOT NULL, blob BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE spans(
  trace_id BLOB NOT NULL, span_id BLOB NOT NULL, parent_span_id BLOB,
  service TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL,
  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, duration_ns INTEGER NOT NULL,
  status INTEGER NOT NULL, resource_key BLOB NOT NULL, scope TEXT NOT NULL, blob BLOB NOT NULL,
  UNIQUE(trace_id, span_id));
CREATE TABLE logs(
  id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, trace_id BLOB, span_id BLOB,
  service TEXT NOT NULL, severity INTEGER NOT NULL, severity_text TEXT NOT NULL,
  body TEXT NOT NULL, resource_key BLOB NOT NULL, scope TEXT NOT NULL, blob BLOB NOT NULL);
CREATE INDEX logs_trace ON logs(trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX logs_time ON logs(time_ns);
CREATE INDEX logs_service ON logs(service, time_ns);
"""
_OLD_INDEXES = {
    "1": """
        CREATE INDEX spans_start ON spans(start_ns);
        CREATE INDEX spans_service ON spans(service, start_ns);
        CREATE INDEX spans_name ON spans(name, start_ns);
        CREATE INDEX spans_duration ON spans(duration_ns);
    """,
    "2": """
        CREATE INDEX spans_time ON spans(start_ns, duration_ns, service, name);
        CREATE INDEX spans_service ON spans(service, start_ns, duration_ns, name);
    """,
}


def _old_store(path: Path, version: str, bodies: list[bytes]) -> None:
    """A store of spans as version ``version`` wrote it."""
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(_OLD_SPANS + _OLD_INDEXES[version])
    db.execute("INSERT INTO meta VALUES('schema', ?)", (version,))
    for body in bodies:
        decoded = decode_trace_request(body, json=False)
        db.executemany("INSERT OR IGNORE INTO resources VALUES(?,?,?)", decoded.resources)
        db.executemany(f"INSERT INTO spans VALUES({','.join('?' * 13)})", decoded.rows)
    db.close()


@pytest.mark.parametrize("version", ["1", "2"])
def test_an_older_store_is_read_as_it_is_and_upgraded_by_the_writer(
    tmp_path: Path, version: str
) -> None:
    path = tmp_path / "s.sqlite"
    old, new, db_tid = os.urandom(16), os.urandom(16), os.urandom(16)
    retried = trace_request(trace_ids=[old], start_ns=T0)
    _old_store(
        path,
        version,
        [retried, trace_request(trace_ids=[db_tid], service="db", start_ns=T0 + 5 * 10**9)],
    )
    r = StoreReader(path)
    assert r.trace(old.hex()) is not None
    assert _search(r, service="api") == [old.hex()]
    assert _search(r) == [db_tid.hex(), old.hex()]  # newest first
    assert r.stats().schema == version
    r.close()

    notes: list[str] = []
    w = StoreWriter(path, note=notes.append)
    expected = f"upgrading the store {path} from schema {version} to 3 (6 spans, about 10 s"
    assert notes[0] == expected + " per million)"
    assert notes[1].startswith("store upgraded in ") and len(notes) == 2
    assert _indexes(path) == {"spans_time", "spans_service"}
    w.write(
        [
            decode_trace_request(retried, json=False),  # a retry: already stored
            decode_trace_request(trace_request(trace_ids=[new], start_ns=T0 + 10**9), json=False),
        ],
        [],
    )
    r = StoreReader(path)
    assert r.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("3",)
    assert StoreReader(path).stats().schema == "3"
    assert r.stats().spans == 9
    # The rows kept their order: ids are the old rowids, new rows come after them.
    assert [bytes(t) for (t,) in r.db.execute("SELECT trace_id FROM spans ORDER BY id")] == [
        *[old] * 3,
        *[db_tid] * 3,
        *[new] * 3,
    ]
    trace = r.trace(old.hex())
    assert trace is not None and [s.name for s in trace.spans] == ["root", "child1", "child2"]
    assert _search(r, service="api", operation="child1") == [new.hex(), old.hex()]
    assert _search(r) == [db_tid.hex(), new.hex(), old.hex()]
    assert w.prune(before_ns=T0 + 10**6, max_bytes=None) == 3
    assert _search(r) == [db_tid.hex(), new.hex()]
    w.close()


def test_search_returns_the_newest_traces_across_and_within_time_buckets(
    tmp_path: Path,
) -> None:
    w = StoreWriter(tmp_path)
    bucket = 1 << sqlite_store._BUCKET_SHIFT
    base = (T0 // bucket + 1) * bucket  # the start of a bucket
    # Start offsets (ns from base), written in an order that is not their time order: two
    # traces share a bucket, others are a bucket (or many) apart, one sits on the edge.
    ms = 10**6
    offsets = [
        bucket + 7 * ms,
        5 * ms,
        bucket * 40,
        bucket - ms,
        bucket + 3 * ms,
        0,
        bucket * 40 + ms,
    ]
    tids = [os.urandom(16) for _ in offsets]
    for tid, off in zip(tids, offsets, strict=True):
        w.write(
            [decode_trace_request(trace_request(trace_ids=[tid], start_ns=base + off), json=False)],
            [],
        )
    newest_first = [t.hex() for _, t in sorted(zip(offsets, tids, strict=True), reverse=True)]
    r = StoreReader(tmp_path)
    for limit in range(1, len(offsets) + 1):
        assert _search(r, limit=limit) == newest_first[:limit]
    start = datetime.fromtimestamp((base + bucket - 2 * ms) / 1e9, UTC)
    end = datetime.fromtimestamp((base + bucket + 5 * ms) / 1e9, UTC)
    in_window = r.search(TraceSearch(start=start, end=end, limit=10))
    assert [s.trace_id for s in in_window] == [tids[4].hex(), tids[3].hex()]


def test_every_span_query_reads_an_index(tmp_path: Path) -> None:
    """EXPLAIN QUERY PLAN of each statement the reader and writer run on spans: each seeks
    in an index, but for the two that read every span (count, the size limit's cut)."""
    statements: list[str] = []
    w = StoreWriter(tmp_path)
    tid = os.urandom(16)
    w.write([decode_trace_request(trace_request(trace_ids=[tid], traces=1), json=False)], [])
    w.write([decode_trace_request(trace_request(traces=20, service="db"), json=False)], [])
    r = StoreReader(tmp_path)
    r.db.set_trace_callback(statements.append)
    w.db.set_trace_callback(statements.append)
    r.trace(tid.hex())
    r.trace_ids_with_prefix(tid.hex()[:3], 5)
    for kw in (
        {},
        {"service": "db"},
        {"operation": "child1"},
        {"service": "db", "operation": "child1", "min_duration_ns": 1, "max_duration_ns": 10**9},
        {"min_duration_ns": 10**6},
        {"errors": True},
        {"service": "db", "errors": True},
        {"tags": (("route", "/r1"),)},
    ):
        _search(r, **kw)
    r.stats()
    w.prune(before_ns=T0 + 1, max_bytes=1)
    span_queries = [
        q for q in statements if " spans" in q and q.split()[0].upper() in ("SELECT", "DELETE")
    ]
    assert len(span_queries) > 10
    db = sqlite3.connect(tmp_path / "store.sqlite")
    for q in span_queries:
        plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + q)]
        # Only counting every span, and reading them oldest first up to an offset (the size
        # limit's cut), go through a whole index; everything else seeks.
        whole = "count(" in q or " OFFSET " in q
        if q.startswith("SELECT id FROM spans WHERE") and "instr(" not in q:
            # A search without tags: every filter is in the index, rows are not read.
            assert "USING COVERING INDEX" in plan[0], (q, plan)
        for step in plan:
            if step.startswith("SEARCH spans"):
                assert "INDEX" in step or "PRIMARY KEY" in step, (q, plan)
            elif step.startswith("SCAN spans"):
                assert whole and "COVERING INDEX" in step, (q, plan)
    db.close()


def test_a_store_of_an_unknown_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    StoreWriter(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    db.commit()
    db.close()
    with pytest.raises(UsageError, match="store schema 99, this obsctl writes 3"):
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


def test_a_reader_open_across_the_upgrade_searches_the_new_indexes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    tid = os.urandom(16)
    _old_store(path, "2", [trace_request(trace_ids=[tid], start_ns=T0)])
    r = StoreReader(path)
    assert _search(r) == [tid.hex()] and r.stats().schema == "2"
    StoreWriter(path, note=lambda _m: None).close()  # a receiver upgrades the store
    assert _search(r, service="api") == [tid.hex()]
    assert r.stats().schema == "3"  # it searches by time bucket now
